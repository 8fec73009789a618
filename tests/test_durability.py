"""No data lost (security.md promises 10-12): kill -9 during writes, concurrent
editors across processes, and backups taken under write load."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import sqlite3
import threading
import urllib.error
import urllib.request

from conftest import sample_claims, serve_process

from server import db as dbm
from server import store


def post_json(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(
        url, json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def check_consistent(path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    unaudited = conn.execute(
        "SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM audit_events a "
        "WHERE a.object_type = 'report' AND a.object_id = CAST(r.id AS TEXT))"
    ).fetchone()[0]
    assert unaudited == 0, "a change landed without its audit entry"
    return conn


def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path):
    db_path = tmp_path / "k.db"
    store.import_claims(dbm.open_db(db_path), sample_claims(), "system", publish=True)
    env = {"HEALTHFLAGS_RATELIMIT_REPORTS": "100000 per minute"}
    acknowledged: list[int] = []
    for cycle in range(20):
        server = serve_process(db_path, tmp_path / "serve.log", "--no-seed", env=env)
        stop = threading.Event()

        def stream(server=server, cycle=cycle, stop=stop):
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    status, body = post_json(
                        server.url + "/v1/reports",
                        {
                            "kind": "wrong_flag",
                            "claim_id": "vaccines-cause-autism",
                            "passage": f"cycle {cycle} write {n}",
                        },
                    )
                except (OSError, http.client.HTTPException):
                    return  # the server is gone: this write was never acknowledged
                if status == 201:
                    acknowledged.append(body["report"]["id"])

        writers = [threading.Thread(target=stream) for _ in range(3)]
        for w in writers:
            w.start()
        while len(acknowledged) < 15 * (cycle + 1):
            threading.Event().wait(0.01)
        server.kill9()  # mid-stream: writers are still sending
        stop.set()
        for w in writers:
            w.join()
    conn = check_consistent(db_path)
    stored = {r[0] for r in conn.execute("SELECT id FROM reports")}
    assert set(acknowledged) <= stored
    assert len(acknowledged) >= 300


def edit_many(path: str, worker: int, edits: int, queue) -> None:
    db = dbm.connect(path)
    outcome = {"saved": 0, "conflict": 0, "failed": []}
    for n in range(edits):
        claim_id = sample_claims()[n % 4]["id"]
        record = store.revision(db, store.get_claim(db, claim_id)["current_revision"])
        version = store.get_claim(db, claim_id)["version"]
        record["summary"] = f"edit {n} by worker {worker}"
        try:
            store.save_claim(db, record, f"worker-{worker}", expected_version=version)
            outcome["saved"] += 1
        except store.Conflict:
            outcome["conflict"] += 1  # the designed answer to a stale edit
        except Exception as exc:  # noqa: BLE001 - any other failure is the bug we look for
            outcome["failed"].append(repr(exc))
    queue.put(outcome)


def test_four_processes_800_concurrent_edits_fail_only_by_design(tmp_path):
    path = tmp_path / "c.db"
    db = dbm.open_db(path)
    store.import_claims(db, sample_claims(), "system", publish=True)
    revisions_before = db.execute("SELECT count(*) FROM claim_revisions").fetchone()[0]
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=edit_many, args=(str(path), w, 200, queue)) for w in range(4)]
    for p in procs:
        p.start()
    outcomes = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join()
    assert [o["failed"] for o in outcomes] == [[], [], [], []]
    saved = sum(o["saved"] for o in outcomes)
    assert saved + sum(o["conflict"] for o in outcomes) == 800
    revisions = db.execute("SELECT count(*) FROM claim_revisions").fetchone()[0]
    updates = db.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'claim.update'"
    ).fetchone()[0]
    assert revisions - revisions_before == saved == updates


def test_backup_under_write_load_has_every_acknowledged_write(tmp_path):
    path = tmp_path / "b.db"
    store.import_claims(dbm.open_db(path), sample_claims(), "system", publish=True)
    acknowledged: list[int] = []
    stop = threading.Event()

    def write():
        db = dbm.connect(path)
        while not stop.is_set():
            report = store.create_report(
                db, kind="missed_claim", claim_id=None, passage="x" * 500, url=None, comment=None
            )
            acknowledged.append(report["id"])

    writers = [threading.Thread(target=write) for _ in range(2)]
    for w in writers:
        w.start()
    while len(acknowledged) < 200:
        threading.Event().wait(0.01)
    before_backup = list(acknowledged)
    dbm.backup(dbm.connect(path), tmp_path / "copy.db")
    stop.set()
    for w in writers:
        w.join()
    conn = check_consistent(tmp_path / "copy.db")
    restored = {r[0] for r in conn.execute("SELECT id FROM reports")}
    assert set(before_backup) <= restored
