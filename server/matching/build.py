"""Building the index: claims in, the numpy arrays of `Index` out.

The stages, each a function below:
1. `_gather`: the claims' ids, verdicts, subject terms, counter statements and texts.
2. `_stem_stream`: every text read at once into one stream of stem numbers (each
   distinct token stemmed once), aliases applied, texts ended by SEPARATOR.
3. `_phrasing_terms`: stop words dropped, negation scope marked; the texts left with
   a term become phrasings, and terms get their final numbers.
4. `_bm25` and `_phrasing_weights`: the claim × term and phrasing × term weights.
5. `_subjects` and `_required`: each claim's required subject terms.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .index import Index, claim_texts
from .polarity import SCOPE, read
from .text import (
    NEGATION_STEMS,
    SEPARATOR,
    SKIP,
    STEMS,
    Aliases,
    raw_token_chunks,
    terms,
)

K1 = 1.2  # BM25 term-frequency saturation
B = 0.75  # BM25 length normalisation


def build_index(
    claims: Iterable[Mapping], *, aliases: Mapping[str, list[str]] | None = None
) -> Index:
    """Index claims given as mappings with `id`, `verdict`, `text`, `phrasings` and
    optionally `required_terms`, `counter_statements` and `curated` (a person worked on
    the claim; else it is judged as imported). Aliases apply to every claim."""
    # A bulk load: the cycle collector would only walk the caller's rows again and
    # again while millions of tokens are allocated (nothing built here is cyclic).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _build(claims, Aliases(dict(aliases or {})))
    finally:
        if paused:
            gc.enable()


def _build(claims: Iterable[Mapping], alias_map: Aliases) -> Index:
    rows = _gather(claims)
    n = len(rows.ids)
    stems, numbers = _stem_stream(rows.texts, alias_map)
    t = _phrasing_terms(stems, numbers, rows, alias_map)
    v = max(len(t.names), 1)
    weights, idf = _bm25(t.tok_claim, t.tok, n, len(t.names))
    phrasings, at = _phrasing_weights(t, weights, v)
    subject = _subjects(t, weights, phrasings, at, idf)
    req_ptr, req_terms = _required(subject, t.given_required, t.vocab)
    negated_keys = np.unique(t.tok_ph[t.scoped] * v + t.tok[t.scoped]) if len(t.tok) else t.tok
    counters = {
        pos: [read(s, alias_map) for s in found]
        for pos, found in rows.counter_texts.items()
        if found
    }
    return Index(
        ids=rows.ids,
        verdicts=rows.verdicts,
        aliases=alias_map,
        vocab=t.vocab,
        term_list=t.names,
        idf=idf,
        unknown_idf=float(np.log1p((n - 0.5) / 1.5)) if n else 1.0,
        weights=weights,
        phrasings=phrasings,
        phrasing_claim=t.ph_claim.astype(np.int32),
        phrasing_negations=t.negations.astype(np.int8),
        claim_phrasings=t.claim_ph.astype(np.int64),
        required_ptr=req_ptr.astype(np.int64),
        required_terms=req_terms,
        phrasing_source=t.source.astype(np.int32),
        phrasing_negated=negated_keys.astype(np.int64),
        counters=counters,
        curated=frozenset(t.given_required) | frozenset(rows.curated),
    )


@dataclass
class _Rows:
    ids: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    given: dict[int, list[str]] = field(default_factory=dict)  # moderators' subject terms
    counter_texts: dict[int, list[str]] = field(default_factory=dict)
    curated: set[int] = field(default_factory=set)  # claims a person worked on
    texts: list[str] = field(default_factory=list)  # every claim's texts, in order
    text_claim: list[int] = field(default_factory=list)  # the claim of each text


def _gather(claims: Iterable[Mapping]) -> _Rows:
    rows = _Rows()
    for row in claims:
        pos = len(rows.ids)
        rows.ids.append(row["id"])
        rows.verdicts.append(row["verdict"])
        if row.get("required_terms"):
            rows.given[pos] = list(row["required_terms"])
        if row.get("curated"):
            rows.curated.add(pos)
        if row.get("counter_statements"):
            rows.counter_texts[pos] = [s for s in row["counter_statements"] if s and s.strip()]
        found = claim_texts(row)
        rows.texts.extend(found)
        rows.text_claim.extend([pos] * len(found))
    return rows


class _Numbering(dict):
    """Stem → number, numbering each new stem on first sight."""

    def __missing__(self, key: str) -> int:
        out = self[key] = len(self)
        return out


def _stem_stream(texts: list[str], alias_map: Aliases) -> tuple[np.ndarray, _Numbering]:
    """All texts read in one pass: each distinct token is stemmed once, and every
    distinct stem, stop words included, gets a provisional number."""
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
    stems = simple[token_ids]
    if (simple < 0).any():  # tokens that are several words (rare)
        parts = [[numbers[p] for p in s] if not isinstance(s, str) else [] for s in stem_of]
        pieces, done = [], 0
        for i in np.flatnonzero(stems < 0).tolist():
            pieces += [stems[done:i], np.array(parts[token_ids[i]], dtype=np.int64)]
            done = i + 1
        stems = np.concatenate([*pieces, stems[done:]])
    if alias_map:
        stems = np.array(alias_map.apply_numbers(stems.tolist(), numbers.__getitem__))
    return stems, numbers


@dataclass
class _Terms:
    """The phrasings' term stream (stop words gone) and the final term numbering."""

    tok: np.ndarray  # term number of each kept token
    tok_ph: np.ndarray  # its phrasing
    tok_claim: np.ndarray  # its claim
    scoped: np.ndarray  # whether a negation reaches it
    ph_claim: np.ndarray  # claim of each phrasing
    claim_ph: np.ndarray  # each claim's first phrasing (n + 1 entries)
    negations: np.ndarray  # negation words in each phrasing
    source: np.ndarray  # each phrasing's position among the claims' texts
    names: list[str]
    vocab: dict[str, int]
    given_required: dict[int, list[str]]


