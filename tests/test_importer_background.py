"""The server's background runner and jobs whose process died: a killed import is marked
failed and resumes to completion, a silent one is failed after the heartbeat timeout."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from server import db as dbm
from server import importer
from server.cli import main


def _big_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, ["id", "text", "verdict", "summary", "topic"])
        writer.writeheader()
        for i in range(rows):
            writer.writerow(
                {
                    "id": f"bulk-{i}",
                    "text": f"Remedy number {i} cures condition {i * 7} overnight.",
                    "verdict": "false",
                    "summary": "Nothing shows it works.",
                    "topic": "bulk",
                }
            )


def test_an_import_killed_midway_is_marked_failed_then_resumes_with_each_row_once(tmp_path):
    rows, db_path = 10_000, tmp_path / "kill.db"
    source = tmp_path / "bulk.csv"
    _big_csv(source, rows)
    script = Path(sys.executable).parent / "healthflags"
    proc = subprocess.Popen(
        [str(script), "import", str(source), "--db", str(db_path)],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "import.log").open("w"),
    )
    try:
        job = _wait(db_path, lambda j: j["rows_done"] >= importer.BATCH, tmp_path / "import.log")
        assert job["status"] == "running" and job["rows_done"] < rows
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    db = dbm.open_db(db_path)
    assert importer.mark_dead(db) == 1  # what every start does
    job = importer.get_job(db, job["id"])
    assert job["status"] == "failed" and f"after row {job['rows_done']}" in job["error"]

    result = CliRunner().invoke(main, ["import", "--resume", str(job["id"]), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    job = importer.get_job(db, job["id"])
    assert job["status"] == "done" and job["rows_done"] == rows
    assert (
        db.execute("SELECT count(*) FROM import_rows WHERE import_id = ?", [job["id"]]).fetchone()[
            0
        ]
        == rows
    )
    assert db.execute("SELECT count(*) FROM claims WHERE topic = 'bulk'").fetchone()[0] == rows
    # Each row saved once: one revision per claim, none created twice.
    assert db.execute("SELECT max(number) FROM claim_revisions").fetchone()[0] == 1
    actions = [
        a
        for (a,) in db.execute(
            "SELECT action FROM audit_events WHERE object_type = 'import' ORDER BY id"
        )
    ]
    assert actions == ["import.fail", "import.resume", "import"]


def _wait(db_path: Path, ready, log: Path, seconds: float = 60) -> dict:
    """The newest job once `ready` says so, read without touching the schema (the import
    creates the database, and two processes must not both migrate it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            conn.row_factory = sqlite3.Row
            row = conn.execute("SELECT * FROM imports ORDER BY id DESC LIMIT 1").fetchone()
            conn.close()
        except sqlite3.OperationalError:  # not created yet
            row = None
        if row and ready(dict(row)):
            return dict(row)
        time.sleep(0.02)
    raise AssertionError(f"the import never got that far: {log.read_text()[-2000:]}")


def test_a_job_silent_past_the_heartbeat_timeout_is_failed(tmp_path):
    db = dbm.open_db(tmp_path / "h.db")
    job_id = importer.create_job(db, actor="t", fmt="json", filename="x.json")
    with dbm.write(db):
        db.execute(
            "UPDATE imports SET status = 'running', host = 'elsewhere', pid = 1, "
            "heartbeat_at = '2020-01-01T00:00:00Z' WHERE id = ?",
            [job_id],
        )
    assert importer.mark_dead(db) == 1
    assert importer.get_job(db, job_id)["status"] == "failed"
    with pytest.raises(ValueError, match="no longer kept"):
        importer.resume(db, job_id, "t")  # nothing to read it from: import the file again
