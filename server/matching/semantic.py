"""The semantic stage: claims repeated in other words.

Sentence vectors (`embed.py`) put texts that mean the same thing close together even
when they share few words: "gives pain relief without the risk of dependence" and
"kratom is not addictive". Closeness alone mostly measures topic, though: "Kratom
is a tree native to Southeast Asia" sits about as close to a kratom claim as many
rewordings do. So the engine never flags on closeness alone; it is one more
feature (`cosine`) beside the lexical ones, with weights fitted on training data
(`bench/fit.py`), and on a page a sentence must still name the claim's subject.

Pure numpy: the vectors are computed and stored elsewhere (`server/matcher.py`)
and given to the engine lined up with the index's phrasings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .index import Index, _expand, claim_texts


@dataclass(frozen=True, slots=True)
class Semantic:
    """What the engine needs for the semantic stage: one unit-length vector per
    phrasing of the index (row i for phrasing i), and the function that embeds
    page text the same way (it should cache: pages repeat)."""

    vectors: np.ndarray
    embed: Callable[[list[str]], np.ndarray]


def phrasing_texts(index: Index, claims: Iterable[Mapping]) -> list[str]:
    """The text of each of `index`'s phrasings, in row order; `claims` are the rows
    the index was built from, in the same order."""
    texts = [t for row in claims for t in claim_texts(row)]
    return [texts[i] for i in index.phrasing_source.tolist()]


def pair_cosines(
    index: Index,
    vectors: np.ndarray,
    text_vectors: np.ndarray,
    pair_text: np.ndarray,
    claims: np.ndarray,
) -> np.ndarray:
    """For each pair (text `pair_text[i]`, claim `claims[i]`): the cosine of the text
    with the claim's closest phrasing."""
    starts = index.claim_phrasings[claims]
    pair_of, phrasing = _expand(
        np.arange(len(claims)), starts, index.claim_phrasings[claims + 1] - starts
    )
    sims = np.einsum("ij,ij->i", text_vectors[pair_text[pair_of]], vectors[phrasing])
    out = np.full(len(claims), -1.0, dtype=np.float32)
    np.maximum.at(out, pair_of, sims)
    return out


def nearest_claims(
    index: Index, vectors: np.ndarray, vector: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The `k` claims closest to one text vector (by their closest phrasing), and
    every claim's cosine (-1 for a claim with no phrasing)."""
    best = claim_cosines(index, vectors @ vector)
    k = min(k, len(best))
    if not k:
        return np.zeros(0, dtype=np.int64), best
    top = np.argpartition(-best, k - 1)[:k]
    return top[np.lexsort((top, -best[top]))], best


def claim_cosines(index: Index, sims: np.ndarray) -> np.ndarray:
    """Per claim, the largest of its phrasings' similarities `sims`."""
    starts = index.claim_phrasings[:-1]
    out = np.full(len(index), -1.0, dtype=np.float32)
    has = np.diff(index.claim_phrasings) > 0
    if len(sims) and has.any():
        out[has] = np.maximum.reduceat(sims, starts[has])
    return out


def margins(group: np.ndarray, cosine: np.ndarray) -> np.ndarray:
    """For items in runs of equal `group` (in order): each cosine less the largest
    other cosine of its run; 0 for an item alone in its run."""
    out = np.zeros(len(group), dtype=np.float32)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else []
    for a, b in zip(starts, [*starts[1:], len(group)], strict=True):
        if b - a > 1:
            second, first = np.partition(cosine[a:b], -2)[-2:]
            out[a:b] = cosine[a:b] - np.where(cosine[a:b] >= first, second, first)
    return out
