"""Each worker's index: rebuilt when the published set moves; vectors stored once."""

from __future__ import annotations

import pytest
from conftest import sample_claims

from server import db as dbm
from server import store
from server.matcher import Matcher, ensure_vectors


def test_index_follows_the_published_version(tmp_path):
    db = dbm.open_db(tmp_path / "m.db")
    matcher = Matcher(check_seconds=0.0, flush_seconds=60.0)
    index, version = matcher.current(db)
    assert len(index) == 0
    store.import_claims(db, sample_claims(), "t", publish=True)
    index, newer = matcher.current(db)
    assert len(index) == 4 and newer != version


def test_match_counts_are_aggregates_written_in_batches(tmp_path):
    db = dbm.open_db(tmp_path / "c.db")
    matcher = Matcher(check_seconds=0.0, flush_seconds=0.0)
    matcher.count(db, ["a", "a", "b"])
    rows = {r["claim_id"]: r["count"] for r in db["match_counts"].rows}
    assert rows == {"a": 2, "b": 1}
    assert set(db["match_counts"].columns_dict) == {"claim_id", "day", "count"}


def test_vectors_are_computed_once_and_stored_by_text_hash(tmp_path):
    embed = pytest.importorskip("server.matching.embed")
    if not embed.available():
        pytest.skip("the semantic extra is not installed (pip install -e '.[semantic]')")
    db = dbm.open_db(tmp_path / "v.db")
    store.import_claims(db, sample_claims()[:1], "t", publish=True)
    embedder = embed.Embedder(threads=1)
    vectors = ensure_vectors(db, embedder)
    assert len(vectors) == 4 and db["claim_vectors"].count == 4
    first = next(iter(vectors.values()))
    assert first.shape == (embed.DIM,) and abs(float(first @ first) - 1.0) < 1e-4

    class Refuses:
        def embed(self, texts):
            raise AssertionError("stored vectors must not be computed again")

    again = ensure_vectors(db, Refuses())
    assert all((again[t] == vectors[t]).all() for t in vectors)
