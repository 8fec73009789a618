"""Claims in the workspace: the list (search, filters, what drafts still lack),
a new claim (with likely duplicates shown first), one claim's page, and editing
(with a conflict page when someone saved in between)."""

from __future__ import annotations

import sqlite_utils
from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from .. import auth, search, store
from ..claims import HARMS, SOURCE_TYPES, VERDICTS, InvalidClaim, clean_claim
from ..db import get_db
from ..matcher import get_matcher
from . import bp
from .bench import index_with
from .common import PAGE_SIZE, claim_or_404, form_version, int_arg, moderator, to_claim
from .forms import error_fields, evidence_checklist, form_values, record_from_form
from .history import diff, revision_lines
from .lifecycle import other_reviewers, own_work


@bp.get("/claims")
@auth.require("contributor")
def claims() -> ResponseReturnValue:
    db = get_db()
    args = request.args
    status = args.get("status") or None
    verdict = args.get("verdict") or None
    if status not in (None, "pending", *store.CLAIM_STATUSES) or verdict not in (None, *VERDICTS):
        abort(400, "Unknown status or verdict.")
    page = int_arg("page", 0)
    rows, total = store.list_claims(
        db,
        q=args.get("q", "").strip()[:200],
        status=status,
        verdict=verdict,
        topic=args.get("topic") or None,
        limit=PAGE_SIZE,
        offset=page * PAGE_SIZE,
    )
    return render_template(
        "moderate/claims.html",
        rows=rows,
        total=total,
        page=page,
        pages=(total + PAGE_SIZE - 1) // PAGE_SIZE,
        topics=store.all_topics(db),
        filters={k: args.get(k, "") for k in ("q", "status", "verdict", "topic")},
        statuses=[*store.CLAIM_STATUSES, "pending"],
        lacks=_lacks(db, rows),
    )


def _lacks(db: sqlite_utils.Database, rows: list[dict]) -> dict[str, list[str]]:
    """What each draft or claim in review still needs by the evidence bar."""
    return {
        r["id"]: evidence_checklist(store.revision(db, r["current_revision"]))
        for r in rows
        if r["status"] in ("draft", "in_review")
    }


def _edit_page(
    claim: dict | None,
    values: dict,
    problems: list[str],
    status: int = 200,
    **extra: object,
) -> ResponseReturnValue:
    return (
        render_template(
            "moderate/edit.html",
            claim=claim,
            values=values,
            problems=problems,
            comment=request.form.get("comment", ""),
            invalid=error_fields(problems),
            **_choices(get_db()),
            **extra,
        ),
        status,
    )


def _choices(db: sqlite_utils.Database) -> dict:
    """What the edit form's lists offer."""
    return {
        "verdicts": list(VERDICTS),
        "harms": HARMS,
        "source_types": SOURCE_TYPES,
        "topics": store.all_topics(db),
    }


@bp.get("/claims/new")
@auth.require("contributor")
def claim_new() -> ResponseReturnValue:
    """An empty form; from a reader's report, the passage they sent filled in."""
    args = request.args
    text = " ".join(args.get("text", "").split())[:500]
    values = form_values(
        {"topic": args.get("topic", ""), "text": text, "phrasings": [text] if text else []}
    )
    report_id = args.get("report", "")
    return _edit_page(None, values, [], from_report=int(report_id) if report_id.isdigit() else None)


@bp.post("/claims/new")
@auth.require("contributor")
def claim_create() -> ResponseReturnValue:
    record, problems = record_from_form(request.form)
    comment = request.form.get("comment", "").strip()[:500] or None
    db = get_db()
    try:
        if problems:
            raise InvalidClaim(problems)
        clean_claim(record)
        twins = search.likely_duplicates(db, record)
        if twins and request.form.get("allow_duplicate") != "1":
            # Look first: the same claim worded a little differently is better
            # added as a phrasing of the one that exists.
            return _edit_page(None, form_values(record), [], 409, duplicates=twins)
        claim = store.create_claim(db, record, moderator()["email"], comment=comment)
    except InvalidClaim as exc:
        return _edit_page(None, form_values(record), exc.problems, 422)
    except store.AlreadyExists as exc:
        return _edit_page(None, form_values(record), [str(exc)], 409)
    if request.form.get("then") == "submit":
        store.submit_for_review(db, claim["id"], moderator()["email"], claim["version"])
        return to_claim(claim["id"], "saved_submitted")
    return to_claim(claim["id"], "created")


