"""The fleet on this machine, measured: single server beside the balancer with 1 and 3
replicas, publish-to-replica latency, failures while a replica is killed, memory.

    .venv/bin/python bench/fleet.py [--seconds 10] [--clients 8] [--kill-seconds 30]
                                    [--target dir|sftp]

Everything runs on loopback addresses (deploy/fleet.py: balancer 127.0.0.10, primary
.11, Redis .12, replicas .21-.23; the single server on .30), every loop is bounded in
time and stops by itself. The per-client rate limit is raised in the servers' own
environment (the default stays). Pages are the 13 pages in bench/data/pages, one
/v1/match request each, against the curated claims.

Prints one line per figure:
    single workers=2: pages_s=… p50_ms=… p99_ms=…
    fleet replicas=1 workers_each=2: pages_s=… p99_ms=… (ratio to single …)
    fleet replicas=3 workers_each=1: …
    memory replica-N: rss_mb=… (server …, follower …)
    publish: every replica matches after max_s=… (per replica …); retire: …
    kill -9 under 50 pages/s: sent=… failed=… share=…; after the check interval failed=…
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
_spec = importlib.util.spec_from_file_location("fleet_runner", ROOT / "deploy" / "fleet.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

NO_LIMIT = "RATELIMIT_MATCH=1000000 per minute"
CHECK_SECONDS = 2.0  # HAProxy: inter 1s, fall 2
NEW_TEXT = "Giving children kratom in honey is a safe cough remedy."


def page_bodies() -> list[bytes]:
    out = []
    for path in sorted((ROOT / "bench" / "data" / "pages").glob("*.json")):
        page = json.loads(path.read_text())
        segments = [
            {"id": f"p{i}", "text": " ".join(s["text"] for s in para)}
            for i, para in enumerate(page["paragraphs"])
        ]
        out.append(json.dumps({"segments": segments}).encode())
    return out


def post(conn: http.client.HTTPConnection, body: bytes) -> int:
    conn.request("POST", "/v1/match", body, {"Content-Type": "application/json"})
    res = conn.getresponse()
    res.read()
    return res.status


def connect(url: str, source: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=10, source_address=(source, 0)
    )


def closed_loop(url: str, clients: int, seconds: float, bodies: list[bytes]) -> dict:
    """`clients` threads each sending pages back to back for `seconds`."""
    stop_at = time.perf_counter() + seconds
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(n: int) -> None:
        conn, i = connect(url, "127.0.0.1"), n
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                ok = post(conn, bodies[i % len(bodies)]) == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn, ok = connect(url, "127.0.0.1"), False
            with lock:
                (
                    lat.append(time.perf_counter() - t0)
                    if ok
                    else errors.__setitem__(0, errors[0] + 1)
                )
            i += clients
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0  # noqa: E731
    return {
        "pages_s": len(lat) / seconds,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "errors": errors[0],
    }


def paced(url: str, rate: float, seconds: float, bodies: list[bytes], at=None) -> list:
    """Open loop at `rate` pages/s; `at(t)` runs once at `t` seconds. Returns
    (sent_at, ok) for every request."""
    total, start = int(rate * seconds), time.perf_counter() + 0.2
    results: list[tuple[float, bool]] = []
    lock, next_i = threading.Lock(), [0]

    def worker() -> None:
        conn = connect(url, "127.0.0.1")
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= total:
                break
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent = time.perf_counter() - start
            try:
                ok = post(conn, bodies[i % len(bodies)]) == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn, ok = connect(url, "127.0.0.1"), False
            with lock:
                results.append((sent, ok))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    if at is not None:
        threads.append(threading.Thread(target=lambda: (time.sleep(at[0] + 0.2), at[1]())))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def rss_mb(pgid: int) -> float:
    """Resident memory of every process in a process group (a gunicorn master and its
    workers), in MB."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getpgid(int(proc.name)) != pgid:
                continue
            status = (proc / "status").read_text()
        except (OSError, ProcessLookupError):
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(found.group(1)) if found else 0
    return total / 1024


