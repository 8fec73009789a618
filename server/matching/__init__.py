"""The matching engine: page text in, checked claims out.

Pure functions over an `Index` of published claims; no Flask, no database. The
pipeline is: sentences → terms → candidates from the index → decide (score, subject,
tier, stance) → offsets in UTF-16 code units with the quote around them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from .decide import (
    CLAUSE,
    RANKING,
    Features,
    Weights,
    assessment,
    evidence_feature,
    fuzzy_ratios,
    sigmoid,
    stance,
)
from .index import Index, Texts, _expand, build_index
from .sentences import split_sentences
from .text import utf16_offset

__all__ = [
    "Features",
    "Index",
    "Match",
    "Settings",
    "Weights",
    "build_index",
    "candidate_features",
    "find_matches",
    "rank",
    "rank_features",
]


@dataclass(frozen=True, slots=True)
class Settings:
    # Operating points read off the precision/recall curve of flags on CLEF-2020
    # Task 2 *train* (`python bench/calibrate.py`, see bench/README.md): the lowest
    # score whose flags reach 95% precision, and 80%.
    confident: float = 0.98
    possible: float = 0.40
    min_coverage: float = 0.3  # candidates covering less of a claim are not scored
    top_k: int = 20
    min_terms: int = 2  # sentences with fewer content words are skipped
    join_below: int = 6  # a sentence this short is also tried joined with its neighbour
    per_sentence: int = 3
    max_sentences: int = 5000
    quote_context: int = 32
    weights: Weights = field(default_factory=Weights)


@dataclass(frozen=True, slots=True)
class Match:
    segment_id: str
    start: int  # UTF-16 code units
    end: int
    exact: str
    prefix: str
    suffix: str
    claim_id: str
    score: float
    tier: str
    stance: str
    assessment: str


@dataclass(slots=True)
class _Unit:
    segment: int
    start: int  # code points
    end: int
    members: tuple[int, ...]  # sentence numbers it covers


def find_matches(
    index: Index, segments: Iterable[Mapping[str, str]], settings: Settings = Settings()
) -> list[Match]:
    """The passages of `segments` (mappings with `id` and `text`) that repeat or
    dispute a claim of `index`, in page order."""
    segs = list(segments)
    units, texts, words = _units(index, segs, settings)
    found: list[tuple[_Unit, int, float, int]] = []  # unit, claim, score, phrasing

    def text_of(r: int) -> str:
        u = units[r]
        return segs[u.segment]["text"][u.start : u.end]

    for r, cands in _scored(index, texts, settings, words, text_of=text_of):
        unit = units[r]
        # A second claim counts only if it explains words the better ones do not:
        # "cure for opioid addiction" must not also read as "kratom is not addictive".
        explained: set[int] = set()
        said = set(texts.terms_of(r).tolist())
        n = 0
        for sc, claim, phrasing, _ in cands:
            shared = set(index.claim_term_ids(claim).tolist()) & said
            if explained and shared <= explained:
                continue
            explained |= shared
            found.append((unit, claim, sc, phrasing))
            n += 1
            if n >= settings.per_sentence:
                break

    # A joined pair only counts for claims neither sentence matched alone.
    single = {(u.members[0], c) for u, c, _, _ in found if len(u.members) == 1}
    matches = [
        _match(index, segs, unit, claim, sc, phrasing, settings)
        for unit, claim, sc, phrasing in found
        if len(unit.members) == 1 or not any((m, claim) in single for m in unit.members)
    ]
    order = {str(seg["id"]): i for i, seg in reversed(list(enumerate(segs)))}
    matches.sort(key=lambda m: (order[m.segment_id], m.start, -m.score, m.claim_id))
    return _drop_overlapping_pairs(matches)


def candidate_features(
    index: Index, segments: Iterable[Mapping[str, str]], settings: Settings = Settings()
) -> list[tuple[str, int, int, str, Features]]:
    """Every (passage, claim) pair `find_matches` scores at `settings.possible` or
    above, with its features: (segment id, start, end in code points, claim id,
    features). For fitting and checking the weights (`bench/fit.py`): pass
    `possible=0` to see every candidate."""
    segs = list(segments)
    units, texts, words = _units(index, segs, settings)
    return [
        (str(segs[units[r].segment]["id"]), units[r].start, units[r].end, index.ids[claim], f)
        for r, cands in _scored(index, texts, settings, words, keep_features=True)
        for _, claim, _, f in cands
    ]


def _scored(
    index: Index,
    texts: Texts,
    settings: Settings,
    words: Callable[[int], list[str]],
    keep_features: bool = False,
    text_of: Callable[[int], str] | None = None,
) -> Iterator[tuple[int, list[tuple[float, int, int, Features | None]]]]:
    """Per unit (its row in `texts`), its candidate claims scoring at least
    `possible`: (score, claim, closest phrasing, features if asked), best first
    by `RANKING` (trained to tell which of several claims a text repeats); `words(unit)`
    gives a unit's terms, for the rapidfuzz ratios.

    Candidates are the claims whose subject the unit names. A claim scores as its
    best phrasing does. Every feature but the rapidfuzz ratios is computed for all
    the page's pairs at once, in numpy; the score is bounded first, so that only
    pairs that could reach `possible` are looked at phrasing by phrasing."""
    if not texts.count or not len(index):
        return
    w = settings.weights
    pair_rows, pair_claims = index.subject_candidates(texts)
    if not len(pair_rows):
        return
    bm, common = index.pair_bm25(texts, pair_rows, pair_claims)
    bm25 = bm / np.maximum(texts.weight[pair_rows], 1e-9)
    precision = common * index.unknown_idf / np.maximum(texts.weight[pair_rows], 1e-9)
    # No phrasing is covered beyond 1, nor shares more terms than the claim does.
    floor = _logit(settings.possible)
    extra = max(w.token_set, 0.0) + max(w.token_sort, 0.0)
    cov_max = 1.0 if w.coverage > 0 else 0.0
    evidence_max = evidence_feature(common) if w.evidence > 0 else 0.0
    # A pair that could cover a whole phrasing is kept for the verbatim check below.
    keep = np.flatnonzero(
        (w.lexical(cov_max, evidence_max, precision, bm25) + extra >= floor) | (text_of is not None)
    )
    if not len(keep):
        return
    pair_rows, pair_claims = pair_rows[keep], pair_claims[keep]
    bm25, precision = bm25[keep], precision[keep]
    pair_of, phrasing, cov_all, rare_all = index.phrasing_matches(texts, pair_rows, pair_claims)
    ev_all = evidence_feature(rare_all)
    # A claim reads as its phrasing the text says most of: the largest coverage +
    # evidence (a fixed rule, so that fitting the weights does not move it).
    best = _best(pair_of, cov_all + ev_all)
    coverage, evidence, phrasing = cov_all[best], ev_all[best], phrasing[best]
    z = w.lexical(coverage, evidence, precision, bm25)
    whole = (coverage >= 0.999) if text_of is not None else np.zeros(len(z), dtype=bool)
    keep = np.flatnonzero(((z + extra >= floor) | whole) & (coverage >= settings.min_coverage))
    if not len(keep):
        return
    cuts = np.flatnonzero(np.diff(pair_rows[keep])) + 1
    for ks in np.split(keep, cuts):
        r = int(pair_rows[ks[0]])
        if len(ks) > settings.top_k:
            ks = ks[np.lexsort((pair_claims[ks], -z[ks]))[: settings.top_k]]
        joined = " ".join(words(r))
        out = []
        for k in ks.tolist():
            if not w.fuzzy and not keep_features and z[k] < floor and not whole[k]:
                continue  # the ratios cannot lift it
            claim = int(pair_claims[k])
            ts, so = fuzzy_ratios(index, joined, claim)
            f = Features(
                coverage=float(coverage[k]),
                evidence=float(evidence[k]),
                precision=float(precision[k]),
                bm25=float(bm25[k]),
                token_set=ts,
                token_sort=so,
                has_subject=True,
            )
            sc = f.score(w)
            # The weights were fitted on tweets, where a short claim's two words say
            # little. On a page, a clause that says a whole phrasing and little else
            # ("..., kratom is not addictive, so ...") states that claim.
            if (
                whole[k]
                and sc < settings.confident
                and text_of is not None
                and (said_in_one_clause(index, text_of(r), int(phrasing[k])))
            ):
                sc = settings.confident
            if sc < settings.possible:
                continue
            ranked = f.logit(RANKING)
            out.append((ranked, sc, claim, int(phrasing[k]), f if keep_features else None))
        if out:
            out.sort(key=lambda c: (-c[0], c[2]))
            yield r, [(sc, claim, ph, f) for _, sc, claim, ph, f in out]


def said_in_one_clause(index: Index, text: str, phrasing: int, slack: int = 2) -> bool:
    """Whether one clause of `text` holds every term of the phrasing and at most
    `slack` other terms."""
    wanted = set(index.phrasing_term_ids(phrasing).tolist())
    if len(wanted) < 2:
        return False
    clauses = [c for c in CLAUSE.split(text) if c and c.strip()]
    owner, nums, _ = index.read(clauses)
    for i in range(len(clauses)):
        got = set(nums[owner == i].tolist())
        if wanted <= got and len(got) <= len(wanted) + slack:
            return True
    return False


def _best(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """For items grouped in runs of `group` (one run per group, in order): the
    position of each group's item with the largest key, the first on a tie."""
    order = np.lexsort((-np.arange(len(key)), key, group))
    return order[np.flatnonzero(np.r_[group[order][1:] != group[order][:-1], True])]


