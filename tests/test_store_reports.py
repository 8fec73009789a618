"""Readers' reports in the store."""

from __future__ import annotations

import pytest
from conftest import sample_claims

from server import db as dbm
from server import store


@pytest.fixture
def db(tmp_path):
    return dbm.open_db(tmp_path / "s.db")


def test_reports_keep_only_what_the_reader_sent(db):
    store.import_claims(db, sample_claims(), "cli", publish=True)
    report = store.create_report(
        db, kind="missed_claim", claim_id=None, passage="Kratom cures", url=None, comment=None
    )
    row = db["reports"].get(report["id"])
    assert row["passage"] == "Kratom cures" and row["url"] is None
