"""The workspace's home page: claim and report counts, the review queue, recent
changes, and a small line chart of daily matches drawn as inline SVG."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import render_template
from flask.typing import ResponseReturnValue

from .. import store
from ..claims import VERDICTS
from ..db import get_db

CHART_COLOURS = ("#0b57d0", "#b3261e", "#1b6e3a", "#8a5a00", "#6f42c1")


def dashboard() -> ResponseReturnValue:
    db = get_db()
    today = datetime.now(UTC).date()
    days = [(today - timedelta(days=n)).isoformat() for n in range(29, -1, -1)]
    return render_template(
        "moderate/dashboard.html",
        counts=store.claim_counts(db),
        reports=store.report_counts(db),
        queue=store.review_queue(db),
        chart=chart(days, store.match_series(db, days)),
        recent=store.audit_events(db, object_type="claim", limit=10),
        verdicts=list(VERDICTS),
        statuses=store.CLAIM_STATUSES,
    )


def chart(days: list[str], series: list[dict], width: int = 640, height: int = 180) -> dict:
    """Coordinates for a small line chart of daily match counts, drawn as inline SVG
    by the template (no script, no third-party library)."""
    left, right, top, bottom = 36, 8, 8, 22
    peak = max((max(s["counts"]) for s in series), default=0) or 1
    step = (width - left - right) / max(1, len(days) - 1)

    def y(value: int) -> float:
        return round(top + (height - top - bottom) * (1 - value / peak), 1)

    lines = [
        {
            **s,
            "colour": CHART_COLOURS[i % len(CHART_COLOURS)],
            "points": " ".join(
                f"{round(left + n * step, 1)},{y(v)}" for n, v in enumerate(s["counts"])
            ),
        }
        for i, s in enumerate(series)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
        "peak": peak,
        "first_day": days[0] if days else "",
        "last_day": days[-1] if days else "",
        "lines": lines,
    }
