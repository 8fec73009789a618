"""A claim's life in the store: publishing, pending edits, retiring and merging."""

from __future__ import annotations

import pytest
from conftest import sample_claims
from test_store_audit_log import audit_actions

from server import db as dbm
from server import store
from server.store import lifecycle


@pytest.fixture
def db(tmp_path):
    return dbm.open_db(tmp_path / "s.db")


def test_publish_fills_the_tables_matching_reads_and_moves_the_version(db):
    store.save_claim(db, sample_claims()[0], "ana")
    before = store.published_version(db)
    claim = store.publish_claim(db, "kratom-safe-opioid-treatment", "rey")
    assert claim["status"] == "published" and store.published_version(db) != before
    rows, aliases = store.index_rows(db)
    assert rows[0]["id"] == "kratom-safe-opioid-treatment" and len(rows[0]["phrasings"]) == 3
    assert rows[0]["counter_statements"] == ["Kratom can cause dependence and withdrawal."]
    public = store.public_claims(db, ["kratom-safe-opioid-treatment"])
    assert public["kratom-safe-opioid-treatment"]["reviewed_at"] == "2026-11-30"
    assert aliases == {"kratom": ["ketum", "mitragyna speciosa"]}
    assert audit_actions(db, claim["id"]) == ["claim.create", "claim.publish"]


def test_edit_of_a_published_claim_is_pending_while_readers_keep_the_published_one(db):
    original = sample_claims()[2]
    store.save_claim(db, original, "ana")
    store.publish_claim(db, original["id"], "rey")
    claim, result = store.save_claim(
        db, {**original, "text": "Vaccines make children autistic."}, "ana"
    )
    assert result == "updated" and claim["pending_status"] == "draft"
    assert claim["text"] == "Vaccines cause autism."
    assert store.public_claims(db, [original["id"]])[original["id"]]["text"] == original["text"]
    claim = store.submit_claim(db, original["id"], "ana")
    assert claim["pending_status"] == "in_review"
    claim = store.publish_claim(db, original["id"], "rey")
    assert claim["text"] == "Vaccines make children autistic." and claim["pending_status"] is None


def test_retire_and_merge(db):
    for record in sample_claims()[:2]:
        store.save_claim(db, record, "ana")
        store.publish_claim(db, record["id"], "rey")
    merged = store.retire_claim(
        db, "kratom-not-addictive", "rey", superseded_by="kratom-safe-opioid-treatment"
    )
    assert merged["status"] == "retired"
    assert merged["superseded_by"] == "kratom-safe-opioid-treatment"
    assert [r["id"] for r in store.index_rows(db)[0]] == ["kratom-safe-opioid-treatment"]
    with pytest.raises(ValueError):
        store.retire_claim(
            db, "kratom-safe-opioid-treatment", "rey", superseded_by="kratom-not-addictive"
        )
    assert audit_actions(db, "kratom-not-addictive")[-1] == "claim.merge"


def test_a_failed_change_leaves_no_audit_entry(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(lifecycle, "_bump_published_version", broken)
    store.save_claim(db, sample_claims()[0], "ana")
    with pytest.raises(RuntimeError):
        store.publish_claim(db, "kratom-safe-opioid-treatment", "rey")
    assert audit_actions(db, "kratom-safe-opioid-treatment") == ["claim.create"]
    assert store.get_claim(db, "kratom-safe-opioid-treatment")["status"] == "draft"
