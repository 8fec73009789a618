"""Imports held in memory and the curated seed."""

from __future__ import annotations

import json

import pytest
from conftest import sample_claims

from server import db as dbm
from server import store


@pytest.fixture
def db(tmp_path):
    return dbm.open_db(tmp_path / "s.db")


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


def test_an_imported_claim_is_curated_only_once_a_person_saves_it(db):
    """Issue 16: a feed's claim is judged as imported until a moderator works on it in
    the workspace; a claim a moderator wrote is curated."""
    base = {k: v for k, v in sample_claims()[0].items() if k not in ("required_terms",)}
    feed = {**base, "id": "feed-claim", "counter_statements": []}
    store.import_claims(db, [feed], "cli", publish=True)
    mine = {**feed, "id": "mine-claim", "text": feed["text"] + " Really."}
    store.save_claim(db, mine, "mod@example.org")
    store.publish_claim(db, "mine-claim", "mod@example.org")
    rows = {r["id"]: r for r in store.index_rows(db)[0]}
    assert not rows["feed-claim"].get("curated") and rows["mine-claim"].get("curated")
    store.save_claim(db, {**feed, "phrasings": [*feed["phrasings"], "Said anew."]}, "mod@x")
    store.publish_claim(db, "feed-claim", "mod@example.org")
    rows = {r["id"]: r for r in store.index_rows(db)[0]}
    assert rows["feed-claim"].get("curated")
