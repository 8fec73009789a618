"""Sentence vectors for the benchmarks' semantic runs (`--semantic`).

Vectors are kept between runs in `bench/.cache/vectors.db`, stored the way the
server stores claim vectors (`matcher.store_vectors`), so that a second run
embeds nothing. Benchmark queries are public evaluation data; the server itself
never stores vectors of page text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from server import db as dbm
from server.matcher import store_vectors
from server.matching import Index, Semantic
from server.matching.embed import Embedder
from server.matching.semantic import phrasing_texts

CACHE = Path(__file__).parent / ".cache" / "vectors.db"


def semantic_for(index: Index, claims: Iterable[Mapping], threads: int = 2) -> Semantic:
    """The semantic stage for `index` (built from `claims`, in order)."""
    CACHE.parent.mkdir(exist_ok=True)
    db = dbm.open_db(CACHE)
    embedder = Embedder(threads=threads)

    def embed(texts: list[str]):
        return store_vectors(db, embedder, texts)

    return Semantic(embed(phrasing_texts(index, claims)), embed)
