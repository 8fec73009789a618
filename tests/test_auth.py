"""Moderator accounts: the helpers every workspace test shares (a user, a login, the
CSRF token), and logging in to the workspace. The rest of auth is tested beside its
module: test_auth_passwords, _users, _sessions, _cookies, _csrf, _throttle, _api_keys."""

from __future__ import annotations

import re

import pytest

from server import auth, store
from server import db as dbm

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: fast hashing

PASSWORD = "correct horse battery staple"


# --- helpers shared by the workspace tests -------------------------------------------


def make_user(app, email: str, role: str, password: str = PASSWORD) -> dict:
    db = dbm.open_db(app.config["DATABASE"])
    try:
        return auth.add_user(db, email, password, role, "test", cheap=True)
    finally:
        db.close()


def csrf_of(response) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert found, "the page carries no CSRF token"
    return found.group(1)


def csrf(client, path: str = "/moderate/") -> str:
    return csrf_of(client.get(path))


def login(client, email: str, password: str = PASSWORD, **extra):
    token = csrf(client, "/moderate/login")
    return client.post(
        "/moderate/login",
        data={"email": email, "password": password, "csrf_token": token},
        **extra,
    )


def logged_in(app, role: str, email: str | None = None):
    """A test client logged in as a new user of `role`."""
    email = email or f"{role}@example.org"
    make_user(app, email, role)
    client = app.test_client()
    assert login(client, email).status_code == 303
    return client


def session_cookie(client) -> str | None:
    cookie = client.get_cookie(auth.SESSION_COOKIE, path="/moderate")
    return cookie.value if cookie else None


def audit_count(app) -> int:
    db = dbm.open_db(app.config["DATABASE"])
    try:
        return store.audit_count(db)
    finally:
        db.close()


def query(app, sql: str, params: list | None = None) -> list[tuple]:
    db = dbm.open_db(app.config["DATABASE"])
    try:
        return db.execute(sql, params or []).fetchall()
    finally:
        db.close()


# --- logging in ------------------------------------------------------------------


def test_login_page_is_the_workspace_front_door(client):
    page = client.get("/moderate/")
    assert page.status_code == 200
    assert 'name="password"' in page.get_data(as_text=True)


def test_login_then_the_dashboard(app, client):
    make_user(app, "ann@example.org", "reviewer")
    res = login(client, "ann@example.org")
    assert res.status_code == 303 and res.headers["Location"] == "/moderate/"
    page = client.get("/moderate/").get_data(as_text=True)
    assert "Dashboard" in page and "ann@example.org" in page


def test_login_only_redirects_inside_the_workspace(app, client):
    make_user(app, "ann@example.org", "reviewer")
    token = csrf(client)
    for target, expected in [
        ("/moderate/claims?status=draft", "/moderate/claims?status=draft"),
        ("https://evil.example/", "/moderate/"),
        ("//evil.example/moderate", "/moderate/"),
        ("/v1/health", "/moderate/"),
    ]:
        res = client.post(
            "/moderate/login",
            data={
                "email": "ann@example.org",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
        )
        assert res.headers["Location"] == expected, target
        client.post("/moderate/logout", data={"csrf_token": csrf(client, "/moderate/account")})
        token = csrf(client)
