"""How often each claim matched, per day: aggregates only, never page text or
addresses."""

from __future__ import annotations

import sqlite_utils

from ..db import transaction


def add_match_counts(db: sqlite_utils.Database, counts: dict[tuple[str, str], int]) -> None:
    if not counts:
        return
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO match_counts (claim_id, day, count) VALUES (?, ?, ?) "
            "ON CONFLICT(claim_id, day) DO UPDATE SET count = count + excluded.count",
            [(c, d, n) for (c, d), n in counts.items()],
        )


def match_series(db: sqlite_utils.Database, days: list[str], top: int = 5) -> list[dict]:
    """The `top` most-matched claims over `days` (ISO dates), with a count per day.
    Aggregates only: match_counts never holds page text or addresses."""
    if not days:
        return []
    totals = list(
        db.query(
            "SELECT m.claim_id, sum(m.count) AS total, c.text FROM match_counts m "
            "LEFT JOIN claims c ON c.id = m.claim_id WHERE m.day BETWEEN ? AND ? "
            "GROUP BY m.claim_id ORDER BY total DESC, m.claim_id LIMIT ?",
            [days[0], days[-1], top],
        )
    )
    out = []
    for t in totals:
        per_day = dict(
            db.execute(
                "SELECT day, count FROM match_counts WHERE claim_id = ? AND day BETWEEN ? AND ?",
                [t["claim_id"], days[0], days[-1]],
            ).fetchall()
        )
        out.append({**t, "counts": [per_day.get(d, 0) for d in days]})
    return out
