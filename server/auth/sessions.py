"""Server-side sessions. A session is a random token in a cookie; the database keeps only
its SHA-256, so a stolen database file opens no session, and deleting the row (logout,
password change, disabled account) ends it for good: a replayed cookie finds nothing."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlite_utils

from ..db import transaction
from ..store import audit_log

TOUCH_SECONDS = 60  # last_seen_at is written at most this often per session


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def create_session(db: sqlite_utils.Database, user: dict, lifetime: int) -> str:
    """Start a session; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    moment = datetime.now(UTC)
    with transaction(db):
        # Housekeeping: expired rows are useless and only ever deleted here.
        db.execute("DELETE FROM sessions WHERE expires_at <= ?", [_stamp(moment)])
        db.execute(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                token_hash(token),
                user["id"],
                _stamp(moment),
                _stamp(moment + timedelta(seconds=lifetime)),
                _stamp(moment),
            ],
        )
        audit_log.append(db, user["email"], "user.login", "user", str(user["id"]))
    return token


def session_user(db: sqlite_utils.Database, token: str, idle_timeout: int) -> dict | None:
    """The user of a live session, or None when it ended, expired, idled out or its
    account was disabled."""
    row = db.execute(
        "SELECT s.id_hash, s.expires_at, s.last_seen_at, u.id, u.email, u.role, u.disabled "
        "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?",
        [token_hash(token)],
    ).fetchone()
    if row is None:
        return None
    id_hash, expires_at, last_seen_at, user_id, email, role, disabled = row
    moment = datetime.now(UTC)
    last_seen = _parse(last_seen_at)
    if disabled or _parse(expires_at) <= moment:
        return None
    if (moment - last_seen).total_seconds() >= idle_timeout:
        return None
    if (moment - last_seen).total_seconds() >= TOUCH_SECONDS:
        with transaction(db):
            db.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", [_stamp(moment), id_hash]
            )
    return {"id": user_id, "email": email, "role": role, "session_hash": id_hash}


def end_session(db: sqlite_utils.Database, user: dict) -> None:
    with transaction(db):
        db.execute("DELETE FROM sessions WHERE id_hash = ?", [user["session_hash"]])
        audit_log.append(db, user["email"], "user.logout", "user", str(user["id"]))


def end_other_sessions(db: sqlite_utils.Database, user: dict) -> int:
    with transaction(db):
        ended = db.execute(
            "DELETE FROM sessions WHERE user_id = ? AND id_hash != ?",
            [user["id"], user["session_hash"]],
        ).rowcount
        audit_log.append(
            db, user["email"], "user.end_sessions", "user", str(user["id"]), None, {"ended": ended}
        )
    return ended
