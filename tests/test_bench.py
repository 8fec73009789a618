"""The benchmark scripts run end to end on tiny generated data (real runs, no mocks).
Their figures are not checked here beyond their shape: timings come from the
scripts themselves, never from assertions."""

from __future__ import annotations

import csv
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
from metrics import average_precision, summary  # noqa: E402

FIGURES = re.compile(
    r"^MAP@5=\d\.\d{3} Hit@1=\d\.\d{3} Hit@5=\d\.\d{3} MRR=\d\.\d{3} n=\d+ ms_per_query=\d+\.\d$"
)


def run(*args: str, timeout: float = 180) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def clef_layout(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A CLEF-2020 Task 2 layout: 40 generated claims, 10 reworded as queries."""
    tmp = tmp_path_factory.mktemp("clef")
    rng = random.Random(5)
    vocab = corpus.Vocabulary(rng, size=2000)
    rows = corpus.claims(40, seed=9)
    claims, queries, qrels = tmp / "claims.tsv", tmp / "queries.tsv", tmp / "qrels"
    with claims.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["", "vclaim", "title"])
        for i, r in enumerate(rows):
            w.writerow([100 + i, r["text"], corpus.reword(rng, r["text"], vocab)])
    with queries.open("w", newline="", encoding="utf-8") as fh, qrels.open("w") as qh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["", "tweet_content"])
        for q, i in enumerate(range(0, 40, 4)):
            w.writerow([q, corpus.reword(rng, rows[i]["text"], vocab) + " https://t.co/x #Health"])
            qh.write(f"{q}\t0\t{100 + i}\t1\n")
    return claims, queries, qrels


def test_quality_ends_with_one_line_of_figures(clef_layout):
    claims, queries, qrels = clef_layout
    out = run(
        "bench/quality.py",
        "--claims",
        str(claims),
        "--queries",
        str(queries),
        "--qrels",
        str(qrels),
    )
    last = out.strip().splitlines()[-1]
    assert FIGURES.match(last), last
    assert "n=10 " in last
    assert float(last.split()[0].split("=")[1]) > 0.5  # rewordings of claims are found


def test_quality_pairs_mode(tmp_path):
    rows = corpus.claims(12, seed=3)
    rng = random.Random(1)
    vocab = corpus.Vocabulary(rng, size=2000)
    path = tmp_path / "pairs.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(
            fh, ["output_text", "input_text", "type_of_claim", "type_of_medical_claim"]
        )
        w.writeheader()
        for i, r in enumerate(rows):
            w.writerow(
                {
                    "output_text": r["text"],
                    "input_text": corpus.reword(rng, r["text"], vocab),
                    "type_of_claim": "not a claim" if i < 3 else "statement of fact",
                    "type_of_medical_claim": "treatment/cure",
                }
            )
    out = run("bench/quality.py", "--pairs", str(path)).strip().splitlines()
    assert re.match(r"^Hit@1=\d\.\d{3} Hit@5=\d\.\d{3} n=12 ms_per_query=", out[-1])
    assert any("not-medical/not-a-claim rows=3" in line for line in out)


def test_fit_and_calibrate_print_weights_and_thresholds(clef_layout):
    claims, queries, qrels = clef_layout
    args = ["--claims", str(claims), "--queries", str(queries), "--qrels", str(qrels)]
    fitted = run("bench/fit.py", *args, "--folds", "2", "--neutral", "80")
    assert "RANKING = Weights(" in fitted and "Weights() defaults = Weights(" in fitted
    curve = run("bench/calibrate.py", *args, "--neutral", "80").strip().splitlines()
    assert curve[0].startswith("threshold recall precision")
    assert re.match(
        r"^confident=\d\.\d\d precision=\d\.\d{3} recall=\d\.\d{3} possible=", curve[-1]
    )


def test_speed_prints_one_line_per_size():
    out = (
        run(
            "bench/speed.py",
            "--claims",
            "200,400",
            "--runs",
            "1",
            "--pages",
            "2",
            "--brute-pages",
            "1",
        )
        .strip()
        .splitlines()
    )
    assert len(out) == 2
    for line, n in zip(out, (200, 400), strict=True):
        assert re.match(
            rf"^claims={n} page_ms=\d+\.\d\d brute_ms=\d+ ratio=\d+\.\d{{4}} "
            r"index_mb=\d+\.\d build_s=\d+\.\d\d$",
            line,
        ), line


def test_speed_http_mode_loads_a_real_server_and_stops_it():
    out = (
        run(
            "bench/speed.py",
            "--http",
            "--http-claims",
            "150",
            "--seconds",
            "2",
            "--requests",
            "40",
            "--threads",
            "2",
            timeout=240,
        )
        .strip()
        .splitlines()
    )
    assert re.match(
        r"^http claims=150 workers=2 threads=2 requests=\d+ pages_per_s=\d+ p50_ms=", out[-1]
    ), out[-1]


def test_map_at_5_follows_the_clef_scorer():
    # Two relevant documents, found at ranks 2 and 6: only the first counts at depth 5,
    # and the sum is divided by both relevant documents (trectools' get_map).
    assert average_precision(["x", "a", "y", "z", "w", "b"], {"a", "b"}, 5) == pytest.approx(0.25)
    assert average_precision(["a", "b"], {"a", "b"}, 5) == 1.0
    s = summary({"q1": ["a"], "q2": ["x", "b"]}, {"q1": {"a"}, "q2": {"b"}, "q3": {"c"}})
    assert s["n"] == 3 and s["Hit@1"] == pytest.approx(1 / 3) and s["Hit@5"] == pytest.approx(2 / 3)
    assert s["MRR"] == pytest.approx((1 + 0.5) / 3)


def test_hostile_prints_a_line_per_family_and_the_worst_ratio_last():
    out = run("bench/hostile.py", "--runs", "1", "--kb", "20", timeout=600).strip().splitlines()
    families = [line for line in out if line.startswith("family=")]
    assert len(families) == 16 and families[0].startswith("family=ordinary page text ")
    assert all(re.search(r" status=(200|413) .* ratio=\d+\.\d\d$", line) for line in families)
    assert re.fullmatch(r"worst_ratio=\d+\.\d\d family=.+", out[-1])
