"""Each worker's index: rebuilt when the published set moves; vectors stored once."""

from __future__ import annotations

import numpy as np
from conftest import sample_claims, skip_without_semantic

from server import db as dbm
from server import store
from server.matcher import Matcher, store_vectors
from server.matching import embed
from server.matching.semantic import phrasing_texts


def test_index_follows_the_published_version(tmp_path):
    db = dbm.open_db(tmp_path / "m.db")
    matcher = Matcher(check_seconds=0.0, flush_seconds=60.0)
    index, version, semantic = matcher.current(db)
    assert len(index) == 0 and semantic is None
    store.import_claims(db, sample_claims(), "t", publish=True)
    index, newer, _ = matcher.current(db)
    assert len(index) == 4 and newer != version


def test_match_counts_are_aggregates_written_in_batches(tmp_path):
    db = dbm.open_db(tmp_path / "c.db")
    matcher = Matcher(check_seconds=0.0, flush_seconds=0.0)
    matcher.count(db, ["a", "a", "b"])
    rows = {r["claim_id"]: r["count"] for r in db["match_counts"].rows}
    assert rows == {"a": 2, "b": 1}
    assert set(db["match_counts"].columns_dict) == {"claim_id", "day", "count"}


def embedder_or_skip():
    skip_without_semantic()
    return embed.Embedder(threads=1)


def test_vectors_are_computed_once_and_stored_by_text_hash(tmp_path):
    embedder = embedder_or_skip()
    db = dbm.open_db(tmp_path / "v.db")
    store.import_claims(db, sample_claims()[:1], "t", publish=True)
    texts = store.published_texts(db)
    vectors = store_vectors(db, embedder, texts + texts[:1])  # a text twice: stored once
    assert vectors.shape == (len(texts) + 1, 384) and db["claim_vectors"].count == len(texts)
    assert (vectors[0] == vectors[-1]).all()
    assert vectors.dtype == np.float16  # half the memory
    assert abs(float(vectors[0].astype(np.float32) @ vectors[0]) - 1.0) < 2e-3

    class Refuses:
        def embed(self, texts):
            raise AssertionError("stored vectors must not be computed again")

    assert (store_vectors(db, Refuses(), texts) == vectors[: len(texts)]).all()


def test_the_semantic_stage_gets_one_vector_per_phrasing_in_index_order(tmp_path):
    embedder = embedder_or_skip()
    db = dbm.open_db(tmp_path / "s.db")
    store.import_claims(db, sample_claims(), "t", publish=True)
    index, _, semantic = Matcher(0.0, 60.0, embedder).current(db)
    claims, _ = store.index_rows(db)
    texts = phrasing_texts(index, claims)
    assert semantic.vectors.shape == (len(index.phrasing_claim), 384) == (len(texts), 384)
    again = embedder.embed(texts)
    assert np.allclose(semantic.vectors, again, atol=2e-3)
    # Each row belongs to its claim: a phrasing is closest to itself.
    assert (
        np.argmax(semantic.vectors.astype(np.float32) @ again.T, axis=0) == np.arange(len(texts))
    ).all()
