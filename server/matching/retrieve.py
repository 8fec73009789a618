"""Retrieval: a page's sentences, and for each the few claims it is closest to.

Sentences (and each short sentence joined with its neighbour) become units; their
terms are looked up in the `Index` all at once. A unit's candidates are the claims
whose subject it names, scored by the lexical weights (`decide.Weights`, fitted on
tweets: how close, not whether it says it) and, with the semantic stage, by meaning.
Verification (`verify.py`) then decides what each unit does with its candidates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from .config import Settings, TooMuchText
from .decide import RANKING, SEMANTIC_RANKING, Features, Weights, evidence_feature, fuzzy_ratios
from .index import Index, Texts, _expand
from .parts import sentence_parts
from .semantic import Semantic, margins, pair_cosines
from .sentences import split_sentences


@dataclass(slots=True)
class Unit:
    segment: int
    start: int  # code points
    end: int
    members: tuple[int, ...]  # sentence numbers it covers
    # A clause of a sentence that says several things (`clauses.py`): the sentence's
    # bounds; None for a whole sentence or a joined pair.
    sentence: tuple[int, int] | None = None
    # What a reader understands there, when not the span's own words: a clause read
    # with its subject, a list item with the words around the list (`parts.py`).
    said: str | None = None


@dataclass(slots=True)
class Candidate:
    """One claim of one unit, as it flows from retrieval through verification to
    the decision."""

    score: float  # retrieval's
    claim: int
    phrasing: int
    method: str  # "lexical", or "semantic": found by meaning
    features: Features
    verdict: object | None = None  # verify.Verdict
    x: np.ndarray | None = None  # the verification features


@dataclass(slots=True)
class Page:
    """A page read for retrieval: its units, their distinct texts' terms (`texts`,
    one row per distinct text), each row's units, and readers of a row."""

    units: list[Unit]
    texts: Texts
    rows: list[list[int]]
    words: Callable[[int], list[str]]  # a row's terms in order
    text_of: Callable[[int], str]
    single: np.ndarray  # per row: a single sentence
    clause_of: Callable[[int], tuple[str, int, int, str | None] | None] = lambda r: None
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (segment, start, end)


def read_page(index: Index, segs: list[Mapping[str, str]], settings: Settings) -> Page:
    """The page's sentences with enough terms, and each short sentence joined with
    its neighbour. A page repeating a sentence has it scored once (5,000 repeats of
    a claim once took 3 s)."""
    spans: list[tuple[int, int, int]] = []
    for seg_pos, seg in enumerate(segs):
        spans.extend((seg_pos, start, end) for start, end in split_sentences(seg["text"]))
        if len(spans) > settings.max_sentences:
            raise TooMuchText(settings.max_sentences)
    owner, nums, fresh = index.read([segs[g]["text"][a:b] for g, a, b in spans])
    sizes = np.bincount(owner, minlength=len(spans))
    units, parts = _units(spans, sizes.tolist(), settings)
    page = _assemble(index, segs, units, parts, sizes, nums, fresh)
    page.spans = spans
    return page


def read_clauses(
    index: Index, segs: list[Mapping[str, str]], page: Page, sentences: list[int], settings
) -> Page | None:
    """The clauses of the page's sentences `sentences` (those retrieval found some
    claim close to: cutting every sentence of a page costs time for nothing), as
    units of their own, each read in its sentence's context (`Unit.sentence`)."""
    spans = page.spans
    clauses = _clause_spans(segs, spans, sentences)
    if not clauses:
        return None
    owner, nums, fresh = index.read([said or segs[g]["text"][a:b] for g, a, b, _, said in clauses])
    sizes = np.bincount(owner, minlength=len(clauses))
    units, parts = [], []
    for i, (g, a, b, n, said) in enumerate(clauses):
        if sizes[i] >= settings.min_terms:
            units.append(Unit(g, a, b, (n,), spans[n][1:], said))
            parts.append((i,))
    return _assemble(index, segs, units, parts, sizes, nums, fresh) if units else None


