"""Per-client rate limits: 429 with Retry-After, per client, shared through Redis."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from server import create_app
from server.limits import per_worker


def make_client(tmp_path, **config):
    app = create_app({"DATABASE": str(tmp_path / "l.db"), "SECRET_KEY": "t", **config})
    return app.test_client()


def post(client, ip: str):
    return client.post("/v1/match", json={"segments": []}, environ_base={"REMOTE_ADDR": ip})


def test_at_twice_the_limit_half_the_requests_get_429_and_other_clients_none(tmp_path):
    client = make_client(tmp_path, RATELIMIT_MATCH="20 per minute")
    codes = [post(client, "10.0.0.1").status_code for _ in range(40)]
    assert codes.count(200) == 20 and codes.count(429) == 20
    refused = post(client, "10.0.0.1")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert all(post(client, "10.0.0.2").status_code == 200 for _ in range(10))


def test_memory_limits_are_split_across_workers():
    assert per_worker("600 per minute", "memory://", 2) == "300 per minute"
    assert per_worker("600/minute;10/second", "memory://", 4) == "150/minute;2/second"
    assert per_worker("600 per minute", "redis://localhost:6379", 4) == "600 per minute"
    assert per_worker("600 per minute", "memory://", 1) == "600 per minute"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing in CI (scripts/test installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def test_redis_storage_shares_one_counter_between_two_apps(tmp_path, redis_url):
    """Two apps stand for two workers or replicas: together they allow the limit once."""
    config = {"RATELIMIT_MATCH": "10 per minute", "RATELIMIT_STORAGE_URI": redis_url}
    first = make_client(tmp_path, **config)
    codes = [post(first, "10.0.0.9").status_code for _ in range(6)]
    second = make_client(tmp_path, **config)  # the limiter now talks to the same Redis
    codes += [post(second, "10.0.0.9").status_code for _ in range(6)]
    assert codes.count(200) == 10 and codes.count(429) == 2
