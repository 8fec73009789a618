"""Readers' reports: the queue by state, one report with its history, and
resolving it (with a note, or as a duplicate), then on to the next open one."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from .. import auth, store
from ..db import get_db
from . import bp
from .common import PAGE_SIZE, int_arg, moderator, sentence


@bp.get("/reports")
@auth.require("contributor")
def reports() -> ResponseReturnValue:
    status = request.args.get("status", "open")
    if status not in ("all", *store.REPORT_STATES):
        abort(400, "Unknown report state.")
    page = int_arg("page", 0)
    rows = store.list_reports(
        get_db(),
        status=None if status == "all" else status,
        limit=PAGE_SIZE,
        offset=page * PAGE_SIZE,
    )
    return render_template(
        "moderate/reports.html",
        rows=rows,
        status=status,
        page=page,
        counts=store.report_counts(get_db()),
        states=store.REPORT_STATES,
        page_size=PAGE_SIZE,
    )


@bp.get("/reports/<int:report_id>")
@auth.require("contributor")
def report(report_id: int, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    found = store.get_report(get_db(), report_id)
    if found is None:
        abort(404, "No report has that number.")
    return (
        render_template(
            "moderate/report.html",
            report=found,
            states=store.REPORT_STATES,
            error=error,
            events=store.audit_events(
                get_db(), object_type="report", object_id=str(report_id), limit=50
            ),
        ),
        status,
    )


@bp.post("/reports/<int:report_id>/resolve")
@auth.require("reviewer")
def report_resolve(report_id: int) -> ResponseReturnValue:
    form = request.form
    duplicate_of = form.get("duplicate_of", "").strip().lstrip("#")
    try:
        store.resolve_report(
            get_db(),
            report_id,
            moderator()["email"],
            form.get("status", ""),
            form.get("note", ""),
            int(duplicate_of) if duplicate_of.isdigit() else None,
        )
    except store.NotFound:
        abort(404, "No report has that number.")
    except ValueError as exc:
        return report(report_id, sentence(exc), 422)
    if form.get("then") == "next":
        following = store.next_open_report(get_db(), report_id)
        if following is None:
            return redirect(url_for("moderate.reports", done="resolved_last"), 303)
        return redirect(url_for("moderate.report", report_id=following, done="resolved_next"), 303)
    return redirect(url_for("moderate.report", report_id=report_id, done="resolved"), 303)