def rank(
    index: Index, text: str, *, limit: int = 5, weights: Weights | None = None
) -> list[tuple[str, float]]:
    """Claims ranked for one text taken whole (a tweet, a post), best first, with
    their scores, in a strict order: equal scores fall back to the order claims
    were indexed. Candidates are the claims with the best BM25 for the text."""
    scored = _ranked(index, text, limit=limit, weights=weights or RANKING)
    return [(index.ids[c], sc) for sc, c, _ in scored[:limit]]


def rank_features(index: Index, text: str, *, pool: int = 50) -> list[tuple[str, Features]]:
    """The claims `rank` considers for a text, with their features (for fitting)."""
    return [(index.ids[c], f) for _, c, f in _ranked(index, text, limit=pool, weights=RANKING)]


def _ranked(
    index: Index, text: str, *, limit: int, weights: Weights
) -> list[tuple[float, int, Features]]:
    if not len(index):
        return []
    owner, nums, fresh = index.read([text])
    if not len(nums):
        return []
    ids = nums[nums < len(index.term_list)].tolist()
    bm = index.bm25(ids)
    pool = min(len(index), max(50, limit * 10))
    # The `pool` best by BM25, ties at the edge going to the first indexed.
    edge = np.partition(bm, len(bm) - pool)[len(bm) - pool]
    top = np.flatnonzero((bm >= edge) & (bm > 0))
    if len(top) > pool:
        top = np.sort(top[np.lexsort((top, -bm[top]))[:pool]])
    if not len(top):
        return []
    texts = Texts(index, owner, nums, 1)
    text_w = float(texts.weight[0]) or 1.0
    pair_rows = np.zeros(len(top), dtype=np.int64)
    _, common = index.pair_bm25(texts, pair_rows, top)
    pair_of, _, cov_all, rare_all = index.phrasing_matches(texts, pair_rows, top)
    ev_all = evidence_feature(rare_all)
    best = _best(pair_of, cov_all + ev_all)
    joined = " ".join(_names(index, nums.tolist(), fresh))
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
        )
        out.append((f.logit(weights), claim, f))
    out.sort(key=lambda c: (-c[0], c[1]))
    return [(float(sigmoid(z)), claim, f) for z, claim, f in out]


