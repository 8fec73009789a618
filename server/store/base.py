"""What every store module shares: the clock, JSON as stored, the errors, LIKE patterns."""

from __future__ import annotations

import json
from datetime import UTC, datetime


class Conflict(Exception):
    """The claim changed since the editor loaded it."""

    def __init__(self, claim: dict):
        super().__init__(f"claim {claim['id']} is at version {claim['version']}")
        self.claim = claim


class NotFound(LookupError):
    pass


class AlreadyExists(ValueError):
    pass


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def filters(*pairs: tuple[str, object]) -> tuple[list[str], list]:
    """`column = ?` conditions for the (column, value) pairs whose value is set, and
    their parameters, in the same order."""
    given = [(column, value) for column, value in pairs if value]
    return [f"{column} = ?" for column, _ in given], [value for _, value in given]


def where_sql(conditions: list[str]) -> str:
    return ("WHERE " + " AND ".join(conditions)) if conditions else ""
