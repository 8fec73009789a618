"""The audit log: append-only (triggers refuse UPDATE and DELETE), one entry a change,
written inside the change's own transaction so a change never lands without it."""

from __future__ import annotations

import json

import sqlite_utils

from .base import filters, now, to_json, where_sql


def append(
    db: sqlite_utils.Database,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: object = None,
    after: object = None,
) -> None:
    """Append to the audit log; call inside the transaction of the change."""
    db.execute(
        "INSERT INTO audit_events (at, actor, action, object_type, object_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            now(),
            actor,
            action,
            object_type,
            str(object_id),
            None if before is None else to_json(before),
            None if after is None else to_json(after),
        ],
    )


def events(
    db: sqlite_utils.Database,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict]:
    """The audit log, newest first; `before_id` pages back."""
    where, params = filters(
        ("actor", actor), ("action", action), ("object_type", object_type), ("object_id", object_id)
    )
    if before_id:
        where.append("id < ?")
        params.append(before_id)
    return [
        {
            **r,
            "before": None if r["before"] is None else json.loads(r["before"]),
            "after": None if r["after"] is None else json.loads(r["after"]),
        }
        for r in db.query(
            f"SELECT * FROM audit_events {where_sql(where)} ORDER BY id DESC LIMIT ?",
            [*params, limit],
        )
    ]


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
