"""Server CPU per KB for hostile /v1/match bodies, beside ordinary page text.

    .venv/bin/python bench/hostile.py [--runs 3] [--kb 400] [--extra-claims 0]

The real app (create_app, the shipped curated claims loaded as on first start, in a
fresh SQLite file; rate limits off) answers each body through its WSGI interface in
this process, so the CPU measured (`time.process_time`, the median of --runs after
one warm-up) is the server's whole handling of the request: reading and parsing the
JSON, splitting, matching, looking up claims, writing the answer. Sockets aside.

Every family is built to about --kb KB (or as near as the request limits allow) and
is sent as the extension would: segments of text in a JSON body. One line each:

    family=… kb=… status=… cpu_ms=… ms_per_kb=… ratio=…

`ratio` is ms_per_kb over the ordinary page text's (real pages from tests/, read as
the extension reads them, and generated pages with reworded claims, filled to the
same size): the median over --runs of pairs, the ordinary body timed right before
the family's, so that the shared machine's drift cancels. A family the server refuses (413: over
the sentence budget) counts with the CPU it took to refuse. Last line:

    worst_ratio=… family=…   (the promise: at most 5)

No answer may be a 5xx: the script stops with an error if one is.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import claims as generate_claims  # noqa: E402
from bench.corpus import pages as generate_pages  # noqa: E402
from server import create_app, store  # noqa: E402
from server import db as dbm  # noqa: E402
from server.pagetext import segments_from_html  # noqa: E402

SEGMENT = 20_000  # characters: the default MATCH_MAX_SEGMENT_CHARS
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def segments(texts: list[str]) -> list[dict]:
    return [{"id": f"s{i}", "text": t} for i, t in enumerate(texts, 1)]


def fill(texts: list[str], kb: float, max_segments: int = 2000) -> list[str]:
    """Texts taken in turn until their UTF-8 size reaches `kb`."""
    out, size = [], 0
    while size < kb * 1024 and len(out) < max_segments:
        text = texts[len(out) % len(texts)]
        out.append(text)
        size += len(text.encode()) + 20
    return out


def runs_of(unit: str, kb: float) -> list[str]:
    """Segments of SEGMENT characters made of `unit` repeated, to about `kb` KB."""
    text = (unit * (SEGMENT // len(unit) + 1))[:SEGMENT]
    return fill([text], kb)


def ordinary_text(db_path: Path) -> list[str]:
    """Real pages (the test pages, read as the extension reads them) and generated
    pages with reworded claims of the database among ordinary sentences."""
    texts = []
    for path in sorted((ROOT / "tests" / "fixtures").glob("*.html")) + sorted(
        (ROOT / "tests" / "pages").glob("*.html")
    ):
        texts += [s["text"] for s in segments_from_html(path.read_text(encoding="utf-8"))]
    db = dbm.open_db(db_path)
    rows = [{"text": t} for t in store.published_texts(db)]
    db.close()
    texts += [s["text"] for page in generate_pages(rows, 40) for s in page]
    return texts


def split_runs(text: str) -> list[str]:
    return [text[i : i + SEGMENT] for i in range(0, len(text), SEGMENT)]


def subject_soup(subjects: list[str], kb: float) -> list[str]:
    """Sentences naming 30 claim subjects each, shuffled so no two are alike: every
    sentence is a candidate for many claims (the most scoring work per byte)."""
    rng = random.Random(7)
    sentences, size = [], 0
    while size < kb * 1024:
        rng.shuffle(subjects)
        sentences.append(" ".join(subjects[:30]).capitalize() + " cure everything safely.")
        size += len(sentences[-1]) + 1
    return fill(split_runs(" ".join(sentences)), kb)


def families(db_path: Path, kb: float) -> dict[str, list[str]]:
    db = dbm.open_db(db_path)
    phrasings = store.published_texts(db)
    subjects = [r[0] for r in db.execute("SELECT DISTINCT term FROM required_terms").fetchall()]
    db.close()
    # Capitals after the mark: real sentence ends. "A. B." reads as initials instead.
    one_letter = " ".join(f"{LETTERS[i % 26].upper()}!" for i in range(100_000))
    initials = " ".join(f"{LETTERS[i % 26].upper()}." for i in range(100_000))
    mixed = (
        "Kratom 治愈 成瘾 كراتوم يعالج الإدمان Кратом лечит зависимость क्रैटम 😀👩‍👩‍👧 "
        "e\u0301\u0301\u0301 \u202ekratom is safe\u202c \u200bcures\u200d addiction. "
    )
    repeated = "Kratom cures addiction. "
    return {
        "runs of '.'": runs_of(".", kb),
        "runs of '!'": runs_of("!", kb),
        "runs of '?'": runs_of("?", kb),
        "runs of '…'": runs_of("…", kb),
        "dots and quotes": runs_of('."', kb),
        "dotted word chain + '/'": [t[:-2] + " /" for t in runs_of("a.", kb)],
        "one enormous word": runs_of("kratom", kb),
        "100k one-letter sentences": fill(split_runs(one_letter), kb),
        "100k one-letter initials": fill(split_runs(initials), kb),
        # Just under the 5,000-sentence budget (every sentence a match), then over it.
        "repeated claim x4,900": [repeated * 700] * 7,
        "repeated claim, over budget": runs_of(repeated, kb),
        "30 subjects per sentence": subject_soup(subjects, kb),
        "2,000 segments of claims": fill(phrasings, kb, max_segments=2000),
        "maximal segments of claims": fill(split_runs(" ".join(phrasings)), kb),
        "mixed scripts": runs_of(mixed, kb),
    }


def body_of(texts: list[str]) -> bytes:
    return json.dumps({"segments": segments(texts)}, ensure_ascii=False).encode()


def cpu_ms(client, body: bytes) -> tuple[float, int]:
    """CPU milliseconds this process spent answering `body`, and the status."""
    start = time.process_time()
    res = client.post("/v1/match", data=body, content_type="application/json")
    spent = (time.process_time() - start) * 1000
    if res.status_code >= 500:
        raise SystemExit(f"server error {res.status_code}: {res.get_data(as_text=True)[:300]}")
    return spent, res.status_code


def measure(client, body: bytes, baseline: bytes, runs: int) -> dict:
    """The family's median CPU and its median ratio per KB to the baseline's, each
    run timing the baseline right before the family (the machine's speed drifts;
    pairs taken together cancel most of it)."""
    cpu_ms(client, body)  # warm-up: stems and caches as a busy worker has them
    cpu_ms(client, baseline)
    times, ratios, status = [], [], 0
    for _ in range(runs):
        base_ms, _ = cpu_ms(client, baseline)
        ms, status = cpu_ms(client, body)
        times.append(ms)
        ratios.append((ms / len(body)) / (base_ms / len(baseline)))
    kb = len(body) / 1024
    ms = statistics.median(times)
    return {
        "kb": kb,
        "ms": ms,
        "per_kb": ms / kb,
        "ratio": statistics.median(ratios),
        "status": status,
    }


def make_app(tmp: Path, extra_claims: int):
    path = tmp / "hostile.db"
    db = dbm.open_db(path)
    store.seed_if_new(db)
    if extra_claims:
        store.import_claims(db, generate_claims(extra_claims), "bench", publish=True)
    db.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    return app, path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kb", type=float, default=400, help="size of each body, in KB")
    parser.add_argument("--extra-claims", type=int, default=0, help="generated claims to add")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        app, path = make_app(Path(tmp), args.extra_claims)
        client = app.test_client()
        with app.app_context():
            claims = len(store.published_texts(dbm.open_db(path)))
        print(f"database: the curated claims (+{args.extra_claims} generated), {claims} texts")
        baseline = body_of(fill(ordinary_text(path), args.kb))
        base = measure(client, baseline, baseline, args.runs)
        print(
            f"family=ordinary page text kb={base['kb']:.0f} status={base['status']} "
            f"cpu_ms={base['ms']:.1f} ms_per_kb={base['per_kb']:.3f} ratio=1.00"
        )
        worst = (0.0, "")
        for name, texts in families(path, args.kb).items():
            got = measure(client, body_of(texts), baseline, args.runs)
            worst = max(worst, (got["ratio"], name))
            print(
                f"family={name} kb={got['kb']:.0f} status={got['status']} cpu_ms={got['ms']:.1f} "
                f"ms_per_kb={got['per_kb']:.3f} ratio={got['ratio']:.2f}"
            )
        print(f"worst_ratio={worst[0]:.2f} family={worst[1]}")


if __name__ == "__main__":
    main()
