"""What every reader shares: a file's rows, and the error for a file that cannot be read."""

from __future__ import annotations

from dataclasses import dataclass, field


class FormatError(ValueError):
    pass


@dataclass
class Row:
    """One row of a file: where it stands, and the record read from it or why not."""

    number: int
    where: str  # "line 12" (CSV, NDJSON) or "item 3" (JSON)
    record: dict | None = None
    problems: list[str] = field(default_factory=list)


def describe(value) -> str:
    """What kind of JSON value this is, in words (for problems)."""
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), "null" if value is None else type(value).__name__
    )
