"""Verification: does a sentence say a retrieved claim, argue against it, only
mention it, or say something else?

Retrieval (`retrieve.py`) finds the claims a sentence is closest to; this stage
decides what the sentence does with each, as four probabilities from a learned head
(a multinomial logistic model, `HEAD`, fitted by `python bench/fit.py --verify`):

- `repeats` / `disputes`: which side the sentence is closer to. The claim's phrasings
  are one side, its counter statements (what the evidence says) the other: words
  both sides use (the topic) cancel out, the words only one side uses decide. With
  no counter statements (imported claims), negation scope decides: a sentence that
  says the claim's own words under a different number of negations argues against it.
- `mentions`: reported or asked, not asserted ("some parents worry that...",
  "according to a viral post", questions).
- `unrelated`: shares the subject, says something else.

Pure functions over an `Index`; the pair features are listed in `FEATURES`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .index import Index
from .polarity import ATTRIBUTION, DEBUNK, FIRST_PERSON, HEDGES, Clause, Reading, cues, debunks
from .text import stems_of

CLASSES = ("repeats", "disputes", "mentions", "unrelated")
FEATURES = (
    "bias",
    "retrieval",  # the retrieval score's logit / 10, clipped to [-1, 1]
    "lead",  # retrieval logit over the next best candidate's of the sentence, / 10, to ±1
    "coverage",
    "evidence",
    "precision",
    "clause_precision",  # how much of the claim's clause is the claim's words
    "whole",  # a whole phrasing said in a clause of little else: coverage 1 × the above
    "flip",  # the claim's own words said under a different negation
    "negated",  # the claim's clause holds a negation
    "has_counter",
    "counter_coverage",  # how much of the closest counter statement the sentence says
    "counter_flip",
    "claim_side",  # share of the words only the phrasings use, said
    "counter_side",  # share of the words only the counter statements use, said
    "debunk_here",  # "myth", "fake", "no evidence" in the claim's clause
    "debunk_before",  # ... in a clause before it ("Don't believe the fake news: ...")
    "debunk_after",  # ... after it ("..., which is a myth")
    "attribution",  # reporting verbs: "worry", "claim", "according to"
    "question",
    "hedge",
    "first_person",
    "plain",  # a whole phrasing said, with no cue of a debunk, a report or a question
    # The retrieval features again for curated claims (with counter statements): a
    # small curated database and a large imported feed weigh them differently.
    "curated_retrieval",
    "curated_lead",
    "curated_evidence",
    "curated_precision",
)
HEAD_FILE = Path(__file__).with_name("verify_head.json")


@dataclass(frozen=True, slots=True)
class Head:
    weights: np.ndarray  # classes × features

    @classmethod
    def load(cls, path: Path = HEAD_FILE) -> Head:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert tuple(data["features"]) == FEATURES and tuple(data["classes"]) == CLASSES
        return cls(np.array(data["weights"], dtype=np.float64))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = self.weights @ x
        e = np.exp(z - z.max())
        return e / e.sum()


def _default_head() -> Head:
    if HEAD_FILE.exists():
        data = json.loads(HEAD_FILE.read_text(encoding="utf-8"))
        if tuple(data["features"]) == FEATURES:
            return Head.load()
    # Before a fit of these features (refitting them): retrieval decides, negation
    # flips the stance.
    w = np.zeros((len(CLASSES), len(FEATURES)))
    w[0, FEATURES.index("retrieval")] = 10.0
    w[1, FEATURES.index("retrieval")] = 10.0
    w[1, FEATURES.index("flip")] = 4.0
    w[0, FEATURES.index("flip")] = -4.0
    return Head(w)


HEAD = _default_head()


@dataclass(frozen=True, slots=True)
class Verdict:
    probabilities: tuple[float, ...]  # in CLASSES order
    stance: str  # repeats | disputes | unclear (mentions)
    score: float  # the probability of what the flag will say


def features(
    index: Index, reading: Reading, claim: int, phrasing: int, retrieval: dict[str, float]
) -> np.ndarray:
    """The pair features (`FEATURES`) of a sentence `reading` and a candidate claim,
    read against its phrasing `phrasing`; `retrieval` holds the retrieval stage's
    `logit`, `lead`, `coverage`, `evidence` and `precision`."""
    names = index.term_list
    subject = {names[t] for t in index.required(claim).tolist()}
    pro = _claim_terms(index, claim)
    counters = index.counters.get(claim, [])
    con = {t for c in counters for t in c.terms}
    said = reading.terms
    at = _claim_clause(reading.clauses, pro | con)
    here = reading.clauses[at] if reading.clauses else Clause((), frozenset(), (), 0)
    own = set(index.phrasing_terms(phrasing))
    x = dict.fromkeys(FEATURES, 0.0)
    x["bias"] = 1.0
    x["retrieval"] = max(-1.0, min(1.0, retrieval["logit"] / 10))
    x["lead"] = max(-1.0, min(1.0, retrieval["lead"] / 10))
    for k in ("coverage", "evidence", "precision"):
        x[k] = retrieval[k]
    x["clause_precision"] = _share(index, set(here.terms), frozenset(pro | con))
    x["whole"] = x["clause_precision"] if retrieval["coverage"] >= 0.999 else 0.0
    x["flip"] = _flip(index, here, own - subject, index.negated_terms(phrasing))
    x["negated"] = float(here.negations > 0)
    # A cue the claim itself says ("... is a hoax") is its wording, not a debunk of it.
    mine = pro & _DEBUNK_STEMS
    x["debunk_here"] = float(_debunk(here, mine))
    x["debunk_before"] = float(any(_debunk(c, mine) for c in reading.clauses[:at]))
    x["debunk_after"] = float(any(_debunk(c, mine) for c in reading.clauses[at + 1 :]))
    if x["flip"] >= 0.5 and (x["debunk_here"] or x["debunk_before"]):
        # Turned twice: "it's a myth that the sun does not cause cancer", "nobody can
        # deny that ...", "it's not true that vaccines don't ...". The two turns cancel
        # and the sentence says the claim as a plain statement would.
        x["flip"] = x["debunk_here"] = x["debunk_before"] = 0.0
    elif here.framed:
        # "No proof that X": the frame's negation turns X once (the head learned it so).
        x["flip"] = 1.0
    if counters:
        best = max(counters, key=lambda c: _share(index, set(c.terms), said))
        x["has_counter"] = 1.0
        x["counter_coverage"] = _share(index, set(best.terms), said)
        x["counter_flip"] = _flip(index, here, set(best.terms) - subject, best.negated)
        x["claim_side"] = _share(index, pro - con, said)
        x["counter_side"] = _share(index, con - pro, said)
    words = [w for c in reading.clauses for w in c.words]
    # A clause that calls something fake is the writer's own framing ("don't believe
    # the lies: ..."), not a report of what others say.
    reported = [w for c in reading.clauses if not c.debunk for w in c.words]
    x["attribution"] = float(cues(tuple(reported), ATTRIBUTION) or _according(reported))
    x["question"] = float(reading.question)
    x["hedge"] = float(cues(tuple(words), HEDGES))
    x["first_person"] = float(cues(tuple(words), FIRST_PERSON))
    framed = ("debunk_here", "debunk_before", "debunk_after", "attribution", "question")
    whole = retrieval["coverage"] >= 0.999
    x["plain"] = float(whole and not any(x[k] for k in framed))
    for k in ("retrieval", "lead", "evidence", "precision"):
        x["curated_" + k] = x[k] * x["has_counter"]
    return np.array([x[f] for f in FEATURES], dtype=np.float64)


def judge(x: np.ndarray, head: Head = HEAD) -> Verdict:
    """Probabilities, the stance a flag would show, and how likely that is right."""
    p = head.probabilities(x)
    k = int(np.argmax(p[:3]))  # what the sentence does, if it is about the claim
    stance = ("repeats", "disputes", "unclear")[k]
    return Verdict(tuple(round(float(v), 6) for v in p), stance, float(p[k]))


def _claim_terms(index: Index, claim: int) -> frozenset[str]:
    """Every term of a claim's phrasings, kept on the index once computed (the index
    is read-only, and a dict item is set atomically)."""
    cache = index.__dict__.setdefault("_claim_terms", {})
    found = cache.get(claim)
    if found is None:
        found = cache[claim] = frozenset(
            t for p in index.phrasings_of(claim) for t in index.phrasing_terms(p)
        )
    return found


def _claim_clause(clauses: tuple[Clause, ...], words: set[str]) -> int:
    """The clause holding most of the claim's words (the first on a tie)."""
    best, hits = 0, -1
    for i, c in enumerate(clauses):
        n = sum(1 for t in c.terms if t in words)
        if n > hits:
            best, hits = i, n
    return best


