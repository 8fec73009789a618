"""Login throttling per account and per address, and device cookies."""

from __future__ import annotations

import pytest
from test_auth import csrf, login, make_user, session_cookie

from server import auth

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: fast hashing


def test_failed_logins_are_throttled_per_account(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make_user(app, "ann@example.org", "reviewer")
    attacker = app.test_client()
    for _ in range(3):
        assert login(attacker, "ann@example.org", "guess guess guess").status_code == 401
    # Over the limit even the right password is not checked, from any address.
    blocked = login(attacker, "ann@example.org")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    elsewhere = app.test_client()
    res = login(elsewhere, "ann@example.org", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert res.status_code == 429
    assert session_cookie(attacker) is None


def test_failed_logins_are_throttled_per_address(app):
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "3 per minute"
    make_user(app, "ann@example.org", "reviewer")
    make_user(app, "bob@example.org", "reviewer")
    sprayer = app.test_client()
    for n in range(3):
        assert login(sprayer, f"user{n}@example.org", "guess guess guess").status_code == 401
    assert login(sprayer, "ann@example.org").status_code == 429
    # Another client is not affected.
    other = app.test_client()
    assert (
        login(other, "bob@example.org", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 303
    )


def test_a_stranger_cannot_lock_anyone_else_out(app):
    """Issue 12, point 4: five wrong passwords from anywhere locked the account for
    everyone, and every other account from the same address; thirty locked it for an
    hour. Now a stranger's failures count against the stranger's address and against
    browsers the account never used; its owner's browser and other people log in."""
    app.config["LOGIN_RATE_LIMIT"] = "5 per minute;30 per hour"
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "10 per minute;100 per hour"
    make_user(app, "ann@example.org", "reviewer")
    make_user(app, "bob@example.org", "reviewer")
    ann = app.test_client()  # her usual browser: she logged in here before
    here = {"environ_base": {"REMOTE_ADDR": "10.0.0.7"}}
    assert login(ann, "ann@example.org", **here).status_code == 303
    assert ann.get_cookie(auth.DEVICE_COOKIE, path="/moderate") is not None
    ann.post("/moderate/logout", data={"csrf_token": csrf(ann)})

    strangers = [app.test_client() for _ in range(4)]
    for n in range(40):  # from four addresses, 40 guesses at ann's password
        who = {"environ_base": {"REMOTE_ADDR": f"10.0.9.{n % 4}"}}
        assert login(
            strangers[n % 4], "ann@example.org", "guess guess guess", **who
        ).status_code in (
            401,
            429,
        )
    # A new browser must wait: guessing stays throttled per account...
    fresh = login(app.test_client(), "ann@example.org", environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert fresh.status_code == 429
    # ...but her own browser logs in at once, and so does bob from his address.
    assert login(ann, "ann@example.org", **here).status_code == 303
    bob = app.test_client()
    assert (
        login(bob, "bob@example.org", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303
    )
    # Her browser's own mistakes are still limited (the device cookie is no free pass).
    ann.post("/moderate/logout", data={"csrf_token": csrf(ann)})
    codes = [
        login(ann, "ann@example.org", "wrong wrong wrong", **here).status_code for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]


def test_a_forged_device_cookie_counts_for_nothing(app):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    make_user(app, "ann@example.org", "reviewer")
    stranger = app.test_client()
    for _ in range(2):
        login(stranger, "ann@example.org", "guess guess guess")
    forged = app.test_client()
    forged.set_cookie(auth.DEVICE_COOKIE, "0" * 64, path="/moderate")
    other = {"environ_base": {"REMOTE_ADDR": "10.0.0.5"}}
    assert login(forged, "ann@example.org", **other).status_code == 429


def test_successful_logins_are_not_throttled(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make_user(app, "ann@example.org", "reviewer")
    for _ in range(6):
        client = app.test_client()
        assert login(client, "ann@example.org").status_code == 303
