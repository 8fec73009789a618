"""The schema's migrations: idempotent, and the append-only tables refuse changes."""

from __future__ import annotations

import sqlite3

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
