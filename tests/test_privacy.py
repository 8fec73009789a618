"""Page text is used to answer and never stored or logged (security.md promise 1)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import sample_claims, serve_process, skip_without_semantic

from server import db as dbm
from server import store

CANARY = "zqxcanary7731"


def post(url: str, body) -> int:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(
        url, data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status
    except urllib.error.HTTPError as err:
        return err.code


def files_containing(folder: Path, needle: str) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            hits.append(path.name)
    return hits


@pytest.mark.parametrize("semantic", [False, True], ids=["words", "semantic"])
def test_canary_in_page_text_appears_in_no_log_database_or_temp_file(tmp_path, semantic):
    if semantic:
        skip_without_semantic()
    data, temp = tmp_path / "data", tmp_path / "tmp"
    data.mkdir()
    temp.mkdir()
    db_path = data / "p.db"
    store.import_claims(dbm.open_db(db_path), sample_claims(), "system", publish=True)
    log = data / "server.log"
    env = {"TMPDIR": str(temp), "HEALTHFLAGS_INDEX_CHECK_SECONDS": "0"}
    if semantic:
        env["HEALTHFLAGS_SEMANTIC"] = "1"
    server = serve_process(db_path, log, "--no-seed", env=env)
    try:
        flagged = f"{CANARY} says kratom is a safe, natural cure for opioid addiction."
        # Close to a claim in words but not flagged by them: embedded when semantic is on.
        close = f"{CANARY}: the kratom leaf gets people off opiates with no danger."
        assert (
            post(
                server.url + "/v1/match",
                {
                    "url": f"https://example.org/{CANARY}",
                    "segments": [
                        {"id": CANARY, "text": flagged},
                        {"id": "b", "text": CANARY},
                        {"id": "c", "text": close},
                    ],
                },
            )
            == 200
        )
        assert (
            post(server.url + "/v1/match", {"segments": [{"id": "a", "text": 5, "note": CANARY}]})
            == 422
        )
        assert (
            post(server.url + "/v1/match", {"segments": [{"id": "a", "text": CANARY * 3000}]})
            == 422
        )
        assert post(server.url + "/v1/match", f'{{"segments": "{CANARY}'.encode()) == 400
        # The one exception: a passage the reader chose to send with a report is kept.
        # It also proves this scan can see what lands in the database.
        assert (
            post(
                server.url + "/v1/reports",
                {"kind": "missed_claim", "passage": f"reported {CANARY}-report"},
            )
            == 201
        )
    finally:
        server.stop()
    # Vectors are stored for published claim texts only, never for page text.
    db = dbm.open_db(db_path)
    assert db["claim_vectors"].count == (len(store.published_texts(db)) if semantic else 0)
    db.close()
    assert files_containing(temp, CANARY) == []
    assert CANARY not in log.read_text(errors="replace")
    in_data = files_containing(data, CANARY)
    assert in_data, "the reported passage should be in the database files"
    for name in in_data:
        raw = (data / name).read_bytes()
        assert raw.count(CANARY.encode()) == raw.count(f"{CANARY}-report".encode()), name
