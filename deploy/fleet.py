"""Run the whole fleet on one machine, on loopback addresses (scripts/fleet up|down).

primary (workspace, reports, the SQLite file) + Litestream streaming it to a directory
+ N replicas, each a Litestream follower (`restore -f`) and `serve --replica-of`
+ Redis (shared rate limits) + HAProxy in front. A supervisor process restarts any
of them that dies, as systemd's Restart=always would on real hosts (deploy/systemd).

Addresses (127.0.0.x are all this machine): balancer .10, primary .11, Redis .12,
replicas .21, .22, ...; every service listens on the same port.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import string
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
BALANCER, PRIMARY, REDIS = "127.0.0.10", "127.0.0.11", "127.0.0.12"


def replica_addr(n: int) -> str:
    return f"127.0.0.{20 + n}"


def layout(state: Path, port: int, replicas: int) -> dict:
    return {
        "dir": str(state),
        "port": port,
        "replicas": replicas,
        "balancer": f"http://{BALANCER}:{port}",
        "primary": f"http://{PRIMARY}:{port}",
        "redis": f"redis://{REDIS}:{port}",
        "replica_urls": [f"http://{replica_addr(n)}:{port}" for n in range(1, replicas + 1)],
    }


def services(cfg: dict, opts: dict) -> list[tuple[str, list[str], dict]]:
    """(name, command, extra environment) in start order."""
    state, port = Path(cfg["dir"]), str(cfg["port"])
    hf, litestream = str(BIN / "healthflags"), str(BIN / "litestream")
    app_env = {
        "HEALTHFLAGS_RATELIMIT_STORAGE_URI": cfg["redis"],
        "HEALTHFLAGS_TRUSTED_PROXIES": BALANCER,
        "HEALTHFLAGS_MODERATE_COOKIE_SECURE": "false",  # plain http on a loopback address
        **opts.get("env", {}),
    }
    primary_db = str(state / "primary" / "healthflags.db")
    sftp = opts.get("target") == "sftp"
    if sftp:  # the generated config names the SFTP target; the followers read it too
        streamer = [litestream, "replicate", "-config", str(state / "litestream.yml")]
        follow_args = ["--config", str(state / "litestream.yml"), "--db", primary_db]
    else:
        streamer = [litestream, "replicate", "-config", str(DEPLOY / "litestream.yml")]
        follow_args = []
    out = [
        (
            "redis",
            ["redis-server", "--bind", REDIS, "--port", port, "--save", "", "--appendonly", "no"],
            {},
        ),
        (
            "primary",
            [
                hf,
                "serve",
                "--host",
                PRIMARY,
                "--port",
                port,
                "--db",
                primary_db,
                "--workers",
                str(opts.get("primary_workers", 1)),
            ],
            app_env,
        ),
        *([("sshd", sftp_target().sshd_command(state), {})] if sftp else []),
        (
            "litestream",
            streamer,
            {
                "HEALTHFLAGS_DATABASE": primary_db,
                "HEALTHFLAGS_REPLICA_TARGET": str(state / "replica-target"),
            },
        ),
    ]
    for n in range(1, cfg["replicas"] + 1):
        copy = state / f"replica-{n}" / "healthflags.db"
        out.append(
            (
                f"follower-{n}",
                [
                    sys.executable,
                    str(DEPLOY / "fleet.py"),
                    "follow",
                    str(state / "replica-target"),
                    str(copy),
                    *follow_args,
                ],
                {},
            )
        )
        out.append(
            (
                f"replica-{n}",
                [
                    hf,
                    "serve",
                    "--replica-of",
                    cfg["primary"],
                    "--host",
                    replica_addr(n),
                    "--port",
                    port,
                    "--db",
                    str(copy),
                    "--workers",
                    str(opts.get("replica_workers", 1)),
                ],
                app_env,
            )
        )
    out.append(("haproxy", ["haproxy", "-db", "-f", str(state / "haproxy.cfg")], {}))
    return out


def write_haproxy(cfg: dict) -> None:
    lines = [
        f"    server replica-{n} {replica_addr(n)}:{cfg['port']} check inter 1s fall 2 rise 2"
        for n in range(1, cfg["replicas"] + 1)
    ]
    text = string.Template((DEPLOY / "haproxy.cfg").read_text()).substitute(
        BALANCER_ADDR=BALANCER,
        PRIMARY_ADDR=PRIMARY,
        PORT=cfg["port"],
        ERRORS=str(DEPLOY / "errors"),
        REPLICA_SERVERS="\n".join(lines),
    )
    (Path(cfg["dir"]) / "haproxy.cfg").write_text(text)


def sftp_target():
    spec = importlib.util.spec_from_file_location("sftp_target", DEPLOY / "sftp_target.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def follow(target: str, copy: str, config: str | None = None, db: str | None = None) -> None:
    """A replica's follower: restore the primary's file, then apply what follows.
    Litestream 0.5 resumes a follow only up to its last snapshot, so a restarted
    follower starts from a fresh restore (the replica is out of the balancer,
    failing its health check, for the second that takes)."""
    path = Path(copy)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-txid", "-wal", "-shm"):
        Path(copy + suffix).unlink(missing_ok=True)
    while not any((Path(target) / "ltx").glob("*/*.ltx")):
        time.sleep(0.2)  # the primary's first snapshot is not there yet
    os.execv(
        str(BIN / "litestream"),
        [
            "litestream",
            "restore",
            "-f",
            "-follow-interval",
            "200ms",
            "-o",
            copy,
            # Over SFTP the config names the target (and its keys); a directory by URL.
            *(["-config", config, db] if config else [Path(target).resolve().as_uri()]),
        ],
    )


class Supervisor:
    def __init__(self, cfg: dict, opts: dict):
        self.cfg, self.state = cfg, Path(cfg["dir"])
        self.specs = services(cfg, opts)
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def start(self, name: str, cmd: list[str], env: dict) -> None:
        log = open(self.state / "logs" / f"{name}.log", "ab")  # noqa: SIM115
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHFLAGS_")}
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**full_env, **env},
            start_new_session=True,
            cwd=self.state,
        )
        log.close()
        self.procs[name] = proc
        (self.state / "pids" / name).write_text(str(proc.pid))

    def run(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: setattr(self, "stopping", True))
        for name, cmd, env in self.specs:
            self.start(name, cmd, env)
            if name == "primary":  # Litestream needs the file the primary creates
                wait_for(lambda: healthy(self.cfg["primary"]), 120, "the primary")
        while not self.stopping:
            for name, cmd, env in self.specs:
                code = self.procs[name].poll()
                held = (self.state / "hold" / name).exists()  # stopped on purpose
                if code is not None and not self.stopping and not held:
                    say(self.state, f"{name} exited ({code}); restarting")
                    time.sleep(0.3)
                    self.start(name, cmd, env)
            time.sleep(0.2)
        for name, _, _ in reversed(self.specs):
            stop(self.procs[name])
        say(self.state, "stopped")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


def say(state: Path, text: str) -> None:
    with open(state / "logs" / "supervisor.log", "a") as f:
        f.write(f"{time.strftime('%H:%M:%S')} {text}\n")


def healthy(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url + "/v1/health", timeout=2) as r:
            return json.load(r) if r.status == 200 else None
    except (OSError, ValueError):
        return None


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready within {seconds:.0f} s")


def up(state: Path, port: int, replicas: int, opts: dict) -> dict:
    """Start the fleet in the background; return its layout once every replica serves
    the primary's published version through the balancer."""
    if (state / "supervisor.pid").exists():
        raise SystemExit(f"a fleet already runs from {state} (scripts/fleet down first)")
    for name in ["replica-target", "pids", *(f"replica-{n}" for n in range(1, 33))]:
        shutil.rmtree(state / name, ignore_errors=True)
    for name in ("logs", "pids", "primary"):
        (state / name).mkdir(parents=True, exist_ok=True)
    cfg = layout(state, port, replicas)
    (state / "fleet.json").write_text(json.dumps({**cfg, "opts": opts}, indent=2))
    write_haproxy(cfg)
    if opts.get("target") == "sftp":
        sftp_target().prepare(state, port, str(state / "primary" / "healthflags.db"))
    log = open(state / "logs" / "supervisor.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, __file__, "supervise", str(state)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    (state / "supervisor.pid").write_text(str(proc.pid))
    try:
        wait_ready(cfg, 240)
    except RuntimeError:
        down(state)
        raise
    return cfg


def wait_ready(cfg: dict, seconds: float) -> None:
    primary = wait_for(lambda: healthy(cfg["primary"]), seconds, "the primary")
    for url in cfg["replica_urls"]:
        wait_for(
            lambda u=url: (h := healthy(u)) and h["index_version"] == primary["db_version"],
            seconds,
            url,
        )
    wait_for(lambda: healthy(cfg["balancer"]), seconds, "the balancer")


def down(state: Path) -> None:
    pid_file = state / "supervisor.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.2)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/fleet", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_up = sub.add_parser("up", help="start primary, replicas, Redis and HAProxy")
    p_up.add_argument("--dir", default=str(ROOT / "instance" / "fleet"))
    p_up.add_argument("--port", type=int, default=8765)
    p_up.add_argument("--replicas", type=int, default=3)
    p_up.add_argument("--replica-workers", type=int, default=1)
    p_up.add_argument("--primary-workers", type=int, default=1)
    p_up.add_argument(
        "--target",
        choices=["dir", "sftp"],
        default="dir",
        help="replica target: a directory, or SFTP to Debian's sshd on 127.0.0.13",
    )
    p_up.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra HEALTHFLAGS_NAME=VALUE for every server",
    )
    p_down = sub.add_parser("down", help="stop the fleet started from --dir")
    p_down.add_argument("--dir", default=str(ROOT / "instance" / "fleet"))
    p_sup = sub.add_parser("supervise")
    p_sup.add_argument("dir")
    p_follow = sub.add_parser("follow")
    p_follow.add_argument("target")
    p_follow.add_argument("copy")
    p_follow.add_argument("--config")
    p_follow.add_argument("--db")
    args = parser.parse_args(argv)
    if args.cmd == "up":
        env = dict(f"HEALTHFLAGS_{kv}".split("=", 1) for kv in args.set)
        opts = {
            "env": env,
            "replica_workers": args.replica_workers,
            "primary_workers": args.primary_workers,
            "target": args.target,
        }
        cfg = up(Path(args.dir).resolve(), args.port, args.replicas, opts)
        print(
            f"balancer {cfg['balancer']}  primary {cfg['primary']}  replicas "
            + " ".join(cfg["replica_urls"])
            + f"  (logs in {cfg['dir']}/logs)"
        )
    elif args.cmd == "down":
        down(Path(args.dir).resolve())
    elif args.cmd == "supervise":
        saved = json.loads((Path(args.dir) / "fleet.json").read_text())
        Supervisor(saved, saved["opts"]).run()
    elif args.cmd == "follow":
        follow(args.target, args.copy, args.config, args.db)


if __name__ == "__main__":
    main()
