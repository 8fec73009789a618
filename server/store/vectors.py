"""The semantic stage's vectors, stored by text hash and model: computed once per text."""

from __future__ import annotations

import sqlite_utils

from ..db import transaction
from .public import index_rows


def published_texts(db: sqlite_utils.Database) -> list[str]:
    """Every text the index embeds: each published claim's text and phrasings."""
    claims, _ = index_rows(db)
    return list(dict.fromkeys(t for c in claims for t in [c["text"], *c["phrasings"]]))


def load_vectors(db: sqlite_utils.Database, model: str, keys: list[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, blob in db.execute(
            "SELECT text_hash, vector FROM claim_vectors "
            f"WHERE model = ? AND text_hash IN ({marks})",
            [model, *chunk],
        ).fetchall():
            found[key] = blob
    return found


def save_vectors(
    db: sqlite_utils.Database, model: str, dim: int, items: list[tuple[str, bytes]]
) -> None:
    with transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO claim_vectors (text_hash, model, dim, vector) "
            "VALUES (?, ?, ?, ?)",
            [(key, model, dim, blob) for key, blob in items],
        )
