"""Readers' reports and the moderators' queue of them."""

from __future__ import annotations

import sqlite_utils

from ..db import transaction
from . import audit_log
from .base import NotFound, filters, now, where_sql

REPORT_STATES = ("open", "actioned", "dismissed_no_action", "duplicate")


def create_report(
    db: sqlite_utils.Database,
    *,
    kind: str,
    claim_id: str | None,
    passage: str | None,
    url: str | None,
    comment: str | None,
) -> dict:
    with transaction(db):
        report_id = db.execute(
            "INSERT INTO reports (kind, claim_id, passage, url, comment, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [kind, claim_id, passage, url, comment, now()],
        ).lastrowid
        audit_log.append(
            db,
            "reader",
            "report.create",
            "report",
            str(report_id),
            None,
            {"kind": kind, "claim_id": claim_id},
        )
    return {"id": report_id, "status": "open"}


def list_reports(
    db: sqlite_utils.Database,
    *,
    status: str | None = None,
    claim_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict]:
    where, params = filters(("r.status", status), ("r.claim_id", claim_id))
    return list(
        db.query(
            "SELECT r.*, c.text AS claim_text FROM reports r "
            f"LEFT JOIN claims c ON c.id = r.claim_id {where_sql(where)} "
            "ORDER BY r.status != 'open', r.created_at DESC, r.id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    )


def get_report(db: sqlite_utils.Database, report_id: int) -> dict | None:
    rows = list(
        db.query(
            "SELECT r.*, c.text AS claim_text FROM reports r "
            "LEFT JOIN claims c ON c.id = r.claim_id WHERE r.id = ?",
            [report_id],
        )
    )
    return rows[0] if rows else None


def next_open_report(db: sqlite_utils.Database, after_id: int) -> int | None:
    """The open report to look at after `after_id`: the next newer one, else the oldest."""
    row = db.execute(
        "SELECT id FROM reports WHERE status = 'open' AND id != ? ORDER BY id <= ?, id LIMIT 1",
        [after_id, after_id],
    ).fetchone()
    return row[0] if row else None


def report_counts(db: sqlite_utils.Database) -> dict[str, int]:
    counts = dict.fromkeys(REPORT_STATES, 0)
    counts.update(db.execute("SELECT status, count(*) FROM reports GROUP BY status").fetchall())
    return counts


def resolve_report(
    db: sqlite_utils.Database,
    report_id: int,
    actor: str,
    status: str,
    note: str = "",
    duplicate_of: int | None = None,
) -> dict:
    """Move a report to a state (back to `open` too), with a note saying why."""
    if status not in REPORT_STATES:
        raise ValueError(f"status must be one of {', '.join(REPORT_STATES)}")
    note = note.strip()
    if len(note) > 2000:
        raise ValueError("the note is longer than 2000 characters")
    keys = ("status", "resolution_note", "duplicate_of", "resolved_by", "resolved_at")
    with transaction(db):
        report = get_report(db, report_id)
        if report is None:
            raise NotFound(str(report_id))
        if status == "duplicate":
            if duplicate_of in (None, report_id) or get_report(db, duplicate_of) is None:
                raise ValueError("say which other report this one duplicates")
        else:
            duplicate_of = None
        if status == "dismissed_no_action" and not note:
            raise ValueError("say in the note why the report needs no action")
        if status == "open":
            values = ("open", note or None, None, None, None)
        else:
            values = (status, note or None, duplicate_of, actor, now())
        db.execute(
            f"UPDATE reports SET {', '.join(k + ' = ?' for k in keys)} WHERE id = ?",
            [*values, report_id],
        )
        after = get_report(db, report_id)
        audit_log.append(
            db,
            actor,
            "report.resolve" if status != "open" else "report.reopen",
            "report",
            str(report_id),
            {k: report[k] for k in keys},
            {k: after[k] for k in keys},
        )
        return after
