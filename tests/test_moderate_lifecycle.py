"""A claim's lifecycle: draft to review to published (and matched by every
worker), pending edits, sending back, discarding, retiring, merging, stale
versions, and who may approve their own work."""

from __future__ import annotations

import re
import time

import pytest
from moderate_helpers import (
    MMS_SENTENCE,
    NEW_CLAIM,
    act,
    create,
    db_of,
    match,
    post,
    status_of,
    version_of,
)
from test_auth import logged_in, query

from server import create_app, store

pytestmark = pytest.mark.usefixtures("cheap_hashes")


def test_a_claim_goes_from_draft_to_published_and_is_matched(app):
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer")
    res = create(contributor)
    claim_id = "chlorine-dioxide-cures-autism-in-children"
    assert res.status_code == 303 and res.headers["Location"].startswith(
        f"/moderate/claims/{claim_id}"
    )
    assert status_of(app, claim_id) == ("draft", None)
    assert match(app.test_client(), MMS_SENTENCE) == []  # drafts are never matched

    assert act(contributor, app, claim_id, "submit").status_code == 303
    assert status_of(app, claim_id) == ("in_review", None)
    assert act(contributor, app, claim_id, "approve").status_code == 403
    assert act(reviewer, app, claim_id, "approve").status_code == 303
    assert status_of(app, claim_id) == ("published", None)
    [m] = match(app.test_client(), MMS_SENTENCE)
    assert m["claim_id"] == claim_id

    page = reviewer.get(f"/moderate/claims/{claim_id}").get_data(as_text=True)
    assert "Published" in page and "FDA warns consumers" in page
    assert reviewer.get(f"/claims/{claim_id}").status_code == 200  # its public page


def test_an_edit_to_a_published_claim_waits_for_review_while_readers_keep_the_old_one(app):
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer")
    claim_id = "vaccines-cause-autism"
    edit_page = contributor.get(f"/moderate/claims/{claim_id}/edit").get_data(as_text=True)
    assert "pending edit" in edit_page
    res = post(
        contributor,
        f"/moderate/claims/{claim_id}/edit",
        {
            **NEW_CLAIM,
            "text": "Vaccines cause autism.",
            "summary": "A new summary that readers must not see yet.",
            "topic": "vaccines",
            "phrasings": "The MMR jab causes autism.",
            "aliases": "",
            "required_terms": "vaccine, autism",
            "version": version_of(app, claim_id),
        },
    )
    assert res.status_code == 303 and "saved_pending" in res.headers["Location"]
    assert status_of(app, claim_id) == ("published", "draft")
    public = app.test_client().get(f"/v1/claims/{claim_id}").get_json()
    assert "readers must not see" not in public["summary"]
    page = reviewer.get(f"/moderate/claims/{claim_id}").get_data(as_text=True)
    assert "readers must not see yet" in page and "against the published version" in page

    act(contributor, app, claim_id, "submit")
    assert status_of(app, claim_id) == ("published", "in_review")
    act(reviewer, app, claim_id, "approve")
    assert status_of(app, claim_id) == ("published", None)
    public = app.test_client().get(f"/v1/claims/{claim_id}").get_json()
    assert public["summary"] == "A new summary that readers must not see yet."


def test_a_reviewer_can_send_back_or_discard_an_edit(app):
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer")
    create(contributor, id="mms")
    act(contributor, app, "mms", "submit")
    assert act(reviewer, app, "mms", "return", note="Add a second source").status_code == 303
    assert status_of(app, "mms") == ("draft", None)
    events = store.audit_events(db_of(app), object_id="mms", action="claim.return")
    assert events[0]["after"]["note"] == "Add a second source"

    claim_id = "kratom-not-addictive"
    post(
        contributor,
        f"/moderate/claims/{claim_id}/edit",
        {**NEW_CLAIM, "text": "Kratom is never addictive.", "version": version_of(app, claim_id)},
    )
    assert status_of(app, claim_id) == ("published", "draft")
    assert act(reviewer, app, claim_id, "discard").status_code == 303
    assert status_of(app, claim_id) == ("published", None)
    page = reviewer.get(f"/moderate/claims/{claim_id}/edit").get_data(as_text=True)
    assert "Kratom is not addictive." in page and "never addictive" not in page


def test_retire_stops_matching_and_merge_points_to_the_successor(app):
    reviewer = logged_in(app, "reviewer")
    sentence = "Switching to kratom is a risk-free way to quit heroin."
    assert match(app.test_client(), sentence)
    assert act(reviewer, app, "kratom-safe-opioid-treatment", "retire").status_code == 303
    assert match(app.test_client(), sentence) == []
    assert status_of(app, "kratom-safe-opioid-treatment") == ("retired", None)
    # Retired claims cannot be edited or retired again.
    assert reviewer.get("/moderate/claims/kratom-safe-opioid-treatment/edit").status_code == 409
    assert act(reviewer, app, "kratom-safe-opioid-treatment", "retire").status_code == 409

    res = act(reviewer, app, "vaccines-cause-autism", "merge", superseded_by="nope")
    assert res.status_code == 409
    res = act(
        reviewer,
        app,
        "kratom-not-addictive",
        "merge",
        superseded_by="opioid-agonists-cut-overdose-deaths",
    )
    assert res.status_code == 303
    assert query(
        app, "SELECT status, superseded_by FROM claims WHERE id = 'kratom-not-addictive'"
    ) == [("retired", "opioid-agonists-cut-overdose-deaths")]
    page = reviewer.get("/moderate/claims/kratom-not-addictive").get_data(as_text=True)
    assert "merged into" in page


