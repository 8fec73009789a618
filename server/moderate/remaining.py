"""The moderators' workspace: HTML pages under /moderate.

Views call the store directly. Every request loads its user from the session
cookie, every state-changing request carries a CSRF token, and every view states
the least role it needs (`auth.require`), so the role × route test can check them
all. Responses are never cached and never framed; no CORS here (flask-cors covers
only /v1/*).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils
from flask import (
    abort,
    current_app,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from .. import auth, search, store
from ..api import settings as match_settings
from ..claims import (
    HARMS,
    SOURCE_TYPES,
    VERDICTS,
    InvalidClaim,
    clean_claim,
)
from ..db import get_db
from ..matcher import embed_published, get_matcher, store_vectors
from ..matching import Index, Match, Semantic, build_index, find_matches
from ..matching.semantic import phrasing_texts
from ..matching.sentences import split_sentences
from ..pagetext import looks_like_html, segments_from_html, segments_from_text
from . import bp
from .common import (
    PAGE_SIZE,
    claim_or_404,
    form_version,
    int_arg,
    moderator,
    sentence,
    to_claim,
)
from .forms import error_fields, evidence_checklist, form_values, record_from_form
from .history import diff, revision_lines

# --- login, logout, account ---------------------------------------------------------------


# --- dashboard -------------------------------------------------------------------------------


# --- claims: list, create, view, edit ---------------------------------------------------------


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
            verdicts=list(VERDICTS),
            harms=HARMS,
            source_types=SOURCE_TYPES,
            topics=store.all_topics(get_db()),
            comment=request.form.get("comment", ""),
            invalid=error_fields(problems),
            **extra,
        ),
        status,
    )


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
        own_work=_own_work(row),
        other_reviewers=_other_reviewers(),
        derived_terms=derived_terms(db, row) if not current["data"]["required_terms"] else [],
        published_by=_published_by(db, claim_id),
    )


def derived_terms(db: sqlite_utils.Database, claim: dict) -> list[str]:
    """The subject words matching requires when the moderator gave none: what the
    engine derives from the phrasings, against the published claims."""
    if claim["status"] == "published" and claim["pending_status"] is None:
        index = get_matcher().current(db)[0]  # the index readers are matched against
    else:
        index, _ = _index_with(db, claim, None)  # as if this revision were published
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
            verdicts=list(VERDICTS),
            harms=HARMS,
            source_types=SOURCE_TYPES,
            topics=store.all_topics(db),
        ),
        409,
    )


# --- claims: lifecycle ---------------------------------------------------------------------------


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
    own = _own_work(claim)
    if own and _other_reviewers():
        abort(403, "You wrote this version, and another reviewer can approve it: ask them.")
    if own and request.form.get("self_approve") != "1":
        abort(
            409,
            "You wrote this version. You are the only reviewer, so you may approve it "
            "yourself, but tick the box that says so.",
        )
    return _transition(claim_id, "approved", store.approve_claim)


def _own_work(claim: dict) -> bool:
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


def _other_reviewers() -> list[str]:
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


# --- claims: history and diffs -------------------------------------------------------------------


# --- test bench -----------------------------------------------------------------------------------


def _bench_segments(text: str, upload: FileStorage | None) -> tuple[list[dict], list[str]]:
    cfg = current_app.config
    notes: list[str] = []
    if upload is not None and upload.filename:
        html = upload.read().decode("utf-8", errors="replace")
        segments = segments_from_html(html)
    elif looks_like_html(text):
        segments = segments_from_html(text)
    else:
        segments = segments_from_text(text)
    if len(segments) > cfg["MATCH_MAX_SEGMENTS"]:
        notes.append(f"Only the first {cfg['MATCH_MAX_SEGMENTS']} blocks of text were checked.")
        segments = segments[: cfg["MATCH_MAX_SEGMENTS"]]
    limit = cfg["MATCH_MAX_SEGMENT_CHARS"]
    if any(len(s["text"]) > limit for s in segments):
        notes.append(f"Blocks longer than {limit} characters were cut (the API refuses them).")
        segments = [{**s, "text": s["text"][:limit]} for s in segments]
    return segments, notes


def _index_with(
    db: sqlite_utils.Database, claim: dict, semantic: Semantic | None
) -> tuple[Index, Semantic | None]:
    """The published index as it would be with `claim`'s current revision published,
    and its vectors if the semantic stage is on."""
    rec = store.revision(db, claim["current_revision"])
    claims, aliases = store.index_rows(db)
    claims = [c for c in claims if c["id"] != claim["id"]]
    claims.append(
        {
            "id": rec["id"],
            "verdict": rec["verdict"],
            "text": rec["text"],
            "phrasings": rec["phrasings"],
            "required_terms": rec["required_terms"],
        }
    )
    merged = {term: list(names) for term, names in aliases.items()}
    for term, names in rec["aliases"].items():
        merged.setdefault(term, []).extend(n for n in names if n not in merged.get(term, []))
    index = build_index(claims, aliases=merged)
    if semantic is None:
        return index, None
    vectors = store_vectors(
        db, current_app.extensions["healthflags_embedder"], phrasing_texts(index, claims)
    )
    return index, Semantic(vectors, semantic.embed)


def _bench_rows(
    db: sqlite_utils.Database, matches: list[Match], claim_texts: dict[str, dict]
) -> list[dict]:
    return [
        {"match": m, "claim": claim_texts.get(m.claim_id) or store.get_claim(db, m.claim_id)}
        for m in matches
    ]


def unflagged(segments: list[dict], matches: list[Match]) -> list[str]:
    """The sentences no match touches, in page order: what passed."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for m in matches:
        spans.setdefault(m.segment_id, []).append((m.start, m.end))
    out = []
    for seg in segments:
        text = seg["text"]
        for start, end in split_sentences(text):
            # Matches count UTF-16 code units; sentences count code points.
            lo = len(text[:start].encode("utf-16-le")) // 2
            hi = lo + len(text[start:end].encode("utf-16-le")) // 2
            if not any(a < hi and lo < b for a, b in spans.get(seg["id"], [])):
                out.append(text[start:end])
    return out


