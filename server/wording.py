"""The workspace's words for stored codes: audit actions, field names, states and
kinds, and timestamps. Pure functions and tables, so pages and tests share them."""

from __future__ import annotations

from datetime import UTC, datetime

from .claims import VERDICT_LABELS

STATUS_LABELS = {
    "draft": "Draft",
    "in_review": "In review",
    "published": "Published",
    "retired": "Retired",
    "pending": "Published, edit pending",
}
REPORT_LABELS = {
    "open": "Open",
    "actioned": "Actioned",
    "dismissed_no_action": "Dismissed (no action)",
    "duplicate": "Duplicate",
}
# The audit log in words: what each action did, said of its object.
ACTION_WORDS = {
    "claim.create": "created the claim",
    "claim.update": "edited the claim",
    "claim.submit": "sent it for review",
    "claim.publish": "published it",
    "claim.return": "sent it back to draft",
    "claim.retire": "retired it",
    "claim.merge": "merged it into another claim",
    "claim.discard": "discarded the pending edit",
    "report.create": "sent a report",
    "report.resolve": "resolved the report",
    "report.reopen": "reopened the report",
    "import": "imported a file",
    "import.fail": "an import stopped with an error",
    "import.resume": "resumed an import",
    "import.discard": "discarded an import",
    "user.create": "added an account",
    "user.role": "changed a role",
    "user.password_reset": "reset a password",
    "user.password_change": "changed their password",
    "user.disable": "disabled an account",
    "user.enable": "enabled an account",
    "user.login": "logged in",
    "user.logout": "logged out",
    "user.end_sessions": "ended their other sessions",
    "api_key.create": "made an API key",
    "api_key.revoke": "revoked an API key",
}
# Field names of claims, reports and accounts as the audit log says them.
FIELD_WORDS = {
    "text": "Text",
    "verdict": "Verdict",
    "summary": "Summary",
    "topic": "Topic",
    "harm": "Harm",
    "phrasings": "Phrasings",
    "aliases": "Aliases",
    "required_terms": "Required terms",
    "counter_statements": "The other side",
    "evidence": "Evidence",
    "reviewed_at": "Evidence checked on",
    "claimant": "Who made the claim",
    "claim_date": "Claim made on",
    "appearance": "Where it appeared",
    "status": "Status",
    "pending_status": "Pending edit",
    "superseded_by": "Merged into",
    "note": "Note",
    "resolution_note": "Note",
    "duplicate_of": "Duplicate of report",
    "resolved_by": "Resolved by",
    "role": "Role",
    "kind": "Kind",
    "claim_id": "Claim",
}
REPORT_KINDS = {"wrong_flag": "a flag is wrong", "missed_claim": "a claim was missed"}
# Bookkeeping fields the log keeps but a reader of it does not need.
HIDDEN_FIELDS = {"version", "published_revision", "rating_value", "resolved_at", "id"}


def field(key: str) -> str:
    return FIELD_WORDS.get(key, key.replace("_", " "))


def utc_words(stamp: str) -> str:
    """An ISO timestamp in words, in UTC ("7 Dec 2026, 17:31 UTC"); the page's script
    rewrites it in the reader's own time zone."""
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def value(key: str, stored: object) -> object:
    """A stored value as a moderator reads it: labels for codes, lists as lines."""
    if key in ("status", "pending_status") and isinstance(stored, str):
        return STATUS_LABELS.get(stored) or REPORT_LABELS.get(stored, stored)
    if key == "kind" and isinstance(stored, str):
        return REPORT_KINDS.get(stored, stored)
    if key == "verdict" and isinstance(stored, str):
        return VERDICT_LABELS.get(stored, stored)
    if key == "evidence" and isinstance(stored, list):
        return "; ".join(
            f"{ev.get('title', '')} ({ev.get('publisher', '')})" for ev in stored if ev
        )
    if isinstance(stored, list) and all(isinstance(v, str) for v in stored):
        return "; ".join(stored)
    return stored
