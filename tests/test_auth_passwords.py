"""Passwords: argon2id hashes, and the rules a new one must meet."""

from __future__ import annotations

import pytest
from test_auth import PASSWORD, make_user, query

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: fast hashing


def test_passwords_are_stored_as_argon2id_hashes(app):
    make_user(app, "ann@example.org", "admin")
    [(stored,)] = query(app, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