@bp.get("/bench")
@auth.require("contributor")
def bench() -> ResponseReturnValue:
    # `text` fills the box (from a reader's report); nothing runs until Check.
    return _bench_page(request.args.get("claim", ""), text=request.args.get("text", "")[:20000])


def _bench_page(claim_id: str, text: str = "", **extra: object) -> str:
    db = get_db()
    choices = list(
        db.query(
            "SELECT id, status, pending_status FROM claims WHERE status != 'retired' "
            "AND (status != 'published' OR pending_status IS NOT NULL) ORDER BY id"
        )
    )
    return render_template(
        "moderate/bench.html", claim_id=claim_id, choices=choices, text=text, **extra
    )


@bp.post("/bench")
@auth.require("contributor")
def bench_run() -> ResponseReturnValue:
    """What a page would get flagged, now and with the chosen claim published. The
    text is used for this answer only: never stored, never counted, never logged."""
    db = get_db()
    text = request.form.get("text", "")
    claim_id = request.form.get("claim", "").strip()
    segments, notes = _bench_segments(text, request.files.get("page"))
    if not segments:
        error = "Paste some text or choose an HTML file."
        return _bench_page(claim_id, text=text, error=error), 422
    settings = match_settings()
    index, _version, semantic = get_matcher().current(db)
    published = find_matches(index, segments, settings, semantic)
    draft = draft_rows = None
    draft_matches: list[Match] = []
    if claim_id:
        draft = store.get_claim(db, claim_id)
        if draft is None:
            return _bench_page(claim_id, text=text, error="No claim has that id."), 422
        draft_index, draft_semantic = _index_with(db, draft, semantic)
        draft_matches = find_matches(draft_index, segments, settings, draft_semantic)
        rec = store.revision(db, draft["current_revision"])
        draft_rows = _bench_rows(db, draft_matches, {draft["id"]: {**draft, **rec}})
    page = _bench_page(
        claim_id,
        text=text,
        segments=len(segments),
        notes=notes,
        published_rows=_bench_rows(db, published, {}),
        published_passed=unflagged(segments, published),
        draft=draft,
        draft_rows=draft_rows,
        draft_passed=unflagged(segments, draft_matches) if draft else [],
    )
    return page


# --- reports --------------------------------------------------------------------------------------


# --- import and export ----------------------------------------------------------------------------


# --- users and API keys (admin) ------------------------------------------------------