def single_server(tmp: Path, clients: int, seconds: float, bodies) -> dict:
    port = runner_free_port("127.0.0.30")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHFLAGS_")}
    env["HEALTHFLAGS_" + NO_LIMIT.split("=")[0]] = NO_LIMIT.split("=")[1]
    with open(tmp / "single.log", "ab") as log:
        proc = subprocess.Popen(
            [
                str(BIN / "healthflags"),
                "serve",
                "--host",
                "127.0.0.30",
                "--port",
                str(port),
                "--db",
                str(tmp / "single.db"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.30:{port}"
    try:
        runner.wait_for(lambda: runner.healthy(url), 120, "the single server")
        closed_loop(url, clients, 2.0, bodies)  # warm the workers' indexes
        return closed_loop(url, clients, seconds, bodies)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def runner_free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def fleet(tmp: Path, replicas: int, workers: int, target: str = "dir") -> dict:
    opts = {
        "env": {"HEALTHFLAGS_RATELIMIT_MATCH": NO_LIMIT.split("=")[1]},
        "replica_workers": workers,
        "primary_workers": 1,
        "target": target,
    }
    state = tmp / f"fleet-{replicas}"
    return runner.up(state, runner_free_port("127.0.0.10"), replicas, opts)


class Workspace:
    def __init__(self, base: str):
        import requests

        self.base, self.http = base, requests.Session()

    def token(self, path: str) -> str:
        page = self.http.get(self.base + path, timeout=30).text
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def post(self, path: str, data: dict, **kw):
        r = self.http.post(
            self.base + path,
            data={"csrf_token": self.token("/moderate/"), **data},
            timeout=60,
            **kw,
        )
        r.raise_for_status()
        return r


def matches(url: str, text: str) -> set[str]:
    conn = connect(url, "127.0.0.1")
    try:
        conn.request(
            "POST",
            "/v1/match",
            json.dumps({"segments": [{"id": "s", "text": text}]}),
            {"Content-Type": "application/json"},
        )
        res = conn.getresponse()
        return {m["claim_id"] for m in json.loads(res.read())["matches"]}
    except (OSError, ValueError, KeyError):
        return set()
    finally:
        conn.close()


def seconds_until(urls: list[str], check, limit: float = 60.0) -> list[float]:
    """Seconds from now until `check(url)` holds, for each url (polled every 20 ms)."""
    start, done = time.perf_counter(), {}
    while len(done) < len(urls) and time.perf_counter() - start < limit:
        for url in urls:
            if url not in done and check(url):
                done[url] = time.perf_counter() - start
        time.sleep(0.02)
    return [done.get(u, float("inf")) for u in urls]


def publish_latency(cfg: dict, tmp: Path, claim_id: str) -> tuple[list[float], list[float]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import sample_claims

    password = "correct horse battery staple"
    subprocess.run(
        [
            str(BIN / "healthflags"),
            "add-moderator",
            "bench@example.org",
            "--role",
            "admin",
            "--db",
            str(Path(cfg["dir"]) / "primary" / "healthflags.db"),
        ],
        input=password + "\n",
        text=True,
        check=False,  # the second time: the account is there already
        capture_output=True,
    )
    claim = {
        **sample_claims()[0],
        "id": "kratom-honey-child-cough",
        "text": NEW_TEXT,
        "phrasings": [
            "Kratom honey syrup is a harmless cough medicine for kids.",
            "A spoon of kratom honey safely stops a child's cough.",
            "Kids' coughs clear up safely with kratom mixed into honey.",
        ],
        "required_terms": ["kratom", "honey"],
        "counter_statements": [],
    }
    (tmp / "claim.json").write_text(json.dumps([claim]))
    ws = Workspace(cfg["balancer"])
    ws.http.post(
        cfg["balancer"] + "/moderate/login",
        timeout=30,
        data={
            "csrf_token": ws.token("/moderate/login"),
            "email": "bench@example.org",
            "password": password,
        },
    ).raise_for_status()
    with open(tmp / "claim.json", "rb") as f:
        ws.post(
            "/moderate/import",
            {"format": "json", "publish": "1"},
            files={"file": ("claim.json", f, "application/json")},
        )
    published = seconds_until(cfg["replica_urls"], lambda u: claim["id"] in matches(u, NEW_TEXT))
    page = ws.http.get(f"{cfg['balancer']}/moderate/claims/{claim['id']}", timeout=30).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    ws.post(f"/moderate/claims/{claim['id']}/retire", {"version": version})
    retired = seconds_until(cfg["replica_urls"], lambda u: claim["id"] not in matches(u, NEW_TEXT))
    return published, retired


def kill_under_load(cfg: dict, seconds: float, bodies) -> dict:
    state = Path(cfg["dir"])
    killed = {}

    def kill() -> None:
        killed["at"] = time.perf_counter()
        os.killpg(int((state / "pids" / "replica-1").read_text()), signal.SIGKILL)

    start = time.perf_counter() + 0.2
    results = paced(cfg["balancer"], 50.0, seconds, bodies, at=(5.0, kill))
    kill_t = killed["at"] - start
    version = runner.healthy(cfg["primary"])["db_version"]
    after = [(t, ok) for t, ok in results if t >= kill_t + CHECK_SECONDS]
    back = runner.healthy(cfg["replica_urls"][0])
    return {
        "sent": len(results),
        "failed": sum(not ok for _, ok in results),
        "after_sent": len(after),
        "after_failed": sum(not ok for _, ok in after),
        "rejoined": bool(back and back["index_version"] == version),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=float, default=10.0, help="each throughput run")
    p.add_argument("--clients", type=int, default=8, help="concurrent clients")
    p.add_argument("--kill-seconds", type=float, default=30.0)
    p.add_argument("--target", choices=["dir", "sftp"], default="dir", help="replica target")
    args = p.parse_args(argv)
    bodies = page_bodies()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        single = single_server(tmp, args.clients, args.seconds, bodies)
        print(
            f"single workers=2: pages_s={single['pages_s']:.0f} "
            f"p50_ms={single['p50_ms']:.1f} p99_ms={single['p99_ms']:.1f} "
            f"errors={single['errors']}",
            flush=True,
        )
        for replicas, workers in ((1, 2), (3, 1)):
            cfg = fleet(tmp, replicas, workers, args.target)
            try:
                closed_loop(cfg["balancer"], args.clients, 2.0, bodies)
                run = closed_loop(cfg["balancer"], args.clients, args.seconds, bodies)
                print(
                    f"fleet replicas={replicas} workers_each={workers}: "
                    f"pages_s={run['pages_s']:.0f} p50_ms={run['p50_ms']:.1f} "
                    f"p99_ms={run['p99_ms']:.1f} errors={run['errors']} "
                    f"(pages/s {run['pages_s'] / single['pages_s']:.2f}x single, "
                    f"p99 {run['p99_ms'] / single['p99_ms']:.2f}x)",
                    flush=True,
                )
                if replicas == 1:
                    direct = closed_loop(cfg["replica_urls"][0], args.clients, args.seconds, bodies)
                    print(
                        f"  the same replica asked directly: pages_s={direct['pages_s']:.0f} "
                        f"p99_ms={direct['p99_ms']:.1f}",
                        flush=True,
                    )
                if replicas == 3:
                    report_fleet(cfg, tmp, args.kill_seconds, bodies)
            finally:
                runner.down(Path(cfg["dir"]))
        again = single_server(tmp, args.clients, args.seconds, bodies)
        print(
            f"single again (the machine is shared: the spread is the noise): "
            f"pages_s={again['pages_s']:.0f} p99_ms={again['p99_ms']:.1f}",
            flush=True,
        )


def report_fleet(cfg: dict, tmp: Path, kill_seconds: float, bodies) -> None:
    state = Path(cfg["dir"])
    for n in range(1, cfg["replicas"] + 1):
        server = rss_mb(int((state / "pids" / f"replica-{n}").read_text()))
        follower = rss_mb(int((state / "pids" / f"follower-{n}").read_text()))
        print(
            f"memory replica-{n}: rss_mb={server + follower:.0f} "
            f"(server {server:.0f}, follower {follower:.0f})",
            flush=True,
        )
    primary = rss_mb(int((state / "pids" / "primary").read_text()))
    print(f"memory primary (1 worker): rss_mb={primary:.0f}", flush=True)
    fmt = lambda xs: " ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    for label, busy in (("idle", False), ("8 clients flat out through the balancer", True)):
        load = threading.Thread(target=closed_loop, args=(cfg["balancer"], 8, 20.0, bodies))
        if busy:
            load.start()
            time.sleep(2)
        claim_id = "kratom-honey-child-cough" + ("-busy" if busy else "")
        published, retired = publish_latency(cfg, tmp, claim_id)
        if busy:
            load.join()
        print(
            f"publish ({label}): every replica matches after max_s={max(published):.2f} "
            f"(per replica {fmt(published)}); retire: gone after max_s={max(retired):.2f} "
            f"(per replica {fmt(retired)})",
            flush=True,
        )
    k = kill_under_load(cfg, kill_seconds, bodies)
    print(
        f"kill -9 replica-1 at 5 s under 50 pages/s for {kill_seconds:.0f} s: "
        f"sent={k['sent']} failed={k['failed']} share={k['failed'] / k['sent']:.2%}; "
        f"from {CHECK_SECONDS:.0f} s after the kill: sent={k['after_sent']} "
        f"failed={k['after_failed']}; replica-1 rejoined={k['rejoined']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
