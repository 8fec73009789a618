"""Per-client rate limits (flask-limiter), shared by the API and the workspace.

By default counters live in each worker's memory, so the configured limit is split
across the `HEALTHFLAGS_WORKERS` workers that `healthflags serve` starts (each
worker allows its share). With `RATELIMIT_STORAGE_URI = "redis://..."` every worker
and replica shares one counter and the limit is applied as configured.

A client is its address, except on `/v1/match` with an API key: the key is the
client there, with its own limit (`RATELIMIT_API_KEY`), wherever it calls from.
"""

from __future__ import annotations

import os
import re

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def init_app(app: Flask) -> None:
    # Set every time: flask-limiter keeps the previous app's value where one is missing.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)


def per_worker(limit: str, storage_uri: str, workers: int) -> str:
    """`600 per minute` becomes `300 per minute` on each of 2 workers with memory storage."""
    if not storage_uri.startswith("memory://") or workers <= 1:
        return limit

    def share(m: re.Match) -> str:
        return f"{max(1, int(m.group(1)) // workers)}{m.group(2)}"

    return re.sub(r"(\d+)(\s*(?:/|per))", share, limit)


def configured(name: str) -> str:
    """The limit set as `name`, this worker's share of it."""
    cfg = current_app.config
    workers = int(os.environ.get("HEALTHFLAGS_WORKERS", "1"))
    return per_worker(cfg[name], cfg["RATELIMIT_STORAGE_URI"], workers)


def match_client() -> str:
    """Who a /v1/match request counts against: its API key, or its address. A key
    that is not (or no longer) valid is refused with 401, not counted as an address."""
    from . import auth

    key = auth.request_api_key()
    return f"api-key:{key['id']}" if key is not None else get_remote_address()


def match_limit() -> str:
    from . import auth

    key = auth.request_api_key()
    return configured("RATELIMIT_API_KEY" if key is not None else "RATELIMIT_MATCH")


def read_limit() -> str:
    return configured("RATELIMIT_READ")


def report_limit() -> str:
    return configured("RATELIMIT_REPORTS")
