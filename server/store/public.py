"""What readers see: published claims for the matching index, the API and the
public pages."""

from __future__ import annotations

import base64
from collections.abc import Iterable

import sqlite_utils

from .. import search
from .base import filters, like


def index_rows(db: sqlite_utils.Database) -> tuple[list[dict], dict[str, list[str]]]:
    """Published claims as the matching engine wants them, and the alias groups."""
    claims = {
        r["id"]: {**r, "phrasings": [], "required_terms": [], "counter_statements": []}
        for r in db.query(
            "SELECT id, verdict, text FROM claims WHERE status = 'published' ORDER BY id"
        )
    }
    for table, key, column in (
        ("phrasings", "phrasings", "text"),
        ("required_terms", "required_terms", "term"),
        ("counter_statements", "counter_statements", "text"),
    ):
        for r in db.query(f"SELECT claim_id, {column} AS v FROM {table} ORDER BY id"):
            if r["claim_id"] in claims:
                claims[r["claim_id"]][key].append(r["v"])
    # A claim a person saved in the workspace is curated; one only ever written by an
    # import (a feed's text and verdict) is not, until a moderator edits it.
    for r in db.query(
        "SELECT DISTINCT claim_id FROM claim_revisions WHERE comment IS NOT 'import'"
    ):
        if r["claim_id"] in claims:
            claims[r["claim_id"]]["curated"] = True
    aliases: dict[str, list[str]] = {}
    for r in db.query(
        "SELECT term, alias FROM aliases JOIN claims ON claims.id = aliases.claim_id "
        "WHERE claims.status = 'published' ORDER BY aliases.id"
    ):
        aliases.setdefault(r["term"], []).append(r["alias"])
    return list(claims.values()), aliases


def public_claims(db: sqlite_utils.Database, ids: Iterable[str]) -> dict[str, dict]:
    """Published claims with their evidence, by id."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    out = {
        r["id"]: {**r, "evidence": []}
        for r in db.query(
            "SELECT id, text, verdict, rating_value, summary, topic, harm, updated_at, "
            "reviewed_at "
            # `+status`: look the ids up by primary key, not through the status index
            # (which would scan every published claim: ~2.4 ms per request at 10k).
            f"FROM claims WHERE +status = 'published' AND id IN ({marks})",
            ids,
        )
    }
    for ev in db.query(
        "SELECT claim_id, url, title, publisher, source_type, year, doi, pmid FROM evidence "
        f"WHERE claim_id IN ({marks}) ORDER BY claim_id, position",
        ids,
    ):
        if ev["claim_id"] in out:
            out[ev.pop("claim_id")]["evidence"].append(
                {k: v for k, v in ev.items() if v is not None}
            )
    return out


def list_public_claims(
    db: sqlite_utils.Database,
    *,
    q: str = "",
    verdict: str | None = None,
    topic: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict], str | None]:
    where = ["status = 'published'"]
    params: list = []
    query = search.fts_query(q) if q else None
    if query:
        # Words, stemmed: "vaccine autism" finds "Vaccines cause autism."
        where.append(f"id IN ({search.matching_ids_sql('published')})")
        params.append(query)
    elif q:
        pattern = like(q)
        where.append(
            "(text LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\' OR id IN "
            "(SELECT claim_id FROM phrasings WHERE text LIKE ? ESCAPE '\\'))"
        )
        params += [pattern] * 3
    extra, values = filters(("verdict", verdict), ("topic", topic))
    where, params = where + extra, params + values
    if cursor:
        where.append("id > ?")
        params.append(decode_cursor(cursor))
    ids = [
        r[0]
        for r in db.execute(
            f"SELECT id FROM claims WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
            [*params, limit + 1],
        ).fetchall()
    ]
    more = len(ids) > limit
    ids = ids[:limit]
    found = public_claims(db, ids)
    return [found[i] for i in ids], encode_cursor(ids[-1]) if more else None


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """Raises ValueError for a cursor we did not make."""
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("bad cursor") from exc
    if not value or len(value) > 80:
        raise ValueError("bad cursor")
    return value


def topics(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query(
            "SELECT topic, count(*) AS claims FROM claims WHERE status = 'published' "
            "GROUP BY topic ORDER BY topic"
        )
    )
