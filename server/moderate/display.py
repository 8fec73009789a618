"""How stored values read on a workspace page: an audit entry as the fields it
changed, a record as indented JSON, the claims an audit list names."""

from __future__ import annotations

import json

from .. import wording
from ..db import get_db


def claim_texts(events: list[dict]) -> dict[str, str]:
    """The text of each claim an audit list names, so rows say the claim, not its id."""
    ids = list({e["object_id"] for e in events if e["object_type"] == "claim"})
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = get_db().execute(f"SELECT id, text FROM claims WHERE id IN ({marks})", ids)
    return dict(rows.fetchall())


def pretty(value: object) -> str:
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def _short(value: object, limit: int = 160) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _around_change(old: str, new: str, context: int = 40) -> tuple[str, str]:
    """Two long texts cut to where they differ, so the change is what shows."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    lo = max(0, start - context)

    def cut(text: str) -> str:
        hi = min(len(text), len(text) - end + context)
        return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")

    return cut(old), cut(new)


def _pair(old: object, new: object) -> tuple[str | None, str | None]:
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 160:
        old, new = _around_change(old, new)
    return _short(old, 240), _short(new, 240)


def changes(before: object, after: object) -> list[tuple[str, str | None, str | None]]:
    """An audit entry's before/after as the fields that differ: (field, old, new)."""
    if isinstance(before, dict) or isinstance(after, dict):
        b = before if isinstance(before, dict) else {}
        a = after if isinstance(after, dict) else {}
        keys = [
            k
            for k in dict.fromkeys([*b, *a])
            if b.get(k) != a.get(k) and k not in wording.HIDDEN_FIELDS
        ]
        return [
            (
                wording.field(k),
                *_pair(wording.value(k, b.get(k)), wording.value(k, a.get(k))),
            )
            for k in keys
        ]
    if before == after:
        return []
    return [("value", *_pair(before, after))]
