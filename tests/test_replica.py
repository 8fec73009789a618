"""Read-replica mode: the copy is opened read-only by SQLite, write routes name the
primary, matches leave the copy untouched, and X-Forwarded-For is believed only
from a trusted proxy."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from conftest import sample_claims

from server import create_app, store
from server import db as dbm
from server.db import get_db

PRIMARY = "http://127.0.0.11:8765"
KRATOM = "Kratom is a safe and natural way to get off opioids."


@pytest.fixture
def copy_path(tmp_path):
    """A primary's file with published claims, copied as Litestream would restore it."""
    primary = dbm.open_db(tmp_path / "primary.db")
    store.import_claims(primary, sample_claims(), "system", publish=True)
    dbm.backup(primary, tmp_path / "copy.db")
    primary.close()
    return tmp_path / "copy.db"


def replica_app(path, **config):
    return create_app(
        {
            "DATABASE": str(path),
            "SECRET_KEY": "t",
            "REPLICA_OF": PRIMARY,
            "INDEX_CHECK_SECONDS": 0.0,
            "MATCH_COUNTS_FLUSH_SECONDS": 0.0,
            **config,
        }
    )


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_replica_matches_and_its_copy_stays_byte_identical(copy_path):
    before = digest(copy_path)
    client = replica_app(copy_path).test_client()
    for _ in range(30):
        answer = client.post("/v1/match", json={"segments": [{"id": "s", "text": KRATOM}]})
        assert answer.status_code == 200
        assert [m["claim_id"] for m in answer.get_json()["matches"]] == [
            "kratom-safe-opioid-treatment"
        ]
    assert client.get("/v1/claims/kratom-safe-opioid-treatment").status_code == 200
    assert client.get("/claims/kratom-safe-opioid-treatment").status_code == 200
    assert client.get("/v1/health").get_json()["status"] == "ok"
    assert digest(copy_path) == before
    with sqlite3.connect(copy_path) as conn:
        assert conn.execute("SELECT count(*) FROM match_counts").fetchone()[0] == 0


def test_a_write_through_the_replicas_connection_fails_in_sqlite(copy_path):
    app = replica_app(copy_path)
    with app.app_context():
        db = get_db()
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.execute("INSERT INTO match_counts VALUES ('x', '2026-01-01', 1)")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.create_report(
                db, kind="missed_claim", claim_id=None, passage="p", url=None, comment=None
            )


def test_write_routes_answer_with_an_error_naming_the_primary(copy_path):
    client = replica_app(copy_path).test_client()
    report = client.post("/v1/reports", json={"kind": "missed_claim", "comment": "x"})
    assert report.status_code == 503
    error = report.get_json()["error"]
    assert error["code"] == "read_only_replica" and PRIMARY in error["message"]
    for path in ("/moderate/", "/moderate/login", "/moderate/import"):
        page = client.get(path)
        assert page.status_code == 503 and PRIMARY in page.get_data(as_text=True)
    assert client.post("/moderate/login", data={"email": "a", "password": "b"}).status_code == 503


def test_a_missing_copy_is_not_created_by_a_replica_and_answers_503(tmp_path):
    app = replica_app(tmp_path / "absent.db")
    with app.app_context(), pytest.raises(sqlite3.OperationalError):
        get_db().execute("SELECT 1 FROM meta")
    client = app.test_client()
    for answer in (client.get("/v1/health"), client.post("/v1/match", json={"segments": []})):
        assert answer.status_code == 503
        assert answer.get_json()["error"]["code"] == "replica_not_ready"
    assert not (tmp_path / "absent.db").exists()


def match_from(client, peer: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/v1/match", json={"segments": []}, headers=headers, environ_base={"REMOTE_ADDR": peer}
    )


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(tmp_path):
    app = create_app(
        {
            "DATABASE": str(tmp_path / "p.db"),
            "SECRET_KEY": "t",
            "RATELIMIT_MATCH": "2 per minute",
            "TRUSTED_PROXIES": "127.0.0.10",
        }
    )
    client = app.test_client()
    # Through the balancer: each forwarded client has its own limit.
    for n in range(5):
        assert match_from(client, "127.0.0.10", f"127.0.0.{50 + n}").status_code == 200
    # Straight to the server: a made-up X-Forwarded-For does not buy new limits.
    codes = [match_from(client, "127.0.0.99", f"10.1.1.{n}").status_code for n in range(4)]
    assert codes == [200, 200, 429, 429]
