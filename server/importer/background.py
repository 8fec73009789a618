"""The server's background runner, and the jobs whose process died."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlite_utils

from .. import db as dbm
from .runner import finish, run_job

# The jobs this process runs now.
_running: set[int] = set()
_lock = threading.Lock()

HEARTBEAT_TIMEOUT = timedelta(seconds=60)  # a running job silent this long has died


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
        finish(
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
