"""Claims in and out: an upload becomes an import job that runs in the background
(with progress, resume and a row-by-row report); templates to fill in; export in
every format."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from .. import auth, importer, store
from ..db import get_db
from ..formats import FORMATS, FormatError, guess_format, read_rows, write_records
from ..matcher import embed_published
from . import bp
from .common import moderator


@bp.get("/import")
@auth.require("reviewer")
def import_form(
    error: str | None = None, status: int = 200, kept: dict | None = None
) -> ResponseReturnValue:
    importer.mark_dead(get_db())
    return (
        render_template(
            "moderate/import.html",
            formats=FORMATS,
            columns=CSV_COLUMN_HELP,
            statuses=store.CLAIM_STATUSES,
            jobs=importer.list_jobs(get_db()),
            error=error,
            kept=kept,
        ),
        status,
    )


@bp.post("/import")
@auth.require("reviewer")
def import_upload() -> ResponseReturnValue:
    fmt = request.form.get("format") or None
    publish = request.form.get("publish") == "1"
    if publish and not auth.has_role(moderator(), "admin"):
        abort(403, "Only an admin can publish claims on import.")
    if fmt is not None and fmt not in FORMATS:
        abort(400, "Unknown format.")
    kept = _stored_upload()
    if kept is None:
        return import_form("Choose a file to import.", 422)
    fmt, problem = _read_format(kept, fmt)
    if problem:
        return import_form(problem, 422, kept)
    job_id = importer.create_job(
        get_db(),
        actor=moderator()["email"],
        fmt=fmt,
        filename=kept["name"],
        upload_path=kept["path"],
        publish=publish,
        allow_duplicates=request.form.get("allow_duplicates") == "1",
    )
    _run(job_id)
    return redirect(url_for("moderate.import_job", import_id=job_id), 303)


def _stored_upload() -> dict | None:
    """The chosen file, saved where the job can read it; or the one kept from the last try
    (so a moderator who only changes the format does not choose the file again)."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        token = secrets.token_hex(8)
        path = folder / f"{token}.upload"
        upload.save(path)
        return {"token": token, "path": str(path), "name": upload.filename[:200]}
    token, name = request.form.get("kept_token", ""), request.form.get("kept_name", "")
    if re.fullmatch(r"[0-9a-f]{16}", token) and (folder / f"{token}.upload").exists():
        return {"token": token, "path": str(folder / f"{token}.upload"), "name": name[:200]}
    return None


def _read_format(kept: dict, fmt: str | None) -> tuple[str, str | None]:
    """The file's format (as chosen, or guessed from its name and first bytes) and
    why it cannot be imported in it, or None."""
    with open(kept["path"], "rb") as f:
        head = f.read(64 * 1024)
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return fmt or "", "The file is not UTF-8 text; save it as UTF-8."
    fmt = fmt or guess_format(kept["name"], head.decode("utf-8-sig", "ignore"))
    return fmt, _unreadable(kept["path"], fmt)


