"""Deciding whether a sentence repeats a candidate claim, and in what stance.

The score blends how much of the claim's word weight the sentence covers, how much
of the sentence is about the claim, and two rapidfuzz scorers chosen on purpose:
`token_set_ratio` forgives extra words on either side, `token_sort_ratio` does not,
so together they reward rewordings and punish a claim's words buried in a long,
unrelated sentence. (rapidfuzz's default, WRatio, scores unrelated sentences that
share "the" in the 80s: never use it here.)
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from .index import Index, Phrasing
from .text import NEGATIONS, stem, tokens


@dataclass(frozen=True, slots=True)
class Weights:
    coverage: float = 0.55
    precision: float = 0.15
    token_set: float = 0.15
    token_sort: float = 0.15
    missing_subject: float = 0.35  # subtracted when ranking without the subject


@dataclass(frozen=True, slots=True)
class Features:
    coverage: float
    precision: float
    token_set: float
    token_sort: float
    has_subject: bool

    def score(self, w: Weights) -> float:
        s = (
            w.coverage * self.coverage
            + w.precision * self.precision
            + w.token_set * self.token_set
            + w.token_sort * self.token_sort
        )
        if not self.has_subject:
            s -= w.missing_subject
        return max(0.0, min(1.0, s))


def features(index: Index, sentence_terms: list[str], phrasing: Phrasing) -> Features:
    said = set(sentence_terms)
    shared = said & phrasing.terms
    shared_weight = sum(index.weight(t) for t in shared)
    said_weight = sum(index.weight(t) for t in said) or 1.0
    joined = " ".join(sentence_terms)
    required = index.claims[phrasing.claim].required
    return Features(
        coverage=shared_weight / (phrasing.weight or 1.0),
        precision=shared_weight / said_weight,
        token_set=fuzz.token_set_ratio(joined, phrasing.joined) / 100,
        token_sort=fuzz.token_sort_ratio(joined, phrasing.joined) / 100,
        has_subject=required <= said,
    )


# Stems of words that mark a sentence as arguing against what it mentions.
_DEBUNK = frozenset(
    stem(w)
    for w in [
        "myth",
        "myths",
        "debunked",
        "debunk",
        "hoax",
        "false",
        "falsely",
        "untrue",
        "misinformation",
        "disinformation",
        "baseless",
        "unfounded",
        "disproven",
        "disproved",
        "misconception",
        "misleading",
        "bogus",
        "fake",
        "rumor",
        "rumour",
        "conspiracy",
        "wrongly",
        "refuted",
        "refute",
    ]
)
_DEBUNK_PHRASES = (
    ("no", "evidence"),
    ("not", "true"),
    ("no", "proof"),
    ("no", "link"),
    ("no", "scientific"),
    ("not", "supported"),
    ("little", "evidence"),
)
_REPORTED = frozenset(
    stem(w) for w in ["claim", "claims", "claimed", "allegedly", "supposedly", "purportedly"]
)


def stance(sentence: str, phrasing: Phrasing) -> str:
    """`repeats`, `disputes` or `unclear`: what the sentence does with the claim."""
    words = [t.word for t in tokens(sentence)]
    stems = [stem(w) for w in words]
    claim_words = {stem(t.word) for t in tokens(phrasing.text)}
    if any(s in _DEBUNK and s not in claim_words for s in stems):
        return "disputes"
    pairs = set(zip(words, words[1:], strict=False))
    if any(p in pairs for p in _DEBUNK_PHRASES):
        return "disputes"
    negations = sum(1 for w in words if w in NEGATIONS)
    if negations % 2 != phrasing.negations % 2:
        return "disputes"
    if sentence.rstrip().endswith("?"):
        return "unclear"
    if any(s in _REPORTED and s not in claim_words for s in stems):
        return "unclear"
    return "repeats"


_BAD = {"false", "misleading"}


def assessment(verdict: str, stance_: str) -> str:
    """What the reader should be told, from the claim's verdict and the stance."""
    if stance_ == "unclear" or verdict not in _BAD | {"supported"}:
        return "unclear"
    repeats = stance_ == "repeats"
    if (verdict in _BAD) == repeats:
        return "contradicts_evidence"
    return "consistent_with_evidence"
