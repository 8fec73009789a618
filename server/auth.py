"""Moderator accounts: password hashing (argon2id) and user records."""

from __future__ import annotations

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import store
from .db import write

ROLES = ("contributor", "reviewer", "admin")
MIN_PASSWORD = 12


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


def add_user(
    db: sqlite_utils.Database, email: str, password: str, role: str, actor: str, cheap: bool = False
) -> dict:
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise ValueError("that is not an email address")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
            raise ValueError(f"{email} already has an account")
        user_id = db.execute(
            "INSERT INTO users (email, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            [email, hash_password(password, cheap), role, store.now()],
        ).lastrowid
        store.audit(
            db, actor, "user.create", "user", str(user_id), None, {"email": email, "role": role}
        )
    return {"id": user_id, "email": email, "role": role}
