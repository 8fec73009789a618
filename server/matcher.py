"""Each worker's index of the published claims, rebuilt when the set changes.

A worker checks the database's published version at most every
`INDEX_CHECK_SECONDS`, so a publish reaches every worker within seconds without
any messaging between them. Match counts are summed here and written in batches:
aggregate numbers per claim and day, never page text or addresses.

With the semantic stage on (`SEMANTIC`), the index comes with a vector per
phrasing. Vectors are stored in SQLite by text hash and model and computed only
for texts that have none: an import or a publish embeds its new texts once
(`store_vectors`), never a request.
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
from .matching import Index, Semantic, build_index
from .matching.semantic import phrasing_texts


class Matcher:
    def __init__(self, check_seconds: float, flush_seconds: float, embedder=None):
        self.check_seconds = check_seconds
        self.flush_seconds = flush_seconds
        self.embedder = embedder
        # (index, version, semantic), swapped whole so readers never see a mix.
        self.state: tuple[Index, str, Semantic | None] | None = None
        self.checked_at = 0.0
        self.counts: Counter[tuple[str, str]] = Counter()
        self.flushed_at = time.monotonic()
        self.lock = threading.Lock()

    def current(self, db: sqlite_utils.Database) -> tuple[Index, str, Semantic | None]:
        """The index of the published claims, its version, and its vectors when the
        semantic stage is on, consistent with each other."""
        now = time.monotonic()
        if self.state is None or now - self.checked_at >= self.check_seconds:
            with self.lock:
                version = store.published_version(db)
                if self.state is None or version != self.state[1]:
                    claims, aliases = store.index_rows(db)
                    index = build_index(claims, aliases=aliases)
                    semantic = None
                    if self.embedder is not None:
                        texts = phrasing_texts(index, claims)
                        semantic = Semantic(
                            store_vectors(db, self.embedder, texts), self.embedder.embed
                        )
                    self.state = (index, version, semantic)
                self.checked_at = now
        return self.state

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


def store_vectors(db: sqlite_utils.Database, embedder, texts: list[str]) -> np.ndarray:
    """The vectors of `texts` (one row each), from the database where stored; the
    missing ones are computed and stored first. Held as float16: half the memory
    (15 MB at 10,000 claims), and a cosine moves by about 0.001."""
    from .matching.embed import DIM, MODEL_ID, from_blob, text_key, to_blob

    keys = [text_key(t) for t in texts]
    stored = store.load_vectors(db, MODEL_ID, list(dict.fromkeys(keys)))
    missing = list({k: t for t, k in zip(texts, keys, strict=True) if k not in stored}.items())
    if missing:
        fresh = embedder.embed([t for _, t in missing])
        items = [(k, to_blob(v)) for (k, _), v in zip(missing, fresh, strict=True)]
        store.save_vectors(db, MODEL_ID, DIM, items)
        stored.update(items)
    out = np.zeros((len(texts), DIM), dtype=np.float16)
    for i, k in enumerate(keys):
        out[i] = from_blob(stored[k])
    return out


def embed_published(app: Flask, db: sqlite_utils.Database) -> int:
    """Compute the vectors of published texts that have none (after an import or a
    publish); the number of texts. Does nothing with the semantic stage off."""
    embedder = app.extensions.get("healthflags_embedder")
    if embedder is None:
        return 0
    texts = store.published_texts(db)
    store_vectors(db, embedder, texts)
    return len(texts)


def get_matcher(app: Flask | None = None) -> Matcher:
    app = app or current_app
    matcher = app.extensions.get("healthflags_matcher")
    if matcher is None:
        matcher = app.extensions["healthflags_matcher"] = Matcher(
            app.config["INDEX_CHECK_SECONDS"],
            app.config["MATCH_COUNTS_FLUSH_SECONDS"],
            app.extensions.get("healthflags_embedder"),
        )
    return matcher
