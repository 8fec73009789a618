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
    RANKING,
    SEMANTIC,
    SEMANTIC_RANKING,
    Features,
    Weights,
    assessment,
    evidence_feature,
    fuzzy_ratios,
    sigmoid,
)
from .index import Index, Texts, _expand, build_index
from .polarity import read
from .semantic import Semantic, margins, nearest_claims, pair_cosines
from .sentences import split_sentences
from .text import utf16_offset
from .verify import Verdict, features, judge

__all__ = [
    "Features",
    "Index",
    "Match",
    "Semantic",
    "Settings",
    "Weights",
    "build_index",
    "candidate_features",
    "find_matches",
    "rank",
    "rank_features",
    "verified",
]


@dataclass(frozen=True, slots=True)
class Settings:
    # Operating points on the verified score (`verify.py`), read off the precision
    # of flags on the fit halves (`python bench/calibrate.py`, bench/README.md).
    confident: float = 0.90
    possible: float = 0.40
    # Retrieval's own score: a candidate reaching `floor` is verified; `words_flag`
    # is where the words alone flagged (80% precision on CLEF train): it decides
    # which sentences the semantic stage takes, and gates its flags.
    floor: float = 0.02
    words_flag: float = 0.40
    min_coverage: float = 0.3  # candidates covering less of a claim are not scored
    top_k: int = 20
    min_terms: int = 2  # sentences with fewer content words are skipped
    join_below: int = 6  # a sentence this short is also tried joined with its neighbour
    per_sentence: int = 3
    max_sentences: int = 5000
    quote_context: int = 32
    weights: Weights = field(default_factory=Weights)
    # The semantic stage: a sentence the words flag nothing in is embedded when the
    # lexical score of one of its candidates reaches `embed_floor` (on train, 97% of
    # the pairs to find; bench/fit.py prints it), `embed_limit` of them per request
    # at most (bench/speed.py --semantic), and its candidates are then scored by
    # `semantic_weights`.
    semantic_weights: Weights = SEMANTIC
    embed_floor: float = 0.003
    embed_limit: int = 5  # sentences embedded per request at most, the closest first


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
    method: str = "lexical"  # "semantic": found only by meaning (few shared words)


@dataclass(slots=True)
class _Unit:
    segment: int
    start: int  # code points
    end: int
    members: tuple[int, ...]  # sentence numbers it covers


def find_matches(
    index: Index,
    segments: Iterable[Mapping[str, str]],
    settings: Settings = Settings(),
    semantic: Semantic | None = None,
) -> list[Match]:
    """The passages of `segments` (mappings with `id` and `text`) that repeat or
    dispute a claim of `index`, in page order. With `semantic`, sentences that name
    a claim's subject are also compared with its phrasings by meaning."""
    segs = list(segments)
    found = [
        (unit, cand)
        for unit, cand in verified(index, segs, settings, semantic)
        if _flags(cand, settings)
    ]
    # A joined pair only counts for claims neither sentence matched alone.
    alone = {(u.members[0], c.claim) for u, c in found if len(u.members) == 1}
    matches = [
        _match(index, segs, unit, cand, settings)
        for unit, cand in found
        if len(unit.members) == 1 or not any((m, cand.claim) in alone for m in unit.members)
    ]
    order = {str(seg["id"]): i for i, seg in reversed(list(enumerate(segs)))}
    matches.sort(key=lambda m: (order[m.segment_id], m.start, -m.score, m.claim_id))
    return _drop_overlapping_pairs(matches)


def verified(
    index: Index,
    segs: list[Mapping[str, str]],
    settings: Settings = Settings(),
    semantic: Semantic | None = None,
) -> list[tuple[_Unit, _Scored]]:
    """Retrieve, then verify: each unit's few best candidates (a second claim only
    if it explains words the better ones do not: "cure for opioid addiction" must
    not also read as "kratom is not addictive"), each with its verdict."""
    units, texts, words = _units(index, segs, settings)
    out: list[tuple[_Unit, _Scored]] = []

    def text_of(r: int) -> str:
        u = units[r]
        return segs[u.segment]["text"][u.start : u.end]

    single = np.array([len(u.members) == 1 for u in units], dtype=bool)
    for r, cands in _scored(
        index, texts, settings, words, embed_text=text_of, semantic=semantic, single=single
    ):
        reading = read(text_of(r), index.aliases)
        logits = [c.features.logit(settings.weights) for c in cands]
        explained: set[int] = set()
        said = set(texts.terms_of(r).tolist())
        n = 0
        by_meaning = False
        for i, cand in enumerate(cands):
            shared = set(index.claim_term_ids(cand.claim).tolist()) & said
            if explained and shared <= explained:
                continue
            # A sentence matched by meaning alone reads as one claim, its best.
            if cand.method == "semantic":
                if by_meaning:
                    continue
                by_meaning = True
            explained |= shared
            others = logits[:i] + logits[i + 1 :]
            lead = logits[i] - max(others) if others else 10.0
            cand.verdict = _verify(index, reading, cand, lead, settings)
            out.append((units[r], cand))
            n += 1
            if n >= settings.per_sentence:
                break
    return out


