"""Likely duplicates: rows whose text or a phrasing is, once folded, another claim's."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

import sqlite_utils


def text_key(text: str) -> str:
    """What two wordings of the same text share: case, accents, punctuation and spacing
    folded away."""
    text = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(re.findall(r"\w+", text))


class DuplicateKeys:
    """The keys of every claim's text and phrasings, each with its claim: a row whose text
    or a phrasing has the key of another claim is a likely duplicate of it. Kept in a
    temporary table (8-byte hashes), so a large file costs no memory."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        db.execute("DROP TABLE IF EXISTS temp.import_keys")
        db.execute("CREATE TEMP TABLE import_keys (key INTEGER PRIMARY KEY, claim_id TEXT)")
        texts = db.execute(
            "SELECT id, text FROM claims WHERE status != 'retired' "
            "UNION ALL SELECT claim_id, text FROM phrasings"
        )
        self._insert((_hash(text), claim_id) for claim_id, text in texts)

    def _insert(self, pairs: Iterable[tuple[int, str]]) -> None:
        self.db.conn.executemany("INSERT OR IGNORE INTO temp.import_keys VALUES (?, ?)", pairs)

    @staticmethod
    def _keys(record: dict) -> list[int]:
        texts = [record.get("text"), *(record.get("phrasings") or [])]
        return [_hash(t) for t in texts if isinstance(t, str) and t.strip()]

    def find(self, record: dict) -> str | None:
        own = record.get("id")
        for key in self._keys(record):
            row = self.db.execute(
                "SELECT claim_id FROM temp.import_keys WHERE key = ?", [key]
            ).fetchone()
            if row and row[0] != own:
                return row[0]
        return None

    def add(self, record: dict, claim_id: str) -> None:
        self._insert((key, claim_id) for key in self._keys(record))


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text_key(text).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
