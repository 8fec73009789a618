"""Word search over claims: SQLite FTS5 with the porter stemmer, so "vaccine autism"
finds *Vaccines cause autism.*; and the likely duplicates of a claim being written.

The table `claims_fts` holds two rows a claim: its current revision (`kind` current,
what the workspace searches) and its published one (`kind` published, what the public
API searches, so a pending edit's words never surface there). The store calls
`reindex` in the transaction of every change to either revision.
"""

from __future__ import annotations

import json
import re

import sqlite_utils

# Words that carry no subject: dropped from a query unless nothing else is left, so
# "vaccines and autism" still finds a claim that never says "and".
STOPWORDS = frozenset(
    """a an and are as at be been but by can could do does for from has have how if in
    into is it its may might no not of on or so than that the their them then there these
    they this to was were what when which who will with would you your""".split()  # noqa: SIM905
)

SCHEMA = """
CREATE VIRTUAL TABLE claims_fts USING fts5(
  claim_id UNINDEXED, kind UNINDEXED, text, summary, phrasings,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE claims_fts_rows (
  claim_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  fts_rowid INTEGER NOT NULL,
  PRIMARY KEY (claim_id, kind)
);
"""


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def fts_query(q: str, *, prefix: bool = True, columns: str = "") -> str | None:
    """The user's words as an FTS5 query: every word must appear (stemmed), the
    words quoted so no character of theirs is FTS syntax. None when no word is left."""
    found = words(q)
    kept = [w for w in found if w not in STOPWORDS] or found
    if not kept:
        return None
    # The last word may be unfinished (typed as you search): a prefix, once long enough
    # that its stem does not match unrelated words ("mms" must not find "mmr").
    terms = " AND ".join(
        f'"{w}"' + ("*" if prefix and n == len(kept) - 1 and len(w) >= 4 else "")
        for n, w in enumerate(kept)
    )
    return f"{columns} : ({terms})" if columns else terms


def _row(rec: dict) -> dict:
    aliases = [f"{t} {' '.join(n)}" for t, n in (rec.get("aliases") or {}).items()]
    return {
        "text": rec.get("text", ""),
        "summary": rec.get("summary", ""),
        "phrasings": "\n".join([*rec.get("phrasings", []), *aliases]),
    }


def reindex(
    db: sqlite_utils.Database, claim_id: str, kinds: tuple[str, ...] = ("current", "published")
) -> None:
    """Rewrite the claim's rows of `kinds` from its current and published revisions
    (a save changes only the current one, a publish only the published one). A side
    table keeps each row's rowid, so replacing one is a lookup, not a scan of the index."""
    row = db.execute(
        "SELECT current_revision, published_revision FROM claims WHERE id = ?", [claim_id]
    ).fetchone()
    revisions = dict(zip(("current", "published"), row or (None, None), strict=True))
    for kind in kinds:
        old = db.execute(
            "SELECT fts_rowid FROM claims_fts_rows WHERE claim_id = ? AND kind = ?",
            [claim_id, kind],
        ).fetchone()
        if old:
            db.execute("DELETE FROM claims_fts WHERE rowid = ?", [old[0]])
            db.execute(
                "DELETE FROM claims_fts_rows WHERE claim_id = ? AND kind = ?", [claim_id, kind]
            )
        data = db.execute(
            "SELECT data FROM claim_revisions WHERE id = ?", [revisions[kind] or 0]
        ).fetchone()
        if data is None:
            continue
        rowid = db.execute(
            "INSERT INTO claims_fts (claim_id, kind, text, summary, phrasings) "
            "VALUES (:claim_id, :kind, :text, :summary, :phrasings)",
            {"claim_id": claim_id, "kind": kind, **_row(json.loads(data[0]))},
        ).lastrowid
        db.execute(
            "INSERT INTO claims_fts_rows (claim_id, kind, fts_rowid) VALUES (?, ?, ?)",
            [claim_id, kind, rowid],
        )


def reindex_all(db: sqlite_utils.Database) -> None:
    for (claim_id,) in db.execute("SELECT id FROM claims").fetchall():
        reindex(db, claim_id)


def matching_ids_sql(kind: str | None = None) -> str:
    """A subquery of the claim ids whose rows match the `?` query parameter."""
    where = f" AND kind = '{kind}'" if kind in ("current", "published") else ""
    return f"SELECT claim_id FROM claims_fts WHERE claims_fts MATCH ?{where}"


def ranked_ids_sql(kind: str) -> str:
    """A query of (claim_id, score) for the claims matching the `?` parameter (one row
    of `kind` a claim), lower is better: a word in the text weighs most, then the
    phrasings, then the summary. Use it as a MATERIALIZED CTE: bm25 needs the full-text
    query to run as written, not flattened into a join."""
    assert kind in ("current", "published")
    return (
        "SELECT claim_id, bm25(claims_fts, 0, 0, 10.0, 1.0, 4.0) AS score "
        f"FROM claims_fts WHERE claims_fts MATCH ? AND kind = '{kind}'"
    )


def likely_duplicates(db: sqlite_utils.Database, record: dict, limit: int = 5) -> list[dict]:
    """Live claims whose text or phrasings hold every subject word of the new claim's
    text or of one of its phrasings: what a moderator should look at before adding it."""
    texts = [record.get("text") or "", *(record.get("phrasings") or [])]
    found: dict[str, dict] = {}
    for text in texts:
        if len([w for w in words(text) if w not in STOPWORDS]) < 2:
            continue  # one word alone says too little
        query = fts_query(text, prefix=False, columns="{text phrasings}")
        for row in db.query(
            "SELECT c.id, c.text, c.status FROM claims_fts f JOIN claims c ON c.id = f.claim_id "
            "WHERE claims_fts MATCH ? AND f.kind = 'current' AND c.status != 'retired' "
            "AND c.id != ? ORDER BY bm25(claims_fts) LIMIT ?",
            [query, record.get("id") or "", limit],
        ):
            found.setdefault(row["id"], row)
    return list(found.values())[:limit]
