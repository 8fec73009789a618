"""The claim store: every read and write of claims, reports and the audit log.

Views and commands call these functions directly. Each write runs in one
`BEGIN IMMEDIATE` transaction together with its audit entry, so a change never
lands without its record.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from . import db as dbm
from . import search
from .claims import clean_claim

SEED_DIR = Path(__file__).parent / "seed"
PUBLISHED_ROWS = ("phrasings", "aliases", "required_terms", "counter_statements", "evidence")


class Conflict(Exception):
    """The claim changed since the editor loaded it."""

    def __init__(self, claim: dict):
        super().__init__(f"claim {claim['id']} is at version {claim['version']}")
        self.claim = claim


class NotFound(LookupError):
    pass


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit(
    db: sqlite_utils.Database,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before=None,
    after=None,
) -> None:
    """Append to the audit log; call inside the transaction of the change."""
    db.execute(
        "INSERT INTO audit_events (at, actor, action, object_type, object_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            now(),
            actor,
            action,
            object_type,
            str(object_id),
            None if before is None else _json(before),
            None if after is None else _json(after),
        ],
    )


def _tx(db: sqlite_utils.Database):
    """A write transaction, or a savepoint inside the caller's."""
    return db.atomic() if db.conn.in_transaction else dbm.write(db)


# --- claims -------------------------------------------------------------------


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


def revision(db: sqlite_utils.Database, revision_id: int) -> dict:
    row = db.execute("SELECT data FROM claim_revisions WHERE id = ?", [revision_id]).fetchone()
    return json.loads(row[0])


def claim_revisions(db: sqlite_utils.Database, claim_id: str) -> list[dict]:
    return [
        {**r, "data": json.loads(r["data"])}
        for r in db.query(
            "SELECT * FROM claim_revisions WHERE claim_id = ? ORDER BY number", [claim_id]
        )
    ]


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
    with _tx(db):
        existing = get_claim(db, rec["id"])
        if existing and expected_version is not None and existing["version"] != expected_version:
            raise Conflict(existing)
        if existing and revision(db, existing["current_revision"]) == rec:
            return existing, "unchanged"
        number = (
            1
            if not existing
            else 1
            + db.execute(
                "SELECT max(number) FROM claim_revisions WHERE claim_id = ?", [rec["id"]]
            ).fetchone()[0]
        )
        stamp = now()
        if not existing:
            # The revision refers to the claim, the claim to its revision: insert
            # the claim first with a placeholder revision, then point it.
            db.execute(
                "INSERT INTO claims (id, status, text, verdict, rating_value, summary, topic, "
                "harm, current_revision, created_at, updated_at) "
                "VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                [
                    rec["id"],
                    rec["text"],
                    rec["verdict"],
                    rec["rating_value"],
                    rec["summary"],
                    rec["topic"],
                    rec["harm"],
                    stamp,
                    stamp,
                ],
            )
        rev_id = db.execute(
            "INSERT INTO claim_revisions (claim_id, number, data, author, comment, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [rec["id"], number, _json(rec), actor, comment, stamp],
        ).lastrowid
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
                "UPDATE claims SET current_revision = ?, text = ?, verdict = ?, rating_value = ?, "
                "summary = ?, topic = ?, harm = ?, version = version + 1, updated_at = ? "
                "WHERE id = ?",
                [
                    rev_id,
                    rec["text"],
                    rec["verdict"],
                    rec["rating_value"],
                    rec["summary"],
                    rec["topic"],
                    rec["harm"],
                    stamp,
                    rec["id"],
                ],
            )
        search.reindex(db, rec["id"], ("current",))
        before = revision(db, existing["current_revision"]) if existing else None
        audit(
            db,
            actor,
            "claim.update" if existing else "claim.create",
            "claim",
            rec["id"],
            before,
            rec,
        )
        return get_claim(db, rec["id"]), "updated" if existing else "created"


def submit_claim(db: sqlite_utils.Database, claim_id: str, actor: str) -> dict:
    """Ask for review: a draft claim, or the pending edit of a published one."""
    return _set_state(db, claim_id, actor, "claim.submit", _submit)


def _submit(claim: dict) -> dict:
    if claim["status"] == "published" and claim["pending_status"] == "draft":
        return {"pending_status": "in_review"}
    if claim["status"] == "draft":
        return {"status": "in_review"}
    raise ValueError("only a draft can be submitted for review")