def _run(job_id: int) -> None:
    """Start (or resume) the job in a background thread; what it publishes gets its
    vectors when it ends, not on a reader's request."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    importer.run_in_background(
        app.config["DATABASE"], job_id, after=lambda db: embed_published(app, db)
    )


def _unreadable(path: str, fmt: str) -> str | None:
    """Why the file cannot be read at all (its first rows tell), or None."""
    try:
        with open(path, "rb") as f:
            for n, _ in enumerate(read_rows(f, fmt)):
                if n >= 20:
                    break
    except FormatError as exc:
        return str(exc)[:1].upper() + str(exc)[1:] + "."
    return None


@bp.get("/imports/<int:import_id>")
@auth.require("reviewer")
def import_job(import_id: int) -> ResponseReturnValue:
    db = get_db()
    importer.mark_dead(db)
    job = importer.get_job(db, import_id)
    if job is None:
        abort(404, "No import has that number.")
    problems_only = request.args.get("show") != "all"
    offset = max(0, request.args.get("offset", 0, type=int))
    rows = importer.job_rows(db, import_id, problems_only=problems_only, offset=offset)
    done = job["status"] == "done" and job["publish"]
    return render_template(
        "moderate/import_job.html",
        job=job,
        generic=len(store.too_generic(db, import_id)) if done else None,
        rows=rows,
        problems_only=problems_only,
        offset=offset,
        page=importer.REPORT_PAGE,
    )


@bp.get("/imports/too-generic")
@auth.require("reviewer")
def too_generic() -> ResponseReturnValue:
    """Published imported claims no person has worked on whose subject is everyday
    words: readers never see a flag for them (issue 16). Fix or retire each."""
    import_id = request.args.get("import_id", type=int)
    claims = store.too_generic(get_db(), import_id)
    return render_template("moderate/too_generic.html", claims=claims, import_id=import_id)


@bp.post("/imports/<int:import_id>/<any(resume, discard):action>")
@auth.require("reviewer")
def import_action(import_id: int, action: str) -> ResponseReturnValue:
    db = get_db()
    try:
        getattr(importer, action)(db, import_id, moderator()["email"])
    except store.NotFound:
        abort(404, "No import has that number.")
    except ValueError as exc:
        abort(409, f"This import cannot be {action}d: {exc}.")
    if action == "resume":
        _run(import_id)
    return redirect(url_for("moderate.import_job", import_id=import_id), 303)


@bp.get("/import/template.<any(csv, json):kind>")
@auth.require("reviewer")
def import_template(kind: str) -> ResponseReturnValue:
    """A file to fill in: two example rows in CSV, or the same claims as ClaimReview."""
    fmt = "csv" if kind == "csv" else "claimreview"
    body = write_records(TEMPLATE_RECORDS, fmt, review_url=lambda cid: None)
    return Response(
        body,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="healthflags-template.{kind}"'},
    )


# The import page's list of columns: what each holds and how to write it.
CSV_COLUMN_HELP = (
    ("id", "optional", "a lowercase slug; made from the text when empty"),
    ("text", "required", "the claim as readers meet it"),
    ("verdict", "required", "false, misleading, unproven, needs_context or supported"),
    ("summary", "required", "what the evidence says, in one or two sentences"),
    ("topic", "required", "a lowercase slug such as kratom"),
    ("harm", "optional", "low, medium (the default) or high"),
    ("phrasings", "at least 3 to publish", "one wording a line"),
    ("aliases", "optional", "one term a line: kratom: mitragyna speciosa; ketum"),
    ("required_terms", "optional", "subject words separated by ;"),
    ("counter_statements", "optional", "one a line: what the evidence says instead"),
    (
        "evidence",
        "at least 2 strong sources to publish",
        "one source a line: url | title | publisher | source type | year (or a JSON list)",
    ),
    ("reviewed_at", "optional", "the day the evidence was checked, YYYY-MM-DD"),
    ("claimant", "optional", "who made the claim: a person, a site or a company"),
    ("claim_date", "optional", "the day the claim was made, YYYY-MM-DD"),
    ("appearance", "optional", "the address of a page where the claim appeared"),
)


TEMPLATE_RECORDS = [
    {
        "id": "replace-with-a-short-slug",
        "text": "Replace this with the claim as readers meet it.",
        "verdict": "false",
        "summary": "Replace this with what the evidence says, in one or two sentences.",
        "topic": "replace-with-a-topic",
        "harm": "medium",
        "phrasings": [
            "First way people word the claim.",
            "Second way, as a forum post would put it.",
            "Third way, as a sales page would put it.",
        ],
        "aliases": {"main term": ["street name", "latin name"]},
        "required_terms": ["main term"],
        "counter_statements": ["What the evidence says instead, in one sentence."],
        "evidence": [
            {
                "url": "https://www.example.org/replace-with-the-source",
                "title": "Title of the source page",
                "publisher": "Who published it",
                "source_type": "public_health_agency",
                "year": 2024,
            }
        ],
        "reviewed_at": "2026-12-07",
    }
]


EXTENSIONS = {"json": "json", "ndjson": "ndjson", "csv": "csv", "claimreview": "jsonld"}


MIMETYPES = {
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "csv": "text/csv",
    "claimreview": "application/ld+json",
}


@bp.get("/export")
@auth.require("contributor")
def export() -> ResponseReturnValue:
    fmt = request.args.get("format", "json")
    status = request.args.get("status") or None
    if fmt not in FORMATS or status not in (None, *store.CLAIM_STATUSES):
        abort(400, "Unknown format or status.")
    records = store.export_records(get_db(), status=status)
    body = write_records(
        records,
        fmt,
        review_url=lambda cid: url_for("pages.claim", claim_id=cid, _external=True),
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    name = f"healthflags-{status or 'all'}-{stamp}.{EXTENSIONS[fmt]}"
    return Response(
        body,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
