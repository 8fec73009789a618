"""Public HTML pages: each claim's page, where the extension's `review_url` leads."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from . import store
from .claims import SOURCE_LABELS, VERDICT_LABELS
from .db import get_db

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    db = get_db()
    return render_template(
        "home.html", topics=store.topics(db), version=store.published_version(db)
    )


@bp.get("/claims/<claim_id>")
def claim(claim_id: str):
    db = get_db()
    row = store.get_claim(db, claim_id)
    if not store.is_public(row):
        abort(404)  # drafts, and claims retired before they were ever published
    found = store.public_claims(db, [claim_id]).get(claim_id)
    history = [
        {"number": r["number"], "created_at": r["created_at"], "comment": r["comment"]}
        for r in store.claim_revisions(db, claim_id)
        if row["published_revision"] is None or r["id"] <= row["published_revision"]
    ]
    return render_template(
        "claim.html",
        claim=found or row,
        row=row,
        history=history,
        verdict_label=VERDICT_LABELS[row["verdict"]],
        source_labels=SOURCE_LABELS,
    )
