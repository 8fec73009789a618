"""Running a job: rows read in batches, each batch committed with the job's progress,
so a job can be watched while it runs and resumed after the last batch it committed."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import sqlite_utils

from .. import store
from ..claims import InvalidClaim, clean_claim
from ..db import transaction
from ..formats import FormatError, Row, read_rows
from ..store import audit_log
from .duplicates import DuplicateKeys
from .jobs import create_job, drop_upload, get_job, job_rows

BATCH = 200  # rows per transaction: a crash loses at most one batch, never half a row


def run_job(
    db: sqlite_utils.Database,
    job_id: int,
    rows: Iterable[Row] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Run a queued job to its end: from its file (skipping the rows already done, when
    resumed) or from `rows`. Returns the finished job."""
    if not _start(db, job_id):
        return get_job(db, job_id)
    job = get_job(db, job_id)
    try:
        if rows is None:
            with open(job["upload_path"], "rb") as raw:
                stream = _Counting(raw)
                _process(db, job, read_rows(stream, job["format"]), stream, progress)
        else:
            _process(db, job, iter(rows), None, progress)
    except FormatError as exc:
        finish(db, job_id, "failed", f"The file could not be read: {exc}.")
    except (OSError, sqlite_utils.db.sqlite3.Error) as exc:
        finish(db, job_id, "failed", f"The import stopped: {exc}.")
    else:
        finish(db, job_id, "done", None)
    return get_job(db, job_id)


def _start(db: sqlite_utils.Database, job_id: int) -> bool:
    """Take the job if it is still queued (only one process runs a job)."""
    with transaction(db):
        taken = db.execute(
            "UPDATE imports SET status = 'running', pid = ?, host = ?, heartbeat_at = ?, "
            "started_at = coalesce(started_at, ?), error = NULL WHERE id = ? AND status = 'queued'",
            [os.getpid(), socket.gethostname(), store.now(), store.now(), job_id],
        ).rowcount
    return bool(taken)


def _process(
    db: sqlite_utils.Database,
    job: dict,
    rows: Iterator[Row],
    stream: _Counting | None,
    progress: Callable[[int], None] | None,
) -> None:
    done, counts = job["rows_done"], dict(job["counts"])
    for _ in range(done):  # resumed: these rows were committed with the job's progress
        next(rows, None)
    keys = DuplicateKeys(db)
    while batch := [r for _, r in zip(range(BATCH), rows, strict=False)]:
        read = stream.count if stream else 0
        with transaction(db):
            results = [_import_row(db, row, job, keys) for row in batch]
            for r in results:
                counts[r["result"]] += 1
            _save_report(db, job["id"], results)
            done += len(batch)
            db.execute(
                "UPDATE imports SET rows_done = ?, bytes_done = ?, counts = ?, heartbeat_at = ? "
                "WHERE id = ?",
                [done, read, store.to_json(counts), store.now(), job["id"]],
            )
        if progress:  # bytes read so far from a file, else rows done so far
            progress(read if stream else done)


def _save_report(db: sqlite_utils.Database, job_id: int, results: list[dict]) -> None:
    """The batch's lines of the job's report, a row a line."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO import_rows (import_id, row, location, claim_id, result, "
        "problems, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                job_id,
                r["row"],
                r["location"],
                r["claim_id"],
                r["result"],
                r["problems"],
                r.get("duplicate_of"),
            )
            for r in results
        ],
    )


def _import_row(db: sqlite_utils.Database, row: Row, job: dict, keys: DuplicateKeys) -> dict:
    out = {"row": row.number, "location": row.where, "claim_id": None, "problems": None}
    record = row.record
    if record is not None and isinstance(record.get("id"), str):
        out["claim_id"] = record["id"]
    if row.problems:
        return {**out, "result": "invalid", "problems": store.to_json(row.problems)}
    try:
        clean_claim(record)  # a row with problems is reported as such, duplicate or not
    except InvalidClaim as exc:
        return {**out, "result": "invalid", "problems": store.to_json(exc.problems)}
    twin = keys.find(record)
    if twin and not job["allow_duplicates"]:
        return {**out, "result": "duplicate", "duplicate_of": twin}
    try:
        with transaction(db):  # a savepoint: a row that fails rolls back alone
            claim, result = store.save_claim(db, record, job["actor"], comment="import")
            if job["publish"] and (
                claim["status"] != "published"
                or claim["current_revision"] != claim["published_revision"]
            ):
                store.publish_claim(db, claim["id"], job["actor"])
                result = "updated" if result == "unchanged" else result
    except InvalidClaim as exc:
        return {**out, "result": "invalid", "problems": store.to_json(exc.problems)}
    keys.add(record, claim["id"])
    return {**out, "claim_id": claim["id"], "result": result, "duplicate_of": twin}


def finish(db: sqlite_utils.Database, job_id: int, status: str, error: str | None) -> None:
    with transaction(db):
        db.execute(
            "UPDATE imports SET status = ?, error = ?, finished_at = ?, heartbeat_at = NULL "
            "WHERE id = ?",
            [status, error, store.now(), job_id],
        )
        job = get_job(db, job_id)
        audit_log.append(
            db,
            job["actor"],
            "import" if status == "done" else "import.fail",
            "import",
            str(job_id),
            None,
            {
                "format": job["format"],
                "filename": job["filename"],
                "publish": bool(job["publish"]),
                "rows": job["rows_done"],
                **job["counts"],
                **({"error": error} if error else {}),
            },
        )
    if status == "done":
        drop_upload(job)


class _Counting:
    """A binary stream that counts what has been read from it, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.count = raw, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.count += len(data)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n

    def read1(self, n: int = -1) -> bytes:
        return self.read(n)


def import_records(
    db: sqlite_utils.Database,
    records: Iterable[dict],
    actor: str,
    *,
    publish: bool = False,
    fmt: str = "json",
    filename: str | None = None,
    progress: Callable[[int], None] | None = None,
    allow_duplicates: bool = True,
) -> dict:
    """Import records as one job. Returns its id, counts and the rows not imported."""
    job_id = create_job(
        db,
        actor=actor,
        fmt=fmt,
        filename=filename,
        publish=publish,
        allow_duplicates=allow_duplicates,
    )
    rows = (
        Row(n, f"item {n}", r) if isinstance(r, dict) else Row(n, f"item {n}", None, [_not_obj(r)])
        for n, r in enumerate(records, 1)
    )
    job = run_job(db, job_id, rows, progress)
    bad = [
        {"row": r["row"], "id": r["claim_id"], **r}
        for r in job_rows(db, job_id, problems_only=True)
    ]
    return {"id": job_id, "counts": job["counts"], "rows": bad}


def _not_obj(value: object) -> str:
    return f"a claim must be an object, not {type(value).__name__}"
