"""Each worker's index of the published claims, rebuilt when the set changes.

A worker checks the database's published version at most every
`INDEX_CHECK_SECONDS`, so a publish reaches every worker within seconds without
any messaging between them. Match counts are summed here and written in batches:
aggregate numbers per claim and day, never page text or addresses.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import sqlite_utils
from flask import Flask, current_app

from . import store
from .matching import Index, build_index


class Matcher:
    def __init__(self, check_seconds: float, flush_seconds: float):
        self.check_seconds = check_seconds
        self.flush_seconds = flush_seconds
        self.index: Index | None = None
        self.version: str | None = None
        self.checked_at = 0.0
        self.counts: Counter[tuple[str, str]] = Counter()
        self.flushed_at = time.monotonic()
        self.lock = threading.Lock()

    def current(self, db: sqlite_utils.Database) -> tuple[Index, str]:
        now = time.monotonic()
        if self.index is None or now - self.checked_at >= self.check_seconds:
            with self.lock:
                version = store.published_version(db)
                if self.index is None or version != self.version:
                    claims, aliases = store.index_rows(db)
                    self.index = build_index(claims, aliases=aliases)
                    self.version = version
                self.checked_at = now
        return self.index, self.version

    def count(self, db: sqlite_utils.Database, claim_ids: list[str]) -> None:
        day = datetime.now(UTC).date().isoformat()
        with self.lock:
            self.counts.update((c, day) for c in claim_ids)
            due = time.monotonic() - self.flushed_at >= self.flush_seconds
            pending = dict(self.counts) if due else None
            if due:
                self.counts.clear()
                self.flushed_at = time.monotonic()
        if pending:
            store.add_match_counts(db, pending)


def ensure_vectors(db: sqlite_utils.Database, embedder) -> dict[str, np.ndarray]:
    """Vectors of every published text, computing (and storing) only the missing ones:
    a publish embeds its new phrasings once, never per request. Groundwork for the
    semantic stage (issue 8): the engine does not use them yet."""
    from .matching.embed import DIM, MODEL_ID, from_blob, text_key, to_blob

    texts = store.published_texts(db)
    keys = [text_key(t) for t in texts]
    stored = store.load_vectors(db, MODEL_ID, keys)
    missing = [(t, k) for t, k in zip(texts, keys, strict=True) if k not in stored]
    if missing:
        fresh = embedder.embed([t for t, _ in missing])
        items = [(k, to_blob(v)) for (_, k), v in zip(missing, fresh, strict=True)]
        store.save_vectors(db, MODEL_ID, DIM, items)
        stored.update(items)
    return {t: from_blob(stored[k]) for t, k in zip(texts, keys, strict=True)}


def get_matcher(app: Flask | None = None) -> Matcher:
    app = app or current_app
    matcher = app.extensions.get("healthflags_matcher")
    if matcher is None:
        matcher = app.extensions["healthflags_matcher"] = Matcher(
            app.config["INDEX_CHECK_SECONDS"],
            app.config["MATCH_COUNTS_FLUSH_SECONDS"],
        )
    return matcher
