"""Passwords: argon2id hashes, the rules for a new one, and a temporary one an admin
hands over."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; this only bounds the work a request can ask for


def hasher(cheap: bool = False) -> PasswordHasher:
    # Tests use cheap parameters; the library's defaults (argon2id) everywhere else.
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if cheap else PasswordHasher()


def hash_password(password: str, cheap: bool = False) -> str:
    return hasher(cheap).hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified when the email is unknown, so an unknown account costs as much time as
# a wrong password and response times do not reveal who has an account.
_DUMMY_HASHES: dict[bool, str] = {}


def dummy_hash(cheap: bool) -> str:
    if cheap not in _DUMMY_HASHES:
        _DUMMY_HASHES[cheap] = hash_password(secrets.token_hex(16), cheap)
    return _DUMMY_HASHES[cheap]


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"a password can have at most {MAX_PASSWORD} characters")


def generate_password() -> str:
    """A temporary password an admin hands over (about 96 random bits)."""
    return secrets.token_urlsafe(12)
