"""Ranking metrics, computed on the order given (no re-sorting, no tie handling)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def average_precision(ranked: Sequence[str], relevant: set[str], depth: int) -> float:
    """AP@depth as the CLEF CheckThat! scorer (trectools `get_map`) computes it: the
    precision at each relevant document within the top `depth`, summed, divided by
    the number of relevant documents in the qrels (found or not)."""
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc in enumerate(ranked[:depth], 1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def first_hit(ranked: Sequence[str], relevant: set[str]) -> int | None:
    """1-based rank of the first relevant document, or None."""
    return next((i for i, doc in enumerate(ranked, 1) if doc in relevant), None)


def summary(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> dict:
    """MAP@5, Hit@1, Hit@5 and MRR over every query of the qrels (a query with no
    ranking scores 0)."""
    n = len(qrels)
    if not n:
        return {"MAP@5": 0.0, "Hit@1": 0.0, "Hit@5": 0.0, "MRR": 0.0, "n": 0}
    ap = hit1 = hit5 = rr = 0.0
    for query, relevant in qrels.items():
        ranked = runs.get(query, [])
        ap += average_precision(ranked, relevant, 5)
        rank = first_hit(ranked, relevant)
        if rank is not None:
            hit1 += rank == 1
            hit5 += rank <= 5
            rr += 1 / rank
    return {"MAP@5": ap / n, "Hit@1": hit1 / n, "Hit@5": hit5 / n, "MRR": rr / n, "n": n}