def _assemble(index, segs, units, parts, sizes, nums, fresh) -> Page:
    """A page of `units`, each made of the read texts `parts` (their term counts
    `sizes`, terms `nums`), one row per distinct unit text."""
    firsts = np.concatenate([[0], np.cumsum(sizes)])
    by_text: dict[tuple, list[int]] = {}
    for u, unit in enumerate(units):
        key: tuple = (len(unit.members), segs[unit.segment]["text"][unit.start : unit.end])
        if unit.sentence is not None:  # a clause is read in its sentence's context
            key = (
                0,
                segs[unit.segment]["text"][slice(*unit.sentence)],
                unit.start - unit.sentence[0],
                unit.end - unit.sentence[0],
                unit.said,
            )
        by_text.setdefault(key, []).append(u)
    rows = list(by_text.values())
    # Each row's terms: its first unit's texts' ranges in `nums` (by text).
    row_parts = [parts[us[0]] for us in rows]
    row_of = np.array([r for r, ps in enumerate(row_parts) for _ in ps], dtype=np.int64)
    sentence = np.array([p for ps in row_parts for p in ps], dtype=np.int64)
    term_row, at = _expand(row_of, firsts[sentence], sizes[sentence])
    texts = Texts(index, term_row, nums[at], len(rows))

    def words(r: int) -> list[str]:
        spans_of = [nums[firsts[p] : firsts[p + 1]].tolist() for p in row_parts[r]]
        return names(index, [n for part in spans_of for n in part], fresh)

    def text_of(r: int) -> str:
        u = units[rows[r][0]]
        return u.said or segs[u.segment]["text"][u.start : u.end]

    def clause_of(r: int) -> tuple[str, int, int, str | None] | None:
        u = units[rows[r][0]]
        if u.sentence is None:
            return None
        a, b = u.sentence
        return segs[u.segment]["text"][a:b], u.start - a, u.end - a, u.said

    # A clause is no sentence of its own for the semantic stage.
    single = np.array(
        [len(units[us[0]].members) == 1 and units[us[0]].sentence is None for us in rows],
        dtype=bool,
    )
    return Page(units, texts, rows, words, text_of, single, clause_of)


def _clause_spans(
    segs: list[Mapping[str, str]], spans: list[tuple[int, int, int]], sentences: list[int]
) -> list[tuple[int, int, int, int, str | None]]:
    """(segment, start, end, sentence number, text read) of the parts of each sentence
    worth judging alone (`parts.sentence_parts`: clauses, what a frame reports, each
    predicate or list item with its subject): the head then judges what is said, and
    `attribution` says who says it."""
    out = []
    for n in sentences:
        g, a, b = spans[n]
        text = segs[g]["text"]
        # The sentence before, in the same block: what a leading "It" may stand for.
        before = text[spans[n - 1][1] : spans[n - 1][2]] if n and spans[n - 1][0] == g else ""
        for p in sentence_parts(text[a:b], before):
            out.append((g, a + p.start, a + p.end, n, p.said))
    return out


def _units(
    spans: list[tuple[int, int, int]], size: list[int], settings: Settings
) -> tuple[list[Unit], list[tuple[int, ...]]]:
    units: list[Unit] = []
    parts: list[tuple[int, ...]] = []
    for n, (seg_pos, start, end) in enumerate(spans):
        if size[n] >= settings.min_terms:
            units.append(Unit(seg_pos, start, end, (n,)))
            parts.append((n,))
    for n in range(len(spans) - 1):
        (ga, sa, _), (gb, _, eb) = spans[n], spans[n + 1]
        if ga == gb and min(size[n], size[n + 1]) < settings.join_below:
            units.append(Unit(ga, sa, eb, (n, n + 1)))
            parts.append((n, n + 1))
    return units, parts


def names(index: Index, nums: list[int], fresh: list[str]) -> list[str]:
    v = len(index.term_list)
    term_list = index.term_list
    return [term_list[n] if n < v else fresh[n - v] for n in nums]


