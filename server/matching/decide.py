"""Deciding whether a text repeats a candidate claim, and in what stance.

A (text, claim) pair is scored by a logistic model over these features:

- `coverage`: how much of the claim the text says: the BM25 weight of a phrasing's
  words found in the text over the weight of all its words, for the claim's
  phrasing the text covers best (a claim's BM25 weights count a word once per
  phrasing that uses it, so the words every wording repeats weigh most);
- `evidence`: how much of that phrasing's vocabulary the text holds, counted in
  rare words (a word weighs its IDF over the IDF of a word only one claim uses)
  and saturating at 4: saying all three words of "Audit the Vote" is weaker
  evidence than nine words of a full sentence, and common words count for little,
  the less the bigger the database;
- `precision`: the IDF of the words the text shares with the claim over the IDF of
  all the text's words: how much of the text is about the claim, so a claim's
  words buried in a long, unrelated sentence score low;
- `bm25`: the claim's BM25 for the text over the text's IDF: like `precision`, but
  counting a word more when the claim's phrasings repeat it;
- `token_set`, `token_sort`: rapidfuzz ratios of the stemmed terms, best over the
  claim's phrasings, scorers chosen on purpose: `token_set_ratio` forgives extra
  words on either side, `token_sort_ratio` does not. (rapidfuzz's default, WRatio,
  scores unrelated sentences that share "the" in the 80s: never use it here.)
- `has_subject`: the claim's required subject terms all appear in the text;
- `cosine`: with the semantic stage on (`semantic.py`), how close the text's sentence
  vector is to the claim's nearest phrasing; 0 without it;
- `margin`: that cosine less the best cosine of any other candidate claim: closeness
  to one claim rather than to a topic many claims share (0 with no other candidate).

Every feature is a ratio or a small count, so the same weights hold for a database
of 300 claims or 100,000. There are two sets of weights, both fitted on training
data only (`bench/fit.py`): `Weights()` decides flags (`find_matches`), `RANKING`
orders claims for one text (`rank`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from .index import Index

EVIDENCE_CAP = 4.0  # `evidence`: min(rare words' worth in common, EVIDENCE_CAP) / EVIDENCE_CAP


@dataclass(frozen=True, slots=True)
class Weights:
    """Coefficients of the logistic score. The defaults decide flags: fitted by
    `python bench/fit.py` (see bench/README.md) on the CLEF-2020 CheckThat! Task 2
    *train* split only, as a logistic regression over every (sentence, candidate
    claim) pair `find_matches` scores on the training tweets and on generated
    ordinary sentences: positive when the claim is the tweet's own and the sentence
    is the tweet's best match for it. The rapidfuzz ratios added nothing to that fit
    once coverage, evidence and precision were in, so flags do without them
    (and without their cost); `RANKING` below does use them."""

    coverage: float = 2.6419
    evidence: float = 13.1394
    precision: float = 4.8296
    bm25: float = 0.0
    token_set: float = 0.0
    token_sort: float = 0.0
    subject: float = 0.0
    cosine: float = 0.0
    margin: float = 0.0
    bias: float = -10.9941

    @property
    def fuzzy(self) -> bool:
        return bool(self.token_set or self.token_sort)

    def lexical(self, coverage, evidence, precision, bm25, cosine=0.0, margin=0.0):
        """Everything but the rapidfuzz ratios: the whole logit when `fuzzy` is false
        (scalars or numpy arrays)."""
        return (
            self.coverage * coverage
            + self.evidence * evidence
            + self.precision * precision
            + self.bm25 * bm25
            + self.cosine * cosine
            + self.margin * margin
            + self.subject
            + self.bias
        )


@dataclass(frozen=True, slots=True)
class Features:
    coverage: float
    evidence: float
    precision: float
    bm25: float
    token_set: float
    token_sort: float
    has_subject: bool
    cosine: float = 0.0
    margin: float = 0.0

    def score(self, w: Weights) -> float:
        z = self.logit(w)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60.0 else 0.0

    def logit(self, w: Weights) -> float:
        """The score before the logistic squashing: orders claims where scores near
        1 would tie."""
        return (
            w.coverage * self.coverage
            + w.evidence * self.evidence
            + w.precision * self.precision
            + w.bm25 * self.bm25
            + w.token_set * self.token_set
            + w.token_sort * self.token_sort
            + (w.subject if self.has_subject else 0.0)
            + w.cosine * self.cosine
            + w.margin * self.margin
            + w.bias
        )

    def vector(self) -> list[float]:
        return [
            self.coverage,
            self.evidence,
            self.precision,
            self.bm25,
            self.token_set,
            self.token_sort,
            float(self.has_subject),
            self.cosine,
            self.margin,
        ]


FEATURES = (
    "coverage",
    "evidence",
    "precision",
    "bm25",
    "token_set",
    "token_sort",
    "subject",
    "cosine",
    "margin",
)

# Fitted by `python bench/fit.py` on CLEF-2020 Task 2 *train* only: the direction by
# a listwise (softmax) fit that ranks each training tweet's own claim first among
# its 50 best BM25 candidates, the scale and bias by a logistic fit of that score
# on the same candidates. Ranking needs `precision` far more than flagging does:
# among claims sharing a tweet's words, the one that explains most of the tweet wins.
RANKING = Weights(
    coverage=3.5055,
    evidence=5.9723,
    precision=-3.9283,
    bm25=28.0923,
    token_set=-0.888,
    token_sort=3.2853,
    subject=0.2442,
    bias=-12.7997,
)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))


def evidence_feature(rare_words):
    return np.minimum(rare_words, EVIDENCE_CAP) / EVIDENCE_CAP


def fuzzy_ratios(index: Index, joined: str, claim: int) -> tuple[float, float]:
    """`token_set_ratio` and `token_sort_ratio` (0-1) of a text's terms, `joined` by
    spaces, against the claim's phrasings: the best of each."""
    best_set = best_sort = 0.0
    for p in index.phrasings_of(claim):
        other = " ".join(index.phrasing_terms(p))
        best_set = max(best_set, fuzz.token_set_ratio(joined, other))
        best_sort = max(best_sort, fuzz.token_sort_ratio(joined, other))
    return best_set / 100, best_sort / 100


_BAD = {"false", "misleading"}


def assessment(verdict: str, stance_: str) -> str:
    """What the reader should be told, from the claim's verdict and the stance."""
    if stance_ == "unclear" or verdict not in _BAD | {"supported"}:
        return "unclear"
    repeats = stance_ == "repeats"
    if (verdict in _BAD) == repeats:
        return "contradicts_evidence"
    return "consistent_with_evidence"


# The semantic stage's weights, fitted on the same training split by
# `python bench/fit.py --semantic`. SEMANTIC decides only the pairs the lexical
# weights would not flag, in sentences whose words came close to some claim
# (`Settings.embed_floor`): a logistic fit of `cosine` and `margin` on those pairs,
# its bias moved so that `possible` sits where such flags reach 80% precision on
# train, as the lexical threshold does. A sentence that merely names a claim's
# subject stays below that (about 0.71 cosine with no margin).
SEMANTIC = Weights(
    coverage=0.0, evidence=0.0, precision=0.0, cosine=15.5135, margin=4.8015, bias=-11.4685
)
SEMANTIC_RANKING = Weights(
    coverage=1.4427,
    evidence=5.4084,
    precision=-0.5388,
    bm25=11.2582,
    token_set=-0.1452,
    token_sort=1.236,
    subject=-0.0694,
    cosine=16.2652,
    margin=0.5267,
    bias=-16.1835,
)