def retire_claim(
    db: sqlite_utils.Database, claim_id: str, actor: str, superseded_by: str | None = None
) -> dict:
    """Stop matching a claim; with `superseded_by`, merge it into another."""

    def change(claim: dict) -> dict:
        if superseded_by is not None:
            target = get_claim(db, superseded_by)
            if target is None or superseded_by == claim_id or target["status"] == "retired":
                raise ValueError("a claim can only be merged into another live claim")
        return {"status": "retired", "superseded_by": superseded_by, "pending_status": None}

    action = "claim.merge" if superseded_by else "claim.retire"
    claim = _set_state(db, claim_id, actor, action, change)
    return claim


def _set_state(
    db: sqlite_utils.Database,
    claim_id: str,
    actor: str,
    action: str,
    change: Callable[[dict], dict],
    expected_version: int | None = None,
) -> dict:
    with _tx(db):
        claim = get_claim(db, claim_id)
        if claim is None:
            raise NotFound(claim_id)
        if expected_version is not None and claim["version"] != expected_version:
            raise Conflict(claim)
        updates = change(claim)
        sets = ", ".join(f"{k} = ?" for k in updates)
        db.execute(
            f"UPDATE claims SET {sets}, version = version + 1, updated_at = ? WHERE id = ?",
            [*updates.values(), now(), claim_id],
        )
        if claim["status"] == "published" and updates.get("status") == "retired":
            _bump_published_version(db)
        after = get_claim(db, claim_id)
        audit(db, actor, action, "claim", claim_id, _state(claim), _state(after))
        return after


def _state(claim: dict) -> dict:
    keys = ("status", "pending_status", "version", "superseded_by", "published_revision")
    return {k: claim[k] for k in keys}


def publish_claim(db: sqlite_utils.Database, claim_id: str, actor: str) -> dict:
    """Make the claim's current revision the one readers see and matching uses."""
    with _tx(db):
        claim = get_claim(db, claim_id)
        if claim is None:
            raise NotFound(claim_id)
        rec = revision(db, claim["current_revision"])
        for table in PUBLISHED_ROWS:
            db.execute(f"DELETE FROM {table} WHERE claim_id = ?", [claim_id])
        db["phrasings"].insert_all(
            {"claim_id": claim_id, "position": i, "text": t} for i, t in enumerate(rec["phrasings"])
        )
        db["aliases"].insert_all(
            {"claim_id": claim_id, "term": term, "alias": alias}
            for term, names in rec["aliases"].items()
            for alias in names
        )
        db["required_terms"].insert_all(
            {"claim_id": claim_id, "term": t} for t in rec["required_terms"]
        )
        db["counter_statements"].insert_all(
            {"claim_id": claim_id, "position": i, "text": t}
            for i, t in enumerate(rec.get("counter_statements", []))
        )
        db["evidence"].insert_all(
            # current_reason stays in the revision: the readers' rows do not need it
            {"claim_id": claim_id, "position": i, "doi": None, "pmid": None}
            | {k: v for k, v in ev.items() if k != "current_reason"}
            for i, ev in enumerate(rec["evidence"])
        )
        stamp = now()
        db.execute(
            "UPDATE claims SET status = 'published', pending_status = NULL, superseded_by = NULL, "
            "text = ?, verdict = ?, rating_value = ?, summary = ?, topic = ?, harm = ?, "
            "reviewed_at = ?, published_revision = current_revision, published_at = ?, "
            "updated_at = ?, version = version + 1 WHERE id = ?",
            [
                rec["text"],
                rec["verdict"],
                rec["rating_value"],
                rec["summary"],
                rec["topic"],
                rec["harm"],
                rec.get("reviewed_at"),
                stamp,
                stamp,
                claim_id,
            ],
        )
        _bump_published_version(db)
        search.reindex(db, claim_id, ("published",))  # the current revision is unchanged
        after = get_claim(db, claim_id)
        audit(db, actor, "claim.publish", "claim", claim_id, _state(claim), _state(after))
        return after


def _bump_published_version(db: sqlite_utils.Database) -> None:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'published_version'")


def published_version(db: sqlite_utils.Database) -> str:
    return dbm.get_meta(db, "published_version", "0") or "0"


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
        like = _like(q)
        where.append(
            "(text LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\' OR id IN "
            "(SELECT claim_id FROM phrasings WHERE text LIKE ? ESCAPE '\\'))"
        )
        params += [like, like, like]
    if verdict:
        where.append("verdict = ?")
        params.append(verdict)
    if topic:
        where.append("topic = ?")
        params.append(topic)
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


# --- import and seed ----------------------------------------------------------


