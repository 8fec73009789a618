"""What the workspace tests share: a claim as the edit form posts it, and requests
through the workspace (post with a CSRF token, create, a lifecycle step, an upload
and waiting for its import job)."""

from __future__ import annotations

import io
import time

from test_auth import csrf, query

from server import db as dbm
from server import importer, store

NEW_CLAIM = {
    "text": "Chlorine dioxide cures autism in children.",
    "verdict": "false",
    "summary": "Chlorine dioxide is industrial bleach; drinking it harms children and "
    "treats nothing.",
    "topic": "autism-cures",
    "harm": "high",
    "phrasings": "MMS cures autism.\nGiving kids chlorine dioxide heals their autism.",
    "aliases": "chlorine dioxide: mms; miracle mineral solution",
    "required_terms": "autism",
    "counter_statements": "Chlorine dioxide does not treat autism.\nDrinking MMS harms children.",
    "reviewed_at": "2026-12-01",
    "ev_url": "https://www.fda.gov/news-events/press-announcements/chlorine-dioxide",
    "ev_title": "FDA warns consumers not to drink chlorine dioxide",
    "ev_publisher": "U.S. Food and Drug Administration",
    "ev_source_type": "regulator",
    "ev_year": "2019",
    "ev_doi": "",
    "ev_pmid": "",
}


MMS_SENTENCE = "Giving kids chlorine dioxide heals their autism."


def db_of(app) -> dbm.sqlite_utils.Database:
    return dbm.open_db(app.config["DATABASE"])


def version_of(app, claim_id: str) -> str:
    [(version,)] = query(app, "SELECT version FROM claims WHERE id = ?", [claim_id])
    return str(version)


def post(client, path: str, data: dict | None = None, page: str = "/moderate/account", **kw):
    return client.post(path, data={"csrf_token": csrf(client, page), **(data or {})}, **kw)


def create(client, **changes):
    return post(client, "/moderate/claims/new", {**NEW_CLAIM, **changes})


def act(client, app, claim_id: str, action: str, **data):
    return post(
        client,
        f"/moderate/claims/{claim_id}/{action}",
        {"version": version_of(app, claim_id), **data},
    )


def match(client, text: str) -> list[dict]:
    res = client.post("/v1/match", json={"segments": [{"id": "s1", "text": text}]})
    assert res.status_code == 200
    return res.get_json()["matches"]


def status_of(app, claim_id: str) -> tuple:
    return query(app, "SELECT status, pending_status FROM claims WHERE id = ?", [claim_id])[0]


def upload(client, content: bytes, name: str, **extra):
    return post(client, "/moderate/import", {"file": (io.BytesIO(content), name), **extra})


def finished(app, res) -> dict:
    """The import job a 303 points to, once its background thread has finished it."""
    job_id = int(res.headers["Location"].rsplit("/", 1)[1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = importer.get_job(db_of(app), job_id)
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"import {job_id} still {job['status']}")


def reported(
    app,
    passage: str,
    *,
    kind: str = "wrong_flag",
    claim_id: str | None = None,
    url: str | None = None,
    comment: str | None = None,
) -> int:
    """A reader's report, stored as /v1/reports stores it; its number."""
    return store.create_report(
        db_of(app), kind=kind, claim_id=claim_id, passage=passage, url=url, comment=comment
    )["id"]