def _phrasing_terms(
    stems: np.ndarray, numbers: _Numbering, rows: _Rows, alias_map: Aliases
) -> _Terms:
    n_texts, n = len(rows.texts), len(rows.ids)
    names_all = list(numbers)
    skip = np.array([s in SKIP for s in names_all], dtype=bool)
    negation = np.array([s in NEGATION_STEMS for s in names_all], dtype=bool)
    is_sep = stems == numbers[SEPARATOR]
    text_of = np.cumsum(is_sep) - is_sep  # each text's stems end with a separator
    negations = np.bincount(text_of[negation[stems]], minlength=n_texts)
    scoped = _in_scope(negation[stems], skip[stems], is_sep)
    keep = ~skip[stems]
    tok, tok_text, scoped = stems[keep], text_of[keep], scoped[keep]

    # Phrasings are the texts left with at least one term.
    nonempty = np.bincount(tok_text, minlength=n_texts) > 0
    tok_ph = (np.cumsum(nonempty) - 1)[tok_text]
    ph_claim = np.array(rows.text_claim, dtype=np.int64)[nonempty] if n_texts else np.zeros(0, int)

    # Final term numbers: the terms phrasings use, then moderators' subject terms
    # no phrasing uses (they need a number, though nothing can match them).
    used = np.zeros(len(names_all), dtype=bool)
    used[tok] = True
    names = [names_all[i] for i in np.flatnonzero(used).tolist()]
    tok = (np.cumsum(used) - 1)[tok]
    vocab = {s: i for i, s in enumerate(names)}
    given = {pos: [s for g in req for s in terms(g, alias_map)] for pos, req in rows.given.items()}
    given = {pos: req for pos, req in given.items() if req}
    for req in given.values():
        for s in req:
            if s not in vocab:
                vocab[s] = len(names)
                names.append(s)
    return _Terms(
        tok=tok,
        tok_ph=tok_ph,
        tok_claim=ph_claim[tok_ph],
        scoped=scoped,
        ph_claim=ph_claim,
        claim_ph=np.searchsorted(ph_claim, np.arange(n + 1)),
        negations=negations[nonempty],
        source=np.flatnonzero(nonempty),
        names=names,
        vocab=vocab,
        given_required=given,
    )