@dataclass(slots=True)
class Columns:
    """The per-pair figures retrieval computes for a whole page at once."""

    pair_rows: np.ndarray
    pair_claims: np.ndarray
    phrasing: np.ndarray
    coverage: np.ndarray
    evidence: np.ndarray
    precision: np.ndarray
    bm25: np.ndarray
    cosine: np.ndarray
    margin: np.ndarray
    z: np.ndarray
    by_meaning: np.ndarray


def find_candidates(
    index: Index,
    page: Page,
    settings: Settings,
    semantic: Semantic | None = None,
    decide_at: float | None = None,
) -> Iterator[tuple[int, list[Candidate]]]:
    """Per row of the page (a distinct unit text), its candidate claims scoring at
    least `settings.floor`, best first by `RANKING` (trained to tell which of several
    claims a text repeats). `decide_at`: where the words flag a pair, for fitting
    (`words_flag` otherwise): it decides which sentences the semantic stage takes.

    With `semantic`, a single sentence with a candidate whose lexical score reaches
    `settings.embed_floor` is embedded, and all its pairs get `cosine` and `margin`;
    those the words would not flag are scored by `settings.semantic_weights`."""
    c = _lexical_pairs(index, page.texts, settings, semantic is not None)
    if c is None:
        return
    if semantic is not None:
        _by_meaning(index, page, settings, semantic, c, decide_at)
    extra = np.where(
        c.by_meaning, _fuzzy_max(settings.semantic_weights), _fuzzy_max(settings.weights)
    )
    # Below `min_coverage` a pair shares too few words to stand on words alone.
    keep = np.flatnonzero(
        (c.z + extra >= _logit(settings.floor))
        & ((c.coverage >= settings.min_coverage) | c.by_meaning)
    )
    ranking = SEMANTIC_RANKING if semantic is not None else RANKING
    cuts = np.flatnonzero(np.diff(c.pair_rows[keep])) + 1
    for ks in np.split(keep, cuts) if len(keep) else []:
        r = int(c.pair_rows[ks[0]])
        if len(ks) > settings.top_k:
            ks = ks[np.lexsort((c.pair_claims[ks], -c.z[ks]))[: settings.top_k]]
        found = _row_candidates(index, ks, page.words(r), settings, ranking, c)
        if found:
            yield r, found


def _lexical_pairs(
    index: Index, texts: Texts, settings: Settings, by_meaning_on: bool
) -> Columns | None:
    """Every (row, claim) pair where the row names the claim's subject and could
    score high enough, with its lexical figures. The score is bounded first, so that
    only pairs that could reach the floor are looked at phrasing by phrasing."""
    if not texts.count or not len(index):
        return None
    lex = settings.weights
    pair_rows, pair_claims = index.subject_candidates(texts)
    if not len(pair_rows):
        return None
    bm, common = index.pair_bm25(texts, pair_rows, pair_claims)
    bm25 = bm / np.maximum(texts.weight[pair_rows], 1e-9)
    precision = common * index.unknown_idf / np.maximum(texts.weight[pair_rows], 1e-9)
    floor = _logit(settings.floor)
    lowest = min(floor, _logit(settings.embed_floor)) if by_meaning_on else floor
    # No phrasing is covered beyond 1, nor shares more terms than the claim does.
    cov_max = 1.0 if lex.coverage > 0 else 0.0
    evidence_max = evidence_feature(common) if lex.evidence > 0 else 0.0
    bound = lex.lexical(cov_max, evidence_max, precision, bm25) + _fuzzy_max(lex)
    keep = np.flatnonzero(bound >= lowest)
    if not len(keep):
        return None
    pair_rows, pair_claims = pair_rows[keep], pair_claims[keep]
    bm25, precision = bm25[keep], precision[keep]
    pair_of, phrasing, cov_all, rare_all = index.phrasing_matches(texts, pair_rows, pair_claims)
    ev_all = evidence_feature(rare_all)
    # A claim reads as its phrasing the text says most of: the largest coverage +
    # evidence (a fixed rule, so that fitting the weights does not move it).
    best = best_of_groups(pair_of, cov_all + ev_all)
    coverage, evidence = cov_all[best], ev_all[best]
    zeros = np.zeros(len(keep), dtype=np.float32)
    return Columns(
        pair_rows,
        pair_claims,
        phrasing[best],
        coverage,
        evidence,
        precision,
        bm25,
        zeros,
        zeros.copy(),
        lex.lexical(coverage, evidence, precision, bm25),
        np.zeros(len(keep), dtype=bool),
    )