def _units(
    index: Index, segs: list[Mapping[str, str]], settings: Settings
) -> tuple[list[_Unit], Texts, Callable[[int], list[str]]]:
    """The page's sentences with enough terms, and each short sentence joined with
    its neighbour; their terms (`Texts`, one row per unit); and a function giving
    a unit's terms in order."""
    spans: list[tuple[int, int, int]] = []
    for seg_pos, seg in enumerate(segs):
        if len(spans) >= settings.max_sentences:
            break
        for start, end in split_sentences(seg["text"]):
            if len(spans) >= settings.max_sentences:
                break
            spans.append((seg_pos, start, end))
    owner, nums, fresh = index.read([segs[g]["text"][a:b] for g, a, b in spans])
    sizes = np.bincount(owner, minlength=len(spans))
    firsts = np.concatenate([[0], np.cumsum(sizes)])
    units: list[_Unit] = []
    parts: list[tuple[int, ...]] = []
    size = sizes.tolist()
    for n, (seg_pos, start, end) in enumerate(spans):
        if size[n] >= settings.min_terms:
            units.append(_Unit(seg_pos, start, end, (n,)))
            parts.append((n,))
    for n in range(len(spans) - 1):
        (ga, sa, _), (gb, _, eb) = spans[n], spans[n + 1]
        if ga == gb and min(size[n], size[n + 1]) < settings.join_below:
            units.append(_Unit(ga, sa, eb, (n, n + 1)))
            parts.append((n, n + 1))
    # Each unit's terms: its sentences' ranges in `nums` (sorted by sentence).
    unit_of = np.array([u for u, ps in enumerate(parts) for _ in ps], dtype=np.int64)
    sentence = np.array([p for ps in parts for p in ps], dtype=np.int64)
    term_unit, at = _expand(unit_of, firsts[sentence], sizes[sentence])
    texts = Texts(index, term_unit, nums[at], len(units))

    def words(r: int) -> list[str]:
        spans_of = [nums[firsts[p] : firsts[p + 1]].tolist() for p in parts[r]]
        return _names(index, [n for part in spans_of for n in part], fresh)

    return units, texts, words


