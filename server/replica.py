"""Read-replica mode (`healthflags serve --replica-of URL`, or `REPLICA_OF`).

A replica serves matches, public claims, claim pages and health from a copy of the
primary's SQLite file that Litestream restores and follows (`litestream restore -f`).
It never writes to that copy:

- every request opens the file with SQLite's `mode=ro`, so a write fails in SQLite
  itself, and closes it when the request ends: Litestream's follower applies new
  pages only while no connection holds the file open, so a connection kept per
  thread (as the primary does) would freeze the copy at its first version;
- the workspace and reports answer with an error naming the primary;
- match counts go to Redis when the rate limits use it (the primary's operator can
  fold them in), and are dropped otherwise; API key use counts are not kept.

Behind a balancer every client looks like the balancer: `TRUSTED_PROXIES` names the
addresses whose `X-Forwarded-For` is believed (primary and replicas alike).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from flask import Flask, current_app, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth import KeyUses
from .matcher import Matcher

# Routes that write to the primary's file; everything else only reads.
WRITE_PREFIXES = ("/moderate", "/v1/reports")
COUNTS_KEY = "healthflags:match_counts"  # Redis hash "claim_id|day" -> count


def connect_ro(path: str | Path) -> sqlite_utils.Database:
    """The file opened read-only by SQLite: any write raises OperationalError."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA busy_timeout = 30000")
    return db


def is_replica(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("REPLICA_OF"))


def init_app(app: Flask) -> None:
    """Refuse write routes, and keep counts out of the copy."""
    primary = str(app.config["REPLICA_OF"]).rstrip("/")
    app.extensions["healthflags_matcher"] = ReplicaMatcher(
        app.config["INDEX_CHECK_SECONDS"],
        app.config["MATCH_COUNTS_FLUSH_SECONDS"],
        app.extensions.get("healthflags_embedder"),
        redis_url=_redis_url(app),
    )
    app.extensions["healthflags_key_uses"] = NoKeyUses(0.0)

    @app.errorhandler(sqlite3.OperationalError)
    def copy_unreadable(exc: sqlite3.OperationalError):
        # The follower is restoring the copy afresh: out of the balancer for a moment.
        current_app.logger.warning("replica copy unreadable: %s", exc)
        message = "This replica's copy is being restored; try again in a moment."
        response = jsonify({"error": {"code": "replica_not_ready", "message": message}})
        response.status_code = 503
        return response

    @app.before_request
    def refuse_writes():
        path = request.path
        if not any(path == p or path.startswith(p + "/") for p in WRITE_PREFIXES):
            return None
        message = (
            f"This server is a read-only replica; the workspace and reports are on the "
            f"primary, {primary}."
        )
        if path.startswith("/v1/"):
            response = jsonify(
                {"error": {"code": "read_only_replica", "message": message, "primary": primary}}
            )
        else:
            response = current_app.response_class(
                f"<!doctype html><title>Read-only replica</title><p>{_escape(message)}</p>",
                mimetype="text/html",
            )
        response.status_code = 503
        return response


def init_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For only on connections from TRUSTED_PROXIES."""
    trusted = app.config.get("TRUSTED_PROXIES") or ()
    if isinstance(trusted, str):
        trusted = [t.strip() for t in trusted.split(",") if t.strip()]
    if trusted:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, frozenset(trusted))


class TrustedProxyFix:
    """werkzeug's ProxyFix (one hop), applied only when the peer is a trusted proxy;
    anyone else's X-Forwarded-For is dropped so it cannot pick its own address."""

    def __init__(self, wsgi_app, trusted: frozenset[str]):
        self.plain = wsgi_app
        self.fixed = ProxyFix(wsgi_app, x_for=1)
        self.trusted = trusted

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.fixed(environ, start_response)
        environ.pop("HTTP_X_FORWARDED_FOR", None)
        return self.plain(environ, start_response)


class ReplicaMatcher(Matcher):
    """The primary's matcher, whose counts go to Redis (or nowhere), never the file."""

    def __init__(self, *args, redis_url: str | None = None):
        super().__init__(*args)
        self.redis_url = redis_url
        self._redis = None
        self._redis_lock = threading.Lock()

    def count(self, db, claim_ids: list[str]) -> None:
        if not self.redis_url:
            return
        day = datetime.now(UTC).date().isoformat()
        with self.lock:
            self.counts.update((c, day) for c in claim_ids)
            if time.monotonic() - self.flushed_at < self.flush_seconds:
                return
            pending, self.counts = self.counts, Counter()
            self.flushed_at = time.monotonic()
        try:
            client = self._client()
            with client.pipeline(transaction=False) as pipe:
                for (claim_id, d), n in pending.items():
                    pipe.hincrby(COUNTS_KEY, f"{claim_id}|{d}", n)
                pipe.execute()
        except Exception:  # counts are best effort: never fail a reader's match
            current_app.logger.warning("match counts not sent to Redis")

    def _client(self):
        with self._redis_lock:
            if self._redis is None:
                import redis

                self._redis = redis.Redis.from_url(self.redis_url, socket_timeout=1)
            return self._redis


class NoKeyUses(KeyUses):
    def add(self, db, key_id: int) -> None:
        return None


def _redis_url(app: Flask) -> str | None:
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    return uri if uri.startswith("redis://") else None


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
