"""The moderators' workspace: HTML pages under /moderate, one blueprint, one module
per area (templates in templates/moderate/, one per page).

Views call the store directly. Every request loads its user from the session
cookie, every state-changing request carries a CSRF token, and every view states
the least role it needs (`auth.require`), so the role × route test can check them
all. Responses are never cached and never framed; no CORS here (flask-cors covers
only /v1/*).

    common     every request (session, CSRF, upload limits, errors), template names,
               messages after a redirect, small helpers views share
    forms      the claim edit form both ways; fields with problems; the evidence checklist
    display    how audit entries and stored values read on a page
    accounts   login, logout, one's own password and sessions
    dashboard  the home page: counts, review queue, recent changes, the match chart (SVG)
    claims     claims list, new claim, a claim's page, editing and edit conflicts
    lifecycle  submit, approve, send back, retire, merge, discard a pending edit
    history    revisions as lines, word-level diffs, the history page
    audit      the audit log page
    bench      the test bench: what a page gets flagged, now and with a draft published
    reports    readers' reports: queue, one report, resolving
    imports    import jobs (upload, progress, resume), templates, export
    users      accounts and API keys (admin)
"""

from flask import Blueprint

bp = Blueprint("moderate", __name__, url_prefix="/moderate")

# Each area attaches its views to bp when imported; endpoint names stay moderate.<view>.
from . import (  # noqa: E402, F401
    accounts,
    audit,
    bench,
    claims,
    common,
    dashboard,
    history,
    imports,
    lifecycle,
    reports,
    users,
)
