"""What checking a /v1/match request against the contract costs, beside matching it.

    python bench/contract.py --segments 20,200,2000 --runs 20

The request body of generated pages (`corpus.pages`: 80 sentences each, 5 of them
reworded claims; one page per 10 segments, 50 at most), cut into `segments`
blocks, is checked as api.py checks it. One
line per size, medians over `runs`, one thread:

    segments=N check_ms=… full_check_ms=… loads_ms=… page_ms=… check_share=…

- check_ms: `Checker.problems` (fastjsonschema's compiled check; what a valid request
  pays);
- full_check_ms: jsonschema walking the same body (what only a failing one pays);
- loads_ms: `json.loads` of the body, the baseline every request pays;
- page_ms: `find_matches` on the same segments against 10,000 generated claims;
- check_share: check_ms / page_ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from corpus import claims as generate_claims
from corpus import pages as generate_pages

from server.matching import build_index, find_matches
from server.schemas import Limits, match_request
from server.validation import Checker, check


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def body_of(pages: list, segments: int) -> dict:
    """`segments` blocks of text from the generated pages, in order."""
    sentences = [seg["text"] for page in pages for seg in page]
    per = max(1, len(sentences) // segments)
    blocks = [" ".join(sentences[i : i + per]) for i in range(0, per * segments, per)]
    segs = [{"id": f"s{i}", "text": t} for i, t in enumerate(blocks)]
    return {"url": "https://example.org/a", "lang": "en", "segments": segs}


def measure(n: int, rows: list, index, runs: int) -> str:
    schema = match_request(Limits())
    checker = Checker(schema)
    # At most 50 pages (4,000 sentences): within the default budget of 5,000 a request.
    body = body_of(generate_pages(rows, min(50, max(1, n // 10)), seed=n), n)
    raw = json.dumps(body)
    assert checker.problems(body) == [] and len(body["segments"]) == n
    check_ms = median_ms(lambda: checker.problems(body), runs)
    full_ms = median_ms(lambda: check(schema, body), max(3, runs // 5))
    loads_ms = median_ms(lambda: json.loads(raw), runs)
    page_ms = median_ms(lambda: find_matches(index, body["segments"]), max(3, runs // 5))
    return (
        f"segments={n} check_ms={check_ms:.3f} full_check_ms={full_ms:.2f} "
        f"loads_ms={loads_ms:.3f} page_ms={page_ms:.2f} check_share={check_ms / page_ms:.3f}"
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--segments", default="20,200,2000", help="blocks per request, comma-separated")
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args(argv)
    rows = generate_claims(10_000, seed=10_000)
    index = build_index(rows)
    for n in (int(s) for s in args.segments.split(",")):
        print(measure(n, rows, index, args.runs), flush=True)


if __name__ == "__main__":
    main()
