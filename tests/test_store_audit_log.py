"""The audit log: an entry for every change, in the change's own transaction."""

from __future__ import annotations

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


def test_a_change_whose_audit_entry_fails_is_not_stored(db, monkeypatch):
    """The change and its audit entry commit together: if the entry cannot be
    written, neither lands (a second transaction for the audit would keep the change)."""
    store.import_claims(db, sample_claims(), "cli", publish=True)
    claims_before = list(db.query("SELECT id, version, status FROM claims ORDER BY id"))

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(store.audit_log, "append", broken)
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
