"""Passwords: argon2id hashes, and the rules a new one must meet."""

from __future__ import annotations

from test_auth import PASSWORD, cheap_hashes, csrf, logged_in, make_user, query  # noqa: F401  (cheap_hashes: an autouse fixture)


def test_passwords_are_stored_as_argon2id_hashes(app):
    make_user(app, "ann@example.org", "admin")
    [(stored,)] = query(app, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_short_passwords_are_refused(app):
    client = logged_in(app, "reviewer")
    res = client.post(
        "/moderate/account/password",
        data={
            "csrf_token": csrf(client, "/moderate/account"),
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
        },
    )
    assert res.status_code == 422 and "12 characters" in res.get_data(as_text=True)
