"""The matching engine: page text in, checked claims out.

Pure functions over an `Index` of published claims; no Flask, no database. The
pipeline is: sentences → terms → candidates from the index → decide (score, subject,
tier, stance) → offsets in UTF-16 code units with the quote around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .decide import Weights, assessment, features, stance
from .index import Index, build_index
from .sentences import split_sentences
from .text import terms, utf16_offset

__all__ = ["Index", "Match", "Settings", "Weights", "build_index", "find_matches", "rank"]


@dataclass(frozen=True, slots=True)
class Settings:
    confident: float = 0.72
    possible: float = 0.55
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
    terms: list[str]
    members: tuple[int, ...]  # sentence numbers it covers


def find_matches(
    index: Index, segments: Iterable[Mapping[str, str]], settings: Settings = Settings()
) -> list[Match]:
    """The passages of `segments` (mappings with `id` and `text`) that repeat or
    dispute a claim of `index`, in page order."""
    segs = list(segments)
    units = _units(index, segs, settings)
    found: list[tuple[_Unit, int, float, int]] = []  # unit, claim, score, phrasing
    for unit, cands in zip(
        units,
        index.candidates(
            [u.terms for u in units], min_coverage=settings.min_coverage, top_k=settings.top_k
        ),
        strict=True,
    ):
        best: dict[int, tuple[float, int]] = {}
        for phrasing_pos, _coverage in cands:
            phrasing = index.phrasings[phrasing_pos]
            f = features(index, unit.terms, phrasing)
            if not f.has_subject:
                continue
            s = f.score(settings.weights)
            if s >= settings.possible and s > best.get(phrasing.claim, (-1.0, 0))[0]:
                best[phrasing.claim] = (s, phrasing_pos)
        # A second claim counts only if it explains words the better ones do not:
        # "cure for opioid addiction" must not also read as "kratom is not addictive".
        explained: set[str] = set()
        said = set(unit.terms)
        for claim, (s, p) in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0])):
            shared = index.claim_terms[claim] & said
            if explained and shared <= explained:
                continue
            explained |= shared
            found.append((unit, claim, s, p))
            if sum(1 for f in found if f[0] is unit) >= settings.per_sentence:
                break

    # A joined pair only counts for claims neither sentence matched alone.
    single = {(u.members[0], c) for u, c, _, _ in found if len(u.members) == 1}
    matches = [
        _match(index, segs, unit, claim, s, phrasing, settings)
        for unit, claim, s, phrasing in found
        if len(unit.members) == 1 or not any((m, claim) in single for m in unit.members)
    ]
    order = {str(seg["id"]): i for i, seg in reversed(list(enumerate(segs)))}
    matches.sort(key=lambda m: (order[m.segment_id], m.start, -m.score, m.claim_id))
    return _drop_overlapping_pairs(matches)


def rank(
    index: Index, text: str, *, limit: int = 5, weights: Weights | None = None
) -> list[tuple[str, float]]:
    """Claims ranked for one text taken whole (a tweet, a post), best first, in a
    strict order: equal scores fall back to the order claims were indexed."""
    weights = weights or Weights()
    query = terms(text, index.aliases)
    cands = index.candidates([query], min_coverage=0.0, top_k=max(50, limit * 10))[0]
    best: dict[int, float] = {}
    for phrasing_pos, _coverage in cands:
        phrasing = index.phrasings[phrasing_pos]
        s = features(index, query, phrasing).score(weights)
        if s > best.get(phrasing.claim, -1.0):
            best[phrasing.claim] = s
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(index.claims[c].id, s) for c, s in ranked]


def _units(index: Index, segs: list[Mapping[str, str]], settings: Settings) -> list[_Unit]:
    units: list[_Unit] = []
    number = 0
    for seg_pos, seg in enumerate(segs):
        text = seg["text"]
        singles: list[_Unit] = []
        for start, end in split_sentences(text):
            if number >= settings.max_sentences:
                break
            singles.append(
                _Unit(seg_pos, start, end, terms(text[start:end], index.aliases), (number,))
            )
            number += 1
        units.extend(u for u in singles if len(u.terms) >= settings.min_terms)
        for a, b in zip(singles, singles[1:], strict=False):
            if min(len(a.terms), len(b.terms)) < settings.join_below:
                units.append(
                    _Unit(seg_pos, a.start, b.end, a.terms + b.terms, a.members + b.members)
                )
        if number >= settings.max_sentences:
            break
    return units


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
    st = stance(text[unit.start : unit.end], index.phrasings[phrasing])
    n = settings.quote_context
    return Match(
        segment_id=str(segs[unit.segment]["id"]),
        start=utf16_offset(text, start),
        end=utf16_offset(text, end),
        exact=text[start:end],
        prefix=text[max(0, start - n) : start],
        suffix=text[end : end + n],
        claim_id=index.claims[claim].id,
        score=round(score, 4),
        tier="confident" if score >= settings.confident else "possible",
        stance=st,
        assessment=assessment(index.claims[claim].verdict, st),
    )


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
