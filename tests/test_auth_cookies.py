"""The workspace's cookie flags."""

from __future__ import annotations

import pytest
from test_auth import PASSWORD, csrf_of, login, make_user

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: fast hashing


def test_session_cookie_is_httponly_samesite_lax_and_scoped_to_the_workspace(app, client):
    make_user(app, "ann@example.org", "reviewer")
    res = login(client, "ann@example.org")
    [cookie] = [c for c in res.headers.getlist("Set-Cookie") if c.startswith("hf_session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/moderate" in cookie
    # Plain http on a loopback name is local development: no Secure, or the browser drops it.
    assert "Secure" not in cookie


@pytest.mark.parametrize(
    ("base_url", "setting", "secure"),
    [
        ("http://mods.example.org", None, True),
        ("https://localhost", None, True),
        ("http://127.0.0.1:8765", None, False),
        ("http://127.0.0.1:8765", True, True),
        ("http://mods.example.org", False, False),
    ],
)
def test_session_cookie_is_secure_except_on_plain_http_loopback(app, base_url, setting, secure):
    app.config["MODERATE_COOKIE_SECURE"] = setting
    make_user(app, "ann@example.org", "reviewer")
    client = app.test_client()
    page = client.get("/moderate/login", base_url=base_url)
    res = client.post(
        "/moderate/login",
        base_url=base_url,
        data={"email": "ann@example.org", "password": PASSWORD, "csrf_token": csrf_of(page)},
    )
    assert res.status_code == 303
    [cookie] = [c for c in res.headers.getlist("Set-Cookie") if c.startswith("hf_session=")]
    assert ("; Secure" in cookie) is secure
