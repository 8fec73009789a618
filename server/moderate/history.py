"""A claim's history: each revision as labelled lines, and what changed between
two revisions marked line by line and, within a changed line, word by word."""

from __future__ import annotations

import difflib
import re

from flask import render_template
from flask.typing import ResponseReturnValue

from .. import auth, store, wording
from ..claims import SOURCE_LABELS, VERDICT_LABELS
from ..db import get_db
from . import bp
from .common import claim_or_404


def revision_lines(rec: dict) -> list[str]:
    """A revision as labelled lines, one fact a line, so a diff reads as sentences."""
    lines = [
        f"Text: {rec.get('text', '')}",
        f"Verdict: {VERDICT_LABELS.get(rec.get('verdict'), rec.get('verdict'))}",
        f"Summary: {rec.get('summary', '')}",
        f"Topic: {rec.get('topic', '')}",
        f"Harm: {rec.get('harm', '')}",
    ]
    lines += [f"Phrasing: {p}" for p in rec.get("phrasings", [])]
    lines += [f"Alias: {t} = {', '.join(n)}" for t, n in (rec.get("aliases") or {}).items()]
    if rec.get("required_terms"):
        lines.append(f"Required terms: {', '.join(rec['required_terms'])}")
    lines += [f"The other side: {p}" for p in rec.get("counter_statements", [])]
    if rec.get("reviewed_at"):
        lines.append(f"Evidence checked on: {rec['reviewed_at']}")
    for key in ("claimant", "claim_date", "appearance"):
        if rec.get(key):
            lines.append(f"{wording.FIELD_WORDS[key]}: {rec[key]}")
    for ev in rec.get("evidence", []):
        year = f", {ev['year']}" if ev.get("year") else ""
        kind = SOURCE_LABELS.get(ev.get("source_type", ""), ev.get("source_type", ""))
        lines.append(
            f"Evidence: {ev.get('title', '')} ({ev.get('publisher', '')}{year}; {kind}) "
            f"{ev.get('url', '')}"
        )
    return lines


def _word_parts(a: str, b: str) -> tuple[list, list]:
    """Word-level marks within a changed line: (changed?, text) parts for each side."""
    wa, wb = re.findall(r"\S+|\s+", a), re.findall(r"\S+|\s+", b)
    old, new = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if i2 > i1:
            old.append((op != "equal", "".join(wa[i1:i2])))
        if j2 > j1:
            new.append((op != "equal", "".join(wb[j1:j2])))
    return old, new


def diff(old: list[str], new: list[str]) -> list[dict]:
    """Lines marked same / removed / added; a changed line shows its changed words."""
    out: list[dict] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [{"kind": "same", "parts": [(False, line)]} for line in old[i1:i2]]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        paired = min(len(removed), len(added)) if op == "replace" else 0
        dels, adds = [], []
        for a, b in zip(removed[:paired], added[:paired], strict=True):
            o, n = _word_parts(a, b)
            dels.append({"kind": "removed", "parts": o})
            adds.append({"kind": "added", "parts": n})
        dels += [{"kind": "removed", "parts": [(True, line)]} for line in removed[paired:]]
        adds += [{"kind": "added", "parts": [(True, line)]} for line in added[paired:]]
        out += dels + adds
    return out


@bp.get("/claims/<claim_id>/history")
@auth.require("contributor")
def claim_history(claim_id: str) -> ResponseReturnValue:
    db = get_db()
    row = claim_or_404(claim_id)
    revisions = store.claim_revisions(db, claim_id)
    events = store.audit_events(db, object_type="claim", object_id=claim_id, limit=500)
    # Who published each revision: the publish entry records the revision it made public.
    published_by = {
        (e["after"] or {}).get("published_revision"): e
        for e in reversed(events)
        if e["action"] == "claim.publish"
    }
    entries = []
    previous: list[str] = []
    for rev in revisions:
        lines = revision_lines(rev["data"])
        entries.append(
            {
                **rev,
                "lines": lines,
                "diff": diff(previous, lines) if previous else [],
                "published_by": published_by.get(rev["id"]),
            }
        )
        previous = lines
    entries.reverse()
    return render_template("moderate/history.html", claim=row, revisions=entries, events=events)
