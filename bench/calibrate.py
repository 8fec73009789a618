"""Precision and recall of the engine's flags at every threshold, on labelled data,
and the `confident` / `possible` thresholds chosen from them.

    python bench/calibrate.py --claims ../shared/data/clef2020-task2/verified_claims.docs.tsv \
        --queries ../shared/data/clef2020-task2/train/tweets.queries.tsv \
        --qrels ../shared/data/clef2020-task2/train/tweet-vclaim-pairs.qrels

Each query text goes through `find_matches` as a page would. Labels:
- a flag of the query's own claim is a true positive (claims whose phrasings are
  identical after normalisation count as one: the engine cannot tell them apart);
- a flag of any other claim is a false positive;
- "absent": each half of the queries is run again against the database without
  its own claims, where every flag is false (text on a topic the database lacks);
- "neutral": generated ordinary sentences (`corpus.neutral_sentences`), where every
  flag is false.
Precision counts all three kinds of false flag. Use the training split only.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from corpus import neutral_sentences
from datasets import Labelled

from server.matching import Index, Settings, build_index, find_matches

FLOOR = 0.05  # lowest score collected; the curve starts here
PAGE = 80  # neutral sentences per page


def flags(index: Index, texts: list[tuple[str, str]], semantic=None) -> dict[str, dict[str, float]]:
    """For each (id, text): claim id → best score of its flags."""
    settings = Settings(possible=FLOOR, confident=1.0)
    out: dict[str, dict[str, float]] = {}
    for key, text in texts:
        best: dict[str, float] = {}
        for m in find_matches(index, [{"id": key, "text": text}], settings, semantic):
            best[m.claim_id] = max(best.get(m.claim_id, 0.0), m.score)
        out[key] = best
    return out


def curve(args: argparse.Namespace) -> list[dict]:
    data = Labelled(args.claims, args.queries, args.qrels)
    group, want, queries = data.group, data.relevant_groups, data.queries
    index = data.index()
    stage = None
    if args.semantic:
        from vectors import semantic_for

        stage = semantic_for
    semantic = stage(index, data.claims) if stage else None
    present = flags(index, queries, semantic)
    absent: dict[str, dict[str, float]] = {}
    for half in (0, 1):
        mine = [(q, t) for i, (q, t) in enumerate(queries) if i % 2 == half]
        drop = set().union(*(want[q] for q, _ in mine))
        rest = [c for c in data.claims if group[c["id"]] not in drop]
        rest_index = build_index(rest, aliases=data.aliases)
        absent.update(flags(rest_index, mine, stage(rest_index, rest) if stage else None))
    sentences = neutral_sentences(args.neutral)
    neutral: list[float] = []
    settings = Settings(possible=FLOOR, confident=1.0)
    for i in range(0, len(sentences), PAGE):
        segs = [{"id": str(j), "text": s} for j, s in enumerate(sentences[i : i + PAGE])]
        neutral.extend(m.score for m in find_matches(index, segs, settings, semantic))

    tp = np.array(
        [
            max((s for c, s in present[q].items() if group[c] in want[q]), default=0.0)
            for q, _ in queries
        ]
    )
    fp_other = np.array(
        [s for q, _ in queries for c, s in present[q].items() if group[c] not in want[q]]
    )
    fp_absent = np.array([s for q, _ in queries for s in absent[q].values()])
    neutral_a = np.array(neutral)
    out = []
    for t in np.round(np.arange(FLOOR, 1.0, 0.01), 2):
        hits = int((tp >= t).sum())
        wrong = int((fp_other >= t).sum())
        gone = int((fp_absent >= t).sum())
        plain = int((neutral_a >= t).sum())
        out.append(
            {
                "threshold": float(t),
                "recall": hits / len(queries),
                "precision": hits / max(1, hits + wrong + gone + plain),
                "precision_present": hits / max(1, hits + wrong),
                "wrong_claim": wrong,
                "absent_flags": gone,
                "neutral_flags": plain,
            }
        )
    print(f"queries={len(queries)} neutral_sentences={len(sentences)}", file=sys.stderr)
    return out


def choose(points: list[dict], precision: float) -> dict:
    """The lowest threshold whose precision reaches `precision`."""
    return next((p for p in points if p["precision"] >= precision), points[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--claims", required=True)
    p.add_argument("--queries", required=True, help="the TRAINING split's queries")
    p.add_argument("--qrels", required=True)
    p.add_argument("--neutral", type=int, default=4000, help="generated ordinary sentences")
    p.add_argument("--semantic", action="store_true", help="with the semantic stage")
    p.add_argument("--confident-precision", type=float, default=0.95)
    p.add_argument("--possible-precision", type=float, default=0.80)
    args = p.parse_args(argv)
    points = curve(args)
    print("threshold recall precision precision_present wrong_claim absent_flags neutral_flags")
    for pt in points:
        if round(pt["threshold"] * 100) % 5 == 0:
            print(
                f"{pt['threshold']:.2f} {pt['recall']:.3f} {pt['precision']:.3f} "
                f"{pt['precision_present']:.3f} {pt['wrong_claim']} {pt['absent_flags']} "
                f"{pt['neutral_flags']}"
            )
    conf = choose(points, args.confident_precision)
    poss = choose(points, args.possible_precision)
    print(
        f"confident={conf['threshold']:.2f} precision={conf['precision']:.3f} "
        f"recall={conf['recall']:.3f} possible={poss['threshold']:.2f} "
        f"precision={poss['precision']:.3f} recall={poss['recall']:.3f}"
    )


if __name__ == "__main__":
    main()
