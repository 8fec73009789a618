"""API keys: made and revoked in the workspace, presented on /v1 requests, and their
uses counted in memory and written in batches."""

from __future__ import annotations

import secrets
import threading
import time

import sqlite_utils
from flask import Flask, g, request

from .. import store
from ..db import get_db, transaction
from ..store import audit_log
from .sessions import token_hash

API_KEY_PREFIX = "hf_"


def create_api_key(db: sqlite_utils.Database, name: str, actor: dict) -> tuple[dict, str]:
    """A new key: (its row, the key itself). The key is shown once and stored only
    as a SHA-256 hash: with 256 random bits a plain hash cannot be guessed back."""
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ValueError("give the key a name (up to 100 characters) that says what uses it")
    token = API_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction(db):
        key_id = db.execute(
            "INSERT INTO api_keys (user_id, name, prefix, key_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [actor["id"], name, token[:11], token_hash(token), store.now()],
        ).lastrowid
        row = next(db.query("SELECT * FROM api_keys WHERE id = ?", [key_id]))
        audit_log.append(
            db,
            actor["email"],
            "api_key.create",
            "api_key",
            str(key_id),
            None,
            {"name": name, "prefix": row["prefix"]},
        )
    return row, token


def list_api_keys(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query(
            "SELECT k.id, k.name, k.prefix, k.created_at, k.last_used_at, k.use_count, "
            "k.revoked_at, "
            "u.email AS owner FROM api_keys k LEFT JOIN users u ON u.id = k.user_id "
            "ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC"
        )
    )


def revoke_api_key(db: sqlite_utils.Database, key_id: int, actor: dict) -> dict:
    with transaction(db):
        rows = list(db.query("SELECT * FROM api_keys WHERE id = ?", [key_id]))
        if not rows:
            raise store.NotFound(str(key_id))
        if rows[0]["revoked_at"]:
            raise ValueError("that key is already revoked")
        stamp = store.now()
        db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", [stamp, key_id])
        audit_log.append(
            db,
            actor["email"],
            "api_key.revoke",
            "api_key",
            str(key_id),
            {"name": rows[0]["name"], "revoked_at": None},
            {"name": rows[0]["name"], "revoked_at": stamp},
        )
    return {**rows[0], "revoked_at": stamp}


def presented_api_key() -> str | None:
    """The key a request presents: `Authorization: Bearer hf_…` or `X-API-Key: hf_…`."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("X-API-Key") or None


def request_api_key() -> dict | None:
    """This request's live API key row (looked up once per request), None when it
    presents none; a key that is unknown, revoked or malformed is refused with 401."""
    if "api_key" not in g:
        token = presented_api_key()
        key = None
        if token is not None:
            from ..api import BadRequest

            key = check_api_key(get_db(), token)
            if key is None:
                raise BadRequest(401, "invalid_api_key", "That API key is not valid.")
        g.api_key = key
    return g.api_key


class KeyUses:
    """Uses of each API key, summed in memory and written in batches (at most every
    `flush_seconds`), so that a request with a key does not wait for a write."""

    def __init__(self, flush_seconds: float):
        self.flush_seconds = flush_seconds
        self.counts: dict[int, int] = {}
        self.last: dict[int, str] = {}
        self.flushed_at = time.monotonic()
        self.lock = threading.Lock()

    def add(self, db: sqlite_utils.Database, key_id: int) -> None:
        with self.lock:
            self.counts[key_id] = self.counts.get(key_id, 0) + 1
            self.last[key_id] = store.now()
            if time.monotonic() - self.flushed_at < self.flush_seconds:
                return
            counts, last = self.counts, self.last
            self.counts, self.last = {}, {}
            self.flushed_at = time.monotonic()
        with transaction(db):
            db.conn.executemany(
                "UPDATE api_keys SET use_count = use_count + ?, "
                "last_used_at = max(coalesce(last_used_at, ''), ?) WHERE id = ?",
                [(n, last[k], k) for k, n in counts.items()],
            )


def key_uses(app: Flask) -> KeyUses:
    found = app.extensions.get("healthflags_key_uses")
    if found is None:
        found = app.extensions["healthflags_key_uses"] = KeyUses(
            float(app.config["API_KEY_USES_FLUSH_SECONDS"])
        )
    return found


def check_api_key(db: sqlite_utils.Database, token: str) -> dict | None:
    """The live key row for a presented key, or None (revoked, unknown, or its
    owner's account disabled)."""
    if not token.startswith(API_KEY_PREFIX) or len(token) > 200:
        return None
    rows = list(
        db.query(
            "SELECT k.* FROM api_keys k LEFT JOIN users u ON u.id = k.user_id "
            "WHERE k.key_hash = ? AND k.revoked_at IS NULL AND coalesce(u.disabled, 0) = 0",
            [token_hash(token)],
        )
    )
    return rows[0] if rows else None