def import_claims(db: sqlite_utils.Database, records: Iterable[dict], actor: str, **options):
    """Import records held in memory as one job (see `importer.import_records`)."""
    from . import importer  # the job machinery builds on this module

    return importer.import_records(db, records, actor, **options)


def seed_records(seed_dir: Path = SEED_DIR) -> list[dict]:
    records: list[dict] = []
    for path in sorted(seed_dir.glob("*.json")):
        records.extend(json.loads(path.read_text(encoding="utf-8")))
    return records


def seed_if_new(db: sqlite_utils.Database, seed_dir: Path = SEED_DIR) -> dict | None:
    """First start: import the curated claims by `system`, once. They are published,
    except those the seed marks `"status": "draft"` (their evidence is still short of
    the bar): those wait in the workspace for a moderator, unseen by readers. The
    report is the published import's, with the drafts' counts as `drafts`."""
    if dbm.get_meta(db, "seeded") or db.execute("SELECT 1 FROM claims LIMIT 1").fetchone():
        return None
    records = seed_records(seed_dir)
    drafts = [r for r in records if r.get("status") == "draft"]
    ready = [r for r in records if r.get("status") != "draft"]
    report = import_claims(db, ready, "system", publish=True, fmt="seed")
    report["drafts"] = import_claims(db, drafts, "system", fmt="seed")["counts"] if drafts else {}
    with dbm.write(db):
        dbm.set_meta(db, "seeded", now())
    return report


# --- reports ------------------------------------------------------------------


def create_report(
    db: sqlite_utils.Database,
    *,
    kind: str,
    claim_id: str | None,
    passage: str | None,
    url: str | None,
    comment: str | None,
) -> dict:
    with dbm.write(db):
        report_id = db.execute(
            "INSERT INTO reports (kind, claim_id, passage, url, comment, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [kind, claim_id, passage, url, comment, now()],
        ).lastrowid
        audit(
            db,
            "reader",
            "report.create",
            "report",
            str(report_id),
            None,
            {"kind": kind, "claim_id": claim_id},
        )
    return {"id": report_id, "status": "open"}


# --- match counts (aggregates only) ----------------------------------------------


def add_match_counts(db: sqlite_utils.Database, counts: dict[tuple[str, str], int]) -> None:
    if not counts:
        return
    with dbm.write(db):
        db.conn.executemany(
            "INSERT INTO match_counts (claim_id, day, count) VALUES (?, ?, ?) "
            "ON CONFLICT(claim_id, day) DO UPDATE SET count = count + excluded.count",
            [(c, d, n) for (c, d), n in counts.items()],
        )


def export_records(db: sqlite_utils.Database, *, status: str | None = None) -> list[dict]:
    """Each claim's latest revision, with its status, ordered by id."""
    where, params = ("WHERE c.status = ?", [status]) if status else ("", [])
    return [
        {**json.loads(r["data"]), "status": r["status"], "updated_at": r["updated_at"]}
        for r in db.query(
            "SELECT c.status, c.updated_at, r.data FROM claims c "
            f"JOIN claim_revisions r ON r.id = c.current_revision {where} ORDER BY c.id",
            params,
        )
    ]


# --- workspace ----------------------------------------------------------------------
# What the moderators' workspace needs beyond the functions above. Transitions check
# the version the moderator saw, so nobody approves or retires a claim that changed
# under them.

CLAIM_STATUSES = ("draft", "in_review", "published", "retired")
REPORT_STATES = ("open", "actioned", "dismissed_no_action", "duplicate")


class AlreadyExists(ValueError):
    pass


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


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
        params = [query, *params, _like(q)]  # the CTE's parameter comes first
        order = "h.score IS NULL, h.score, " + order
    elif q:
        where.append(
            "(c.id LIKE ? ESCAPE '\\' OR c.text LIKE ? ESCAPE '\\' "
            "OR c.summary LIKE ? ESCAPE '\\' OR r.data LIKE ? ESCAPE '\\')"
        )
        params += [_like(q)] * 4
    if verdict:
        where.append("c.verdict = ?")
        params.append(verdict)
    if topic:
        where.append("c.topic = ?")
        params.append(topic)
    sql_where = ("WHERE " + " AND ".join(where)) if where else ""
    base = f"FROM claims c JOIN claim_revisions r ON r.id = c.current_revision {join} {sql_where}"
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


