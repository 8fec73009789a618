"""What `healthflags serve` runs, on a real gunicorn: clients that send slowly hold
one thread for a bounded time and never keep others from being answered."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from conftest import sample_claims, serve_process

from server import db as dbm
from server import store


@pytest.fixture
def server(tmp_path):
    started = []

    def start(*args: str, workers: int = 2):
        path = tmp_path / f"s{len(started)}.db"
        db = dbm.open_db(path)
        store.import_claims(db, sample_claims(), "system", publish=True)
        db.close()
        proc = serve_process(path, tmp_path / "serve.log", "--no-seed", *args, workers=workers)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


class Trickle:
    """A client that declares a 1,000-byte body and sends it a byte at a time, as
    issue 12 did (there a byte every 5 s; here every `every` seconds)."""

    def __init__(self, url: str, every: float, headers_too: bool = False):
        self.sock = socket.create_connection(address(url), timeout=120)
        self.every = every
        self.closed = threading.Event()
        self.answer = b""
        head = (
            b"POST /v1/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n"
        )
        if headers_too:
            self.pending = head + b"{" * 1000
        else:
            self.sock.sendall(head)
            self.pending = b"{" * 1000
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        reader = threading.Thread(target=self._read, daemon=True)
        reader.start()
        for i in range(len(self.pending)):
            if self.closed.is_set():
                return
            try:
                self.sock.sendall(self.pending[i : i + 1])
            except OSError:
                break
            self.closed.wait(self.every)
        self.closed.wait()

    def _read(self) -> None:
        try:
            while chunk := self.sock.recv(65536):
                self.answer += chunk
        except OSError:
            pass
        self.closed.set()

    def close(self) -> None:
        self.closed.set()
        self.sock.close()


def health(url: str, timeout: float) -> dict:
    conn = http.client.HTTPConnection(*address(url), timeout=timeout)
    try:
        conn.request("GET", "/v1/health")
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def test_two_slow_senders_do_not_keep_health_from_answering(server):
    """Issue 12, point 2: two sockets sending a declared 1,000-byte body at a byte
    every 5 s made /v1/health time out for 30 s and got both sync workers killed."""
    live = server()
    slow = [Trickle(live.url, every=5.0) for _ in range(2)]
    try:
        for s in slow:  # both requests have reached the server and are being read
            s.sock.getpeername()
        time.sleep(0.5)  # not an assertion: gives the workers time to pick them up
        for _ in range(5):
            assert health(live.url, timeout=10)["status"] == "ok"
        assert not any(s.closed.is_set() for s in slow)
    finally:
        for s in slow:
            s.close()


@pytest.mark.parametrize("headers_too", [False, True], ids=["slow body", "slow headers"])
def test_a_request_not_sent_within_the_read_timeout_is_cut_off(server, headers_too):
    """However regularly a client trickles bytes, the whole request must arrive
    within --read-timeout seconds of its first byte; then its thread is free."""
    live = server("--read-timeout", "2", "--threads", "1", workers=1)
    slow = Trickle(live.url, every=0.2, headers_too=headers_too)
    try:
        assert slow.closed.wait(60), "the server kept reading a request that never ends"
        assert slow.answer == b"" or b" 408 " in slow.answer.split(b"\r\n")[0]
        # The one thread of the one worker is free again.
        assert health(live.url, timeout=10)["status"] == "ok"
    finally:
        slow.close()


def test_a_chunked_body_over_the_limit_is_413(server):
    """Issue 12, point 7: a chunked body over 1 MB got 400 invalid_json."""
    live = server()
    conn = http.client.HTTPConnection(*address(live.url), timeout=60)
    body = json.dumps({"segments": [{"id": "s", "text": "x " * 10_000}] * 60}).encode()
    assert len(body) > 1024 * 1024
    conn.request(
        "POST",
        "/v1/match",
        body=iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    res = conn.getresponse()
    assert res.status == 413
    assert json.loads(res.read())["error"]["code"] == "payload_too_large"
    conn.close()
    # A chunked body under the limit is read as usual.
    conn = http.client.HTTPConnection(*address(live.url), timeout=60)
    small = json.dumps({"segments": [{"id": "s", "text": "Vaccines cause autism."}]}).encode()
    conn.request(
        "POST",
        "/v1/match",
        body=iter([small]),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    res = conn.getresponse()
    assert res.status == 200 and json.loads(res.read())["matches"]
    conn.close()


def test_health_answers_from_the_index_each_worker_holds(server):
    live = server()
    answers = [health(live.url, timeout=10) for _ in range(6)]
    assert all(a["index_version"] == a["db_version"] for a in answers)
    assert all(a["index_claims"] == len(sample_claims()) for a in answers)
