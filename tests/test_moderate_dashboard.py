"""The dashboard: claim counts by state and a chart of matches over time."""

from __future__ import annotations

import re

import pytest
from moderate_helpers import create, db_of, match
from test_auth import logged_in

from server import store

pytestmark = pytest.mark.usefixtures("cheap_hashes")


def test_the_dashboard_counts_claims_and_charts_matches_over_time(app):
    contributor = logged_in(app, "contributor")
    create(contributor, id="mms")
    client = app.test_client()
    for _ in range(3):
        match(client, "Kratom is a safe, natural cure for opioid addiction.")
    from server.matcher import get_matcher

    with app.app_context():
        matcher = get_matcher(app)
        store.add_match_counts(db_of(app), dict(matcher.counts))  # flush what is buffered
        matcher.counts.clear()
    page = contributor.get("/moderate/").get_data(as_text=True)
    tiles = {k: n for n, k in re.findall(r'<span class="n">(\d+)</span> ([A-Za-z ]+)</a>', page)}
    assert tiles["Draft"] == "1" and tiles["Published"] == "4"
    assert "<polyline" in page and "kratom-safe-opioid-treatment: 3 matches" in page
    assert "natural cure for opioid addiction." not in page.split("<svg", 1)[1].split("</svg>")[0]
