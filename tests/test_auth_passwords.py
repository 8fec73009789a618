"""Passwords: argon2id hashes, and the rules a new one must meet."""

from __future__ import annotations

from test_auth import (
    PASSWORD,
    cheap_hashes,  # noqa: F401  (an autouse fixture)
    make_user,
    query,
)


def test_passwords_are_stored_as_argon2id_hashes(app):
    make_user(app, "ann@example.org", "admin")
    [(stored,)] = query(app, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