def candidate_features(
    index: Index,
    segments: Iterable[Mapping[str, str]],
    settings: Settings = Settings(),
    semantic: Semantic | None = None,
    decide_at: float | None = None,
) -> list[tuple[str, int, int, str, Features]]:
    """Every (passage, claim) pair retrieval scores at `settings.floor` or above,
    with its features: (segment id, start, end in code points, claim id, features).
    For fitting the retrieval weights (`bench/fit.py`): pass `floor=0` to see every
    candidate, and `decide_at` the threshold at which the words flag a pair (it
    decides which sentences the semantic stage takes)."""
    segs = list(segments)
    units, texts, words = _units(index, segs, settings)

    def text_of(r: int) -> str:
        u = units[r]
        return segs[u.segment]["text"][u.start : u.end]

    single = np.array([len(u.members) == 1 for u in units], dtype=bool)
    scored = _scored(
        index,
        texts,
        settings,
        words,
        semantic=semantic,
        single=single,
        embed_text=text_of,
        decide_at=decide_at,
    )
    return [
        (
            str(segs[units[r].segment]["id"]),
            units[r].start,
            units[r].end,
            index.ids[c.claim],
            c.features,
        )
        for r, cands in scored
        for c in cands
    ]


def _verify(index: Index, reading, cand: _Scored, lead: float, settings: Settings) -> Verdict:
    f = cand.features
    assert f is not None
    z = f.logit(settings.weights)
    x = features(
        index,
        reading,
        cand.claim,
        cand.phrasing,
        {
            "logit": z,
            "lead": lead,
            "coverage": f.coverage,
            "evidence": f.evidence,
            "precision": f.precision,
        },
    )
    cand.x = x
    return judge(x)


def _flags(cand: _Scored, settings: Settings) -> bool:
    if cand.method == "semantic":
        return cand.score >= settings.words_flag
    return cand.verdict is not None and cand.verdict.score >= settings.possible


@dataclass(slots=True)
class _Scored:
    """One candidate claim of one unit, as it flows from retrieval to the decision."""

    score: float  # retrieval's
    claim: int
    phrasing: int
    method: str
    features: Features | None
    verdict: Verdict | None = None
    x: np.ndarray | None = None  # the verification features


