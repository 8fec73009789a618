"""The claim edit form, both ways: a record from the posted fields, the fields
from a record; which fields a problem is about; what the evidence bar still wants."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from .. import evidence
from ..claims import slugify


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _aliases(value: str, problems: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n, line in enumerate(lines(value), 1):
        term, sep, names = line.partition(":")
        if not sep or not term.strip():
            problems.append(f"aliases line {n}: write it as “term: other name; other name”")
            continue
        out.setdefault(term.strip(), []).extend(
            n.strip() for n in re.split(r"[;,]", names) if n.strip()
        )
    return out


def _evidence(form: MultiDict) -> list[dict]:
    """Evidence rows from the form's parallel lists; fully blank rows are dropped."""
    fields = ("url", "title", "publisher", "source_type", "year", "doi", "pmid", "current_reason")
    columns = {f: form.getlist(f"ev_{f}") for f in fields}
    rows = []
    for i in range(max(len(c) for c in columns.values())):
        row = {f: (columns[f][i].strip() if i < len(columns[f]) else "") for f in fields}
        if row["url"] or row["title"] or row["publisher"]:
            rows.append({k: v for k, v in row.items() if v or k in ("url", "title", "publisher")})
    return rows


def record_from_form(form: MultiDict, claim_id: str | None = None) -> tuple[dict, list[str]]:
    """A claim record from the edit form, and the problems the form itself has
    (the store's clean_claim finds the rest)."""
    problems: list[str] = []
    topic = form.get("topic", "").strip()
    record = {
        "id": claim_id or form.get("id", "").strip() or None,
        "text": form.get("text", ""),
        "verdict": form.get("verdict", ""),
        "summary": form.get("summary", ""),
        "topic": slugify(topic, 60) if topic else "",
        "harm": form.get("harm", "medium"),
        "phrasings": lines(form.get("phrasings", "")),
        "aliases": _aliases(form.get("aliases", ""), problems),
        "required_terms": [
            t.strip() for t in re.split(r"[\n;,]", form.get("required_terms", "")) if t.strip()
        ],
        "counter_statements": lines(form.get("counter_statements", "")),
        "evidence": _evidence(form),
        "reviewed_at": form.get("reviewed_at", "").strip() or None,
        "claimant": form.get("claimant", "").strip() or None,
        "claim_date": form.get("claim_date", "").strip() or None,
        "appearance": form.get("appearance", "").strip() or None,
    }
    return record, problems


def form_values(rec: dict) -> dict:
    """A record as the edit form shows it."""
    return {
        "id": rec.get("id") or "",
        "text": rec.get("text", ""),
        "verdict": rec.get("verdict", ""),
        "summary": rec.get("summary", ""),
        "topic": rec.get("topic", ""),
        "harm": rec.get("harm", "medium"),
        "phrasings": "\n".join(rec.get("phrasings", [])),
        "aliases": "\n".join(
            f"{term}: {'; '.join(names)}" for term, names in (rec.get("aliases") or {}).items()
        ),
        "required_terms": ", ".join(rec.get("required_terms", [])),
        "counter_statements": "\n".join(rec.get("counter_statements", [])),
        "reviewed_at": rec.get("reviewed_at") or "",
        "claimant": rec.get("claimant") or "",
        "claim_date": rec.get("claim_date") or "",
        "appearance": rec.get("appearance") or "",
        "evidence": [*rec.get("evidence", []), {}],  # one blank row to fill in
    }


def error_fields(problems: list[str]) -> set[str]:
    """The form fields a list of problems is about, so the form can mark them: each
    problem names its field first ("summary is required", "evidence 2: …")."""
    fields = set()
    for problem in problems:
        head = problem.split(":", 1)[0].split(" ")
        if head[0] == "evidence" and len(head) > 1 and head[1].isdigit():
            fields.add(f"evidence-{head[1]}")
        elif head[0] == "aliases":
            fields.add("aliases")
        elif head[0] == "each" and len(head) > 2:
            fields.add(head[2])  # "each of phrasings must be …"
        else:
            fields.add(head[0])
    return fields


def evidence_checklist(rec: dict) -> list[str]:
    """What the claim lacks by the evidence bar, for a stored record or the edit
    form's values (phrasings as lines, a blank evidence row, years as text)."""
    phrasings = rec.get("phrasings") or []
    if isinstance(phrasings, str):
        phrasings = lines(phrasings)
    rows = []
    for ev in rec.get("evidence") or []:
        if ev.get("url"):
            year = str(ev.get("year") or "")
            rows.append({**ev, "year": int(year) if year.isdigit() else None})
    return evidence.checklist({**rec, "phrasings": phrasings, "evidence": rows})