def _bm25(
    tok_claim: np.ndarray, tok: np.ndarray, n: int, n_terms: int
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """BM25 weight of each (claim, term), term frequency over all the claim's phrasings."""
    counts = sparse.csr_matrix(
        (np.ones(len(tok), dtype=np.float32), (tok_claim, tok)), shape=(n, n_terms)
    )
    counts.sum_duplicates()
    tf = counts.data
    df = np.bincount(counts.indices, minlength=n_terms)
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
        shape=(n, n_terms),
    )
    return weights, idf


def _phrasing_weights(
    t: _Terms, weights: sparse.csr_matrix, v: int
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Each phrasing's distinct terms, at its claim's weight for each; and, for every
    (phrasing, term) entry, the position of its (claim, term) entry in `weights`."""
    n, n_ph = weights.shape[0], len(t.ph_claim)
    phrasings = sparse.csr_matrix(
        (np.ones(len(t.tok), dtype=np.float32), (t.tok_ph, t.tok)), shape=(n_ph, len(t.names))
    )
    phrasings.sum_duplicates()
    p_rows = np.repeat(np.arange(n_ph, dtype=np.int64), np.diff(phrasings.indptr))
    claim_keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(weights.indptr)) * v
    at = np.searchsorted(claim_keys + weights.indices, t.ph_claim[p_rows] * v + phrasings.indices)
    phrasings.data = weights.data[at]
    return phrasings, at


def _subjects(
    t: _Terms,
    weights: sparse.csr_matrix,
    phrasings: sparse.csr_matrix,
    at: np.ndarray,
    idf: np.ndarray,
) -> np.ndarray:
    """Each claim's derived subject term: the rarest term every phrasing shares (failing
    that, the rarest of the first phrasing; ties alphabetically); -1 for none."""
    n, names = weights.shape[0], t.names
    # `rank` orders terms rarest first, so a claim's subject is its lowest rank.
    alphabetical = np.empty(len(names), dtype=np.int64)
    alphabetical[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    rarest_first = np.lexsort((alphabetical, -idf))
    rank = np.empty(len(names), dtype=np.int64)
    rank[rarest_first] = np.arange(len(names))
    entry_claim = np.repeat(np.arange(n, dtype=np.int64), np.diff(weights.indptr))
    phrasings_with = np.bincount(at, minlength=weights.nnz)  # per (claim, term)
    everywhere = phrasings_with == np.diff(t.claim_ph)[entry_claim]
    has_common = np.bincount(entry_claim[everywhere], minlength=n) > 0
    p_rows = np.repeat(np.arange(len(t.ph_claim), dtype=np.int64), np.diff(phrasings.indptr))
    p_claim = t.ph_claim[p_rows]
    first = (p_rows == t.claim_ph[:-1][p_claim]) & ~has_common[p_claim]
    subject = np.full(n, -1, dtype=np.int64)
    for claim_of, term_of in (
        (entry_claim[everywhere], weights.indices[everywhere]),
        (p_claim[first], phrasings.indices[first]),
    ):
        if len(claim_of):  # entries come grouped by claim
            heads = np.flatnonzero(np.r_[True, claim_of[1:] != claim_of[:-1]])
            best = np.minimum.reduceat(rank[term_of], heads)
            subject[claim_of[heads]] = rarest_first[best]
    return subject


def _required(
    subject: np.ndarray, given: dict[int, list[str]], vocab: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Required subject terms as CSR (pointer, terms): the moderator's where given,
    else the derived subject."""
    req_count = (subject >= 0).astype(np.int64)
    for pos, req in given.items():
        req_count[pos] = len({vocab[s] for s in req})
    req_ptr = np.concatenate([[0], np.cumsum(req_count)])
    req_terms = np.empty(int(req_ptr[-1]), dtype=np.int32)
    plain = (subject >= 0) & (req_count == 1)
    for pos in given:
        plain[pos] = False
    req_terms[req_ptr[:-1][plain]] = subject[plain]
    for pos, req in given.items():
        req_terms[req_ptr[pos] : req_ptr[pos + 1]] = sorted({vocab[s] for s in req})
    return req_ptr, req_terms


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