def test_steps_out_of_order_are_refused_with_a_reason(app):
    reviewer = logged_in(app, "reviewer")
    res = act(reviewer, app, "vaccines-cause-autism", "approve")
    assert res.status_code == 409 and "only a claim in review" in res.get_data(as_text=True).lower()
    res = act(reviewer, app, "vaccines-cause-autism", "submit")
    assert res.status_code == 409
    assert reviewer.get("/moderate/claims/no-such-claim").status_code == 404


def test_approving_a_claim_that_changed_since_it_was_viewed_is_refused(app):
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer")
    create(contributor, id="mms")
    act(contributor, app, "mms", "submit")
    seen = version_of(app, "mms")
    post(
        contributor,
        "/moderate/claims/mms/edit",
        {**NEW_CLAIM, "summary": "Changed after the reviewer looked.", "version": seen},
    )
    res = post(reviewer, "/moderate/claims/mms/approve", {"version": seen})
    assert res.status_code == 409
    assert status_of(app, "mms") == ("in_review", None)


def test_a_publish_reaches_every_worker_within_seconds(app, db_path):
    """Two app instances on one database stand for two server workers: the one that
    did not handle the publish picks it up by itself within INDEX_CHECK_SECONDS."""
    other_worker = create_app(
        {
            "TESTING": True,
            "DATABASE": str(db_path),
            "SECRET_KEY": "test",
            "INDEX_CHECK_SECONDS": 0.5,
        }
    ).test_client()
    assert match(other_worker, MMS_SENTENCE) == []  # its index is built now, without the claim
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer")
    create(contributor, id="mms")
    act(contributor, app, "mms", "submit")
    act(reviewer, app, "mms", "approve")
    deadline = time.monotonic() + 5
    found = []
    while time.monotonic() < deadline and not found:
        found = match(other_worker, MMS_SENTENCE)
        time.sleep(0.1)
    assert [m["claim_id"] for m in found] == ["mms"]


def test_save_and_submit_is_one_step_for_new_claims_and_edits(app):
    contributor = logged_in(app, "contributor")
    res = create(contributor, id="mms", then="submit")
    assert "saved_submitted" in res.headers["Location"]
    assert status_of(app, "mms") == ("in_review", None)
    claim_id = "kratom-not-addictive"
    page = contributor.get(f"/moderate/claims/{claim_id}/edit").get_data(as_text=True)
    assert "Save and submit for review" in page
    res = post(
        contributor,
        f"/moderate/claims/{claim_id}/edit",
        {**NEW_CLAIM, "text": "Kratom is never addictive.", "version": version_of(app, claim_id)},
    )
    res = post(
        contributor,
        f"/moderate/claims/{claim_id}/edit",
        {
            **NEW_CLAIM,
            "text": "Kratom is never, ever addictive.",
            "version": version_of(app, claim_id),
            "then": "submit",
        },
    )
    assert res.status_code == 303 and status_of(app, claim_id) == ("published", "in_review")


def test_self_approval_is_refused_while_another_reviewer_exists(app):
    ann = logged_in(app, "reviewer", "ann@example.org")
    create(ann, id="mms")
    act(ann, app, "mms", "submit")
    logged_in(app, "reviewer", "rita@example.org")
    page = ann.get("/moderate/claims/mms").get_data(as_text=True)
    assert "Approve and publish" not in page and "rita@example.org" in page
    assert "Send back with note" in page  # they can still send it back
    res = act(ann, app, "mms", "approve", self_approve="1")
    assert res.status_code == 403 and status_of(app, "mms") == ("in_review", None)


def test_the_only_reviewer_approves_their_own_claim_only_by_saying_so(app):
    ann = logged_in(app, "admin", "ann@example.org")
    logged_in(app, "contributor", "carl@example.org")  # contributors cannot approve
    create(ann, id="mms")
    act(ann, app, "mms", "submit")
    page = ann.get("/moderate/claims/mms").get_data(as_text=True)
    assert 'name="self_approve"' in page and "only reviewer" in page
    assert act(ann, app, "mms", "approve").status_code == 409
    assert status_of(app, "mms") == ("in_review", None)
    assert act(ann, app, "mms", "approve", self_approve="1").status_code == 303
    assert status_of(app, "mms") == ("published", None)


def test_the_review_box_confirms_publishing_and_sends_back_beside_approve(app):
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    create(contributor, id="mms")
    act(contributor, app, "mms", "submit")
    page = reviewer.get("/moderate/claims/mms").get_data(as_text=True)
    review = page.split('class="review-actions"', 1)[1].split("<details", 1)[0]
    approve = re.search(r"<button[^>]*>Approve and publish</button>", review).group(0)
    assert "data-confirm=" in approve and "Chlorine dioxide cures autism" in approve
    assert "Send back with note" in review and 'name="note"' in review
    assert "<details" not in review  # not hidden in a collapsed panel
    act(reviewer, app, "mms", "approve")
    page = reviewer.get("/moderate/claims/mms").get_data(as_text=True)
    assert "approved by rita@example.org" in page


def test_the_evidence_checklist_stands_above_approve_and_the_confirmation_says_so(app):
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer")
    create(contributor, id="mms")  # one strong source and two phrasings: below the bar
    act(contributor, app, "mms", "submit")
    page = reviewer.get("/moderate/claims/mms").get_data(as_text=True)
    review = page.split('<div class="review"', 1)[1]
    assert review.index("Evidence checklist") < review.index("Approve and publish")
    assert "Fewer than 2 strong links" in review.split("Approve and publish", 1)[0]
    assert page.count("data-checklist") == 1  # once, where the decision is made
    approve = re.search(r"<button[^>]*>Approve and publish</button>", review).group(0)
    assert "below the evidence bar (2 to fix)" in approve
