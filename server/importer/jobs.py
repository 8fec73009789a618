"""An import job's row: creating it, reading it and its per-row report, and the
moderator's resume and discard."""

from __future__ import annotations

import json
import os
from pathlib import Path

import sqlite_utils

from .. import store
from ..db import transaction
from ..store import audit_log

COUNT_KEYS = ("created", "updated", "unchanged", "invalid", "duplicate")
REPORT_PAGE = 500


def create_job(
    db: sqlite_utils.Database,
    *,
    actor: str,
    fmt: str,
    filename: str | None,
    upload_path: str | None = None,
    publish: bool = False,
    allow_duplicates: bool = False,
) -> int:
    size = os.path.getsize(upload_path) if upload_path else None
    with transaction(db):
        return db.execute(
            "INSERT INTO imports (actor, format, filename, upload_path, bytes_total, publish, "
            "allow_duplicates, status, created_at, counts) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', "
            "?, ?)",
            [
                actor,
                fmt,
                filename,
                upload_path,
                size,
                int(publish),
                int(allow_duplicates),
                store.now(),
                store.to_json(dict.fromkeys(COUNT_KEYS, 0)),
            ],
        ).lastrowid


def get_job(db: sqlite_utils.Database, job_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM imports WHERE id = ?", [job_id]))
    if not rows:
        return None
    job = rows[0]
    job["counts"] = json.loads(job["counts"]) if job["counts"] else {}
    total = job["bytes_total"]
    job["percent"] = (
        100 if job["status"] == "done" else int(100 * job["bytes_done"] / total) if total else None
    )
    return job


def list_jobs(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    ids = [r[0] for r in db.execute("SELECT id FROM imports ORDER BY id DESC LIMIT ?", [limit])]
    return [get_job(db, i) for i in ids]


def job_rows(
    db: sqlite_utils.Database, job_id: int, *, problems_only: bool = False, offset: int = 0
) -> list[dict]:
    """A page of the job's per-row report (older jobs kept theirs as one JSON list)."""
    where = "AND result IN ('invalid', 'duplicate')" if problems_only else ""
    rows = [
        {**r, "problems": json.loads(r["problems"]) if r["problems"] else []}
        for r in db.query(
            f"SELECT * FROM import_rows WHERE import_id = ? {where} ORDER BY row LIMIT ? OFFSET ?",
            [job_id, REPORT_PAGE, offset],
        )
    ]
    if not rows and offset == 0:
        legacy = db.execute("SELECT report FROM imports WHERE id = ?", [job_id]).fetchone()
        if legacy and legacy[0]:
            rows = [{**r, "where": f"row {r['row']}"} for r in json.loads(legacy[0])]
            rows = [r for r in rows if not problems_only or r["result"] == "invalid"]
    return rows


def resume(db: sqlite_utils.Database, job_id: int, actor: str) -> None:
    """Queue a failed job again; it goes on after the last row it committed."""
    job = get_job(db, job_id)
    if (
        job
        and job["status"] == "failed"
        and not (job["upload_path"] and Path(job["upload_path"]).exists())
    ):
        raise ValueError(
            "its file is no longer kept; import the file again (rows already "
            "imported come back as unchanged)"
        )
    _change(db, job_id, actor, "failed", "queued", "import.resume")


def discard(db: sqlite_utils.Database, job_id: int, actor: str) -> None:
    """Give up a failed or queued job; the rows it imported stay (each is audited)."""
    drop_upload(_change(db, job_id, actor, ("failed", "queued"), "discarded", "import.discard"))


def drop_upload(job: dict) -> None:
    """Delete the workspace's copy of an upload (named *.upload) once it is no longer
    needed; a command-line import reads the moderator's own file, which stays."""
    path = job["upload_path"]
    if path and path.endswith(".upload"):
        Path(path).unlink(missing_ok=True)


def _change(
    db: sqlite_utils.Database,
    job_id: int,
    actor: str,
    from_: str | tuple[str, ...],
    to: str,
    action: str,
) -> dict:
    from_ = (from_,) if isinstance(from_, str) else from_
    with transaction(db):
        job = get_job(db, job_id)
        if job is None:
            raise store.NotFound(str(job_id))
        if job["status"] not in from_:
            raise ValueError(f"import {job_id} is {job['status']}")
        db.execute("UPDATE imports SET status = ? WHERE id = ?", [to, job_id])
        audit_log.append(
            db, actor, action, "import", str(job_id), {"status": job["status"]}, {"status": to}
        )
    return job
