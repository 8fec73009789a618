"""The store's claims: a new claim's first revision, edits, stale edits."""

from __future__ import annotations

import pytest
from conftest import sample_claims
from test_store_audit_log import audit_actions

from server import db as dbm
from server import store


@pytest.fixture
def db(tmp_path):
    return dbm.open_db(tmp_path / "s.db")


def test_new_claim_is_a_draft_with_a_first_revision_and_an_audit_entry(db):
    claim, result = store.save_claim(db, sample_claims()[2], "ana")
    assert result == "created" and claim["status"] == "draft" and claim["version"] == 1
    [rev] = store.claim_revisions(db, claim["id"])
    assert rev["number"] == 1 and rev["author"] == "ana"
    assert rev["data"]["phrasings"][0] == "The MMR jab causes autism."
    assert audit_actions(db, claim["id"]) == ["claim.create"]
    assert store.index_rows(db)[0] == []  # drafts are not indexed


def test_stale_edit_raises_conflict_and_changes_nothing(db):
    record = sample_claims()[1]
    claim, _ = store.save_claim(db, record, "ana")
    store.save_claim(
        db,
        {**record, "summary": "First editor's change."},
        "ana",
        expected_version=claim["version"],
    )
    with pytest.raises(store.Conflict) as exc:
        store.save_claim(
            db,
            {**record, "summary": "Second editor's change."},
            "bo",
            expected_version=claim["version"],
        )
    assert exc.value.claim["summary"] == "First editor's change."
    assert store.get_claim(db, record["id"])["summary"] == "First editor's change."
    assert len(store.claim_revisions(db, record["id"])) == 2


def test_saving_the_same_record_twice_adds_no_revision(db):
    store.save_claim(db, sample_claims()[0], "ana")
    _, result = store.save_claim(db, sample_claims()[0], "ana")
    assert result == "unchanged"
    assert len(store.claim_revisions(db, "kratom-safe-opioid-treatment")) == 1