def _names(index: Index, nums: list[int], fresh: list[str]) -> list[str]:
    v = len(index.term_list)
    names = index.term_list
    return [names[n] if n < v else fresh[n - v] for n in nums]


def _match(
    index: Index,
    segs: list[Mapping[str, str]],
    unit: _Unit,
    claim: int,
    score: float,
    phrasing: int,
    settings: Settings,
) -> Match:
    text = segs[unit.segment]["text"]
    start, end = _trim_to_words(text, unit.start, unit.end)
    claim_words = set(index.phrasing_terms(phrasing))
    st = stance(text[unit.start : unit.end], claim_words, int(index.phrasing_negations[phrasing]))
    n = settings.quote_context
    return Match(
        segment_id=str(segs[unit.segment]["id"]),
        start=utf16_offset(text, start),
        end=utf16_offset(text, end),
        exact=text[start:end],
        prefix=text[max(0, start - n) : start],
        suffix=text[end : end + n],
        claim_id=index.ids[claim],
        score=round(score, 4),
        tier="confident" if score >= settings.confident else "possible",
        stance=st,
        assessment=assessment(index.verdicts[claim], st),
    )


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def _trim_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Start the highlight at the first letter, digit or quote (not an emoji)."""
    while start < end and not (text[start].isalnum() or text[start] in "\"'“‘(«"):
        start += 1
    return start, end


def _drop_overlapping_pairs(matches: list[Match]) -> list[Match]:
    """Two joined pairs can cover the same claim twice; keep the better one."""
    out: list[Match] = []
    for m in matches:
        clash = next(
            (
                o
                for o in out
                if o.segment_id == m.segment_id
                and o.claim_id == m.claim_id
                and o.start < m.end
                and m.start < o.end
            ),
            None,
        )
        if clash is None:
            out.append(m)
        elif m.score > clash.score:
            out[out.index(clash)] = m
    return out
