"""Imports as jobs: a file is read row by row, in batches that each commit with the
job's progress, so a job can be watched while it runs, and resumed where it stopped
after its process died. Nothing here holds the whole file or its report in memory.

A job is `queued`, `running` (with a heartbeat), then `done`, `failed` (with how far
it got) or `discarded`. The workspace runs jobs in a background thread of the server
process; the command line runs them in the foreground with a progress bar.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from . import db as dbm
from . import store
from .claims import InvalidClaim, clean_claim
from .formats import FormatError, Row, read_rows

BATCH = 200  # rows per transaction: a crash loses at most one batch, never half a row
HEARTBEAT_TIMEOUT = timedelta(seconds=60)  # a running job silent this long has died
COUNT_KEYS = ("created", "updated", "unchanged", "invalid", "duplicate")
REPORT_PAGE = 500


# --- creating and reading jobs ----------------------------------------------------------------


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
    with dbm.write(db):
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
                store._json(dict.fromkeys(COUNT_KEYS, 0)),
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


# --- running a job ----------------------------------------------------------------------------


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
        _finish(db, job_id, "failed", f"The file could not be read: {exc}.")
    except (OSError, sqlite_utils.db.sqlite3.Error) as exc:
        _finish(db, job_id, "failed", f"The import stopped: {exc}.")
    else:
        _finish(db, job_id, "done", None)
    return get_job(db, job_id)


def _start(db: sqlite_utils.Database, job_id: int) -> bool:
    """Take the job if it is still queued (only one process runs a job)."""
    with dbm.write(db):
        taken = db.execute(
            "UPDATE imports SET status = 'running', pid = ?, host = ?, heartbeat_at = ?, "
            "started_at = coalesce(started_at, ?), error = NULL WHERE id = ? AND status = 'queued'",
            [os.getpid(), socket.gethostname(), store.now(), store.now(), job_id],
        ).rowcount
    return bool(taken)


def _process(db, job: dict, rows: Iterator[Row], stream, progress) -> None:
    done, counts = job["rows_done"], dict(job["counts"])
    for _ in range(done):  # resumed: these rows were committed with the job's progress
        next(rows, None)
    keys = _DuplicateKeys(db)
    while True:
        batch = [r for _, r in zip(range(BATCH), rows, strict=False)]
        if not batch:
            return
        with dbm.write(db):
            results = [_import_row(db, row, job, keys) for row in batch]
            for r in results:
                counts[r["result"]] += 1
            db.conn.executemany(
                "INSERT OR REPLACE INTO import_rows (import_id, row, location, claim_id, result, "
                "problems, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        job["id"],
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
            done += len(batch)
            db.execute(
                "UPDATE imports SET rows_done = ?, bytes_done = ?, counts = ?, heartbeat_at = ? "
                "WHERE id = ?",
                [done, stream.count if stream else 0, store._json(counts), store.now(), job["id"]],
            )
        if progress:  # bytes read so far from a file, else rows done so far
            progress(stream.count if stream else done)


def _import_row(db, row: Row, job: dict, keys: _DuplicateKeys) -> dict:
    out = {"row": row.number, "location": row.where, "claim_id": None, "problems": None}
    record = row.record
    if record is not None and isinstance(record.get("id"), str):
        out["claim_id"] = record["id"]
    if row.problems:
        return {**out, "result": "invalid", "problems": store._json(row.problems)}
    try:
        clean_claim(record)  # a row with problems is reported as such, duplicate or not
    except InvalidClaim as exc:
        return {**out, "result": "invalid", "problems": store._json(exc.problems)}
    twin = keys.find(record)
    if twin and not job["allow_duplicates"]:
        return {**out, "result": "duplicate", "duplicate_of": twin}
    try:
        with db.atomic():
            claim, result = store.save_claim(db, record, job["actor"], comment="import")
            if job["publish"] and (
                claim["status"] != "published"
                or claim["current_revision"] != claim["published_revision"]
            ):
                store.publish_claim(db, claim["id"], job["actor"])
                result = "updated" if result == "unchanged" else result
    except InvalidClaim as exc:
        return {**out, "result": "invalid", "problems": store._json(exc.problems)}
    keys.add(record, claim["id"])
    return {**out, "claim_id": claim["id"], "result": result, "duplicate_of": twin}


def _finish(db: sqlite_utils.Database, job_id: int, status: str, error: str | None) -> None:
    with dbm.write(db):
        db.execute(
            "UPDATE imports SET status = ?, error = ?, finished_at = ?, heartbeat_at = NULL "
            "WHERE id = ?",
            [status, error, store.now(), job_id],
        )
        job = get_job(db, job_id)
        store.audit(
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
        _drop_copy(job)


class _Counting:
    """A binary stream that counts what has been read from it, for the progress bar."""

    def __init__(self, raw):
        self.raw, self.count = raw, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.count += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n

    def read1(self, n: int = -1) -> bytes:
        return self.read(n)


# --- likely duplicates ------------------------------------------------------------------------


def text_key(text: str) -> str:
    """What two wordings of the same text share: case, accents, punctuation and spacing
    folded away."""
    text = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(re.findall(r"\w+", text))


class _DuplicateKeys:
    """The keys of every claim's text and phrasings, each with its claim: a row whose text
    or a phrasing has the key of another claim is a likely duplicate of it. Kept in a
    temporary table (8-byte hashes), so a large file costs no memory."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        db.execute("DROP TABLE IF EXISTS temp.import_keys")
        db.execute("CREATE TEMP TABLE import_keys (key INTEGER PRIMARY KEY, claim_id TEXT)")
        texts = db.execute(
            "SELECT id, text FROM claims WHERE status != 'retired' "
            "UNION ALL SELECT claim_id, text FROM phrasings"
        )
        self._insert((_hash(text), claim_id) for claim_id, text in texts)

    def _insert(self, pairs) -> None:
        self.db.conn.executemany("INSERT OR IGNORE INTO temp.import_keys VALUES (?, ?)", pairs)

    @staticmethod
    def _keys(record: dict) -> list[int]:
        texts = [record.get("text"), *(record.get("phrasings") or [])]
        return [_hash(t) for t in texts if isinstance(t, str) and t.strip()]

    def find(self, record: dict) -> str | None:
        own = record.get("id")
        for key in self._keys(record):
            row = self.db.execute(
                "SELECT claim_id FROM temp.import_keys WHERE key = ?", [key]
            ).fetchone()
            if row and row[0] != own:
                return row[0]
        return None

    def add(self, record: dict, claim_id: str) -> None:
        self._insert((key, claim_id) for key in self._keys(record))


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text_key(text).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# --- records held in memory: the seed, the bench, tests --------------------------------------


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


