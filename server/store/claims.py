"""Claims as moderators write and list them: create, edit (a new revision), search,
and the counts the dashboard shows."""

from __future__ import annotations

import sqlite_utils

from .. import search
from ..claims import clean_claim
from ..db import transaction
from . import audit_log
from .base import AlreadyExists, Conflict, filters, like, now, where_sql
from .revisions import add_revision, revision

CLAIM_STATUSES = ("draft", "in_review", "published", "retired")
# The claim row's copy of a revision's fields: what readers and the lists see.
ROW_FIELDS = ("text", "verdict", "rating_value", "summary", "topic", "harm")


def get_claim(db: sqlite_utils.Database, claim_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM claims WHERE id = ?", [claim_id]))
    return rows[0] if rows else None


def is_public(row: dict | None) -> bool:
    """Whether readers may see this claim row: published, or retired after having
    been published. A draft, one in review, or one retired without ever being
    published stays private."""
    return row is not None and (
        row["status"] == "published"
        or (row["status"] == "retired" and row["published_revision"] is not None)
    )


def save_claim(
    db: sqlite_utils.Database,
    record: dict,
    actor: str,
    *,
    comment: str | None = None,
    expected_version: int | None = None,
) -> tuple[dict, str]:
    """Create a claim or add a revision to it. Returns (claim row, what happened):
    `created`, `updated` or `unchanged`. An edit to a published claim becomes a
    pending revision; readers keep seeing the published one."""
    rec = clean_claim(record)
    with transaction(db):
        existing = get_claim(db, rec["id"])
        if existing and expected_version is not None and existing["version"] != expected_version:
            raise Conflict(existing)
        before = revision(db, existing["current_revision"]) if existing else None
        if before == rec:
            return existing, "unchanged"
        stamp = now()
        if existing is None:
            _insert_claim(db, rec, stamp)
        rev_id = add_revision(db, rec, actor, comment, stamp)
        _make_current(db, rec, rev_id, existing, stamp)
        search.reindex(db, rec["id"], ("current",))
        action = "claim.update" if existing else "claim.create"
        audit_log.append(db, actor, action, "claim", rec["id"], before, rec)
        return get_claim(db, rec["id"]), "updated" if existing else "created"


def _insert_claim(db: sqlite_utils.Database, rec: dict, stamp: str) -> None:
    # The revision refers to the claim, the claim to its revision: insert the claim
    # first with a placeholder revision, then point it.
    db.execute(
        f"INSERT INTO claims (id, status, {', '.join(ROW_FIELDS)}, current_revision, "
        f"created_at, updated_at) VALUES (?, 'draft', {', '.join('?' * len(ROW_FIELDS))}, "
        "0, ?, ?)",
        [rec["id"], *(rec[k] for k in ROW_FIELDS), stamp, stamp],
    )


def _make_current(
    db: sqlite_utils.Database, rec: dict, rev_id: int, existing: dict | None, stamp: str
) -> None:
    """Point the claim at its new revision. A published claim keeps showing its
    published fields (the edit waits as pending); any other shows the new ones."""
    if existing is None:
        db.execute("UPDATE claims SET current_revision = ? WHERE id = ?", [rev_id, rec["id"]])
    elif existing["status"] == "published":
        db.execute(
            "UPDATE claims SET current_revision = ?, pending_status = 'draft', "
            "version = version + 1, updated_at = ? WHERE id = ?",
            [rev_id, stamp, rec["id"]],
        )
    else:
        db.execute(
            f"UPDATE claims SET current_revision = ?, {row_sets()}, version = version + 1, "
            "updated_at = ? WHERE id = ?",
            [rev_id, *(rec[k] for k in ROW_FIELDS), stamp, rec["id"]],
        )


def row_sets() -> str:
    """`text = ?, verdict = ?, …`: the SET clause for a revision's copy in the claim row."""
    return ", ".join(f"{k} = ?" for k in ROW_FIELDS)


def create_claim(
    db: sqlite_utils.Database, record: dict, actor: str, *, comment: str | None = None
) -> dict:
    """A new draft; unlike save_claim, never turns into an edit of an existing claim."""
    rec = clean_claim(record)
    with transaction(db):
        if get_claim(db, rec["id"]) is not None:
            raise AlreadyExists(f"a claim with the id {rec['id']} already exists")
        claim, _ = save_claim(db, rec, actor, comment=comment)
        return claim


def list_claims(
    db: sqlite_utils.Database,
    *,
    q: str = "",
    status: str | None = None,
    verdict: str | None = None,
    topic: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """Claims in every state, with their open report counts: the best word matches
    first when `q` has words, else the newest change first. `status` may also be
    `pending`: published claims with an edit waiting."""
    where: list[str] = []
    params: list = []
    cte, join, order = "", "", "c.updated_at DESC, c.id"
    if status == "pending":
        where.append("c.status = 'published' AND c.pending_status IS NOT NULL")
    elif status:
        where.append("c.status = ?")
        params.append(status)
    query = search.fts_query(q) if q else None
    if query:
        # Words, stemmed, in the current revision's text, summary, phrasings and
        # aliases (drafts' too); or the id.
        cte = f"WITH h AS MATERIALIZED ({search.ranked_ids_sql('current')}) "
        join = "LEFT JOIN h ON h.claim_id = c.id"
        where.append("(c.id LIKE ? ESCAPE '\\' OR h.claim_id IS NOT NULL)")
        params = [query, *params, like(q)]  # the CTE's parameter comes first
        order = "h.score IS NULL, h.score, " + order
    elif q:
        where.append(
            "(c.id LIKE ? ESCAPE '\\' OR c.text LIKE ? ESCAPE '\\' "
            "OR c.summary LIKE ? ESCAPE '\\' OR r.data LIKE ? ESCAPE '\\')"
        )
        params += [like(q)] * 4
    extra, values = filters(("c.verdict", verdict), ("c.topic", topic))
    where, params = where + extra, params + values
    joined = f"FROM claims c JOIN claim_revisions r ON r.id = c.current_revision {join}"
    base = f"{joined} {where_sql(where)}"
    total = db.execute(f"{cte}SELECT count(*) {base}", params).fetchone()[0]
    rows = list(
        db.query(
            f"{cte}SELECT c.*, (SELECT count(*) FROM reports p WHERE p.claim_id = c.id "
            f"AND p.status = 'open') AS open_reports {base} "
            f"ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    )
    return rows, total


def all_topics(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT topic FROM claims ORDER BY topic")]


def claim_counts(db: sqlite_utils.Database) -> dict:
    """Claims by status and by verdict × status, and pending edits."""
    by_verdict: dict[str, dict[str, int]] = {}
    by_status = dict.fromkeys(CLAIM_STATUSES, 0)
    for verdict, status, n in db.execute(
        "SELECT verdict, status, count(*) FROM claims GROUP BY verdict, status"
    ):
        by_verdict.setdefault(verdict, dict.fromkeys(CLAIM_STATUSES, 0))[status] = n
        by_status[status] += n
    pending = dict(
        db.execute(
            "SELECT pending_status, count(*) FROM claims WHERE status = 'published' "
            "AND pending_status IS NOT NULL GROUP BY pending_status"
        ).fetchall()
    )
    return {"by_status": by_status, "by_verdict": by_verdict, "pending": pending}


def review_queue(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM claims WHERE status = 'in_review' OR pending_status = 'in_review' "
            "ORDER BY updated_at LIMIT ?",
            [limit],
        )
    )
