"""A claim's life: draft, in review, published, retired (or merged), and the pending
edit of a published claim. Transitions check the version the moderator saw, so nobody
approves or retires a claim that changed under them; publishing copies the revision
into the plain tables matching reads and moves the published version workers watch."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from .. import db as dbm
from .. import search
from ..db import transaction
from . import audit_log
from .base import Conflict, NotFound, now
from .claims import ROW_FIELDS, get_claim, row_sets
from .revisions import revision

PUBLISHED_ROWS = ("phrasings", "aliases", "required_terms", "counter_statements", "evidence")


def submit_claim(db: sqlite_utils.Database, claim_id: str, actor: str) -> dict:
    """Ask for review: a draft claim, or the pending edit of a published one."""
    return _set_state(db, claim_id, actor, "claim.submit", _submit)


def _submit(claim: dict) -> dict:
    if claim["status"] == "published" and claim["pending_status"] == "draft":
        return {"pending_status": "in_review"}
    if claim["status"] == "draft":
        return {"status": "in_review"}
    raise ValueError("only a draft can be submitted for review")


def submit_for_review(
    db: sqlite_utils.Database, claim_id: str, actor: str, expected_version: int | None
) -> dict:
    return _set_state(db, claim_id, actor, "claim.submit", _submit, expected_version)


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
    return _set_state(db, claim_id, actor, action, change)


def retire(
    db: sqlite_utils.Database,
    claim_id: str,
    actor: str,
    expected_version: int | None,
    superseded_by: str | None = None,
) -> dict:
    with transaction(db):
        claim = _check(db, claim_id, expected_version)
        if claim["status"] == "retired":
            raise ValueError("this claim is already retired")
        return retire_claim(db, claim_id, actor, superseded_by or None)


def _set_state(
    db: sqlite_utils.Database,
    claim_id: str,
    actor: str,
    action: str,
    change: Callable[[dict], dict],
    expected_version: int | None = None,
) -> dict:
    with transaction(db):
        claim = _check(db, claim_id, expected_version)
        updates = change(claim)
        sets = ", ".join(f"{k} = ?" for k in updates)
        db.execute(
            f"UPDATE claims SET {sets}, version = version + 1, updated_at = ? WHERE id = ?",
            [*updates.values(), now(), claim_id],
        )
        if claim["status"] == "published" and updates.get("status") == "retired":
            _bump_published_version(db)
        return _record(db, actor, action, claim)


def _state(claim: dict) -> dict:
    keys = ("status", "pending_status", "version", "superseded_by", "published_revision")
    return {k: claim[k] for k in keys}


def _record(db: sqlite_utils.Database, actor: str, action: str, claim: dict, **extra: str) -> dict:
    """Audit a transition (the state before and after, and `extra`); returns the claim."""
    after = get_claim(db, claim["id"])
    before_state, after_state = _state(claim), {**_state(after), **extra}
    audit_log.append(db, actor, action, "claim", claim["id"], before_state, after_state)
    return after


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


def publish_claim(db: sqlite_utils.Database, claim_id: str, actor: str) -> dict:
    """Make the claim's current revision the one readers see and matching uses."""
    with transaction(db):
        claim = _check(db, claim_id, None)
        rec = revision(db, claim["current_revision"])
        _copy_published_rows(db, claim_id, rec)
        stamp = now()
        db.execute(
            "UPDATE claims SET status = 'published', pending_status = NULL, superseded_by = NULL, "
            f"{row_sets()}, reviewed_at = ?, published_revision = current_revision, "
            "published_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [*(rec[k] for k in ROW_FIELDS), rec.get("reviewed_at"), stamp, stamp, claim_id],
        )
        _bump_published_version(db)
        search.reindex(db, claim_id, ("published",))  # the current revision is unchanged
        return _record(db, actor, "claim.publish", claim)


def _copy_published_rows(db: sqlite_utils.Database, claim_id: str, rec: dict) -> None:
    """The published revision's rows, in the plain tables matching reads."""
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


def approve_claim(
    db: sqlite_utils.Database, claim_id: str, actor: str, expected_version: int | None
) -> dict:
    """Publish what is in review, exactly the version the reviewer looked at."""
    with transaction(db):
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
    with transaction(db):
        claim = _check(db, claim_id, expected_version)
        if not in_review(claim):
            raise ValueError("only a claim in review can be sent back")
        column = "status" if claim["status"] == "in_review" else "pending_status"
        db.execute(
            f"UPDATE claims SET {column} = 'draft', version = version + 1, updated_at = ? "
            "WHERE id = ?",
            [now(), claim_id],
        )
        return _record(db, actor, "claim.return", claim, note=note)


def discard_pending(
    db: sqlite_utils.Database, claim_id: str, actor: str, expected_version: int | None
) -> dict:
    """Drop the pending edit of a published claim: the published revision becomes
    current again (the discarded revision stays in the history)."""
    with transaction(db):
        claim = _check(db, claim_id, expected_version)
        if claim["status"] != "published" or claim["pending_status"] is None:
            raise ValueError("this claim has no pending edit")
        db.execute(
            "UPDATE claims SET current_revision = published_revision, pending_status = NULL, "
            "version = version + 1, updated_at = ? WHERE id = ?",
            [now(), claim_id],
        )
        search.reindex(db, claim_id, ("current",))
        return _record(db, actor, "claim.discard", claim)


def _bump_published_version(db: sqlite_utils.Database) -> None:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'published_version'")


def published_version(db: sqlite_utils.Database) -> str:
    return dbm.get_meta(db, "published_version", "0") or "0"