def create_claim(
    db: sqlite_utils.Database, record: dict, actor: str, *, comment: str | None = None
) -> dict:
    """A new draft; unlike save_claim, never turns into an edit of an existing claim."""
    rec = clean_claim(record)
    with _tx(db):
        if get_claim(db, rec["id"]) is not None:
            raise AlreadyExists(f"a claim with the id {rec['id']} already exists")
        claim, _ = save_claim(db, rec, actor, comment=comment)
        return claim


def _check(db: sqlite_utils.Database, claim_id: str, expected_version: int | None) -> dict:
    claim = get_claim(db, claim_id)
    if claim is None:
        raise NotFound(claim_id)
    if expected_version is not None and claim["version"] != expected_version:
        raise Conflict(claim)
    return claim


def in_review(claim: dict) -> bool:
    return claim["status"] == "in_review" or (
        claim["status"] == "published" and claim["pending_status"] == "in_review"
    )


def submit_for_review(
    db: sqlite_utils.Database, claim_id: str, actor: str, expected_version: int | None
) -> dict:
    return _set_state(db, claim_id, actor, "claim.submit", _submit, expected_version)


def approve_claim(
    db: sqlite_utils.Database, claim_id: str, actor: str, expected_version: int | None
) -> dict:
    """Publish what is in review, exactly the version the reviewer looked at."""
    with _tx(db):
        claim = _check(db, claim_id, expected_version)
        if not in_review(claim):
            raise ValueError("only a claim in review can be approved")
        return publish_claim(db, claim_id, actor)


def return_to_draft(
    db: sqlite_utils.Database,
    claim_id: str,
    actor: str,
    expected_version: int | None,
    note: str = "",
) -> dict:
    """A reviewer sends a claim (or a pending edit) back to its authors, saying why."""
    with _tx(db):
        claim = _check(db, claim_id, expected_version)
        if not in_review(claim):
            raise ValueError("only a claim in review can be sent back")
        column = "status" if claim["status"] == "in_review" else "pending_status"
        db.execute(
            f"UPDATE claims SET {column} = 'draft', version = version + 1, updated_at = ? "
            "WHERE id = ?",
            [now(), claim_id],
        )
        after = get_claim(db, claim_id)
        after_state = {**_state(after), "note": note}
        audit(db, actor, "claim.return", "claim", claim_id, _state(claim), after_state)
        return after


def retire(
    db: sqlite_utils.Database,
    claim_id: str,
    actor: str,
    expected_version: int | None,
    superseded_by: str | None = None,
) -> dict:
    with _tx(db):
        claim = _check(db, claim_id, expected_version)
        if claim["status"] == "retired":
            raise ValueError("this claim is already retired")
        return retire_claim(db, claim_id, actor, superseded_by or None)


def discard_pending(
    db: sqlite_utils.Database, claim_id: str, actor: str, expected_version: int | None
) -> dict:
    """Drop the pending edit of a published claim: the published revision becomes
    current again (the discarded revision stays in the history)."""
    with _tx(db):
        claim = _check(db, claim_id, expected_version)
        if claim["status"] != "published" or claim["pending_status"] is None:
            raise ValueError("this claim has no pending edit")
        db.execute(
            "UPDATE claims SET current_revision = published_revision, pending_status = NULL, "
            "version = version + 1, updated_at = ? WHERE id = ?",
            [now(), claim_id],
        )
        search.reindex(db, claim_id, ("current",))
        after = get_claim(db, claim_id)
        audit(db, actor, "claim.discard", "claim", claim_id, _state(claim), _state(after))
        return after


def revision_info(db: sqlite_utils.Database, revision_id: int) -> dict:
    row = next(db.query("SELECT * FROM claim_revisions WHERE id = ?", [revision_id]))
    return {**row, "data": json.loads(row["data"])}


