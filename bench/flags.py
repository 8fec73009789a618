"""The flags a reader sees, measured on realistic prose: precision and recall of flags
at `possible` and `confident`, stance accuracy, and wrong "contradicts the evidence"
flags on real health news, each with its count and a 95% Wilson interval.

    python bench/flags.py --data ../shared/data [--semantic] [--half report|fit]

Data (a data set whose files are missing is skipped, with a note):
  --data DIR   the evaluation data (../shared/data; see its README):
      DIR/health-news-dev/articles.jsonl            real health news (paragraphs as segments)
      DIR/fullfact-health/pairs.csv                 Full Fact transcript text -> its claim
      DIR/clef2020-task2/verified_claims.docs.tsv   10,375 Snopes claims (imported as false)
      DIR/clef2020-task2/dev/ (report), train/ (fit)  tweets.queries.tsv, tweet-vclaim-pairs.qrels
      DIR/clef2022-task2a/verified_claims.docs.tsv  14,231 Snopes claims (imported as false)
      DIR/clef2022-task2a/dev-test/ (report)        tweets and qrels
  --team DIR   the team-written set (bench/data): pairs.jsonl, pages/*.json
  --cache DIR  built databases, reused while their inputs are unchanged (bench/.cache)
  --out FILE   the news flags, for reading by hand
               (default: CACHE/news-flags-<half>-<words|semantic>.txt)

Databases are built as a moderator builds them (`datasets.seeded_database`: the
shipped seed as `healthflags serve` loads it, a feed as `healthflags import --publish`
does; with --semantic, vectors as `embed_published`). The engine is the real app
(`create_app` with the shipped MATCH_* settings) answering POST /v1/match; pages are
cut into segments and batches as the extension cuts them. Only the rate limit and the
match-count flush are off. What counts as a right flag per data set is in
bench/README.md ("Flags"); the last line holds the summary figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

import datasets as ds
import documents
import scoring
from scoring import Doc, utf16_len

from server import create_app, store
from server import db as dbm
from server.matcher import embed_published
from server.matching.embed import DIM, MODEL_ID, text_key

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "server" / "seed"
# What a built database depends on: the seed and the code of the import path.
IMPORT_CODE = [
    *sorted((ROOT / "server" / "store").glob("*.py")),
    *sorted((ROOT / "server" / "importer").glob("*.py")),
    *sorted((ROOT / "server" / "formats").glob("*.py")),
    *(ROOT / "server" / n for n in ("claims.py", "db.py", "migrations.py")),
]


class Engine:
    """The real app on one database file, asked as the extension asks it."""

    def __init__(self, path: Path, semantic: bool, pool: Path | None = None, embedder=None):
        self.app = create_app(
            {
                "DATABASE": str(path),
                "SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
                "MATCH_COUNTS_FLUSH_SECONDS": 1e12,  # the bench's own counts stay out
                "SEMANTIC": semantic,
                "SEMANTIC_THREADS": 2,
            }
        )
        if semantic and embedder is not None:
            # One model for every database, as a worker has one: its cache of sentence
            # vectors (by text) then serves the same news against both databases.
            self.app.extensions["healthflags_embedder"] = embedder
        self.embedder = self.app.extensions.get("healthflags_embedder")
        db = dbm.open_db(path)
        try:
            if semantic:
                t0 = time.perf_counter()
                said = pooled_vectors(
                    db, pool or path.parent / "vectors.db", partial(embed_published, self.app, db)
                )  # embed_published: as `serve` and `import` do
                log(f"  vectors for {said} in {time.perf_counter() - t0:.0f} s")
            claims, _ = store.index_rows(db)
        finally:
            db.close()
        self.claims = {c["id"]: c for c in claims}
        self.group = ds.same_claim_groups(claims)
        self.client = self.app.test_client()

    def flags(self, paragraphs: list[str]) -> list[scoring.Flag]:
        segments, where = [], {}
        for p, text in enumerate(paragraphs):
            for base, piece in documents.segments_of(text):
                sid = f"{p}.{base}"
                segments.append({"id": sid, "text": piece})
                where[sid] = (p, utf16_len(text[:base]))
        out = []
        for batch in documents.batches(segments):
            answer = self.client.post("/v1/match", json={"segments": batch, "lang": "en"})
            assert answer.status_code == 200, answer.get_json()
            for m in answer.get_json()["matches"]:
                p, base = where[m["segment_id"]]
                out.append(scoring.Flag.from_match(m, p, base, self.group))
        return out


def pooled_vectors(db, pool_path: Path, embed: Callable[[], int]) -> str:
    """`embed()` (vectors for the published texts that have none), after copying those
    the pool holds (`bench/.cache/vectors.db`, as `bench/vectors.py` keeps it: same
    model, same text), and then giving the pool the new ones. A rebuilt database,
    or CLEF-2022 beside CLEF-2020, embeds only the texts never seen. Says how many."""

    keys = sorted({text_key(t) for t in store.published_texts(db)})
    pool = dbm.open_db(pool_path)
    try:
        have = store.load_vectors(db, MODEL_ID, keys)
        lent = store.load_vectors(pool, MODEL_ID, [k for k in keys if k not in have])
        store.save_vectors(db, MODEL_ID, DIM, list(lent.items()))
        embed()
        pooled = store.load_vectors(pool, MODEL_ID, keys)
        fresh = store.load_vectors(db, MODEL_ID, [k for k in keys if k not in pooled])
        store.save_vectors(pool, MODEL_ID, DIM, list(fresh.items()))
    finally:
        pool.close()
    embedded = len(keys) - len(have) - len(lent)
    return (
        f"{len(keys)} published texts: {len(have)} stored, {len(lent)} from the pool, "
        f"{embedded} embedded"
    )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- databases ------------------------------------------------------------------------


def database(args, name: str) -> Path:
    """The database `name` in the cache, built first if its inputs changed."""
    feeds = {"seed": None, **args.feeds}
    feed = feeds[name]
    inputs = [SEED, *IMPORT_CODE] + ([feed[0]] if feed else [])
    key = ds.inputs_hash(inputs, extra=name)
    args.cache.mkdir(parents=True, exist_ok=True)
    path = args.cache / f"flags-{name}-{key}.db"
    if path.exists() and not args.rebuild:
        return path
    for old in args.cache.glob(f"flags-{name}-*.db*"):
        old.unlink()
    t0 = time.perf_counter()
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    ds.seeded_database(tmp, [(feed[0].name, feed[1]())] if feed else [])
    tmp.replace(path)
    log(f"built database {name} in {time.perf_counter() - t0:.0f} s: {path}")
    return path


def plan(args) -> list[tuple[str, str, Callable[[], list[Doc]]]]:
    """(data set, database, its documents) for the half asked, those with data."""
    d, half = args.data, args.half
    c20, c22 = d / "clef2020-task2", d / "clef2022-task2a"
    c20_claims, c22_claims = args.feeds["clef2020"][0], args.feeds["clef2022"][0]
    rows = [
        ("team-pairs", "seed", partial(documents.team_pairs, args.team / "pairs.jsonl"),
         args.team / "pairs.jsonl", ds.REPORT),
        ("team-pages", "seed", partial(documents.team_pages, args.team / "pages"),
         args.team / "pages", ds.REPORT),
        ("fullfact", "fullfact", partial(documents.fullfact, args.fullfact, half),
         args.fullfact, None),
        ("clef2020-dev", "clef2020", partial(documents.clef, c20 / "dev", c20_claims),
         c20 / "dev", ds.REPORT),
        ("clef2020-train", "clef2020", partial(documents.clef, c20 / "train", c20_claims),
         c20 / "train", ds.FIT),
        ("clef2022-dev-test", "clef2022", partial(documents.clef, c22 / "dev-test", c22_claims),
         c22 / "dev-test", ds.REPORT),
        ("news", "seed", partial(documents.news, args.news, half), args.news, None),
        ("news-10k", "clef2020", partial(documents.news, args.news, half), args.news, None),
    ]  # fmt: skip
    out = []
    for name, db, load, path, only in rows:
        if only not in (None, half) or (args.only and name not in args.only):
            continue
        feed = args.feeds.get(db)
        if not path.exists() or (feed and not feed[0].exists()):
            log(f"skipped {name}: {path if not path.exists() else feed[0]} not found")
            continue
        out.append((name, db, load))
    return out


# --- running and printing -------------------------------------------------------------


def run(engine: Engine, docs: list[Doc]) -> list[list[scoring.Flag]]:
    return [engine.flags(doc.paragraphs) for doc in docs]


def print_labelled(
    name: str, docs, flags, engine: Engine, db: str, out, verbose: bool = False
) -> scoring.Tally:
    says = "repeats" if name == "fullfact" else None  # see bench/README.md, "Flags"
    total = scoring.Tally()
    clauses = scoring.Clauses()
    patterns: dict[str, scoring.Tally] = {}
    for doc, fs in zip(docs, flags, strict=True):
        one = scoring.tally(doc, fs, engine.group, says)
        total.add(one)
        clauses.add(scoring.clause_tally(doc, fs, engine.group))
        if "pattern" in doc.meta:
            patterns.setdefault(doc.meta["pattern"], scoring.Tally()).add(one)
        write_judged(name, doc, fs, engine, out)
    labels = Counter(lab for d in docs for s in d.spans for lab in (s.labels or {}).values())
    empty = sum(1 for d in docs for s in d.spans if s.labels == {})
    unjudged = sum(1 for d in docs for s in d.spans if s.labels is None)
    print(
        f"{name}: {len(docs)} documents, {sum(len(d.spans) for d in docs)} spans "
        f"({', '.join(f'{k} {v}' for k, v in sorted(labels.items()))}, nothing to flag {empty}"
        + (f", claim not in the database {unjudged}" if unjudged else "")
        + "); "
        f"database {db} ({len(engine.claims)} published claims)"
    )
    for tier in scoring.TIERS:
        c = total.flags[tier]
        wrong = ", ".join(f"{k} {c[k]}" for k in scoring.WRONG_KINDS if c[k])
        paint = ", ".join(f"{a} {n}" for (t, a), n in sorted(total.paint.items()) if t == tier)
        print(
            f"  {tier:9}: precision {scoring.share(*total.precision(tier))}"
            f"  recall {scoring.share(*total.recall(tier))}"
            f" (claim flagged, any stance: {total.named[tier]})"
            f"\n             wrong: {wrong or 'none'}; tolerated {c[scoring.TOLERATED]}"
            f"; unjudged {c[scoring.UNJUDGED]}"
            f"; wrong flags' paint: {paint or 'none'}"
        )
    if total.stance:
        confusion = ", ".join(f"{e}->{g} {n}" for (e, g), n in sorted(total.stance.items()))
        print(f"  stance accuracy {scoring.share(*total.stance_accuracy())}  ({confusion})")
    right = ", ".join(f"{k} {n}" for k, n in sorted(total.right_stance.items()))
    print(f"  stance of the right flags (possible): {right or 'none'}")
    for pattern, t in sorted(patterns.items()):
        wrong = [t.precision(tier)[1] - t.precision(tier)[0] for tier in scoring.TIERS]
        print(
            f"  pattern {pattern}: recall confident {'/'.join(map(str, t.recall('confident')))}"
            f" possible {'/'.join(map(str, t.recall('possible')))}; wrong flags confident "
            f"{wrong[0]} possible {wrong[1]}; stance {'/'.join(map(str, t.stance_accuracy()))}"
        )
    if name.startswith("team-"):
        print_clauses(name, clauses)
        if verbose:
            print_cases(docs, flags, engine)
    if name == "team-pages":
        verdicts = {c: v["verdict"] for c, v in engine.claims.items()}
        for doc, fs in zip(docs, flags, strict=True):
            pc = scoring.page_check(doc, fs, verdicts, engine.group)
            print(
                f"  page {doc.key} ({doc.meta.get('kind')}, {doc.meta.get('topic')}): false "
                f"claims repeated {len(pc['said'])}, flagged confident "
                f"{len(pc['said']) - len(pc['missed'])}"
                + (f" (missed: {', '.join(pc['missed'])})" if pc["missed"] else "")
                + f"; harmless sentences {pc['harmless']}, flagged possible "
                f"{pc['harmless_possible']}, confident {pc['harmless_confident']}"
            )
    return total, clauses


# Issue 16's figures on `main` before the clause work (052e584, report halves, words
# only), printed beside today's: (right, out of).
CLAUSE_BASELINE = {
    "team-pages": {"multi_all": (1, 22), "multi_own": (0, 22), "reported_marked": (0, 55),
                   "reported_flagged": (20, 55), "asserted_marked": (0, 56)},
    "team-pairs": {"reported_marked": (0, 112), "reported_flagged": (69, 112),
                   "asserted_marked": (0, 329)},
}  # fmt: skip


# The same, for the figures issue 16 asks for (report halves, words only, main 052e584).
ISSUE16_BASELINE = {
    "news-10k": (12, 845),  # articles with a wrong confident red flag, 10k CLEF import
    "recall_confident": (235, 592),  # team set (curated claims), pairs + pages
    "recall_possible": (338, 592),
    "multi_own": (0, 22),
    "reported_marked": (0, 167),  # pairs 112 + pages 55
}


def print_issue16(tallies, clauses: dict[str, scoring.Clauses], news) -> None:
    """Issue 16's four figures, each beside main's before the clause work."""
    team = scoring.Tally()
    for n in ("team-pairs", "team-pages"):
        if n in tallies:
            team.add(tallies[n])
    both = scoring.Clauses()
    for c in clauses.values():
        both.add(c)
    pages = clauses.get("team-pages", scoring.Clauses())
    rows = [
        ("news-10k", "news + 10k CLEF import: articles with a wrong confident red flag (<= 1.0%)",
         news.get("news-10k", (0, 0))),
        ("recall_confident", "team set recall confident (curated claims; unchanged)",
         team.recall("confident")),
        ("recall_possible", "team set recall possible (curated claims; unchanged)",
         team.recall("possible")),
        ("multi_own", "multi-claim sentences of the pages, each claim its own flag and span "
         "(>= 90%)", (pages.multi_own, pages.multi)),
        ("reported_marked", "reported claims marked attributed, pairs + pages (>= 90%)",
         (both.reported_marked, both.reported)),
    ]  # fmt: skip
    print("issue 16 (report halves; baseline: main 052e584 before this work):")
    for key, label, (k, n) in rows:
        print(f"  {label}: {scoring.share(k, n)}; baseline {scoring.share(*ISSUE16_BASELINE[key])}")


def print_cases(docs, flags, engine: Engine) -> None:
    """`--verbose`: each multi-claim sentence and reported claim not right."""
    for doc, fs in zip(docs, flags, strict=True):
        for line in scoring.clause_cases(doc, fs, engine.group):
            print("    " + line)


def print_clauses(name: str, c: scoring.Clauses) -> None:
    """Several claims in one sentence and claims a page reports, beside the baseline."""
    base = CLAUSE_BASELINE.get(name, {})
    rows = [
        ("multi_all", "multi-claim sentences, every claim flagged", c.multi_all, c.multi),
        ("multi_own", "multi-claim sentences, every claim flagged with its own span",
         c.multi_own, c.multi),
        ("reported_flagged", "reported claims flagged (any tier)", c.reported_flagged,
         c.reported),
        ("reported_marked", "reported claims marked attributed", c.reported_marked,
         c.reported),
        ("asserted_marked", "flags of asserted claims marked attributed (lower is better)",
         c.asserted_marked, c.asserted_flagged),
    ]  # fmt: skip
    for key, label, k, n in rows:
        if not n and key.startswith("multi"):
            continue
        was = base.get(key)
        before = f"; baseline {scoring.share(*was)}" if was else ""
        print(f"  {label}: {scoring.share(k, n)}{before}")


def write_judged(name: str, doc: Doc, flags, engine: Engine, out) -> None:
    """Every flag that is not right, and every claim no right flag finds, for reading."""
    for f in flags:
        verdict = scoring.judge(f, doc, engine.group)
        if verdict != scoring.RIGHT:
            out.write(
                f"[{name}] {verdict}: {f.tier} {f.stance} {f.assessment} {f.score:.3f} {f.method}"
                f" | {doc.key} {doc.meta.get('pattern', '')}\n  text:  {f.quote}\n"
                f"  claim: {f.claim_id}: {engine.claims[f.claim_id]['text']}\n"
            )
    for span, claim, label in scoring.missed(doc, flags, engine.group):
        text = doc.paragraphs[span.paragraph].encode("utf-16-le")[span.start * 2 : span.end * 2]
        known = engine.claims.get(claim, {}).get("text", "not in the database")
        out.write(
            f"[{name}] missed {label} | {doc.key} {doc.meta.get('pattern', '')}\n"
            f"  text:  {text.decode('utf-16-le')}\n  claim: {claim}: {known}\n"
        )


def print_news(name: str, docs, flags, engine: Engine, db: str, out) -> tuple[int, int]:
    red = [
        any(f.tier == "confident" and f.assessment == "contradicts_evidence" for f in fs)
        for fs in flags
    ]
    any_conf = sum(any(f.tier == "confident" for f in fs) for fs in flags)
    n_flags = Counter((f.tier, f.assessment) for fs in flags for f in fs)
    print(
        f"{name}: {len(docs)} articles, {sum(len(d.paragraphs) for d in docs)} paragraphs; "
        f"database {db} ({len(engine.claims)} published claims)\n"
        f"  articles with a confident contradicts_evidence flag: "
        f"{scoring.share(sum(red), len(docs))}"
        f"\n  articles with any confident flag {any_conf}, any flag "
        f"{sum(bool(fs) for fs in flags)}; flags: "
        + ", ".join(f"{t} {a} {n}" for (t, a), n in sorted(n_flags.items()))
    )
    order = {("confident", "contradicts_evidence"): 0}
    rows = sorted(
        (
            (order.get((f.tier, f.assessment), 1 if f.tier == "confident" else 2), d.key, f, d)
            for d, fs in zip(docs, flags, strict=True)
            for f in fs
        ),
        key=lambda r: (r[0], r[1], r[2].paragraph, r[2].start),
    )
    for _, key, f, d in rows:
        claim = engine.claims[f.claim_id]
        out.write(
            f"[{name}] {f.tier} {f.stance} {f.assessment} {f.score:.3f} {f.method} | {key} "
            f"para {f.paragraph} | {d.meta.get('title', '')}\n  text:  {f.quote}\n"
            f"  claim: {f.claim_id} ({claim['verdict']}): {claim['text']}\n"
        )
    return sum(red), len(docs)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--team", type=Path, default=ROOT / "bench" / "data")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    p.add_argument("--out", type=Path, help="file for the news flags")
    p.add_argument("--out-labelled", type=Path, help="file for the labelled sets' wrong flags")
    p.add_argument("--half", choices=(ds.REPORT, ds.FIT), default=ds.REPORT)
    p.add_argument("--semantic", action="store_true", help="with the semantic stage")
    p.add_argument("--only", nargs="*", help="data sets to run (names as printed)")
    p.add_argument("--rebuild", action="store_true", help="rebuild cached databases")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="print the team set's multi-claim sentences and reported claims not right",
    )
    args = p.parse_args(argv)
    d = args.data
    args.news = d / "health-news-dev" / "articles.jsonl"
    args.fullfact = d / "fullfact-health" / "pairs.csv"
    c20 = d / "clef2020-task2" / "verified_claims.docs.tsv"
    c22 = d / "clef2022-task2a" / "verified_claims.docs.tsv"
    args.feeds = {
        "clef2020": (c20, partial(ds.feed_records, c20)),
        "clef2022": (c22, partial(ds.feed_records, c22)),
        "fullfact": (args.fullfact, partial(documents.fullfact_records, args.fullfact)),
    }
    mode = "semantic" if args.semantic else "words"
    out_path = args.out or args.cache / f"news-flags-{args.half}-{mode}.txt"
    judged = args.out_labelled or args.cache / f"labelled-flags-{args.half}-{mode}.txt"
    for path in (out_path, judged):
        path.parent.mkdir(parents=True, exist_ok=True)
    engines: dict[str, Engine] = {}
    tallies: dict[str, scoring.Tally] = {}
    clause_tallies: dict[str, scoring.Clauses] = {}
    news_share: dict[str, tuple[int, int]] = {}
    print(f"half={args.half} engine={mode}")
    with out_path.open("w", encoding="utf-8") as out, judged.open("w", encoding="utf-8") as wrong:
        for name, db, load in plan(args):
            t0 = time.perf_counter()
            if db not in engines:
                pool = args.cache / "vectors.db"
                shared = next((e.embedder for e in engines.values()), None)
                engines[db] = Engine(database(args, db), args.semantic, pool, shared)
            docs = load()
            flags = run(engines[db], docs)
            if name.startswith("news"):
                news_share[name] = print_news(name, docs, flags, engines[db], db, out)
            else:
                tallies[name], clause_tallies[name] = print_labelled(
                    name, docs, flags, engines[db], db, wrong, args.verbose
                )
            log(f"  {name}: {time.perf_counter() - t0:.0f} s")
    log(f"news flags written to {out_path}; labelled sets' wrong flags and misses to {judged}")
    if args.half == ds.REPORT:
        print_issue16(tallies, clause_tallies, news_share)
    print(summary(tallies, news_share))


def summary(tallies: dict[str, scoring.Tally], news: dict[str, tuple[int, int]]) -> str:
    """The last line. Precision, recall and stance: the team-written set (pairs and
    pages together) where it exists, else the Full Fact rows; news: the news half."""
    team = [tallies[n] for n in ("team-pairs", "team-pages") if n in tallies]
    source = team or [tallies[n] for n in ("fullfact",) if n in tallies]
    t = scoring.Tally()
    for x in source:
        t.add(x)
    sh = scoring.share
    print(
        "summary, from "
        + ("team-pairs + team-pages" if team else "fullfact (no team-written set in this run)")
        + f": precision confident {sh(*t.precision('confident'))}, possible "
        f"{sh(*t.precision('possible'))}; recall confident {sh(*t.recall('confident'))}, "
        f"possible {sh(*t.recall('possible'))}; stance accuracy {sh(*t.stance_accuracy())}"
    )
    r = scoring.ratio
    return (
        f"flags: precision_confident={r(*t.precision('confident'))} "
        f"recall_confident={r(*t.recall('confident'))} "
        f"precision_possible={r(*t.precision('possible'))} "
        f"recall_possible={r(*t.recall('possible'))} stance_acc={r(*t.stance_accuracy())} "
        f"news_wrong_flag_share={r(*news.get('news', (0, 0)))} "
        f"news_wrong_flag_share_10k={r(*news.get('news-10k', (0, 0)))}"
    )


if __name__ == "__main__":
    main()
