"""The SQLite file: connections, transactions and meta values (migrations are in
server/migrations.py).

One connection per request (on `g`), in autocommit mode so that every write opens
its own `BEGIN IMMEDIATE` transaction (`transaction` below): a plain `BEGIN` takes
the write lock only at the first write and, under several workers, fails with
"database is locked" where IMMEDIATE would simply have waited.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import click
import sqlite_utils
from flask import Flask, current_app, g

from .migrations import migrations


def connect(path: str | Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Connect, switch to WAL and apply pending migrations (idempotent)."""
    db = connect(path)
    if db.journal_mode != "wal":
        db.enable_wal()
    migrations.apply(db)
    return db


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """The one transaction boundary for writes: `with transaction(db):`.

    Outside a transaction it is `BEGIN IMMEDIATE`, which holds the write lock from
    the first read, and commits at the end or rolls back on any error. Inside one it
    is a savepoint: the step rolls back alone on error and commits with its caller."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        db.execute("COMMIT")


write = transaction  # its earlier name, which scripts and tests still use


def backup(db: sqlite_utils.Database, target: str | Path) -> None:
    """A consistent copy through SQLite's backup API, safe while others write
    (copying the file would miss what is still in the WAL)."""
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()


def get_db() -> sqlite_utils.Database:
    """This request's connection. Each thread keeps one connection per app open across
    its requests (gunicorn's threaded workers serve every request on a pool of
    long-lived threads): opening one and setting its PRAGMAs costs about 1 ms, a
    fifth of a /v1/match request. A thread that ends (the development server's)
    takes its connection with it."""
    if "db" not in g and current_app.config.get("REPLICA_OF"):
        from .replica import connect_ro

        # A replica opens its copy read-only for one request only (see replica.py).
        g.db, g.db_kept = connect_ro(current_app.config["DATABASE"]), False
    if "db" not in g:
        app = current_app
        local = app.extensions.get("healthflags_db_threads")
        if local is None:
            local = app.extensions.setdefault("healthflags_db_threads", threading.local())
        key = (os.getpid(), app.config["DATABASE"])
        db = getattr(local, "db", None)
        if db is None or getattr(local, "key", None) != key or db.conn.in_transaction:
            db = local.db = connect(app.config["DATABASE"])
            local.key = key
        g.db, g.db_kept = db, True
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    kept = g.pop("db_kept", False)
    if db is not None and kept and db.conn.in_transaction:
        db.rollback()  # never carry a transaction into the next request
    elif db is not None and not kept:
        db.close()


def get_meta(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)


@click.command("init-db")
def init_db_command() -> None:
    """Create the database and apply migrations."""
    open_db(current_app.config["DATABASE"]).close()
    click.echo("Initialised the database.")
