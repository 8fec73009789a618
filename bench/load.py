"""Steady load on a real server: pages/s held for a fixed time, latency measured.

    .venv/bin/python bench/load.py --rate 100 --seconds 60 --claims 10000 --workers 2

Starts `healthflags serve` on a generated database (127.0.0.1 only, the per-client
rate limit raised in its own environment; the default stays), sends POST /v1/match
at a fixed rate (open loop: a slow answer does not slow the senders), stops by
itself after --seconds, and prints one line:

    rate=100 seconds=60 sent=6000 ok=6000 errors=0 p50_ms=… p99_ms=… max_ms=…
    baseline_p99_ms=… ratio_p99=…

The baseline is GET /v1/health at the same rate in the same run, so the ratio says
what matching costs on this machine today, whatever else it is doing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import claims as generate_claims  # noqa: E402
from bench.corpus import pages as generate_pages  # noqa: E402
from bench.speed import make_database, serving  # noqa: E402


def paced(port: int, rate: float, seconds: float, request) -> dict:
    """Send `request(conn, i)` at `rate` per second for `seconds`, from a pool of
    threads each on its own keep-alive connection. Returns latency figures."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    lock = threading.Lock()
    next_i = [0]
    latencies: list[float] = []
    errors: list[int] = []

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= total:
                break
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            t0 = time.perf_counter()
            try:
                status = request(conn, i)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                status = 0
            elapsed = time.perf_counter() - t0
            with lock:
                (latencies if status == 200 else errors).append(
                    elapsed if status == 200 else status
                )
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(max(4, int(rate // 10)))]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    latencies.sort()

    def pct(q: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0
        )

    return {
        "sent": total,
        "ok": len(latencies),
        "errors": len(errors),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rate", type=float, default=100.0, help="pages per second")
    p.add_argument("--seconds", type=float, default=60.0, help="how long (it stops by itself)")
    p.add_argument("--claims", type=int, default=10_000, help="generated claims")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--baseline-seconds", type=float, default=5.0)
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "load.db"
        make_database(db_path, args.claims)
        rows = generate_claims(args.claims, seed=args.claims)  # what make_database stored
        bodies = [json.dumps({"segments": page}).encode() for page in generate_pages(rows, 20)]
        with serving(db_path, args.workers) as (port, _):

            def health(conn, i):
                conn.request("GET", "/v1/health")
                res = conn.getresponse()
                res.read()
                return res.status

            def match(conn, i):
                conn.request(
                    "POST",
                    "/v1/match",
                    bodies[i % len(bodies)],
                    {"Content-Type": "application/json"},
                )
                res = conn.getresponse()
                res.read()
                return res.status

            paced(port, args.rate, 2.0, match)  # warm both workers' indexes
            base = paced(port, args.rate, args.baseline_seconds, health)
            run = paced(port, args.rate, args.seconds, match)
    ratio = run["p99_ms"] / base["p99_ms"] if base["p99_ms"] else 0.0
    print(
        f"rate={args.rate:g} seconds={args.seconds:g} claims={args.claims} "
        f"workers={args.workers} sent={run['sent']} ok={run['ok']} errors={run['errors']} "
        f"p50_ms={run['p50_ms']:.1f} p99_ms={run['p99_ms']:.1f} max_ms={run['max_ms']:.1f} "
        f"baseline_p99_ms={base['p99_ms']:.1f} ratio_p99={ratio:.1f}"
    )


if __name__ == "__main__":
    main()
