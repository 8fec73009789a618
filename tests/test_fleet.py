"""The fleet on loopback addresses (deploy/fleet.py, scripts/fleet): primary, Litestream,
three read replicas, Redis and HAProxy, as an operator runs them. Every check waits on
a condition with a generous deadline; none times anything."""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import sample_claims

from server.replica import connect_ro

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("fleet", ROOT / "deploy" / "fleet.py")
FLEET = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(FLEET)  # the script the tests drive, for its helpers
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"
ADMIN = "admin@example.org"
NEW_TEXT = "Giving children kratom in honey is a safe cough remedy."
NEEDS = [
    shutil.which("haproxy"),
    shutil.which("redis-server"),
    shutil.which("sshd") or Path("/usr/sbin/sshd").exists(),
    (BIN / "litestream").exists(),
]

if not all(NEEDS):
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI needs haproxy, redis-server, sshd and .[fleet] (scripts/test)")
    pytest.skip("needs haproxy, redis-server, sshd and .[fleet]", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.10", 0))
        return s.getsockname()[1]


# The replica target: a directory (one host), and SFTP to Debian's sshd (what an
# operator without object storage runs), each with the whole set of checks.
@pytest.fixture(scope="module", params=["dir", "sftp"])
def fleet(request, tmp_path_factory):
    state = tmp_path_factory.mktemp(f"fleet-{request.param}")
    port = free_port()
    script = [sys.executable, str(ROOT / "deploy" / "fleet.py")]
    subprocess.run(
        [
            *script,
            "up",
            "--dir",
            str(state),
            "--port",
            str(port),
            "--set",
            "RATELIMIT_MATCH=100 per minute",
            "--set",
            "MATCH_COUNTS_FLUSH_SECONDS=0",
            "--target",
            request.param,
        ],
        check=True,
        timeout=300,
    )
    cfg = json.loads((state / "fleet.json").read_text())
    try:
        yield cfg
    finally:
        subprocess.run([*script, "down", "--dir", str(state)], timeout=120)


def call(
    url: str,
    method: str = "GET",
    path: str = "/v1/health",
    body=None,
    source: str = "127.0.0.1",
    headers: dict | None = None,
):
    """One request from a chosen loopback source address: (status, text)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=10, source_address=(source, 0)
    )
    try:
        data = json.dumps(body) if body is not None else None
        conn.request(
            method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})}
        )
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def match_ids(url: str, text: str, source: str = "127.0.0.1") -> set[str] | None:
    try:
        status, text_ = call(
            url, "POST", "/v1/match", {"segments": [{"id": "s", "text": text}]}, source
        )
    except OSError:
        return None
    return {m["claim_id"] for m in json.loads(text_)["matches"]} if status == 200 else None


def wait_until(check, seconds: float = 90, what: str = "condition"):
    return FLEET.wait_for(check, seconds, what)  # the fleet script's own wait


class Workspace:
    """A moderator's browser session on the workspace, through the balancer."""

    def __init__(self, cfg: dict):
        import requests

        self.base = cfg["balancer"]
        self.http = requests.Session()

    def token(self, path: str) -> str:
        page = self.http.get(self.base + path, timeout=30)
        found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert found, page.text[:500]
        return found.group(1)

    def post(self, path: str, data: dict, **kw):
        data = {"csrf_token": self.token("/moderate/"), **data}
        return self.http.post(self.base + path, data=data, timeout=60, **kw)

    def login(self) -> None:
        token = self.token("/moderate/login")
        r = self.http.post(
            self.base + "/moderate/login",
            timeout=30,
            data={"csrf_token": token, "email": ADMIN, "password": PASSWORD},
        )
        assert r.status_code == 200 and "/moderate/login" not in r.url, r.text[:500]


def new_claim() -> dict:
    claim = {**sample_claims()[0]}
    claim.update(
        id="kratom-honey-child-cough",
        text=NEW_TEXT,
        summary="Kratom is an opioid-like drug with no safe dose for children.",
        phrasings=[
            "Kratom honey syrup is a harmless cough medicine for kids.",
            "A spoon of kratom honey safely stops a child's cough.",
            "Kids' coughs clear up safely with kratom mixed into honey.",
        ],
        required_terms=["kratom", "honey"],
        counter_statements=[],
    )
    return claim


def test_a_claim_published_through_the_balancer_reaches_every_replica_then_retires(fleet, tmp_path):
    subprocess.run(
        [
            str(BIN / "healthflags"),
            "add-moderator",
            ADMIN,
            "--role",
            "admin",
            "--db",
            str(Path(fleet["dir"]) / "primary" / "healthflags.db"),
        ],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        timeout=60,
    )
    claim = new_claim()
    assert all(match_ids(u, NEW_TEXT) == set() for u in fleet["replica_urls"])
    upload = tmp_path / "claims.json"
    upload.write_text(json.dumps([claim]))
    ws = Workspace(fleet)
    ws.login()
    with open(upload, "rb") as f:
        r = ws.post(
            "/moderate/import",
            {"format": "json", "publish": "1"},
            files={"file": ("claims.json", f, "application/json")},
        )
    assert r.status_code == 200, r.text[:500]
    for url in fleet["replica_urls"]:  # each replica, asked directly
        wait_until(
            lambda u=url: claim["id"] in (match_ids(u, NEW_TEXT) or ()),
            what=f"{url} matches the new claim",
        )
    assert claim["id"] in match_ids(fleet["balancer"], NEW_TEXT)

    page = ws.http.get(f"{ws.base}/moderate/claims/{claim['id']}", timeout=30).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    r = ws.post(f"/moderate/claims/{claim['id']}/retire", {"version": version})
    assert r.status_code == 200, r.text[:500]
    for url in fleet["replica_urls"]:
        wait_until(
            lambda u=url: match_ids(u, NEW_TEXT) == set(), what=f"{url} forgets the retired claim"
        )


def test_a_replica_copy_refuses_writes_and_a_burst_of_matches_leaves_it_as_published(fleet):
    url = fleet["replica_urls"][0]
    copy = Path(fleet["dir"]) / "replica-1" / "healthflags.db"
    status, text = call(url, "POST", "/v1/reports", {"kind": "missed_claim", "comment": "x"})
    assert status == 503 and fleet["primary"] in text
    seen: set[str] = set()
    for _ in range(40):
        found = match_ids(url, "Kratom is not addictive.", "127.0.0.31")
        assert found
        seen |= found
    # The replica's counts went to Redis instead of its copy.
    import redis

    counts = redis.Redis.from_url(fleet["redis"]).hgetall("healthflags:match_counts")
    counted = {k.decode().split("|")[0]: int(v) for k, v in counts.items()}
    assert all(counted.get(claim_id, 0) >= 40 for claim_id in seen), (seen, counted)
    db = connect_ro(copy)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.execute("INSERT INTO match_counts VALUES ('x', '2026-01-01', 1)")
    finally:
        db.conn.close()

    def published(path: Path):
        db = connect_ro(path)
        try:
            return (
                db.execute("SELECT value FROM meta WHERE key = 'published_version'").fetchone(),
                db.execute("SELECT id, status, version FROM claims ORDER BY id").fetchall(),
                db.execute("SELECT count(*) FROM match_counts").fetchone(),
            )
        finally:
            db.conn.close()

    primary = Path(fleet["dir"]) / "primary" / "healthflags.db"
    wait_until(lambda: published(copy) == published(primary), 60, "the copy equals the primary")


def test_one_client_over_its_limit_is_refused_by_every_replica(fleet):
    limited, other = "127.0.0.41", "127.0.0.42"
    codes = [
        call(fleet["balancer"], "POST", "/v1/match", {"segments": []}, limited)[0]
        for _ in range(110)
    ]
    assert codes.count(429) >= 10, codes
    for url in fleet["replica_urls"]:
        assert call(url, "POST", "/v1/match", {"segments": []}, limited)[0] == 429
        assert call(url, "POST", "/v1/match", {"segments": []}, other)[0] == 200


def pid_of(fleet, name: str) -> int:
    return int((Path(fleet["dir"]) / "pids" / name).read_text())


def test_a_replica_killed_with_sigkill_restarts_and_rejoins(fleet):
    url = fleet["replica_urls"][1]
    before = pid_of(fleet, "replica-2")
    os.killpg(before, signal.SIGKILL)
    wait_until(lambda: pid_of(fleet, "replica-2") != before, 60, "the supervisor restarts it")
    version = json.loads(call(fleet["primary"])[1])["db_version"]
    wait_until(
        lambda: (s := call_ok(url)) and s["index_version"] == version,
        90,
        "the restarted replica serves the published version",
    )


def test_a_follower_killed_restores_afresh_and_readers_see_no_error(fleet):
    before = pid_of(fleet, "follower-1")
    version = json.loads(call(fleet["primary"])[1])["db_version"]
    os.killpg(before, signal.SIGKILL)
    page = {"segments": [{"id": "s", "text": "Kratom is not addictive."}]}
    codes: list[int] = []

    def caught_up() -> bool:
        codes.append(call(fleet["balancer"], "POST", "/v1/match", page, "127.0.0.34")[0])
        health = call_ok(fleet["replica_urls"][0])
        return pid_of(fleet, "follower-1") != before and bool(
            health and health["index_version"] == version
        )

    wait_until(caught_up, 90, "the follower restores and replica-1 serves again")
    assert set(codes) == {200}, codes


def test_the_balancer_takes_a_dead_replica_out_and_back_in(fleet):
    log = Path(fleet["dir"]) / "logs" / "haproxy.log"
    seen = len(log.read_text())  # only what HAProxy says from now on counts
    hold = Path(fleet["dir"]) / "hold"
    hold.mkdir(exist_ok=True)
    (hold / "replica-3").touch()  # kept dead until HAProxy has seen it
    try:
        os.killpg(pid_of(fleet, "replica-3"), signal.SIGKILL)
        wait_until(
            lambda: "readers/replica-3 is DOWN" in log.read_text()[seen:],
            60,
            "HAProxy takes it out",
        )
        page = {"segments": [{"id": "s", "text": "Kratom is not addictive."}]}
        codes = [
            call(fleet["balancer"], "POST", "/v1/match", page, "127.0.0.32")[0] for _ in range(30)
        ]
        assert codes == [200] * 30
    finally:
        (hold / "replica-3").unlink()
    wait_until(
        lambda: re.search(
            r"readers/replica-3 is DOWN(.*\n)*.*readers/replica-3 is UP", log.read_text()[seen:]
        ),
        90,
        "HAProxy takes it back",
    )


def call_ok(url: str) -> dict | None:
    try:
        status, text = call(url)
    except OSError:
        return None
    return json.loads(text) if status == 200 else None


def test_with_the_primary_stopped_replicas_match_and_the_workspace_says_so(fleet):
    seed_text = "Kratom is a safe and natural way to get off opioids."
    urls = [*fleet["replica_urls"], fleet["balancer"]]
    before = {url: match_ids(url, seed_text, "127.0.0.33") for url in urls}
    assert all(before.values()), before
    hold = Path(fleet["dir"]) / "hold"
    hold.mkdir(exist_ok=True)
    (hold / "primary").touch()  # the supervisor leaves it stopped
    try:
        os.killpg(pid_of(fleet, "primary"), signal.SIGTERM)
        wait_until(lambda: call_ok(fleet["primary"]) is None, 60, "the primary stops")
        assert {url: match_ids(url, seed_text, "127.0.0.33") for url in urls} == before
        status, page = call(fleet["balancer"], path="/moderate/")
        assert status == 503
        assert (
            "the workspace is temporarily unavailable; checking pages still works" in page.lower()
        )
        status, text = call(
            fleet["balancer"], "POST", "/v1/reports", {"kind": "missed_claim", "comment": "x"}
        )
        assert status == 503 and json.loads(text)["error"]["code"] == "primary_unavailable"
    finally:
        (hold / "primary").unlink()
    wait_until(lambda: call_ok(fleet["primary"]), 90, "the primary comes back")
