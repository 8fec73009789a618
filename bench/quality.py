"""How well the engine ranks and flags checked claims, on data nobody here wrote.

    python bench/quality.py --claims ../shared/data/clef2020-task2/verified_claims.docs.tsv \
        --queries ../shared/data/clef2020-task2/dev/tweets.queries.tsv \
        --qrels ../shared/data/clef2020-task2/dev/tweet-vclaim-pairs.qrels
    python bench/quality.py --pairs ../shared/data/fullfact-health/pairs.csv

The claims go into a fresh database through `store.import_claims` (as a moderator's
import would), the index is built from the published rows, and every query is ranked
by `matching.rank`. The order is scored as given (MAP@5 as the CLEF scorer computes
it, MRR over the top 20). The last line holds the figures.

--pairs reads a CSV with `input_text` (a query) and `output_text` (its claim); each
distinct claim becomes a database claim. It prints, for every row's text passed to
`find_matches` at the default thresholds, how often rows are flagged, split into
health rows and rows labelled "not medical" / "not a claim" (`type_of_claim`,
`type_of_medical_claim`), once with every claim in the database and once with only
the health claims; the last line is Hit@1 / Hit@5 of `rank` among all claims.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from datasets import (
    Labelled,
    import_records,
    index_from_db,
    load_pairs,
    read_qrels,
    read_queries,
    temp_db,
)
from metrics import first_hit, summary

from server import store
from server.matching import Settings, find_matches, rank

DEPTH = 20  # claims ranked per query; MRR counts hits up to this depth


def semantic_stage(args: argparse.Namespace, index, claims):
    """The semantic stage for `index` with --semantic (vectors cached in bench/.cache)."""
    if not args.semantic:
        return None
    from vectors import semantic_for

    t0 = time.perf_counter()
    semantic = semantic_for(index, claims)
    print(
        f"semantic: vectors={semantic.vectors.shape[0]} "
        f"memory_mb={semantic.vectors.nbytes / 1e6:.1f} load_s={time.perf_counter() - t0:.1f}",
        file=sys.stderr,
    )
    return semantic


def clef(args: argparse.Namespace) -> None:
    data = Labelled(args.claims, args.queries, args.qrels)
    index = data.index()
    semantic = semantic_stage(args, index, data.claims)
    qrels = read_qrels(args.qrels)
    queries = read_queries(args.queries)
    print(
        f"claims={len(index)} import_s={data.import_s:.1f} build_s={data.build_s:.2f} "
        f"queries={len(queries)}",
        file=sys.stderr,
    )
    runs: dict[str, list[str]] = {}
    t0 = time.perf_counter()
    for qid, text in queries:
        runs[qid] = [data.original[c] for c, _ in rank(index, text, limit=DEPTH, semantic=semantic)]
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(queries))
    if args.misses:
        for qid, text in queries:
            if qid in qrels and first_hit(runs[qid][:1], qrels[qid]) is None:
                print(f"miss {qid}: {text!r} -> {runs[qid][:3]} want {sorted(qrels[qid])}")
    s = summary(runs, qrels)
    print(
        f"MAP@5={s['MAP@5']:.3f} Hit@1={s['Hit@1']:.3f} Hit@5={s['Hit@5']:.3f} "
        f"MRR={s['MRR']:.3f} n={s['n']} ms_per_query={ms:.1f}"
    )


# Rows whose "claim" a health database would never hold.
_NOT_HEALTH = ("not medical", "not a claim")


def pairs(args: argparse.Namespace) -> None:
    rows = [
        r for r in load_pairs(args.pairs) if r["input_text"].strip() and r["output_text"].strip()
    ]
    claim_of: dict[str, str] = {}
    for r in rows:
        claim_of.setdefault(" ".join(r["output_text"].split()), f"p-{len(claim_of) + 1}")

    def records(keep) -> list[dict]:
        out, seen = [], set()
        for r in rows:
            cid = claim_of[" ".join(r["output_text"].split())]
            if cid in seen or not keep(r):
                continue
            seen.add(cid)
            out.append(
                {
                    "id": cid,
                    "text": " ".join(r["output_text"].split())[:500],
                    "verdict": "unproven",
                    "summary": "Imported for evaluation.",
                    "topic": "evaluation",
                }
            )
        return out

    def not_health(r: dict) -> bool:
        labels = (r.get("type_of_claim"), r.get("type_of_medical_claim"))
        return any(label in _NOT_HEALTH for label in labels)

    settings = Settings()
    # 1. Ranking: every row's claim is in the database.
    with temp_db() as db:
        import_records(db, records(lambda r: True), Path(args.pairs).name)
        index = index_from_db(db)
        claims, _ = store.index_rows(db)
    semantic = semantic_stage(args, index, claims)
    t0 = time.perf_counter()
    hits1 = hits5 = 0
    for r in rows:
        ranked = [c for c, _ in rank(index, r["input_text"], limit=5, semantic=semantic)]
        want = claim_of[" ".join(r["output_text"].split())]
        hits1 += ranked[:1] == [want]
        hits5 += want in ranked
    ms = (time.perf_counter() - t0) * 1000 / len(rows)

    # 2. Flags at the `confident` and `possible` thresholds: with every claim in
    # the database, and as a health database would hold them (no claim of the
    # not-medical / not-a-claim rows, so any flag of those rows is a false one).
    with temp_db() as db:
        import_records(db, records(lambda r: not not_health(r)), Path(args.pairs).name)
        health_index = index_from_db(db)
        health_claims, _ = store.index_rows(db)
    sem = {
        "every claim": semantic,
        "health claims only": semantic_stage(args, health_index, health_claims),
    }
    for label, idx in (("every claim", index), ("health claims only", health_index)):
        counts = {"health": [0, 0, 0, 0], "other": [0, 0, 0, 0]}  # rows, flagged, conf, right
        for r in rows:
            found = find_matches(idx, [{"id": "t", "text": r["input_text"]}], settings, sem[label])
            confident = [m for m in found if m.tier == "confident"]
            want = claim_of[" ".join(r["output_text"].split())]
            c = counts["other" if not_health(r) else "health"]
            c[0] += 1
            c[1] += bool(found)
            c[2] += bool(confident)
            c[3] += any(m.claim_id == want for m in confident)
        h, o = counts["health"], counts["other"]
        print(
            f"database={label!r}: health rows={h[0]} flagged={h[1] / max(1, h[0]):.3f} "
            f"confident={h[2] / max(1, h[0]):.3f} confident_right={h[3] / max(1, h[0]):.3f}; "
            f"not-medical/not-a-claim rows={o[0]} flagged={o[1] / max(1, o[0]):.3f} "
            f"confident={o[2] / max(1, o[0]):.3f}"
        )
    print(
        f"Hit@1={hits1 / len(rows):.3f} Hit@5={hits5 / len(rows):.3f} n={len(rows)} "
        f"ms_per_query={ms:.1f}"
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--claims", help="claims TSV: id, vclaim, title")
    p.add_argument("--queries", help="queries TSV: id, text")
    p.add_argument("--qrels", help="qrels: query 0 claim 1")
    p.add_argument("--pairs", help="CSV with input_text (query) and output_text (its claim)")
    p.add_argument("--misses", action="store_true", help="list queries whose claim is not first")
    p.add_argument(
        "--semantic", action="store_true", help="with the semantic stage (the semantic extra)"
    )
    args = p.parse_args(argv)
    if args.pairs:
        pairs(args)
    elif args.claims and args.queries and args.qrels:
        clef(args)
    else:
        p.error("give --claims, --queries and --qrels, or --pairs")


if __name__ == "__main__":
    main()