def _by_meaning(
    index: Index,
    page: Page,
    settings: Settings,
    semantic: Semantic,
    c: Columns,
    decide_at: float | None,
) -> None:
    """The semantic stage, in place: sentences the words flag nothing in but bring
    close to some claim (`embed_floor`) are embedded, the closest `embed_limit` of
    them; their candidates the words would not flag are scored by meaning."""
    flags_at = _logit(settings.words_flag if decide_at is None else decide_at)
    close = page.single[c.pair_rows] & (c.z >= _logit(settings.embed_floor))
    flagged = np.unique(c.pair_rows[c.z >= flags_at])
    rows = np.setdiff1d(np.unique(c.pair_rows[close]), flagged)
    if len(rows) > settings.embed_limit:
        # The closest first: the cost of a page stays bounded, whatever its size.
        nearest = np.full(page.texts.count, -np.inf)
        np.maximum.at(nearest, c.pair_rows, c.z)
        rows = np.sort(rows[np.lexsort((rows, -nearest[rows]))[: settings.embed_limit]])
    if not len(rows):
        return
    in_rows = np.isin(c.pair_rows, rows)
    vectors = np.zeros((page.texts.count, semantic.vectors.shape[1]), dtype=np.float32)
    vectors[rows] = semantic.embed([page.text_of(int(r)) for r in rows])
    c.cosine[in_rows] = pair_cosines(
        index, semantic.vectors, vectors, c.pair_rows[in_rows], c.pair_claims[in_rows]
    )
    c.margin[in_rows] = margins(c.pair_rows[in_rows], c.cosine[in_rows])
    c.by_meaning = in_rows & (c.z < flags_at)
    sem = settings.semantic_weights.lexical(
        c.coverage, c.evidence, c.precision, c.bm25, c.cosine, c.margin
    )
    c.z = np.where(c.by_meaning, sem, c.z)


def _row_candidates(
    index: Index,
    ks: np.ndarray,
    row_words: list[str],
    settings: Settings,
    ranking: Weights,
    c: Columns,
) -> list[Candidate]:
    """One row's candidates (pairs `ks`) scoring at least the floor, best first."""
    joined = " ".join(row_words)
    out = []
    for k in ks.tolist():
        w = settings.semantic_weights if c.by_meaning[k] else settings.weights
        claim = int(c.pair_claims[k])
        ts, so = fuzzy_ratios(index, joined, claim)
        f = Features(
            coverage=float(c.coverage[k]),
            evidence=float(c.evidence[k]),
            precision=float(c.precision[k]),
            bm25=float(c.bm25[k]),
            token_set=ts,
            token_sort=so,
            has_subject=True,
            cosine=float(c.cosine[k]),
            margin=float(c.margin[k]),
        )
        sc = f.score(w)
        if sc < settings.floor:
            continue
        method = "semantic" if c.by_meaning[k] else "lexical"
        out.append((f.logit(ranking), Candidate(sc, claim, int(c.phrasing[k]), method, f)))
    out.sort(key=lambda p: (-p[0], p[1].claim))
    return [cand for _, cand in out]


def _fuzzy_max(w: Weights) -> float:
    return max(w.token_set, 0.0) + max(w.token_sort, 0.0)


def best_of_groups(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """For items grouped in runs of `group` (one run per group, in order): the
    position of each group's item with the largest key, the first on a tie."""
    order = np.lexsort((-np.arange(len(key)), key, group))
    return order[np.flatnonzero(np.r_[group[order][1:] != group[order][:-1], True])]


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
