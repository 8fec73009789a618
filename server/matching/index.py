"""An in-memory inverted index over the phrasings of published claims.

Candidates are phrasings that share rare words with a sentence, scored by the share
of the phrasing's word weight (IDF) the sentence covers. One sparse matrix product
scores every sentence of a page at once; words found in a large share of claims are
left out of that product (they would make every claim a candidate) but still count
when the few candidates are decided.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .text import Aliases, negation_count, terms


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    verdict: str
    required: frozenset[str]  # stems a sentence must contain (after aliases)


@dataclass(frozen=True, slots=True)
class Phrasing:
    claim: int  # position in Index.claims
    text: str
    terms: frozenset[str]
    joined: str  # terms in order, for rapidfuzz
    weight: float  # sum of the IDF of its terms
    negations: int


class Index:
    def __init__(
        self,
        claims: list[Claim],
        phrasings: list[Phrasing],
        idf: dict[str, float],
        aliases: Aliases,
        common: set[str],
    ):
        self.claims = claims
        self.phrasings = phrasings
        self.idf = idf
        self.aliases = aliases
        self.unknown_idf = max(idf.values(), default=1.0)
        self.common = common
        self.vocab = {t: i for i, t in enumerate(sorted(t for t in idf if t not in self.common))}
        rows, cols, vals = [], [], []
        for col, p in enumerate(phrasings):
            for t in p.terms:
                row = self.vocab.get(t)
                if row is not None:
                    rows.append(row)
                    cols.append(col)
                    vals.append(idf[t])
        self.matrix = sparse.csr_matrix(
            (np.array(vals, dtype=np.float32), (rows, cols)),
            shape=(len(self.vocab), len(phrasings)),
        )
        self.weights = np.array([p.weight for p in phrasings], dtype=np.float32)
        # Every term of each claim, across its phrasings.
        self.claim_terms: list[frozenset[str]] = [frozenset()] * len(claims)
        for p in phrasings:
            self.claim_terms[p.claim] = self.claim_terms[p.claim] | p.terms

    def __len__(self) -> int:
        return len(self.claims)

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.unknown_idf)

    def nbytes(self) -> int:
        m = self.matrix
        return m.data.nbytes + m.indices.nbytes + m.indptr.nbytes + self.weights.nbytes

    def candidates(
        self, queries: list[list[str]], *, min_coverage: float, top_k: int
    ) -> list[list[tuple[int, float]]]:
        """For each query (a list of terms): up to top_k (phrasing, coverage) pairs,
        best first, keeping those whose coverage reaches min_coverage."""
        out: list[list[tuple[int, float]]] = [[] for _ in queries]
        if not self.phrasings:
            return out
        rows, cols = [], []
        for r, query in enumerate(queries):
            for c in {self.vocab[t] for t in query if t in self.vocab}:
                rows.append(r)
                cols.append(c)
        if not rows:
            return out
        q = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(queries), len(self.vocab)),
        )
        shared = (q @ self.matrix).tocsr()
        coverage = shared.data / self.weights[shared.indices]
        for r in range(len(queries)):
            lo, hi = shared.indptr[r], shared.indptr[r + 1]
            if lo == hi:
                continue
            cov = coverage[lo:hi]
            keep = np.flatnonzero(cov >= min_coverage)
            if keep.size == 0:
                continue
            if keep.size > top_k:
                keep = keep[np.argpartition(-cov[keep], top_k - 1)[:top_k]]
            idx = shared.indices[lo:hi][keep]
            # Best coverage first; ties by phrasing position, so the order is strict.
            order = np.lexsort((idx, -cov[keep]))
            out[r] = [(int(idx[i]), float(cov[keep][i])) for i in order]
        return out


def build_index(
    claims: Iterable[Mapping],
    *,
    aliases: Mapping[str, list[str]] | None = None,
    common_share: float = 0.05,
    common_min_df: int = 50,
) -> Index:
    """Index claims given as mappings with `id`, `verdict`, `text`, `phrasings` and
    optionally `required_terms`. Aliases apply to every claim."""
    alias_map = Aliases(dict(aliases or {}))
    claim_terms: list[list[list[str]]] = []
    rows = list(claims)
    for row in rows:
        texts = _unique([row["text"], *row.get("phrasings", ())])
        claim_terms.append([terms(t, alias_map) for t in texts])
    df: dict[str, int] = {}
    for per_claim in claim_terms:
        for t in {t for ts in per_claim for t in ts}:
            df[t] = df.get(t, 0) + 1
    n = len(rows)
    idf = {t: math.log((n + 1) / (d + 1)) + 1 for t, d in df.items()}
    # Words in a large share of claims make every claim a candidate; on small
    # databases a floor keeps the subject words ("vaccine") searchable.
    common = {t for t, d in df.items() if d > max(common_share * n, common_min_df)}

    out_claims: list[Claim] = []
    out_phrasings: list[Phrasing] = []
    for pos, (row, per_claim) in enumerate(zip(rows, claim_terms, strict=True)):
        texts = _unique([row["text"], *row.get("phrasings", ())])
        required = _required_terms(row.get("required_terms") or (), per_claim, idf, alias_map)
        out_claims.append(Claim(id=row["id"], verdict=row["verdict"], required=required))
        for text, ts in zip(texts, per_claim, strict=True):
            if not ts:
                continue
            out_phrasings.append(
                Phrasing(
                    claim=pos,
                    text=text,
                    terms=frozenset(ts),
                    joined=" ".join(ts),
                    weight=sum(idf[t] for t in set(ts)),
                    negations=negation_count(text),
                )
            )
    return Index(out_claims, out_phrasings, idf, alias_map, common)


def _required_terms(
    given: Iterable[str], per_claim: list[list[str]], idf: dict[str, float], aliases: Aliases
) -> frozenset[str]:
    if given:
        return frozenset(t for g in given for t in terms(g, aliases))
    # The subject is the rarest word every phrasing shares; failing that, the
    # rarest word of the claim's own text.
    sets = [set(ts) for ts in per_claim if ts]
    if not sets:
        return frozenset()
    common = set.intersection(*sets) or sets[0]
    return frozenset([max(sorted(common), key=lambda t: idf[t])])


def _unique(texts: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for t in texts:
        key = t.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(t.strip())
    return out