def audit_events(
    db: sqlite_utils.Database,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict]:
    """The audit log, newest first; `before_id` pages back."""
    where: list[str] = []
    params: list = []
    for column, value in (
        ("actor", actor),
        ("action", action),
        ("object_type", object_type),
        ("object_id", object_id),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if before_id:
        where.append("id < ?")
        params.append(before_id)
    sql_where = ("WHERE " + " AND ".join(where)) if where else ""
    return [
        {
            **r,
            "before": None if r["before"] is None else json.loads(r["before"]),
            "after": None if r["after"] is None else json.loads(r["after"]),
        }
        for r in db.query(
            f"SELECT * FROM audit_events {sql_where} ORDER BY id DESC LIMIT ?", [*params, limit]
        )
    ]


def audit_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM audit_events").fetchone()[0]


# --- workspace: reports ---------------------------------------------------------------


def list_reports(
    db: sqlite_utils.Database,
    *,
    status: str | None = None,
    claim_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict]:
    where: list[str] = []
    params: list = []
    if status:
        where.append("r.status = ?")
        params.append(status)
    if claim_id:
        where.append("r.claim_id = ?")
        params.append(claim_id)
    sql_where = ("WHERE " + " AND ".join(where)) if where else ""
    return list(
        db.query(
            "SELECT r.*, c.text AS claim_text FROM reports r "
            f"LEFT JOIN claims c ON c.id = r.claim_id {sql_where} "
            "ORDER BY r.status != 'open', r.created_at DESC, r.id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    )


def get_report(db: sqlite_utils.Database, report_id: int) -> dict | None:
    rows = list(
        db.query(
            "SELECT r.*, c.text AS claim_text FROM reports r "
            "LEFT JOIN claims c ON c.id = r.claim_id WHERE r.id = ?",
            [report_id],
        )
    )
    return rows[0] if rows else None


def next_open_report(db: sqlite_utils.Database, after_id: int) -> int | None:
    """The open report to look at after `after_id`: the next newer one, else the oldest."""
    row = db.execute(
        "SELECT id FROM reports WHERE status = 'open' AND id != ? ORDER BY id <= ?, id LIMIT 1",
        [after_id, after_id],
    ).fetchone()
    return row[0] if row else None


def report_counts(db: sqlite_utils.Database) -> dict[str, int]:
    counts = dict.fromkeys(REPORT_STATES, 0)
    counts.update(db.execute("SELECT status, count(*) FROM reports GROUP BY status").fetchall())
    return counts


def resolve_report(
    db: sqlite_utils.Database,
    report_id: int,
    actor: str,
    status: str,
    note: str = "",
    duplicate_of: int | None = None,
) -> dict:
    """Move a report to a state (back to `open` too), with a note saying why."""
    if status not in REPORT_STATES:
        raise ValueError(f"status must be one of {', '.join(REPORT_STATES)}")
    note = note.strip()
    if len(note) > 2000:
        raise ValueError("the note is longer than 2000 characters")
    keys = ("status", "resolution_note", "duplicate_of", "resolved_by", "resolved_at")
    with _tx(db):
        report = get_report(db, report_id)
        if report is None:
            raise NotFound(str(report_id))
        if status == "duplicate":
            if duplicate_of in (None, report_id) or get_report(db, duplicate_of) is None:
                raise ValueError("say which other report this one duplicates")
        else:
            duplicate_of = None
        if status == "dismissed_no_action" and not note:
            raise ValueError("say in the note why the report needs no action")
        if status == "open":
            values = ("open", note or None, None, None, None)
        else:
            values = (status, note or None, duplicate_of, actor, now())
        db.execute(
            f"UPDATE reports SET {', '.join(k + ' = ?' for k in keys)} WHERE id = ?",
            [*values, report_id],
        )
        after = get_report(db, report_id)
        audit(
            db,
            actor,
            "report.resolve" if status != "open" else "report.reopen",
            "report",
            str(report_id),
            {k: report[k] for k in keys},
            {k: after[k] for k in keys},
        )
        return after


# --- workspace: imports and the dashboard ---------------------------------------------


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


def match_series(db: sqlite_utils.Database, days: list[str], top: int = 5) -> list[dict]:
    """The `top` most-matched claims over `days` (ISO dates), with a count per day.
    Aggregates only: match_counts never holds page text or addresses."""
    if not days:
        return []
    totals = list(
        db.query(
            "SELECT m.claim_id, sum(m.count) AS total, c.text FROM match_counts m "
            "LEFT JOIN claims c ON c.id = m.claim_id WHERE m.day BETWEEN ? AND ? "
            "GROUP BY m.claim_id ORDER BY total DESC, m.claim_id LIMIT ?",
            [days[0], days[-1], top],
        )
    )
    out = []
    for t in totals:
        per_day = dict(
            db.execute(
                "SELECT day, count FROM match_counts WHERE claim_id = ? AND day BETWEEN ? AND ?",
                [t["claim_id"], days[0], days[-1]],
            ).fetchall()
        )
        out.append({**t, "counts": [per_day.get(d, 0) for d in days]})
    return out


# --- semantic stage: vectors of published texts ------------------------------------------


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
    with _tx(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO claim_vectors (text_hash, model, dim, vector) "
            "VALUES (?, ?, ?, ?)",
            [(key, model, dim, blob) for key, blob in items],
        )
