"""CSRF: tokens bound to the session or browser, and no cross-site posts."""

from __future__ import annotations

import re

import pytest
from test_auth import PASSWORD, audit_count, csrf, logged_in, make_user, query, session_cookie

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: fast hashing


def test_login_form_needs_its_csrf_token(app, client):
    make_user(app, "ann@example.org", "reviewer")
    data = {"email": "ann@example.org", "password": PASSWORD}
    assert client.post("/moderate/login", data=data).status_code == 400
    client.get("/moderate/")  # sets the pre-login cookie
    res = client.post("/moderate/login", data={**data, "csrf_token": "0" * 64})
    assert res.status_code == 403
    assert session_cookie(client) is None


def test_a_login_token_from_another_browser_is_refused(app):
    make_user(app, "ann@example.org", "reviewer")
    theirs = csrf(app.test_client())
    mine = app.test_client()
    mine.get("/moderate/")
    res = mine.post(
        "/moderate/login",
        data={"email": "ann@example.org", "password": PASSWORD, "csrf_token": theirs},
    )
    assert res.status_code == 403


def test_state_changes_without_a_valid_csrf_token_are_refused(app):
    admin = logged_in(app, "admin")
    other = logged_in(app, "reviewer")
    claim_page = admin.get("/moderate/claims/vaccines-cause-autism").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', claim_page).group(1)
    before = audit_count(app)
    url = "/moderate/claims/vaccines-cause-autism/retire"
    assert admin.post(url, data={"version": version}).status_code == 400
    assert admin.post(url, data={"version": version, "csrf_token": "x" * 64}).status_code == 403
    # A token is bound to its session: another moderator's does not work here.
    stolen = csrf(other, "/moderate/account")
    assert admin.post(url, data={"version": version, "csrf_token": stolen}).status_code == 403
    assert audit_count(app) == before
    assert query(app, "SELECT status FROM claims WHERE id = 'vaccines-cause-autism'") == [
        ("published",)
    ]


def test_cross_site_posts_are_refused_even_with_a_token(app):
    admin = logged_in(app, "admin")
    token = csrf(admin, "/moderate/account")
    res = admin.post(
        "/moderate/api-keys",
        data={"name": "sneaky", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert res.status_code == 403
    res = admin.post(
        "/moderate/api-keys",
        data={"name": "sneaky", "csrf_token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert res.status_code == 403
    assert query(app, "SELECT count(*) FROM api_keys") == [(0,)]


def test_the_token_can_also_travel_in_a_header(app):
    admin = logged_in(app, "admin")
    res = admin.post(
        "/moderate/api-keys",
        data={"name": "via header"},
        headers={"X-CSRF-Token": csrf(admin, "/moderate/account")},
    )
    assert res.status_code == 200
