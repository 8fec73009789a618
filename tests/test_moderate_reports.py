"""Readers' reports in the workspace: states with notes, duplicates, moving on to
the next open report, and a missed claim becoming a new claim or a bench run."""

from __future__ import annotations

import re

import pytest
from moderate_helpers import post, reported
from test_auth import logged_in, query

pytestmark = pytest.mark.usefixtures("cheap_hashes")


def test_reports_move_between_states_with_a_note_and_show_on_the_claim(app):
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    first = reported(
        app,
        "Vaccines do not cause autism.",
        claim_id="vaccines-cause-autism",
        comment="This sentence debunks it",
    )
    second = reported(app, "Vaccines do not cause autism!", claim_id="vaccines-cause-autism")
    queue = reviewer.get("/moderate/reports").get_data(as_text=True)
    assert "This sentence debunks it" in queue
    claim_page = reviewer.get("/moderate/claims/vaccines-cause-autism").get_data(as_text=True)
    assert f'/moderate/reports/{first}"' in claim_page and "Open" in claim_page

    res = post(reviewer, f"/moderate/reports/{second}/resolve", {"status": "duplicate"})
    assert res.status_code == 422  # a duplicate names its original
    res = post(
        reviewer,
        f"/moderate/reports/{second}/resolve",
        {"status": "duplicate", "duplicate_of": str(first)},
    )
    assert res.status_code == 303
    res = post(
        reviewer,
        f"/moderate/reports/{first}/resolve",
        {"status": "actioned", "note": "Stance rules tightened."},
    )
    assert res.status_code == 303
    rows = query(
        app,
        "SELECT id, status, duplicate_of, resolution_note, resolved_by FROM reports ORDER BY id",
    )
    assert rows == [
        (first, "actioned", None, "Stance rules tightened.", "rita@example.org"),
        (second, "duplicate", first, None, "rita@example.org"),
    ]
    assert "Stance rules tightened." in reviewer.get(f"/moderate/reports/{first}").get_data(
        as_text=True
    )
    assert "This sentence debunks it" not in reviewer.get("/moderate/reports").get_data(
        as_text=True
    )  # the open queue is empty now
    res = post(reviewer, f"/moderate/reports/{first}/resolve", {"status": "open"})
    assert res.status_code == 303 and query(
        app, "SELECT status, resolved_by FROM reports WHERE id = ?", [first]
    ) == [("open", None)]


def test_a_missed_claim_report_leads_to_a_new_claim_and_the_bench(app):
    reviewer = logged_in(app, "reviewer")
    passage = "Turmeric shots cure type 2 diabetes in a week."
    report_id = reported(app, passage, kind="missed_claim", url="https://shop.example/turmeric?x=1")
    page = reviewer.get(f"/moderate/reports/{report_id}").get_data(as_text=True)
    assert 'href="https://shop.example/turmeric?x=1" rel="noopener noreferrer"' in page
    new = re.search(r'href="(/moderate/claims/new\?[^"]+)">Create claim from this', page).group(1)
    bench = re.search(r'href="(/moderate/bench\?[^"]+)">Try on bench', page).group(1)
    form = reviewer.get(new.replace("&amp;", "&")).get_data(as_text=True)
    assert passage in form and f"report #{report_id}" in form
    assert passage in reviewer.get(bench.replace("&amp;", "&")).get_data(as_text=True)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.example/"])
def test_a_report_address_that_is_not_a_web_page_is_never_a_link(app, url):
    reviewer = logged_in(app, "reviewer")
    report_id = reported(app, "p", kind="missed_claim", url=url)
    page = reviewer.get(f"/moderate/reports/{report_id}").get_data(as_text=True)
    assert f'href="{url}' not in page and "not a web address" in page


def test_a_dismissal_needs_a_note_and_saving_moves_on_to_the_next_open_report(app):
    reviewer = logged_in(app, "reviewer")
    ids = [reported(app, f"p{n}") for n in range(3)]
    res = post(reviewer, f"/moderate/reports/{ids[0]}/resolve", {"status": "dismissed_no_action"})
    assert res.status_code == 422 and "why the report needs no action" in res.get_data(as_text=True)
    res = post(
        reviewer,
        f"/moderate/reports/{ids[0]}/resolve",
        {"status": "dismissed_no_action", "note": "The flag is right.", "then": "next"},
    )
    assert res.headers["Location"].startswith(f"/moderate/reports/{ids[1]}?done=resolved_next")
    for n in (1, 2):
        res = post(
            reviewer,
            f"/moderate/reports/{ids[n]}/resolve",
            {"status": "actioned", "note": "ok", "then": "next"},
        )
    assert res.headers["Location"] == "/moderate/reports?done=resolved_last"
