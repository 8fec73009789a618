"""Claim revisions: append-only snapshots of the whole claim as JSON, the history
every change leaves."""

from __future__ import annotations

import json

import sqlite_utils

from .base import to_json


def revision(db: sqlite_utils.Database, revision_id: int) -> dict:
    row = db.execute("SELECT data FROM claim_revisions WHERE id = ?", [revision_id]).fetchone()
    return json.loads(row[0])


def add_revision(
    db: sqlite_utils.Database, rec: dict, actor: str, comment: str | None, stamp: str
) -> int:
    """Append the claim's next revision; returns its row id."""
    number = db.execute(
        "SELECT coalesce(max(number), 0) + 1 FROM claim_revisions WHERE claim_id = ?", [rec["id"]]
    ).fetchone()[0]
    return db.execute(
        "INSERT INTO claim_revisions (claim_id, number, data, author, comment, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [rec["id"], number, to_json(rec), actor, comment, stamp],
    ).lastrowid


def claim_revisions(db: sqlite_utils.Database, claim_id: str) -> list[dict]:
    return [
        {**r, "data": json.loads(r["data"])}
        for r in db.query(
            "SELECT * FROM claim_revisions WHERE claim_id = ? ORDER BY number", [claim_id]
        )
    ]


def revision_info(db: sqlite_utils.Database, revision_id: int) -> dict:
    row = next(db.query("SELECT * FROM claim_revisions WHERE id = ?", [revision_id]))
    return {**row, "data": json.loads(row["data"])}


def export_records(db: sqlite_utils.Database, *, status: str | None = None) -> list[dict]:
    """Each claim's latest revision, with its status, ordered by id."""
    where, params = ("WHERE c.status = ?", [status]) if status else ("", [])
    return [
        {**json.loads(r["data"]), "status": r["status"], "updated_at": r["updated_at"]}
        for r in db.query(
            "SELECT c.status, c.updated_at, r.data FROM claims c "
            f"JOIN claim_revisions r ON r.id = c.current_revision {where} ORDER BY c.id",
            params,
        )
    ]
