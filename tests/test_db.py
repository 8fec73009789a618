"""The SQLite file: migrations are idempotent, WAL is on, writes take the lock early."""

from __future__ import annotations

import sqlite3
import threading

from server import db as dbm


def schema(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    conn.close()
    return rows


def test_migrations_run_twice_give_the_same_schema(tmp_path):
    path = tmp_path / "m.db"
    dbm.open_db(path).close()
    first = schema(path)
    db = dbm.open_db(path)
    assert dbm.migrations.pending(db) == []
    db.close()
    assert schema(path) == first
    tables = {name for kind, name, _ in first if kind == "table"}
    assert {
        "claims",
        "claim_revisions",
        "phrasings",
        "aliases",
        "required_terms",
        "evidence",
        "claim_vectors",
        "match_counts",
        "meta",
        "reports",
        "users",
        "sessions",
        "api_keys",
        "audit_events",
        "imports",
    } <= tables


def test_database_is_in_wal_mode(tmp_path):
    db = dbm.open_db(tmp_path / "w.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_write_rolls_back_on_error(tmp_path):
    db = dbm.open_db(tmp_path / "r.db")
    try:
        with dbm.write(db):
            dbm.set_meta(db, "k", "v")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert dbm.get_meta(db, "k") is None


def test_write_takes_the_lock_before_reading(tmp_path):
    """Two read-then-write transactions never both read the same value: IMMEDIATE
    makes the second wait for the first (a plain BEGIN would let both read)."""
    path = tmp_path / "c.db"
    dbm.open_db(path).close()
    setup = dbm.connect(path)
    with dbm.write(setup):
        dbm.set_meta(setup, "n", "0")

    def bump():
        db = dbm.connect(path)
        for _ in range(50):
            with dbm.write(db):
                n = int(dbm.get_meta(db, "n"))
                dbm.set_meta(db, "n", str(n + 1))
        db.close()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert dbm.get_meta(setup, "n") == "200"


def test_audit_log_is_append_only(tmp_path):
    db = dbm.open_db(tmp_path / "a.db")
    with dbm.write(db):
        db.execute(
            "INSERT INTO audit_events (at, actor, action, object_type, object_id) "
            "VALUES ('t', 'a', 'x', 'claim', '1')"
        )
    for sql in ("UPDATE audit_events SET actor = 'b'", "DELETE FROM audit_events"):
        try:
            db.execute(sql)
        except sqlite3.IntegrityError as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError(f"{sql} was allowed")
