"""Ranking: every claim ordered for one text taken whole (a tweet, a post)."""

from __future__ import annotations

import numpy as np

from .decide import (
    RANKING,
    SEMANTIC_RANKING,
    Features,
    Weights,
    evidence_feature,
    fuzzy_ratios,
    sigmoid,
)
from .index import Index, Texts
from .retrieve import best_of_groups, names
from .semantic import Semantic, nearest_claims


def rank(
    index: Index,
    text: str,
    *,
    limit: int = 5,
    weights: Weights | None = None,
    semantic: Semantic | None = None,
) -> list[tuple[str, float]]:
    """Claims ranked for one text taken whole (a tweet, a post), best first, with
    their scores, in a strict order: equal scores fall back to the order claims
    were indexed. Candidates are the claims with the best BM25 for the text, and
    with `semantic` also the claims closest to it in meaning."""
    default = SEMANTIC_RANKING if semantic is not None else RANKING
    scored = _ranked(index, text, limit=limit, weights=weights or default, semantic=semantic)
    return [(index.ids[c], sc) for sc, c, _ in scored[:limit]]


def rank_features(
    index: Index, text: str, *, pool: int = 50, semantic: Semantic | None = None
) -> list[tuple[str, Features]]:
    """The claims `rank` considers for a text, with their features (for fitting)."""
    return [
        (index.ids[c], f)
        for _, c, f in _ranked(index, text, limit=pool, weights=RANKING, semantic=semantic)
    ]


def _pool(index: Index, bm: np.ndarray, limit: int) -> np.ndarray:
    """The best claims by BM25, ties at the edge going to the first indexed."""
    pool = min(len(index), max(50, limit * 10))
    edge = np.partition(bm, len(bm) - pool)[len(bm) - pool]
    top = np.flatnonzero((bm >= edge) & (bm > 0))
    if len(top) > pool:
        top = np.sort(top[np.lexsort((top, -bm[top]))[:pool]])
    return top


def _ranked(
    index: Index, text: str, *, limit: int, weights: Weights, semantic: Semantic | None = None
) -> list[tuple[float, int, Features]]:
    if not len(index):
        return []
    owner, nums, fresh = index.read([text])
    ids = nums[nums < len(index.term_list)].tolist()
    bm = index.bm25(ids)
    top = _pool(index, bm, limit)
    cosines = None
    if semantic is not None:
        pool = min(len(index), max(50, limit * 10))
        near, cosines = nearest_claims(index, semantic.vectors, semantic.embed([text])[0], pool)
        top = np.union1d(top, near)
        first, second = np.partition(cosines, -2)[-2:][::-1] if len(cosines) > 1 else (0, 0)
    if not len(top) or not len(nums):
        return []
    texts = Texts(index, owner, nums, 1)
    text_w = float(texts.weight[0]) or 1.0
    pair_rows = np.zeros(len(top), dtype=np.int64)
    _, common = index.pair_bm25(texts, pair_rows, top)
    pair_of, _, cov_all, rare_all = index.phrasing_matches(texts, pair_rows, top)
    ev_all = evidence_feature(rare_all)
    best = best_of_groups(pair_of, cov_all + ev_all)
    joined = " ".join(names(index, nums.tolist(), fresh))
    known = set(ids)
    out = []
    for k, claim in enumerate(top.tolist()):
        ts, so = fuzzy_ratios(index, joined, claim)
        f = Features(
            coverage=float(cov_all[best[k]]),
            evidence=float(ev_all[best[k]]),
            precision=float(common[k]) * index.unknown_idf / text_w,
            bm25=float(bm[claim]) / text_w,
            token_set=ts,
            token_sort=so,
            has_subject=all(t in known for t in index.required(claim).tolist()),
            cosine=float(cosines[claim]) if cosines is not None else 0.0,
            margin=_margin(cosines, claim, first, second) if cosines is not None else 0.0,
        )
        out.append((f.logit(weights), claim, f))
    out.sort(key=lambda c: (-c[0], c[1]))
    return [(float(sigmoid(z)), claim, f) for z, claim, f in out]


def _margin(cosines: np.ndarray, claim: int, first: float, second: float) -> float:
    """A claim's cosine less the best of every other claim's."""
    c = float(cosines[claim])
    return c - float(second) if c >= float(first) else c - float(first)
