"""The audit log page: every change to claims, reports, imports, accounts and
keys, filtered by who, what and which object (how entries read: display.py)."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from .. import auth, store
from ..db import get_db
from . import bp
from .common import int_arg


@bp.get("/audit")
@auth.require("reviewer")
def audit_log() -> ResponseReturnValue:
    args = request.args
    filters = {k: args.get(k, "").strip()[:200] for k in ("actor", "action", "object_type")}
    filters["object_id"] = args.get("object_id", "").strip()[:200]
    events = store.audit_events(
        get_db(), **{k: v or None for k, v in filters.items()}, before_id=int_arg("before") or None
    )
    return render_template("moderate/audit.html", events=events, filters=filters, page_size=100)