def _idf(index: Index, term: str) -> float:
    n = index.vocab.get(term)
    return float(index.idf[n]) if n is not None and n < len(index.idf) else index.unknown_idf


def _share(index: Index, wanted: set[str], said: frozenset[str]) -> float:
    """The IDF-weighted share of `wanted` that `said` holds (0 when nothing is wanted)."""
    total = sum(_idf(index, t) for t in wanted)
    if not total:
        return 0.0
    return sum(_idf(index, t) for t in wanted if t in said) / total


def _flip(index: Index, clause: Clause, words: set[str], negated: frozenset[str]) -> float:
    """IDF-weighted share of `words` the clause says whose negation differs from the
    other side's (`negated`): 1 when every shared predicate word is flipped."""
    shared = [t for t in words if t in clause.terms]
    total = sum(_idf(index, t) for t in shared)
    if not total:
        return 0.0
    flipped = sum(_idf(index, t) for t in shared if (t in clause.negated) != (t in negated))
    return flipped / total


_DEBUNK_STEMS = frozenset(stems_of(sorted(DEBUNK)))


def _debunk(clause: Clause, mine: frozenset[str]) -> bool:
    """Whether a clause debunks, not counting the cue words the claim itself uses."""
    if not clause.debunk or not mine:
        return clause.debunk
    words = [w for w in clause.words if not set(stems_of([w])) & mine]
    return debunks(tuple(words))


def _according(words: list[str]) -> bool:
    return any(a == "according" and b == "to" for a, b in zip(words, words[1:], strict=False))


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