def _not_obj(value) -> str:
    return f"a claim must be an object, not {type(value).__name__}"


# --- jobs whose process died, resuming, discarding ------------------------------------------


def mark_dead(db: sqlite_utils.Database) -> int:
    """Fail the running jobs whose process is gone (same host) or silent too long."""
    stale = (datetime.now(UTC) - HEARTBEAT_TIMEOUT).isoformat(timespec="seconds")
    dead = [
        r
        for r in db.query(
            "SELECT id, pid, host, heartbeat_at, rows_done FROM imports WHERE status = 'running'"
        )
        if (r["host"] == socket.gethostname() and not _alive(r["pid"]))
        or (r["heartbeat_at"] or "") < stale.replace("+00:00", "Z")
    ]
    # A queued job that no thread took (its worker was stopped first) is resumable too.
    dead += [
        {**r, "rows_done": 0}
        for r in db.query(
            "SELECT id FROM imports WHERE status = 'queued' AND created_at < ?",
            [stale.replace("+00:00", "Z")],
        )
        if r["id"] not in _running
    ]
    for r in dead:
        _finish(
            db,
            r["id"],
            "failed",
            f"The process running this import stopped after row {r['rows_done']}; "
            "resume it to go on from there.",
        )
    return len(dead)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
    _drop_copy(_change(db, job_id, actor, ("failed", "queued"), "discarded", "import.discard"))


def _drop_copy(job: dict) -> None:
    """Delete the workspace's copy of an upload (named *.upload) once it is no longer
    needed; a command-line import reads the moderator's own file, which stays."""
    path = job["upload_path"]
    if path and path.endswith(".upload"):
        Path(path).unlink(missing_ok=True)


def _change(db, job_id: int, actor: str, from_, to: str, action: str) -> dict:
    from_ = (from_,) if isinstance(from_, str) else from_
    with dbm.write(db):
        job = get_job(db, job_id)
        if job is None:
            raise store.NotFound(str(job_id))
        if job["status"] not in from_:
            raise ValueError(f"import {job_id} is {job['status']}")
        db.execute("UPDATE imports SET status = ? WHERE id = ?", [to, job_id])
        store.audit(
            db, actor, action, "import", str(job_id), {"status": job["status"]}, {"status": to}
        )
    return job


# --- the server's background runner -----------------------------------------------------------

_running: set[int] = set()
_lock = threading.Lock()


def run_in_background(
    path: str, job_id: int, after: Callable[[sqlite_utils.Database], None] | None = None
) -> None:
    """Run the job in a daemon thread of this process, with its own connection."""
    with _lock:
        if job_id in _running:
            return
        _running.add(job_id)

    def work() -> None:
        db = dbm.open_db(path)
        try:
            job = run_job(db, job_id)
            if after and job["status"] == "done":
                after(db)
        finally:
            db.close()
            with _lock:
                _running.discard(job_id)

    threading.Thread(target=work, name=f"import-{job_id}", daemon=True).start()
