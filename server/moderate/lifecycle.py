"""A claim's lifecycle: submit for review, approve and publish (never one's own
work while another reviewer exists), send back, retire, merge, discard a pending
edit. Each step checks the version the moderator saw."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, request
from flask.typing import ResponseReturnValue

from .. import auth, store
from ..db import get_db
from ..matcher import embed_published
from . import bp
from .common import claim_or_404, form_version, moderator, sentence, to_claim


def _transition(
    claim_id: str, done: str, action: Callable[..., dict], *args: object
) -> ResponseReturnValue:
    """Run one lifecycle step; a stale version or a wrong state answers 409 with why."""
    claim_or_404(claim_id)
    try:
        action(get_db(), claim_id, moderator()["email"], form_version(), *args)
    except store.Conflict:
        abort(409, "Someone changed this claim since you opened the page. Reload it and look.")
    except ValueError as exc:
        abort(409, sentence(exc))
    if done == "approved":
        embed_published(current_app, get_db())  # its vectors now, not on a reader's request
    return to_claim(claim_id, done)


@bp.post("/claims/<claim_id>/submit")
@auth.require("contributor")
def claim_submit(claim_id: str) -> ResponseReturnValue:
    return _transition(claim_id, "submitted", store.submit_for_review)


@bp.post("/claims/<claim_id>/approve")
@auth.require("reviewer")
def claim_approve(claim_id: str) -> ResponseReturnValue:
    claim = claim_or_404(claim_id)
    own = own_work(claim)
    if own and other_reviewers():
        abort(403, "You wrote this version, and another reviewer can approve it: ask them.")
    if own and request.form.get("self_approve") != "1":
        abort(
            409,
            "You wrote this version. You are the only reviewer, so you may approve it "
            "yourself, but tick the box that says so.",
        )
    return _transition(claim_id, "approved", store.approve_claim)


def own_work(claim: dict) -> bool:
    """Whether the moderator wrote any revision that publishing would make public."""
    since = claim["published_revision"] or 0
    row = (
        get_db()
        .execute(
            "SELECT 1 FROM claim_revisions WHERE claim_id = ? AND id > ? AND author = ? LIMIT 1",
            [claim["id"], since, moderator()["email"]],
        )
        .fetchone()
    )
    return row is not None


def other_reviewers() -> list[str]:
    """Active reviewers and admins other than the moderator."""
    rows = get_db().execute(
        "SELECT email FROM users WHERE role IN ('reviewer', 'admin') AND disabled = 0 "
        "AND id != ? ORDER BY email",
        [moderator()["id"]],
    )
    return [r[0] for r in rows.fetchall()]


@bp.post("/claims/<claim_id>/return")
@auth.require("reviewer")
def claim_return(claim_id: str) -> ResponseReturnValue:
    note = request.form.get("note", "").strip()[:1000]
    return _transition(claim_id, "returned", store.return_to_draft, note)


@bp.post("/claims/<claim_id>/retire")
@auth.require("reviewer")
def claim_retire(claim_id: str) -> ResponseReturnValue:
    return _transition(claim_id, "retired", store.retire, None)


@bp.post("/claims/<claim_id>/merge")
@auth.require("reviewer")
def claim_merge(claim_id: str) -> ResponseReturnValue:
    target = request.form.get("superseded_by", "").strip()
    if not target:
        abort(400, "Say which claim replaces this one.")
    return _transition(claim_id, "merged", store.retire, target)


@bp.post("/claims/<claim_id>/discard")
@auth.require("reviewer")
def claim_discard(claim_id: str) -> ResponseReturnValue:
    return _transition(claim_id, "discarded", store.discard_pending)