@bp.get("/claims/<claim_id>")
@auth.require("contributor")
def claim(claim_id: str) -> ResponseReturnValue:
    db = get_db()
    row = claim_or_404(claim_id)
    current = store.revision_info(db, row["current_revision"])
    published = (
        store.revision_info(db, row["published_revision"]) if row["published_revision"] else None
    )
    pending = row["status"] == "published" and row["pending_status"] is not None
    return render_template(
        "moderate/claim.html",
        claim=row,
        current=current,
        published=published,
        pending=pending,
        pending_diff=diff(revision_lines(published["data"]), revision_lines(current["data"]))
        if pending and published
        else None,
        reports=store.list_reports(db, claim_id=claim_id),
        events=store.audit_events(db, object_type="claim", object_id=claim_id, limit=8),
        merge_targets=[
            r[0]
            for r in db.execute(
                "SELECT id FROM claims WHERE status != 'retired' AND id != ? ORDER BY id",
                [claim_id],
            )
        ],
        successor=store.get_claim(db, row["superseded_by"]) if row["superseded_by"] else None,
        in_review=store.in_review(row),
        own_work=own_work(row),
        other_reviewers=other_reviewers(),
        derived_terms=derived_terms(db, row) if not current["data"]["required_terms"] else [],
        published_by=_published_by(db, claim_id),
    )


def derived_terms(db: sqlite_utils.Database, claim: dict) -> list[str]:
    """The subject words matching requires when the moderator gave none: what the
    engine derives from the phrasings, against the published claims."""
    if claim["status"] == "published" and claim["pending_status"] is None:
        index = get_matcher().current(db)[0]  # the index readers are matched against
    else:
        index, _ = index_with(db, claim, None)  # as if this revision were published
    try:
        pos = list(index.ids).index(claim["id"])
    except ValueError:
        return []
    return [index.term_list[i] for i in index.required(pos).tolist()]


def _published_by(db: sqlite_utils.Database, claim_id: str) -> dict | None:
    """Who approved the version readers see, and when."""
    events = store.audit_events(
        db, object_type="claim", object_id=claim_id, action="claim.publish", limit=1
    )
    return events[0] if events else None


@bp.get("/claims/<claim_id>/edit")
@auth.require("contributor")
def claim_edit(claim_id: str) -> ResponseReturnValue:
    row = claim_or_404(claim_id)
    if row["status"] == "retired":
        abort(409, "A retired claim cannot be edited.")
    current = store.revision_info(get_db(), row["current_revision"])
    return _edit_page(row, form_values(current["data"]), [], base_revision=current["id"])


@bp.post("/claims/<claim_id>/edit")
@auth.require("contributor")
def claim_update(claim_id: str) -> ResponseReturnValue:
    db = get_db()
    row = claim_or_404(claim_id)
    if row["status"] == "retired":
        abort(409, "A retired claim cannot be edited.")
    version = form_version()
    record, problems = record_from_form(request.form, claim_id)
    comment = request.form.get("comment", "").strip()[:500] or None
    try:
        if problems:
            raise InvalidClaim(problems)
        saved, what = store.save_claim(
            db, record, moderator()["email"], comment=comment, expected_version=version
        )
    except InvalidClaim as exc:
        return _edit_page(
            row,
            form_values(record),
            exc.problems,
            422,
            version=version,
            base_revision=request.form.get("base_revision", ""),
        )
    except store.Conflict as exc:
        return _conflict_page(exc.claim, record)
    if request.form.get("then") == "submit" and _submittable(saved):
        # Save and submit in one step: the submit checks the version just saved.
        store.submit_for_review(db, claim_id, moderator()["email"], saved["version"])
        return to_claim(claim_id, "saved_submitted")
    if what == "unchanged":
        return to_claim(claim_id, "unchanged")
    pending = saved["status"] == "published"
    return to_claim(claim_id, "saved_pending" if pending else "saved")


def _submittable(claim: dict) -> bool:
    return claim["status"] == "draft" or (
        claim["status"] == "published" and claim["pending_status"] == "draft"
    )


def _conflict_page(theirs_row: dict, mine: dict) -> ResponseReturnValue:
    """Both versions side by side, what each side changed, and the choice to keep
    theirs or to save mine over it knowingly (with the new version number)."""
    db = get_db()
    theirs = store.revision_info(db, theirs_row["current_revision"])
    try:
        base_id = int(request.form.get("base_revision", ""))
        base = store.revision_info(db, base_id)
        base = base if base["claim_id"] == theirs_row["id"] else None
    except (ValueError, StopIteration):
        base = None
    mine_lines = revision_lines(mine)
    theirs_lines = revision_lines(theirs["data"])
    return (
        render_template(
            "moderate/conflict.html",
            claim=theirs_row,
            theirs=theirs,
            theirs_lines=theirs_lines,
            mine_lines=mine_lines,
            their_changes=diff(revision_lines(base["data"]), theirs_lines) if base else None,
            my_changes=diff(revision_lines(base["data"]), mine_lines) if base else None,
            theirs_to_mine=diff(theirs_lines, mine_lines),
            values=form_values(mine),
            comment=request.form.get("comment", ""),
            **_choices(db),
        ),
        409,
    )