def _scored(
    index: Index,
    texts: Texts,
    settings: Settings,
    words: Callable[[int], list[str]],
    keep_features: bool = True,
    semantic: Semantic | None = None,
    single: np.ndarray | None = None,
    embed_text: Callable[[int], str] | None = None,
    decide_at: float | None = None,
) -> Iterator[tuple[int, list[_Scored]]]:
    """Per unit (its row in `texts`), its candidate claims scoring at least
    `floor`, best first by `RANKING` (trained to tell which of several claims a
    text repeats); `words(unit)` gives a unit's terms, for the rapidfuzz ratios;
    `embed_text(unit)` its text, for the semantic stage.

    Candidates are the claims whose subject the unit names. A claim scores as its
    best phrasing does. Every feature but the rapidfuzz ratios is computed for all
    the page's pairs at once, in numpy; the score is bounded first, so that only
    pairs that could reach `possible` are looked at phrasing by phrasing.

    With `semantic`, a single sentence (`single[unit]`) with a candidate whose
    lexical score reaches `settings.embed_floor` is embedded, and all its pairs get
    `cosine` and `margin`. Those the lexical weights would not flag are scored by
    `settings.semantic_weights` (fitted on such pairs): the "semantic" method,
    never above the `possible` tier."""
    if not texts.count or not len(index):
        return
    lex = settings.weights
    pair_rows, pair_claims = index.subject_candidates(texts)
    if not len(pair_rows):
        return
    bm, common = index.pair_bm25(texts, pair_rows, pair_claims)
    bm25 = bm / np.maximum(texts.weight[pair_rows], 1e-9)
    precision = common * index.unknown_idf / np.maximum(texts.weight[pair_rows], 1e-9)
    sem = settings.semantic_weights
    by_meaning_on = semantic is not None and single is not None
    # No phrasing is covered beyond 1, nor shares more terms than the claim does.
    floor = _logit(settings.floor)
    # Where the words flag a pair: `words_flag`, unless fitting lists pairs below it.
    flags_at = _logit(settings.words_flag if decide_at is None else decide_at)
    lowest = min(floor, _logit(settings.embed_floor)) if by_meaning_on else floor
    cov_max = 1.0 if lex.coverage > 0 else 0.0
    evidence_max = evidence_feature(common) if lex.evidence > 0 else 0.0
    bound = lex.lexical(cov_max, evidence_max, precision, bm25) + _fuzzy_max(lex)
    keep = np.flatnonzero(bound >= lowest)
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
    z = lex.lexical(coverage, evidence, precision, bm25)
    cosine = np.zeros(len(z), dtype=np.float32)
    margin = np.zeros(len(z), dtype=np.float32)
    by_meaning = np.zeros(len(z), dtype=bool)
    if by_meaning_on:
        # Sentences worth embedding: those the words flag nothing in but bring close
        # to some claim (`embed_floor`). All their candidates are then compared by
        # meaning and decided by the semantic weights.
        close = single[pair_rows] & (z >= _logit(settings.embed_floor))
        flagged = np.unique(pair_rows[z >= flags_at])
        rows = np.setdiff1d(np.unique(pair_rows[close]), flagged)
        if len(rows) > settings.embed_limit:
            # The closest first: the cost of a page stays bounded, whatever its size.
            nearest = np.full(texts.count, -np.inf)
            np.maximum.at(nearest, pair_rows, z)
            rows = np.sort(rows[np.lexsort((rows, -nearest[rows]))[: settings.embed_limit]])
        if len(rows):
            read = embed_text
            assert read is not None
            in_rows = np.isin(pair_rows, rows)
            vectors = np.zeros((texts.count, semantic.vectors.shape[1]), dtype=np.float32)
            vectors[rows] = semantic.embed([read(int(r)) for r in rows])
            cosine[in_rows] = pair_cosines(
                index, semantic.vectors, vectors, pair_rows[in_rows], pair_claims[in_rows]
            )
            margin[in_rows] = margins(pair_rows[in_rows], cosine[in_rows])
            by_meaning = in_rows & (z < flags_at)
            z = np.where(
                by_meaning, sem.lexical(coverage, evidence, precision, bm25, cosine, margin), z
            )
    extra = np.where(by_meaning, _fuzzy_max(sem), _fuzzy_max(lex))
    # Below `min_coverage` a pair shares too few words to stand on words alone.
    keep = np.flatnonzero((z + extra >= floor) & ((coverage >= settings.min_coverage) | by_meaning))
    if not len(keep):
        return
    ranking = SEMANTIC_RANKING if semantic is not None else RANKING
    cuts = np.flatnonzero(np.diff(pair_rows[keep])) + 1
    for ks in np.split(keep, cuts):
        r = int(pair_rows[ks[0]])
        if len(ks) > settings.top_k:
            ks = ks[np.lexsort((pair_claims[ks], -z[ks]))[: settings.top_k]]
        joined = " ".join(words(r))
        out = []
        for k in ks.tolist():
            w = sem if by_meaning[k] else lex
            if not w.fuzzy and not keep_features and z[k] < floor:
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
                cosine=float(cosine[k]),
                margin=float(margin[k]),
            )
            sc = f.score(w)
            lexical = not by_meaning[k]
            if sc < settings.floor:
                continue
            out.append(
                (
                    f.logit(ranking),
                    _Scored(
                        sc,
                        claim,
                        int(phrasing[k]),
                        "lexical" if lexical else "semantic",
                        f if keep_features else None,
                    ),
                )
            )
        if out:
            out.sort(key=lambda c: (-c[0], c[1].claim))
            yield r, [c for _, c in out]


def _fuzzy_max(w: Weights) -> float:
    return max(w.token_set, 0.0) + max(w.token_sort, 0.0)


def _best(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """For items grouped in runs of `group` (one run per group, in order): the
    position of each group's item with the largest key, the first on a tie."""
    order = np.lexsort((-np.arange(len(key)), key, group))
    return order[np.flatnonzero(np.r_[group[order][1:] != group[order][:-1], True])]


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


def _ranked(
    index: Index, text: str, *, limit: int, weights: Weights, semantic: Semantic | None = None
) -> list[tuple[float, int, Features]]:
    if not len(index):
        return []
    owner, nums, fresh = index.read([text])
    ids = nums[nums < len(index.term_list)].tolist()
    bm = index.bm25(ids)
    pool = min(len(index), max(50, limit * 10))
    # The `pool` best by BM25, ties at the edge going to the first indexed.
    edge = np.partition(bm, len(bm) - pool)[len(bm) - pool]
    top = np.flatnonzero((bm >= edge) & (bm > 0))
    if len(top) > pool:
        top = np.sort(top[np.lexsort((top, -bm[top]))[:pool]])
    cosines = None
    if semantic is not None:
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
    cand: _Scored,
    settings: Settings,
) -> Match:
    claim = cand.claim
    text = segs[unit.segment]["text"]
    start, end = _trim_to_words(text, unit.start, unit.end)
    if cand.method == "semantic" or cand.verdict is None:
        # Sentence vectors barely register negation ("is addictive" sits next to "is
        # not addictive"), and a rewording may say a claim with negatives of its own
        # ("no one has ever died from it"): whether it repeats or disputes is unknown.
        # Meaning alone never makes a confident flag: training data had too few
        # close rewordings to say how precise that would be.
        st, score, tier = "unclear", cand.score, "possible"
    else:
        st, score = cand.verdict.stance, cand.verdict.score
        # A mention (stance unclear) is shown, never as a confident flag.
        confident = score >= settings.confident and st != "unclear"
        tier = "confident" if confident else "possible"
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
        tier=tier,
        stance=st,
        assessment=assessment(index.verdicts[claim], st),
        method=cand.method,
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
