"""A claim's history: every revision with a word-level diff, who published each,
and the claim's audit entries in words."""

from __future__ import annotations

import re

import pytest
from moderate_helpers import NEW_CLAIM, act, create, post, version_of
from test_auth import logged_in

pytestmark = pytest.mark.usefixtures("cheap_hashes")


def test_history_shows_each_revision_with_a_readable_diff_and_the_audit_log(app):
    ann = logged_in(app, "contributor", "ann@example.org")
    create(ann, id="mms", comment="first draft")
    post(
        ann,
        "/moderate/claims/mms/edit",
        {
            **NEW_CLAIM,
            "summary": "Chlorine dioxide is bleach and treats nothing.",
            "version": version_of(app, "mms"),
            "comment": "shorter summary",
        },
    )
    page = ann.get("/moderate/claims/mms/history").get_data(as_text=True)
    assert "Revision 2" in page and "Revision 1" in page and "shorter summary" in page
    # Word-level marks: the removed words struck out, the new ones inserted.
    assert re.search(r"<del>[^<]*industrial[^<]*</del>", page)
    assert re.search(r"<ins>[^<]*bleach and[^<]*</ins>", page)
    # The audit log says it in words, with local times, never as codes.
    log = page.split("Audit log for this claim", 1)[1]
    assert "created the claim" in log and "edited the claim" in log and "ann@example.org" in log
    assert "claim.create" not in log and re.search(r'<time datetime="[0-9T:-]+Z"', log)


def test_history_names_who_published_each_revision(app):
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    create(contributor, id="mms")
    act(contributor, app, "mms", "submit")
    act(reviewer, app, "mms", "approve")
    page = reviewer.get("/moderate/claims/mms/history").get_data(as_text=True)
    assert "approved and published by rita@example.org" in page
