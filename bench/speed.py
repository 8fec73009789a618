"""How fast the engine answers a page, beside brute force measured in the same run.

    python bench/speed.py --claims 1000,10000,100000 --runs 5
    python bench/speed.py --http --seconds 20

For each database size: generated claims (`corpus.claims`: health vocabulary with a
Zipf-like word frequency, 8-25 words, about 10% near duplicates, 0-2 extra
phrasings each) and generated pages of 80 sentences with 5 reworded claims among
them (`corpus.pages`). One line per size:

    claims=N page_ms=… brute_ms=… ratio=… index_mb=… build_s=…

- page_ms: median time of `find_matches` over every page and run (after one warm-up
  pass), one thread, garbage collection paused while timing (as `timeit` does);
- brute_ms: median time, per page, of `rapidfuzz.process.cdist` of the page's
  sentences against every claim text with `fuzz.token_set_ratio`, one thread;
- ratio: page_ms / brute_ms;
- index_mb: memory the index holds (tracemalloc: numpy arrays and Python objects);
- build_s: `build_index` time from the rows `store.index_rows` would return, the
  fastest of three builds (the first pays for stemming words never seen before).

`--semantic` adds, per size, the semantic stage (the `semantic` extra):

    semantic_page_ms=… extra_ms=… embed_all_ms=… extra_ratio=… embedded=… vectors_mb=…

- semantic_page_ms: median `find_matches` time with the stage on, the sentence
  cache emptied before every page (each page is new to the worker), one
  onnxruntime thread; claim vectors are random unit vectors (their values do not
  change the cost; real ones would take an hour to compute at 100k claims);
- extra_ms: semantic_page_ms - page_ms; embed_all_ms: the baseline, embedding every
  sentence of the page, in the same run; extra_ratio: extra_ms / embed_all_ms;
- embedded: sentences per page the stage embedded (those naming a subject);
- vectors_mb: the claim vectors' memory.

`--http` imports 10,000 generated claims into a fresh database through
`store.import_claims`, starts `healthflags serve --workers 2` on a free port with the
per-client match limit raised, loads POST /v1/match from 127.0.0.1 with a bounded
number of threads for a fixed time or number of requests, prints pages/s and
latency percentiles, and stops the server.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from corpus import claims as generate_claims
from corpus import pages as generate_pages
from rapidfuzz import fuzz, process, utils

from server.matching import build_index, find_matches
from server.matching.sentences import split_sentences


def measure_semantic(index, pages: list, page_ms: float) -> dict:
    import numpy as np

    from server.matching import Semantic
    from server.matching.embed import Embedder

    embedder = Embedder(threads=1)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(index.phrasing_source), 384)).astype(np.float32)
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float16)
    counted: list[int] = []  # texts embedded, over all pages

    def embed(texts: list[str]):
        counted.append(len(texts))
        return embedder.embed(texts)

    semantic = Semantic(vectors, embed)
    find_matches(index, pages[0], semantic=semantic)  # warm-up: the first run's allocations
    counted.clear()
    times, whole = [], []
    for page in pages:
        embedder.cache.clear()
        t0 = time.perf_counter()
        find_matches(index, page, semantic=semantic)
        times.append(time.perf_counter() - t0)
        sentences = [seg["text"][a:b] for seg in page for a, b in split_sentences(seg["text"])]
        embedder.cache.clear()
        t0 = time.perf_counter()
        embedder.embed(sentences)
        whole.append(time.perf_counter() - t0)
    semantic_ms = statistics.median(times) * 1000
    embed_all_ms = statistics.median(whole) * 1000
    return {
        "semantic_page_ms": semantic_ms,
        "extra_ms": semantic_ms - page_ms,
        "embed_all_ms": embed_all_ms,
        "extra_ratio": (semantic_ms - page_ms) / embed_all_ms,
        "embedded": sum(counted) / len(pages),
        "vectors_mb": vectors.nbytes / 1e6,
    }


def measure(n: int, runs: int, page_count: int, brute_pages: int, semantic: bool = False) -> dict:
    rows = generate_claims(n, seed=n)
    builds = []
    for _ in range(3):  # the fastest of three, as timeit reports: this machine is shared
        gc.collect()
        t0 = time.perf_counter()
        index = build_index(rows)
        builds.append(time.perf_counter() - t0)
        del index
    build_s = min(builds)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = build_index(rows)
    gc.collect()
    index_mb = (tracemalloc.get_traced_memory()[0] - before) / 1e6
    tracemalloc.stop()

    pages = generate_pages(rows, page_count, seed=n + 1)
    for page in pages:  # warm-up: caches of stems, first-call costs
        find_matches(index, page)
    times = []
    gc.disable()  # as timeit does: a collection lands on whichever call is unlucky
    try:
        for _ in range(runs):
            for page in pages:
                t0 = time.perf_counter()
                find_matches(index, page)
                times.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    page_ms = statistics.median(times) * 1000

    texts = [r["text"] for r in rows]
    brute = []
    for page in pages[:brute_pages]:
        sentences = [seg["text"][a:b] for seg in page for a, b in split_sentences(seg["text"])]
        t0 = time.perf_counter()
        process.cdist(
            sentences,
            texts,
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            workers=1,
        )
        brute.append(time.perf_counter() - t0)
    brute_ms = statistics.median(brute) * 1000
    out = {
        "claims": n,
        "page_ms": page_ms,
        "brute_ms": brute_ms,
        "ratio": page_ms / brute_ms,
        "index_mb": index_mb,
        "build_s": build_s,
    }
    if semantic:
        out.update(measure_semantic(index, pages, page_ms))
    return out


# --- HTTP ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(path: Path, n: int) -> None:
    from server import db as dbm
    from server import store

    db = dbm.open_db(path)
    records = [
        {**r, "summary": "Generated for the speed benchmark.", "topic": "bench"}
        for r in generate_claims(n, seed=n)
    ]
    for r in records:
        r.pop("required_terms", None)
    report = store.import_claims(db, records, "bench", publish=True)
    bad = report["counts"]["invalid"]
    if bad:
        print(f"warning: {bad} generated claims rejected", file=sys.stderr)
    db.close()


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/v1/health")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /v1/health in time")


def load(port: int, bodies: list[bytes], threads: int, seconds: float, limit: int) -> dict:
    """Each thread posts pages on its own keep-alive connection until `seconds`
    pass or `limit` requests are sent in all."""
    lock = threading.Lock()
    sent = [0]
    latencies: list[float] = []
    errors: list[int] = []
    stop_at = time.monotonic() + seconds

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = k
        while time.monotonic() < stop_at:
            with lock:
                if sent[0] >= limit:
                    break
                sent[0] += 1
            body = bodies[i % len(bodies)]
            i += threads
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/v1/match", body, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors.append(status)
        conn.close()

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "pages_per_s": len(latencies) / wall,
        "p50_ms": pct(0.50) if latencies else 0.0,
        "p99_ms": pct(0.99) if latencies else 0.0,
        "ok": len(latencies),
        "errors": len(errors),
        "seconds": wall,
    }


@contextlib.contextmanager
def serving(db_path: Path, workers: int, stderr=subprocess.DEVNULL):
    """`healthflags serve` on 127.0.0.1 over `db_path`, with the per-client rate limits
    raised in its own environment (the defaults stay); yields (port, process) once it
    answers, and stops it with its workers afterwards."""
    exe = Path(sys.executable).with_name("healthflags")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "server.cli"]
    port = free_port()
    env = {
        **os.environ,
        "HEALTHFLAGS_RATELIMIT_MATCH": "1000000 per minute",
        "HEALTHFLAGS_RATELIMIT_READ": "1000000 per minute",
        "HEALTHFLAGS_SECRET_KEY": "speed-benchmark",
    }
    proc = subprocess.Popen(
        [
            *command,
            "serve",
            "--db",
            str(db_path),
            "--no-seed",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,  # its own process group, so the workers stop with it
    )
    try:
        wait_healthy(port, proc)
        yield port, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def http_mode(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="healthflags-speed-") as tmp:
        path = Path(tmp) / "speed.db"
        t0 = time.perf_counter()
        make_database(path, args.http_claims)
        print(
            f"database: {args.http_claims} claims in {time.perf_counter() - t0:.1f}s",
            file=sys.stderr,
        )
        rows = generate_claims(args.http_claims, seed=args.http_claims)
        bodies = [
            json.dumps({"segments": page, "lang": "en"}).encode()
            for page in generate_pages(rows, 50, seed=7)
        ]
        with serving(path, args.workers, stderr=subprocess.PIPE) as (port, proc):
            # Warm-up: each worker builds its index on its first request.
            load(port, bodies, args.threads, 3.0, 20 * args.workers)
            got = load(port, bodies, args.threads, args.seconds, args.requests)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if got["errors"]:
            print(f"warning: {got['errors']} requests failed\n{err[-2000:]}", file=sys.stderr)
        print(
            f"http claims={args.http_claims} workers={args.workers} threads={args.threads} "
            f"requests={got['ok']} pages_per_s={got['pages_per_s']:.0f} "
            f"p50_ms={got['p50_ms']:.1f} p99_ms={got['p99_ms']:.1f}"
        )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--claims", default="1000,10000,100000", help="database sizes, comma-separated")
    p.add_argument("--runs", type=int, default=5, help="passes over the pages per size")
    p.add_argument("--pages", type=int, default=20, help="generated pages per size")
    p.add_argument(
        "--brute-pages",
        type=int,
        default=0,
        help="pages timed by brute force per size (default: 3, 1 from 50,000 claims)",
    )
    p.add_argument("--semantic", action="store_true", help="also time the semantic stage")
    p.add_argument("--http", action="store_true", help="load a real server instead")
    p.add_argument("--http-claims", type=int, default=10_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4, help="load generator threads")
    p.add_argument("--seconds", type=float, default=20.0, help="load duration at most")
    p.add_argument("--requests", type=int, default=20_000, help="requests at most")
    args = p.parse_args(argv)
    if args.http:
        http_mode(args)
        return
    for n in (int(x) for x in args.claims.split(",") if x.strip()):
        brute_pages = args.brute_pages or (1 if n >= 50_000 else 3)
        r = measure(n, args.runs, args.pages, min(brute_pages, args.pages), args.semantic)
        print(
            f"claims={r['claims']} page_ms={r['page_ms']:.2f} brute_ms={r['brute_ms']:.0f} "
            f"ratio={r['ratio']:.4f} index_mb={r['index_mb']:.1f} build_s={r['build_s']:.2f}",
            flush=True,
        )
        if args.semantic:
            print(
                f"claims={r['claims']} semantic_page_ms={r['semantic_page_ms']:.1f} "
                f"extra_ms={r['extra_ms']:.1f} embed_all_ms={r['embed_all_ms']:.0f} "
                f"extra_ratio={r['extra_ratio']:.3f} embedded={r['embedded']:.1f} "
                f"vectors_mb={r['vectors_mb']:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
