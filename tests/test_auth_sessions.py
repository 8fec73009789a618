"""Server-side sessions that really end: hashed tokens, logout, expiry, idling."""

from __future__ import annotations

import hashlib

import pytest
from test_auth import audit_count, csrf, logged_in, login, make_user, query, session_cookie

from server import auth
from server import db as dbm

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: fast hashing


def test_the_database_keeps_only_a_hash_of_the_session_token(app, client):
    make_user(app, "ann@example.org", "reviewer")
    login(client, "ann@example.org")
    token = session_cookie(client)
    assert token and len(token) >= 40
    [(stored,)] = query(app, "SELECT id_hash FROM sessions")
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored


def test_a_cookie_replayed_after_logout_opens_nothing(app):
    client = logged_in(app, "admin")
    token = session_cookie(client)
    form_token = csrf(client, "/moderate/account")
    assert client.post("/moderate/logout", data={"csrf_token": form_token}).status_code == 303
    assert query(app, "SELECT count(*) FROM sessions") == [(0,)]

    thief = app.test_client()
    thief.set_cookie(auth.SESSION_COOKIE, token, path="/moderate")
    res = thief.get("/moderate/claims")
    assert res.status_code == 302 and res.headers["Location"].startswith("/moderate/login")
    before = audit_count(app)
    res = thief.post(
        "/moderate/users",
        data={"email": "mallory@example.org", "role": "admin", "csrf_token": form_token},
    )
    assert res.status_code in (401, 403)
    assert audit_count(app) == before
    assert query(app, "SELECT count(*) FROM users WHERE email = 'mallory@example.org'") == [(0,)]


def test_logout_needs_a_post_with_the_csrf_token(app):
    client = logged_in(app, "reviewer")
    assert client.get("/moderate/logout").status_code == 405
    assert client.post("/moderate/logout").status_code == 400
    assert client.get("/moderate/claims").status_code == 200  # still logged in


def test_sessions_expire_after_their_lifetime(app):
    client = logged_in(app, "reviewer")
    db = dbm.open_db(app.config["DATABASE"])
    db.execute("UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z'")
    db.close()
    assert client.get("/moderate/claims").status_code == 302


def test_sessions_end_after_idling(app):
    client = logged_in(app, "reviewer")
    db = dbm.open_db(app.config["DATABASE"])
    db.execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z'")
    db.close()
    assert client.get("/moderate/claims").status_code == 302


def test_session_lifetime_comes_from_config(app):
    app.config["SESSION_LIFETIME"] = 120
    client = logged_in(app, "reviewer")
    [(created, expires)] = query(app, "SELECT created_at, expires_at FROM sessions")
    from datetime import datetime

    span = datetime.fromisoformat(expires) - datetime.fromisoformat(created)
    assert span.total_seconds() == 120
    assert client.get("/moderate/claims").status_code == 200
