"""What every workspace view shares: the request hooks (session, CSRF, upload
limits, no caching), the names every template sees, the fixed messages a
redirect may show, and the small helpers views use to answer."""

from __future__ import annotations

from flask import Response, abort, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from .. import auth, evidence, store, wording
from ..claims import SOURCE_LABELS, VERDICT_LABELS
from ..db import get_db
from ..wording import REPORT_LABELS, STATUS_LABELS
from . import bp
from .display import changes, claim_texts, pretty
from .forms import evidence_checklist

PAGE_SIZE = 50
# After a redirect the page says what happened; only these fixed texts can appear.
MESSAGES = {
    "created": "Draft created.",
    "saved": "Saved.",
    "saved_pending": "Saved as a pending edit: readers keep seeing the published version "
    "until a reviewer approves it.",
    "unchanged": "Nothing changed, so nothing was saved.",
    "submitted": "Sent for review.",
    "saved_submitted": "Saved and sent for review.",
    "approved": "Approved and published. Matching picks it up within seconds.",
    "returned": "Sent back to draft.",
    "retired": "Retired: it is no longer matched.",
    "merged": "Merged: it is retired and points to the claim that replaces it.",
    "discarded": "Pending edit discarded; the published version is current again.",
    "resolved": "Report updated.",
    "resolved_next": "Report updated. This is the next open report.",
    "resolved_last": "Report updated. No open reports are left.",
    "logged_out": "You are logged out.",
    "password_changed": "Password changed. Your other sessions have ended.",
    "sessions_ended": "Your other sessions have ended.",
    "user_updated": "Account updated.",
    "key_revoked": "API key revoked.",
}
# Views that take uploads get a larger body limit than the JSON API's, once logged in.
UPLOAD_ENDPOINTS = {"moderate.import_upload", "moderate.bench_run"}


# --- every request ---------------------------------------------------------------------


@bp.before_request
def before() -> None:
    auth.load_user()
    if request.endpoint in UPLOAD_ENDPOINTS and g.user is not None:
        limit = current_app.config["MODERATE_MAX_UPLOAD"]
        request.max_content_length = limit
        request.max_form_memory_size = limit
    auth.check_csrf()


@bp.after_request
def after(response: Response) -> Response:
    # create_app's security_headers adds the CSP, framing and sniffing headers.
    auth.save_csrf_seed(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> ResponseReturnValue:
    code = exc.code or 500
    return render_template("moderate/error.html", code=code, exc=exc), code


@bp.context_processor
def template_globals() -> dict:
    return {
        "user": auth.current_user(),
        "csrf_token": auth.csrf_token,
        "has_role": lambda role: auth.has_role(auth.current_user(), role),
        "verdict_labels": VERDICT_LABELS,
        "status_labels": STATUS_LABELS,
        "report_labels": REPORT_LABELS,
        "source_labels": SOURCE_LABELS,
        "message": MESSAGES.get(request.args.get("done", "")),
        "pretty": pretty,
        "changes": changes,
        "action_words": wording.ACTION_WORDS,
        "min_password": auth.MIN_PASSWORD,
        "claim_texts": claim_texts,
        "evidence_checklist": evidence_checklist,
        "evidence_horizon": evidence.HORIZON_YEARS,
    }


bp.add_app_template_filter(wording.utc_words, "utc_words")


# --- helpers for views -----------------------------------------------------------------


def moderator() -> dict:
    """The logged-in moderator (every view but login requires one)."""
    return g.user


def cheap_hashes() -> bool:
    return bool(current_app.config["PASSWORD_HASH_CHEAP"])


def sentence(exc: Exception) -> str:
    """A refusal's reason as a sentence on the page."""
    return str(exc).capitalize() + "."


def form_version() -> int:
    """The claim version the moderator's form was made from."""
    try:
        return int(request.form["version"])
    except (KeyError, ValueError):
        abort(400, "The form is missing the claim's version. Reload the page and try again.")


def claim_or_404(claim_id: str) -> dict:
    claim = store.get_claim(get_db(), claim_id)
    if claim is None:
        abort(404, "No claim has that id.")
    return claim


def to_claim(claim_id: str, done: str) -> Response:
    return redirect(url_for("moderate.claim", claim_id=claim_id, done=done), 303)


def int_arg(name: str, default: int = 0) -> int:
    try:
        return max(0, int(request.args.get(name, default)))
    except ValueError:
        return default
