"""An in-memory index over the phrasings of published claims, kept compact.

Each claim is one document made of all its phrasings (its text, headline, other
wordings), weighted with BM25 (`K1`, `B`; built by `build.py`): a word weighs more the
rarer it is among claims (IDF), repeats saturate, and long claims are discounted, so a word every
wording of a claim repeats weighs most. Everything lives in numpy arrays of term
numbers rather than Python objects, so 100,000 claims take a few tens of
megabytes and build in about a second:

- `weights`: claims × terms (CSR), the BM25 weight of each of a claim's words. One
  sparse product scores every claim for a text (`rank`); for a page, the rows of
  its candidate claims are looked up against the page's terms (`Texts`) all at once.
- `phrasings`: phrasings × terms (CSR), each phrasing's distinct words at its
  claim's weights: how much of one wording a text says.
- `subjects`: terms × claims, the claims whose required subject includes a term. A
  sentence can only repeat a claim whose subject it names, so a page's candidates
  come from here: a handful of claims per sentence, not every claim sharing a word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .text import (
    SEPARATOR,
    SKIP,
    STEMS,
    Aliases,
    raw_tokens_of_many,
    stems_of,
)

TABLE_CELLS = 4_000_000  # bytes a page's membership table may take (`Texts`)


@dataclass(eq=False, kw_only=True)
class Index:
    """Built by `build_index`; read-only afterwards (safe to share between threads)."""

    ids: list[str]
    verdicts: list[str]
    aliases: Aliases
    vocab: dict[str, int]
    term_list: list[str]
    idf: np.ndarray
    # A word no claim uses says a text is about something else: it weighs as much
    # as a word only one claim uses.
    unknown_idf: float
    weights: sparse.csr_matrix
    phrasings: sparse.csr_matrix
    phrasing_claim: np.ndarray
    phrasing_negations: np.ndarray
    claim_phrasings: np.ndarray
    required_ptr: np.ndarray
    required_terms: np.ndarray
    # Phrasing i is text `phrasing_source[i]` of the claims' `claim_texts`, in order
    # (texts with no term are no phrasing): how vectors line up with rows.
    phrasing_source: np.ndarray
    # Sorted keys phrasing * len(term_list) + term: the terms a phrasing says under a
    # negation ("not addictive"), for verification.
    phrasing_negated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Claim position → its counter statements read by `polarity.read` (what the
    # evidence says); claims without any are absent.
    counters: dict[int, list] = field(default_factory=dict)
    # Claims a moderator worked on (counter statements or required terms given): the
    # others are treated as imported (`specificity.py`, issue 16).
    curated: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        self.curated = self.curated | frozenset(self.counters)
        self._numbers = _TokenNumbers(self)
        p = self.phrasings
        rows = np.repeat(np.arange(p.shape[0]), np.diff(p.indptr))
        self.phrasing_weight = np.bincount(rows, weights=p.data, minlength=p.shape[0])
        n = len(self.ids)
        self.subjects = sparse.csr_matrix(
            (
                np.ones(len(self.required_terms), dtype=np.float32),
                (self.required_terms, np.repeat(np.arange(n), np.diff(self.required_ptr))),
            ),
            shape=(len(self.term_list), n),
        )
        self.required_count = np.diff(self.required_ptr).astype(np.int32)

    def __len__(self) -> int:
        return len(self.ids)

    def nbytes(self) -> int:
        """Bytes held in arrays (the term dictionary and id strings aside)."""
        arrays = [
            self.idf,
            self.phrasing_claim,
            self.phrasing_weight,
            self.phrasing_negations,
            self.claim_phrasings,
            self.required_ptr,
            self.required_terms,
            self.required_count,
            self.phrasing_source,
        ]
        for m in (self.weights, self.phrasings, self.subjects):
            arrays += [m.data, m.indices, m.indptr]
        return sum(a.nbytes for a in arrays)

    # --- texts ----------------------------------------------------------------

    def read(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Many texts' terms in one pass: (text of each term, term number, names of
        the terms no claim uses, numbered from `len(term_list)`)."""
        tokens = raw_tokens_of_many(texts)
        numbers = self._numbers
        nums = np.array([numbers[t] for t in tokens], dtype=np.int64)
        if (nums == _SLOW).any():  # an alias, or a token that is several words
            stems = stems_of(tokens)
            if self.aliases:
                stems = self.aliases.apply(stems)
            nums = np.array([numbers.of_stem(s) for s in stems], dtype=np.int64)
        is_sep = nums == _SEP
        owner = np.cumsum(is_sep) - is_sep
        keep = (nums >= 0) | (nums <= _UNKNOWN)
        nums = nums[keep]
        v = len(self.term_list)
        nums = np.where(nums >= 0, nums, v + (_UNKNOWN - nums))
        return owner[keep], nums, numbers.unknown

    # --- claims and phrasings -------------------------------------------------

    def phrasings_of(self, claim: int) -> range:
        return range(int(self.claim_phrasings[claim]), int(self.claim_phrasings[claim + 1]))

    def phrasing_term_ids(self, pos: int) -> np.ndarray:
        p = self.phrasings
        return p.indices[p.indptr[pos] : p.indptr[pos + 1]]

    def phrasing_terms(self, pos: int) -> list[str]:
        names = self.term_list
        return [names[i] for i in self.phrasing_term_ids(pos).tolist()]

    def negated_terms(self, pos: int) -> frozenset[str]:
        """The terms phrasing `pos` says under a negation."""
        v = len(self.term_list)
        lo, hi = np.searchsorted(self.phrasing_negated, [pos * v, (pos + 1) * v])
        names = self.term_list
        return frozenset(names[k % v] for k in self.phrasing_negated[lo:hi].tolist())

    def required(self, claim: int) -> np.ndarray:
        return self.required_terms[self.required_ptr[claim] : self.required_ptr[claim + 1]]

    def claim_term_ids(self, claim: int) -> np.ndarray:
        w = self.weights
        return w.indices[w.indptr[claim] : w.indptr[claim + 1]]

    # --- scoring --------------------------------------------------------------

    def bm25(self, ids: Iterable[int]) -> np.ndarray:
        """BM25 of one text against every claim (distinct terms, each counted once)."""
        cols = sorted({i for i in ids if i >= 0})
        if not cols or not len(self):
            return np.zeros(len(self), dtype=np.float32)
        q = np.zeros(self.weights.shape[1], dtype=np.float32)
        q[cols] = 1.0
        return self.weights @ q

    def subject_candidates(self, texts: Texts) -> tuple[np.ndarray, np.ndarray]:
        """(text, claim) pairs where the text holds every required term of the
        claim, grouped by text in order."""
        subj = self.subjects
        lo, hi = subj.indptr[texts.term], subj.indptr[texts.term + 1]
        text_of, entry = _expand(texts.text, lo, hi - lo)
        claim = subj.indices[entry].astype(np.int64)
        need = self.required_count[claim]
        if not len(entry) or (need == 1).all():
            # One subject term each: every (text, claim) comes up once, by text.
            return text_of, claim
        single = need == 1
        keys, found = np.unique(text_of[~single] * len(self) + claim[~single], return_counts=True)
        several = found >= self.required_count[keys % len(self)]
        text = np.concatenate([text_of[single], keys[several] // len(self)])
        claim = np.concatenate([claim[single], keys[several] % len(self)])
        order = np.argsort(text, kind="stable")
        return text[order], claim[order]

    def pair_bm25(
        self, texts: Texts, pair_text: np.ndarray, claims: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each pair (text `pair_text[i]`, claim `claims[i]`): the claim's BM25
        for the text, and how many rare words' worth of terms they share: the IDF of
        those terms over the IDF of a word only one claim uses."""
        w = self.weights
        lo = w.indptr[claims]
        pair, entry = _expand(np.arange(len(claims)), lo, w.indptr[claims + 1] - lo)
        term = w.indices[entry]
        hit = texts.holds(pair_text[pair], term)
        n = len(claims)
        bm25 = np.bincount(pair[hit], weights=w.data[entry[hit]], minlength=n)
        rare = np.bincount(pair[hit], weights=self.idf[term[hit]], minlength=n)
        return bm25, rare / self.unknown_idf

    def phrasing_matches(
        self, texts: Texts, pair_text: np.ndarray, claims: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every phrasing of each pair's claim against the pair's text: (pair, phrasing,
        the share of the phrasing's weight the text says, the rare words' worth of
        the phrasing's terms it says, as in `pair_bm25`), grouped by pair."""
        starts = self.claim_phrasings[claims]
        ends = self.claim_phrasings[claims + 1]
        pair_of, phrasing = _expand(np.arange(len(claims)), starts, ends - starts)
        p = self.phrasings
        lo = p.indptr[phrasing]
        item, entry = _expand(np.arange(len(phrasing)), lo, p.indptr[phrasing + 1] - lo)
        term = p.indices[entry]
        hit = texts.holds(pair_text[pair_of[item]], term)
        said = np.bincount(item[hit], weights=p.data[entry[hit]], minlength=len(phrasing))
        rare = np.bincount(item[hit], weights=self.idf[term[hit]], minlength=len(phrasing))
        # Rounded, so that a phrasing said whole reads exactly 1 whatever the float sums.
        coverage = np.round(said / np.maximum(self.phrasing_weight[phrasing], 1e-9), 6)
        return pair_of, phrasing, coverage, rare / self.unknown_idf


class Texts:
    """Some texts' distinct terms as (text, term) pairs sorted by text, and their
    IDF weight (each distinct term no claim uses counting as a word only one claim
    uses). Pair scoring looks terms up here instead of building sparse matrices:
    for one page the numpy calls cost less than scipy's per-call overhead.

    `owner[i]` is the text of term `term[i]`; terms no claim uses carry numbers from
    `len(index.term_list)` up, one per distinct word (see `Index.read`)."""

    def __init__(self, index: Index, owner: np.ndarray, term: np.ndarray, count: int):
        v = len(index.term_list)
        span = v + int(term.max(initial=v)) + 1
        keys = np.unique(owner * span + term)
        text, term = keys // span, keys % span
        known = term < v
        self.count = count
        self.text, self.term = text[known], term[known]
        self.weight = np.bincount(
            self.text, weights=index.idf[self.term], minlength=count
        ) + index.unknown_idf * np.bincount(text[~known], minlength=count)
        # Membership by two gathers: term → its column among these texts' terms,
        # then a texts × columns table, while that table is small. A big page's
        # table would grow with sentences × distinct words (98 MB for a 1 MB
        # request at 10,000 claims): past TABLE_CELLS, the sorted (text, term)
        # keys are binary-searched instead, in memory linear in the page.
        self.span = v
        terms, column = np.unique(self.term, return_inverse=True)
        if count * (len(terms) + 1) <= TABLE_CELLS:
            self.column = np.full(v + 1, -1, dtype=np.int32)  # the last slot: "none"
            self.column[terms] = np.arange(len(terms), dtype=np.int32)
            self.table = np.zeros((count, len(terms) + 1), dtype=bool)
            self.table[self.text, column] = True
            self.keys = None
        else:
            self.table = None
            self.keys = self.text * v + self.term  # sorted: np.unique sorted them

    def holds(self, text: np.ndarray, term: np.ndarray) -> np.ndarray:
        """Whether text `text[i]` holds term `term[i]`, for every i."""
        if self.keys is None:
            return self.table[text, self.column[term]]
        wanted = text * self.span + term
        at = np.searchsorted(self.keys, wanted)
        found = np.zeros(len(wanted), dtype=bool)
        inside = at < len(self.keys)
        found[inside] = self.keys[at[inside]] == wanted[inside]
        return found

    def terms_of(self, text: int) -> np.ndarray:
        """The known terms of one text."""
        lo, hi = np.searchsorted(self.text, [text, text + 1])
        return self.term[lo:hi]


def _expand(
    owner: np.ndarray, start: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [start[i], start[i] + length[i]): (owner[i] repeated, positions)."""
    total = int(length.sum())
    if not total:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    offset = np.arange(total) - np.repeat(np.cumsum(length) - length, length)
    return np.repeat(owner, length), np.repeat(start, length) + offset


_SKIP, _SEP, _SLOW, _UNKNOWN = -1, -2, -3, -10


class _TokenNumbers(dict):
    """Raw token → its term's number in the index; or _SKIP (a stop word), _SEP
    (SEPARATOR), _SLOW (a token that is several words, or starts an alias: read
    those texts stem by stem), or _UNKNOWN - k for the k-th distinct term no claim
    uses (its name is `unknown[k]`). One dictionary lookup per token of a page."""

    def __init__(self, index: Index):
        super().__init__()
        self.index = index
        self.unknown: list[str] = []
        self.unknown_numbers: dict[str, int] = {}

    def __missing__(self, token: str) -> int:
        if len(self) > 100_000:  # bounded: later reads start a fresh table
            self.index._numbers = _TokenNumbers(self.index)
        stem = STEMS[token]
        if not isinstance(stem, str) or stem in self.index.aliases.starts:
            out = _SLOW
        else:
            out = self.of_stem(stem)
        self[token] = out
        return out

    def of_stem(self, stem: str) -> int:
        if stem == SEPARATOR:
            return _SEP
        if stem in SKIP:
            return _SKIP
        n = self.index.vocab.get(stem)
        if n is not None:
            return n
        k = self.unknown_numbers.get(stem)
        if k is None:
            k = self.unknown_numbers[stem] = len(self.unknown)
            self.unknown.append(stem)
        return _UNKNOWN - k


def claim_texts(row: Mapping) -> list[str]:
    """A claim's distinct texts as the index reads them: its text, then its phrasings."""
    more = row.get("phrasings")
    if more:
        return _unique([row["text"], *more])
    return [row["text"].strip()] if row["text"].strip() else []


def _unique(texts: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for t in texts:
        key = t.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(t.strip())
    return out
