"""Moderator accounts: adding them, roles, disabling, password change and reset, and
checking a login. Each change is audited in its own transaction, and a change that
takes access away ends the account's sessions in that same transaction."""

from __future__ import annotations

import sqlite_utils

from .. import store
from ..db import transaction
from ..store import audit_log
from .passwords import (
    MAX_PASSWORD,
    check_new_password,
    check_password,
    dummy_hash,
    hash_password,
    hasher,
)

ROLES = ("contributor", "reviewer", "admin")


def add_user(
    db: sqlite_utils.Database, email: str, password: str, role: str, actor: str, cheap: bool = False
) -> dict:
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise ValueError("that is not an email address")
    check_new_password(password)
    password_hash = hash_password(password, cheap)  # slow: hashed before the write lock
    with transaction(db):
        if db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
            raise ValueError(f"{email} already has an account")
        user_id = db.execute(
            "INSERT INTO users (email, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            [email, password_hash, role, store.now()],
        ).lastrowid
        audit_log.append(
            db, actor, "user.create", "user", str(user_id), None, {"email": email, "role": role}
        )
    return {"id": user_id, "email": email, "role": role}


def get_user(db: sqlite_utils.Database, user_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def list_users(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query(
            "SELECT u.id, u.email, u.role, u.disabled, u.created_at, u.password_changed_at, "
            "(SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > ?) "
            "AS sessions FROM users u ORDER BY u.email",
            [store.now()],
        )
    )


def _public(user: dict) -> dict:
    return {"email": user["email"], "role": user["role"], "disabled": bool(user["disabled"])}


def _change_user(
    db: sqlite_utils.Database,
    user_id: int,
    actor: str,
    action: str,
    updates: dict,
    *,
    end_sessions: bool = False,
) -> dict:
    """Update a user's row, end their sessions when asked, and audit, in one transaction."""
    with transaction(db):
        user = get_user(db, user_id)
        if user is None:
            raise store.NotFound(str(user_id))
        if updates:
            sets = ", ".join(f"{k} = ?" for k in updates)
            db.execute(f"UPDATE users SET {sets} WHERE id = ?", [*updates.values(), user_id])
        if end_sessions:
            db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
        after = get_user(db, user_id)
        audit_log.append(db, actor, action, "user", str(user_id), _public(user), _public(after))
        return after


def set_role(db: sqlite_utils.Database, user_id: int, role: str, actor: dict) -> dict:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if user_id == actor["id"] and role != "admin":
        raise ValueError("you cannot take away your own admin role")
    return _change_user(db, user_id, actor["email"], "user.role", {"role": role})


def set_disabled(db: sqlite_utils.Database, user_id: int, disabled: bool, actor: dict) -> dict:
    if user_id == actor["id"] and disabled:
        raise ValueError("you cannot disable your own account")
    action = "user.disable" if disabled else "user.enable"
    return _change_user(
        db, user_id, actor["email"], action, {"disabled": int(disabled)}, end_sessions=disabled
    )


def reset_password(
    db: sqlite_utils.Database, user_id: int, password: str, actor: dict, cheap: bool = False
) -> dict:
    """An admin sets a new password; the user's sessions end."""
    check_new_password(password)
    updates = {"password_hash": hash_password(password, cheap), "password_changed_at": store.now()}
    return _change_user(
        db, user_id, actor["email"], "user.password_reset", updates, end_sessions=True
    )


def change_password(
    db: sqlite_utils.Database,
    user: dict,
    current: str,
    new: str,
    cheap: bool = False,
) -> dict:
    """The user changes their own password; every session of theirs ends (the
    caller logs the current browser in again)."""
    row = get_user(db, user["id"])
    if row is None or not check_password(row["password_hash"], current):
        raise ValueError("the current password is not right")
    check_new_password(new)
    if new == current:
        raise ValueError("the new password is the same as the current one")
    updates = {"password_hash": hash_password(new, cheap), "password_changed_at": store.now()}
    return _change_user(
        db, user["id"], user["email"], "user.password_change", updates, end_sessions=True
    )


def authenticate(
    db: sqlite_utils.Database, email: str, password: str, cheap: bool = False
) -> dict | None:
    """The active user with this email and password, or None. Takes about as long
    whether or not the account exists."""
    email = email.strip().lower()
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email]))
    user = rows[0] if rows else None
    if user is None or len(password) > MAX_PASSWORD:
        check_password(dummy_hash(cheap), password[:MAX_PASSWORD])
        return None
    if not check_password(user["password_hash"], password) or user["disabled"]:
        return None
    if hasher(cheap).check_needs_rehash(user["password_hash"]):
        # Parameters changed since this hash was made: upgrade it while we hold the password.
        with transaction(db):
            db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                [hash_password(password, cheap), user["id"]],
            )
    return user
