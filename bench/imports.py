"""Import speed and memory: `healthflags import` of generated CSV files of growing size,
each into a fresh database in its own process, in one run.

Prints rows/s and the process's peak RSS per size, and last the ratio of the largest
file's peak RSS to the smallest's: an import streams its file and its report, so memory
should hardly grow with the number of rows (goal: 100k rows ≤ 1.2 × 10k rows).

    .venv/bin/python bench/imports.py                 # 10k and 100k rows
    .venv/bin/python bench/imports.py --sizes 1000 10000 100000
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = [
    "kratom",
    "vitamin",
    "detox",
    "cure",
    "cancer",
    "vaccine",
    "remedy",
    "natural",
    "immune",
    "heal",
]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "verdict", "summary", "topic", "phrasings"])
        for i in range(rows):
            a, b = WORDS[i % len(WORDS)], WORDS[(i * 7) % len(WORDS)]
            writer.writerow(
                [
                    f"claim-{i}",
                    f"Claim {i}: {a} {b} works for condition {i * 13}.",
                    "false",
                    "Nothing shows it works.",
                    "bench",
                    f"{a} fixes condition {i * 13}.\nTry {b} for condition {i * 13}.",
                ]
            )


def run_import(source: Path, db: Path) -> tuple[float, int]:
    """Seconds and peak RSS (KB) of one `healthflags import` process."""
    script = Path(sys.executable).parent / "healthflags"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(script), "import", str(source), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import of {source} failed")
    return elapsed, usage.ru_maxrss  # KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak RSS MB':>12}")
        for rows in args.sizes:
            source = Path(tmp) / f"{rows}.csv"
            write_csv(source, rows)
            seconds, peak = run_import(source, Path(tmp) / f"{rows}.db")
            peaks[rows] = peak
            print(f"{rows:>8} {seconds:>8.1f} {rows / seconds:>8.0f} {peak / 1024:>12.1f}")
    small, large = min(peaks), max(peaks)
    print(
        f"imports: peak_rss_ratio={peaks[large] / peaks[small]:.2f} "
        f"({large} rows vs {small} rows; goal <= 1.2)"
    )


if __name__ == "__main__":
    main()
