"""Shared fixtures: a real app on a real SQLite file, and a real HTTP server."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from server import create_app, store
from server import db as dbm
from server.matching import embed

# The browser tests' shared set-up (Chromium with the extension loaded, the test pages,
# the counting proxy): its fixtures are there for every test module.
pytest_plugins = ["extension_browser"]


def skip_without_semantic() -> None:
    """The semantic extra is optional, even in CI (where scripts/test installs it):
    its tests skip without it, saying why."""
    if not embed.available():
        pytest.skip("the semantic extra is not installed (pip install -e '.[semantic]')")


def finishes_within(code: str, seconds: float) -> None:
    """Run `code` in a fresh interpreter; it must finish (and succeed) before the
    deadline. Deadlines here are generous: a linear run takes milliseconds, the
    quadratic one it guards against minutes or hours."""
    import subprocess
    import sys

    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {seconds} s: super-linear work")
    assert done.returncode == 0, done.stderr[-2000:]


# Evidence links in test data are real pages too (found with the search tool).
FDA_KRATOM = (
    "https://fda.gov/news-events/press-announcements/"
    "statement-fda-commissioner-scott-gottlieb-md-new-warning-letters-fda-issuing-companies-marketing"
)


# Debian's Chromium, headless, with nothing that reaches for the network (this
# machine's closed network refuses those connections, many at a time).
CHROMIUM = os.environ.get("HEALTHFLAGS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sample_claims() -> list[dict]:
    """A few claims written for the tests (the shipped seed is tested on its own)."""
    return [
        {
            "id": "kratom-safe-opioid-treatment",
            "text": "Kratom is a safe, natural treatment for opioid addiction.",
            "verdict": "false",
            "summary": "Kratom acts on opioid receptors, can cause dependence and has been "
            "involved in deaths; no trial shows it treats opioid addiction safely.",
            "topic": "kratom",
            "harm": "high",
            "phrasings": [
                "Kratom is a safe and natural way to get off opioids.",
                "You can beat opiate addiction with kratom, it's totally harmless.",
                "Switching to kratom is a risk-free way to quit heroin.",
            ],
            "aliases": {"kratom": ["mitragyna speciosa", "ketum"]},
            "required_terms": ["kratom"],
            "counter_statements": ["Kratom can cause dependence and withdrawal."],
            "reviewed_at": "2026-11-30",
            "evidence": [
                {
                    "url": FDA_KRATOM,
                    "title": "Statement from FDA Commissioner Scott Gottlieb on kratom",
                    "publisher": "U.S. Food and Drug Administration",
                    "source_type": "regulator",
                    "year": 2018,
                },
                {
                    "url": "https://nida.nih.gov/es/publicaciones/drugfacts/kratom",
                    "title": "Kratom (DrugFacts)",
                    "publisher": "National Institute on Drug Abuse",
                    "source_type": "public_health_agency",
                    "year": 2024,
                },
            ],
        },
        {
            "id": "kratom-not-addictive",
            "text": "Kratom is not addictive.",
            "verdict": "false",
            "summary": "Regular kratom use can lead to dependence and withdrawal symptoms.",
            "topic": "kratom",
            "harm": "high",
            "phrasings": [
                "There is no risk of dependence with kratom.",
                "You can't get hooked on kratom.",
                "Kratom causes no withdrawal symptoms.",
            ],
            "evidence": [
                {
                    "url": "https://nida.nih.gov/es/publicaciones/drugfacts/kratom",
                    "title": "Kratom",
                    "publisher": "National Institute on Drug Abuse",
                    "source_type": "public_health_agency",
                    "year": 2024,
                },
            ],
        },
        {
            "id": "vaccines-cause-autism",
            "text": "Vaccines cause autism.",
            "verdict": "false",
            "summary": "Large studies of millions of children find no link between vaccines "
            "and autism.",
            "topic": "vaccines",
            "harm": "high",
            "phrasings": [
                "The MMR jab causes autism.",
                "Childhood vaccinations trigger autism.",
                "Autism is caused by vaccines.",
            ],
            "aliases": {"vaccine": ["jab", "vaccination", "immunisation", "immunization"]},
            "required_terms": ["vaccine", "autism"],
            "evidence": [
                {
                    "url": "https://pubmed.ncbi.nlm.nih.gov/34806766/",
                    "title": "Vaccines for measles, mumps, rubella, and varicella in children",
                    "publisher": "Cochrane Database of Systematic Reviews",
                    "source_type": "systematic_review",
                    "year": 2021,
                },
            ],
        },
        {
            "id": "opioid-agonists-cut-overdose-deaths",
            "text": "Methadone and buprenorphine reduce the risk of dying from an overdose.",
            "verdict": "supported",
            "summary": "People receiving methadone or buprenorphine die of overdose far less "
            "often than people with opioid use disorder who are not treated.",
            "topic": "opioid-treatment",
            "harm": "low",
            "phrasings": [
                "Medication for opioid use disorder cuts overdose deaths.",
                "Buprenorphine treatment lowers the chance of a fatal overdose.",
                "People on methadone are less likely to die of an overdose.",
            ],
            "required_terms": ["overdose"],
            "evidence": [
                {
                    "url": "https://pubmed.ncbi.nlm.nih.gov/28446428/",
                    "title": "Mortality risk during and after opioid substitution treatment",
                    "publisher": "BMJ",
                    "source_type": "systematic_review",
                    "year": 2017,
                },
            ],
        },
    ]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "healthflags.db"


@pytest.fixture
def app(db_path: Path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(db_path),
            "SECRET_KEY": "test",
            "INDEX_CHECK_SECONDS": 0.0,
        }
    )
    db = dbm.open_db(db_path)
    store.import_claims(db, sample_claims(), "system", publish=True)
    db.close()
    return app


@pytest.fixture
def cheap_hashes(app):
    """Hashes made through the web (password change, reset, new users) stay fast."""
    app.config["PASSWORD_HASH_CHEAP"] = True


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class LiveServer:
    url: str
    db_path: Path
    app: object


@pytest.fixture
def live_server(tmp_path: Path):
    """Factory: `live_server(claims)` runs the real app on a real HTTP server on
    127.0.0.1 over a fresh SQLite file holding `claims`, published."""
    servers = []

    def start(claims: list[dict] | None = None, **config) -> LiveServer:
        path = tmp_path / f"live-{len(servers)}.db"
        app = create_app(
            {"DATABASE": str(path), "SECRET_KEY": "test", "INDEX_CHECK_SECONDS": 0.0, **config}
        )
        db = dbm.open_db(path)
        report = store.import_claims(
            db, claims if claims is not None else sample_claims(), "system", publish=True
        )
        db.close()
        assert report["counts"]["invalid"] == 0, report
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        return LiveServer(f"http://127.0.0.1:{server.server_port}", path, app)

    yield start
    for server in servers:
        server.shutdown()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServeProcess:
    """`healthflags serve` (gunicorn) in its own process group, for tests that need
    several real workers, real logs, or a kill -9."""

    url: str
    proc: object
    log: Path

    def kill9(self) -> None:
        import os
        import signal

        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        import os
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


def serve_process(
    db_path: Path, log: Path, *args: str, env: dict | None = None, workers: int = 2
) -> ServeProcess:
    import os
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    script = shutil.which("healthflags", path=str(Path(sys.executable).parent))
    full_env = {**os.environ, **(env or {})}
    full_env.pop("HEALTHFLAGS_DATABASE", None)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [
                script,
                "serve",
                "--db",
                str(db_path),
                "--port",
                str(port),
                "--workers",
                str(workers),
                *args,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/v1/health", timeout=1).read()
            return ServeProcess(url, proc, log)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start within 60 s")


@pytest.fixture(scope="session")
def seed(tmp_path_factory):
    """The shipped database as a first start publishes it: (claims, aliases)."""
    from server import db as dbm
    from server import store

    db = dbm.open_db(tmp_path_factory.mktemp("seed") / "seed.db")
    store.seed_if_new(db)
    claims, aliases = store.index_rows(db)
    db.close()
    return claims, aliases
