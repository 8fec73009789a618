"""The claim store: revisions, publishing, pending edits, conflicts, imports, audit."""

from __future__ import annotations

import json

import pytest
from conftest import sample_claims

from server import db as dbm
from server import store


@pytest.fixture
def db(tmp_path):
    return dbm.open_db(tmp_path / "s.db")


def audit_actions(db, claim_id):
    return [
        r["action"]
        for r in db.query(
            "SELECT action FROM audit_events WHERE object_id = ? ORDER BY id", [claim_id]
        )
    ]


def test_new_claim_is_a_draft_with_a_first_revision_and_an_audit_entry(db):
    claim, result = store.save_claim(db, sample_claims()[2], "ana")
    assert result == "created" and claim["status"] == "draft" and claim["version"] == 1
    [rev] = store.claim_revisions(db, claim["id"])
    assert rev["number"] == 1 and rev["author"] == "ana"
    assert rev["data"]["phrasings"][0] == "The MMR jab causes autism."
    assert audit_actions(db, claim["id"]) == ["claim.create"]
    assert store.index_rows(db)[0] == []  # drafts are not indexed


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


def test_import_is_idempotent_and_reports_each_row(db):
    records = [*sample_claims(), {"id": "Bad Id!", "text": "", "verdict": "maybe"}]
    first = store.import_claims(db, records, "cli", publish=True)
    assert first["counts"] == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "invalid": 1,
        "duplicate": 0,
    }
    bad = first["rows"][-1]
    assert bad["result"] == "invalid" and any("verdict" in p for p in bad["problems"])
    again = store.import_claims(db, records, "cli", publish=True)
    assert again["counts"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 4,
        "invalid": 1,
        "duplicate": 0,
    }
    job = db["imports"].get(again["id"])
    assert job["status"] == "done" and json.loads(job["counts"])["unchanged"] == 4


def test_import_without_publish_leaves_drafts(db):
    store.import_claims(db, sample_claims(), "cli")
    assert {c["status"] for c in db["claims"].rows} == {"draft"}


def test_every_change_has_its_audit_entry(db):
    store.import_claims(db, sample_claims(), "cli", publish=True)
    changes = db.execute("SELECT count(*) FROM claim_revisions").fetchone()[0]
    creates = db.execute(
        "SELECT count(*) FROM audit_events WHERE action IN ('claim.create', 'claim.update')"
    ).fetchone()[0]
    publishes = db.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'claim.publish'"
    ).fetchone()[0]
    assert changes == creates == publishes == 4


def test_a_failed_change_leaves_no_audit_entry(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_bump_published_version", broken)
    store.save_claim(db, sample_claims()[0], "ana")
    with pytest.raises(RuntimeError):
        store.publish_claim(db, "kratom-safe-opioid-treatment", "rey")
    assert audit_actions(db, "kratom-safe-opioid-treatment") == ["claim.create"]
    assert store.get_claim(db, "kratom-safe-opioid-treatment")["status"] == "draft"


def test_seed_loads_once_as_published_by_system(db, tmp_path):
    seed = tmp_path / "seed"
    seed.mkdir()
    waiting = {**sample_claims()[2], "status": "draft"}
    (seed / "a.json").write_text(json.dumps([*sample_claims()[:2], waiting]))
    report = store.seed_if_new(db, seed)
    assert report["counts"]["created"] == 2 and report["drafts"]["created"] == 1
    assert store.seed_if_new(db, seed) is None
    assert {r["actor"] for r in db["audit_events"].rows} == {"system"}
    status = {c["id"]: c["status"] for c in db["claims"].rows}
    assert status.pop(waiting["id"]) == "draft"  # evidence short of the bar: not for readers
    assert set(status.values()) == {"published"}


def test_reports_keep_only_what_the_reader_sent(db):
    store.import_claims(db, sample_claims(), "cli", publish=True)
    report = store.create_report(
        db, kind="missed_claim", claim_id=None, passage="Kratom cures", url=None, comment=None
    )
    row = db["reports"].get(report["id"])
    assert row["passage"] == "Kratom cures" and row["url"] is None


def test_a_change_whose_audit_entry_fails_is_not_stored(db, monkeypatch):
    """The change and its audit entry commit together: if the entry cannot be
    written, neither lands (a second transaction for the audit would keep the change)."""
    store.import_claims(db, sample_claims(), "cli", publish=True)
    claims_before = list(db.query("SELECT id, version, status FROM claims ORDER BY id"))

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(store, "audit", broken)
    with pytest.raises(RuntimeError):
        store.create_report(
            db, kind="missed_claim", claim_id=None, passage="x", url=None, comment=None
        )
    with pytest.raises(RuntimeError):
        store.save_claim(db, {**sample_claims()[0], "summary": "Changed."}, "ana")
    with pytest.raises(RuntimeError):
        store.retire_claim(db, "vaccines-cause-autism", "rey")
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    assert list(db.query("SELECT id, version, status FROM claims ORDER BY id")) == claims_before
