"""An in-memory index over the phrasings of published claims, kept compact.

Each claim is one document made of all its phrasings (its text, headline, other
wordings), weighted with BM25 (`K1`, `B`): a word weighs more the rarer it is among
claims (IDF), repeats saturate, and long claims are discounted, so a word every
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

import gc
from collections.abc import Iterable, Mapping

import numpy as np
from scipy import sparse

from .polarity import SCOPE, read
from .text import (
    NEGATION_STEMS,
    SEPARATOR,
    SKIP,
    STEMS,
    Aliases,
    raw_token_chunks,
    raw_tokens_of_many,
    stems_of,
    terms,
)

K1 = 1.2  # BM25 term-frequency saturation
B = 0.75  # BM25 length normalisation
TABLE_CELLS = 4_000_000  # bytes a page's membership table may take (`Texts`)


class Index:
    """Built by `build_index`; read-only afterwards (safe to share between threads)."""

    def __init__(
        self,
        *,
        ids: list[str],
        verdicts: list[str],
        aliases: Aliases,
        vocab: dict[str, int],
        term_list: list[str],
        idf: np.ndarray,
        unknown_idf: float,
        weights: sparse.csr_matrix,
        phrasings: sparse.csr_matrix,
        phrasing_claim: np.ndarray,
        phrasing_negations: np.ndarray,
        claim_phrasings: np.ndarray,
        required_ptr: np.ndarray,
        required_terms: np.ndarray,
        phrasing_source: np.ndarray,
        phrasing_negated: np.ndarray | None = None,
        counters: dict[int, list] | None = None,
        curated: frozenset[int] = frozenset(),
    ):
        self.ids = ids
        self.verdicts = verdicts
        self.aliases = aliases
        self.vocab = vocab
        self.term_list = term_list
        self._numbers = _TokenNumbers(self)
        self.idf = idf
        # A word no claim uses says a text is about something else: it weighs as
        # much as a word only one claim uses.
        self.unknown_idf = unknown_idf
        self.weights = weights
        self.phrasings = phrasings
        self.phrasing_claim = phrasing_claim
        rows = np.repeat(np.arange(phrasings.shape[0]), np.diff(phrasings.indptr))
        self.phrasing_weight = np.bincount(
            rows, weights=phrasings.data, minlength=phrasings.shape[0]
        )
        self.phrasing_negations = phrasing_negations
        self.claim_phrasings = claim_phrasings
        self.required_ptr = required_ptr
        self.required_terms = required_terms
        # Phrasing i is text `phrasing_source[i]` of the claims' `claim_texts`, in
        # order (texts with no term are no phrasing): how vectors line up with rows.
        self.phrasing_source = phrasing_source
        # Sorted keys phrasing * len(term_list) + term: the terms a phrasing says under
        # a negation ("not addictive"), for verification.
        self.phrasing_negated = (
            phrasing_negated if phrasing_negated is not None else np.zeros(0, dtype=np.int64)
        )
        # Claim position → its counter statements read by `polarity.read` (what the
        # evidence says); claims without any are absent.
        self.counters = counters or {}
        # Claims a moderator worked on (counter statements or required terms given):
        # the others are treated as imported (`specificity.py`, issue 16).
        self.curated = curated | frozenset(self.counters)
        n = len(ids)
        self.subjects = sparse.csr_matrix(
            (
                np.ones(len(required_terms), dtype=np.float32),
                (required_terms, np.repeat(np.arange(n), np.diff(required_ptr))),
            ),
            shape=(len(term_list), n),
        )
        self.required_count = np.diff(required_ptr).astype(np.int32)

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


def build_index(
    claims: Iterable[Mapping], *, aliases: Mapping[str, list[str]] | None = None
) -> Index:
    """Index claims given as mappings with `id`, `verdict`, `text`, `phrasings` and
    optionally `required_terms`. Aliases apply to every claim."""
    # A bulk load: the cycle collector would only walk the caller's rows again and
    # again while millions of tokens are allocated (nothing built here is cyclic).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _build(claims, aliases)
    finally:
        if paused:
            gc.enable()


def _build(claims: Iterable[Mapping], aliases: Mapping[str, list[str]] | None) -> Index:
    alias_map = Aliases(dict(aliases or {}))
    ids: list[str] = []
    verdicts: list[str] = []
    given: dict[int, list[str]] = {}
    counter_texts: dict[int, list[str]] = {}
    texts: list[str] = []
    text_claim: list[int] = []
    for row in claims:
        pos = len(ids)
        ids.append(row["id"])
        verdicts.append(row["verdict"])
        if row.get("required_terms"):
            given[pos] = list(row["required_terms"])
        if row.get("counter_statements"):
            counter_texts[pos] = [t for t in row["counter_statements"] if t and t.strip()]
        found = claim_texts(row)
        texts.extend(found)
        text_claim.extend([pos] * len(found))
    n = len(ids)

    # All texts are read in one pass: each distinct token is stemmed once, and every
    # distinct stem, stop words included, gets a provisional number.
    token_numbers = _Numbering()
    number = token_numbers.__getitem__
    token_ids = np.concatenate(
        [np.zeros(0, dtype=np.int64)]
        + [
            np.fromiter(map(number, chunk), np.int64, len(chunk))
            for chunk in raw_token_chunks(texts)
        ]
    )
    numbers = _Numbering()
    STEMS.fill(list(token_numbers))
    stem_of = [STEMS[t] for t in token_numbers]
    simple = np.array([numbers[s] if isinstance(s, str) else -1 for s in stem_of], dtype=np.int64)
    all_ids = simple[token_ids]
    if (simple < 0).any():  # tokens that are several words (rare)
        parts = [[numbers[p] for p in s] if not isinstance(s, str) else [] for s in stem_of]
        pieces, done = [], 0
        for i in np.flatnonzero(all_ids < 0).tolist():
            pieces += [all_ids[done:i], np.array(parts[token_ids[i]], dtype=np.int64)]
            done = i + 1
        all_ids = np.concatenate([*pieces, all_ids[done:]])
    if alias_map:
        all_ids = np.array(alias_map.apply_numbers(all_ids.tolist(), numbers.__getitem__))
    names_all = list(numbers)
    skip = np.array([s in SKIP for s in names_all], dtype=bool)
    negation = np.array([s in NEGATION_STEMS for s in names_all], dtype=bool)
    is_sep = all_ids == numbers[SEPARATOR]
    text_of = np.cumsum(is_sep) - is_sep  # each text's stems end with a separator
    negations = np.bincount(text_of[negation[all_ids]], minlength=len(texts))
    scoped = _in_scope(negation[all_ids], skip[all_ids], is_sep)
    keep = ~skip[all_ids]
    tok, tok_text = all_ids[keep], text_of[keep]
    scoped = scoped[keep]

    # Phrasings are the texts left with at least one term.
    nonempty = np.bincount(tok_text, minlength=len(texts)) > 0
    tok_ph = (np.cumsum(nonempty) - 1)[tok_text]
    ph_claim = np.array(text_claim, dtype=np.int64)[nonempty] if texts else np.zeros(0, int)
    n_ph = len(ph_claim)
    claim_ph = np.searchsorted(ph_claim, np.arange(n + 1))

    # Final term numbers: the terms phrasings use, then moderators' subject terms
    # no phrasing uses (they need a number, though nothing can match them).
    used = np.zeros(len(names_all), dtype=bool)
    used[tok] = True
    renumber = np.cumsum(used) - 1
    names = [names_all[i] for i in np.flatnonzero(used).tolist()]
    tok = renumber[tok]
    vocab = {t: i for i, t in enumerate(names)}
    given_required = {
        pos: [t for g in req for t in terms(g, alias_map)] for pos, req in given.items()
    }
    given_required = {pos: req for pos, req in given_required.items() if req}
    for req in given_required.values():
        for t in req:
            if t not in vocab:
                vocab[t] = len(names)
                names.append(t)
    v = max(len(names), 1)

    # BM25 weight of each (claim, term), term frequency over all the claim's phrasings.
    tok_claim = ph_claim[tok_ph]
    counts = sparse.csr_matrix(
        (np.ones(len(tok), dtype=np.float32), (tok_claim, tok)), shape=(n, len(names))
    )
    counts.sum_duplicates()
    tf = counts.data
    df = np.bincount(counts.indices, minlength=len(names))
    idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    length = np.bincount(tok_claim, minlength=n).astype(np.float64)
    avg = float(length[length > 0].mean()) if length.any() else 1.0
    norm = np.repeat(K1 * (1 - B + B * length / avg), np.diff(counts.indptr))
    weights = sparse.csr_matrix(
        (
            (idf[counts.indices] * tf * (K1 + 1) / (tf + norm)).astype(np.float32),
            counts.indices,
            counts.indptr,
        ),
        shape=(n, len(names)),
    )

    # Each phrasing's distinct terms, at its claim's weight for each.
    phrasings = sparse.csr_matrix(
        (np.ones(len(tok), dtype=np.float32), (tok_ph, tok)), shape=(n_ph, len(names))
    )
    phrasings.sum_duplicates()
    p_rows = np.repeat(np.arange(n_ph, dtype=np.int64), np.diff(phrasings.indptr))
    claim_keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(weights.indptr)) * v
    at = np.searchsorted(claim_keys + weights.indices, ph_claim[p_rows] * v + phrasings.indices)
    phrasings.data = weights.data[at]

    # Required subject terms: the moderator's, or else the rarest term every phrasing
    # shares (failing that, the rarest of the first phrasing; ties alphabetically).
    # `rank` orders terms rarest first, so a claim's subject is its lowest rank.
    alphabetical = np.empty(len(names), dtype=np.int64)
    alphabetical[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    rarest_first = np.lexsort((alphabetical, -idf))
    rank = np.empty(len(names), dtype=np.int64)
    rank[rarest_first] = np.arange(len(names))
    entry_claim = np.repeat(np.arange(n, dtype=np.int64), np.diff(weights.indptr))
    phrasings_with = np.bincount(at, minlength=weights.nnz)  # per (claim, term)
    everywhere = phrasings_with == np.diff(claim_ph)[entry_claim]
    has_common = np.bincount(entry_claim[everywhere], minlength=n) > 0
    p_claim = ph_claim[p_rows]
    first = (p_rows == claim_ph[:-1][p_claim]) & ~has_common[p_claim]
    subject = np.full(n, -1, dtype=np.int64)
    for claim_of, term_of in (
        (entry_claim[everywhere], weights.indices[everywhere]),
        (p_claim[first], phrasings.indices[first]),
    ):
        if len(claim_of):  # entries come grouped by claim
            heads = np.flatnonzero(np.r_[True, claim_of[1:] != claim_of[:-1]])
            best = np.minimum.reduceat(rank[term_of], heads)
            subject[claim_of[heads]] = rarest_first[best]
    req_count = (subject >= 0).astype(np.int64)
    for pos, req in given_required.items():
        req_count[pos] = len({vocab[t] for t in req})
    req_ptr = np.concatenate([[0], np.cumsum(req_count)])
    req_terms = np.empty(int(req_ptr[-1]), dtype=np.int32)
    plain = (subject >= 0) & (req_count == 1)
    for pos in given_required:
        plain[pos] = False
    req_terms[req_ptr[:-1][plain]] = subject[plain]
    for pos, req in given_required.items():
        req_terms[req_ptr[pos] : req_ptr[pos + 1]] = sorted({vocab[t] for t in req})

    negated_keys = np.unique(tok_ph[scoped] * v + tok[scoped]) if len(tok) else tok
    counters = {
        pos: [read(t, alias_map) for t in found] for pos, found in counter_texts.items() if found
    }
    return Index(
        ids=ids,
        verdicts=verdicts,
        aliases=alias_map,
        vocab=vocab,
        term_list=names,
        idf=idf,
        unknown_idf=float(np.log1p((n - 0.5) / 1.5)) if n else 1.0,
        weights=weights,
        phrasings=phrasings,
        phrasing_claim=ph_claim.astype(np.int32),
        phrasing_negations=negations[nonempty].astype(np.int8),
        claim_phrasings=claim_ph.astype(np.int64),
        required_ptr=req_ptr.astype(np.int64),
        required_terms=req_terms,
        phrasing_source=np.flatnonzero(nonempty).astype(np.int32),
        phrasing_negated=negated_keys.astype(np.int64),
        counters=counters,
        curated=frozenset(given_required),
    )


def _in_scope(negation: np.ndarray, skip: np.ndarray, sep: np.ndarray) -> np.ndarray:
    """Per token of the texts' token stream: whether an odd number of negations reach
    it (each reaches the next SCOPE tokens that are not skipped, within its text), as
    `polarity.in_scope` reads one sentence."""
    out = np.zeros(len(negation), dtype=np.int64)
    at = np.flatnonzero(negation)
    if not len(at):
        return out.astype(bool)
    content = np.flatnonzero(~skip & ~sep)
    seps = np.r_[np.flatnonzero(sep), len(negation)]
    first = np.searchsorted(content, at, side="right")
    ends = seps[np.searchsorted(seps, at)]
    for step in range(SCOPE):
        k = first + step
        ok = k < len(content)
        pos = content[np.minimum(k, len(content) - 1)] if len(content) else k
        ok &= pos < ends
        np.add.at(out, pos[ok], 1)
    return out % 2 == 1


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


class _Numbering(dict):
    """Stem → number, numbering each new stem on first sight."""

    def __missing__(self, key: str) -> int:
        out = self[key] = len(self)
        return out


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
