"""The SQLite file: WAL is on, writes take the lock early and roll back whole."""

from __future__ import annotations

import threading

import pytest

from server import db as dbm


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


def test_a_nested_transaction_is_a_savepoint_that_rolls_back_alone(tmp_path):
    """Store functions call each other (approve publishes, an import row saves and
    publishes): inside an open transaction the helper is a savepoint, so a failed step
    undoes only itself and the rest commits with the caller."""
    db = dbm.open_db(tmp_path / "n.db")
    with dbm.transaction(db):
        dbm.set_meta(db, "outer", "kept")
        with pytest.raises(RuntimeError), dbm.transaction(db):
            dbm.set_meta(db, "inner", "undone")
            raise RuntimeError("this step fails")
    assert dbm.get_meta(db, "outer") == "kept" and dbm.get_meta(db, "inner") is None
    assert not db.conn.in_transaction
