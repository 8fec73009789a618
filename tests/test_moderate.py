"""The moderators' workspace: who may do what, the claim lifecycle, conflicts,
history and audit, the test bench, reports, import/export, the dashboard, and
publishing reaching /v1/match."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from conftest import sample_claims, skip_without_semantic
from test_auth import (
    PASSWORD,
    audit_count,
    csrf,
    logged_in,
    login,
    make_user,
    query,
)

from server import auth, create_app, importer, store
from server import db as dbm

NEW_CLAIM = {
    "text": "Chlorine dioxide cures autism in children.",
    "verdict": "false",
    "summary": "Chlorine dioxide is industrial bleach; drinking it harms children and "
    "treats nothing.",
    "topic": "autism-cures",
    "harm": "high",
    "phrasings": "MMS cures autism.\nGiving kids chlorine dioxide heals their autism.",
    "aliases": "chlorine dioxide: mms; miracle mineral solution",
    "required_terms": "autism",
    "counter_statements": "Chlorine dioxide does not treat autism.\nDrinking MMS harms children.",
    "reviewed_at": "2026-12-01",
    "ev_url": "https://www.fda.gov/news-events/press-announcements/chlorine-dioxide",
    "ev_title": "FDA warns consumers not to drink chlorine dioxide",
    "ev_publisher": "U.S. Food and Drug Administration",
    "ev_source_type": "regulator",
    "ev_year": "2019",
    "ev_doi": "",
    "ev_pmid": "",
}
MMS_SENTENCE = "Giving kids chlorine dioxide heals their autism."


@pytest.fixture(autouse=True)
def cheap_hashes(app):
    app.config["PASSWORD_HASH_CHEAP"] = True


def db_of(app) -> dbm.sqlite_utils.Database:
    return dbm.open_db(app.config["DATABASE"])


def version_of(app, claim_id: str) -> str:
    [(version,)] = query(app, "SELECT version FROM claims WHERE id = ?", [claim_id])
    return str(version)


def post(client, path: str, data: dict | None = None, page: str = "/moderate/account", **kw):
    return client.post(path, data={"csrf_token": csrf(client, page), **(data or {})}, **kw)


def create(client, **changes):
    return post(client, "/moderate/claims/new", {**NEW_CLAIM, **changes})


def act(client, app, claim_id: str, action: str, **data):
    return post(
        client,
        f"/moderate/claims/{claim_id}/{action}",
        {"version": version_of(app, claim_id), **data},
    )


def match(client, text: str) -> list[dict]:
    res = client.post("/v1/match", json={"segments": [{"id": "s1", "text": text}]})
    assert res.status_code == 200
    return res.get_json()["matches"]


def status_of(app, claim_id: str) -> tuple:
    return query(app, "SELECT status, pending_status FROM claims WHERE id = ?", [claim_id])[0]


# --- role × route matrix -------------------------------------------------------------------

ANYONE, CONTRIBUTOR, REVIEWER, ADMIN = None, "contributor", "reviewer", "admin"
ROLES = ("contributor", "reviewer", "admin")
RANK = {None: -1, "contributor": 0, "reviewer": 1, "admin": 2}
IN_REVIEW = "matrix-in-review"

# Every workspace route, the least role it needs, and a request that would succeed.
MATRIX: dict[tuple[str, str], tuple[str | None, object]] = {
    ("GET", "/moderate/"): (ANYONE, None),
    ("GET", "/moderate/login"): (ANYONE, None),
    ("POST", "/moderate/login"): (
        ANYONE,
        lambda c: {"email": "target@example.org", "password": PASSWORD},
    ),
    ("POST", "/moderate/logout"): (CONTRIBUTOR, None),
    ("GET", "/moderate/account"): (CONTRIBUTOR, None),
    ("POST", "/moderate/account/password"): (
        CONTRIBUTOR,
        lambda c: {
            "current_password": PASSWORD,
            "new_password": "another long password",
            "confirm_password": "another long password",
        },
    ),
    ("POST", "/moderate/account/sessions"): (CONTRIBUTOR, None),
    ("GET", "/moderate/claims"): (CONTRIBUTOR, None),
    ("GET", "/moderate/claims/new"): (CONTRIBUTOR, None),
    ("POST", "/moderate/claims/new"): (CONTRIBUTOR, lambda c: {**NEW_CLAIM, "id": f"m-{c.n}"}),
    ("GET", "/moderate/claims/<claim_id>"): (CONTRIBUTOR, None),
    ("GET", "/moderate/claims/<claim_id>/edit"): (CONTRIBUTOR, None),
    ("POST", "/moderate/claims/<claim_id>/edit"): (
        CONTRIBUTOR,
        lambda c: {**NEW_CLAIM, "text": f"Edit {c.n} of the claim.", "version": c.version()},
    ),
    ("GET", "/moderate/claims/<claim_id>/history"): (CONTRIBUTOR, None),
    ("POST", "/moderate/claims/<claim_id>/submit"): (CONTRIBUTOR, lambda c: c.versioned()),
    ("POST", "/moderate/claims/<claim_id>/approve"): (REVIEWER, lambda c: c.versioned()),
    ("POST", "/moderate/claims/<claim_id>/return"): (
        REVIEWER,
        lambda c: {**c.versioned(), "note": "needs a source"},
    ),
    ("POST", "/moderate/claims/<claim_id>/retire"): (REVIEWER, lambda c: c.versioned()),
    ("POST", "/moderate/claims/<claim_id>/merge"): (
        REVIEWER,
        lambda c: {**c.versioned(), "superseded_by": "kratom-not-addictive"},
    ),
    ("POST", "/moderate/claims/<claim_id>/discard"): (REVIEWER, lambda c: c.versioned()),
    ("GET", "/moderate/bench"): (CONTRIBUTOR, None),
    ("POST", "/moderate/bench"): (
        CONTRIBUTOR,
        lambda c: {"text": "Kratom is a safe, natural cure for opioid addiction."},
    ),
    ("GET", "/moderate/reports"): (CONTRIBUTOR, None),
    ("GET", "/moderate/reports/<int:report_id>"): (CONTRIBUTOR, None),
    ("POST", "/moderate/reports/<int:report_id>/resolve"): (
        REVIEWER,
        lambda c: {"status": "actioned", "note": f"fixed {c.n}"},
    ),
    ("GET", "/moderate/import"): (REVIEWER, None),
    ("POST", "/moderate/import"): (
        REVIEWER,
        lambda c: {
            "file": (
                io.BytesIO(json.dumps([{**sample_claims()[1], "id": f"imp-{c.n}"}]).encode()),
                "claims.json",
            ),
        },
    ),
    ("GET", "/moderate/imports/<int:import_id>"): (REVIEWER, None),
    ("POST", "/moderate/imports/<int:import_id>/<any(resume, discard):action>"): (REVIEWER, None),
    ("GET", "/moderate/import/template.<any(csv, json):kind>"): (REVIEWER, None),
    ("GET", "/moderate/export"): (CONTRIBUTOR, None),
    ("GET", "/moderate/audit"): (REVIEWER, None),
    ("GET", "/moderate/users"): (ADMIN, None),
    ("POST", "/moderate/users"): (
        ADMIN,
        lambda c: {"email": f"new{c.n}@example.org", "role": "contributor"},
    ),
    ("POST", "/moderate/users/<int:user_id>/role"): (ADMIN, lambda c: {"role": "reviewer"}),
    ("POST", "/moderate/users/<int:user_id>/password"): (ADMIN, None),
    ("POST", "/moderate/users/<int:user_id>/disable"): (ADMIN, None),
    ("POST", "/moderate/users/<int:user_id>/enable"): (ADMIN, None),
    ("GET", "/moderate/api-keys"): (ADMIN, None),
    ("POST", "/moderate/api-keys"): (ADMIN, lambda c: {"name": f"key {c.n}"}),
    ("POST", "/moderate/api-keys/<int:key_id>/revoke"): (ADMIN, None),
}


def workspace_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/moderate")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_the_matrix_covers_every_workspace_route(app):
    assert workspace_routes(app) == set(MATRIX)


class Matrix:
    """The state a matrix request runs against: a claim in review, a report, an
    import job, a target account and an API key."""

    def __init__(self, app):
        self.app = app
        self.n = 0
        db = db_of(app)
        store.save_claim(
            db, {**sample_claims()[0], "id": IN_REVIEW, "text": "Kratom cures all."}, "test"
        )
        store.submit_claim(db, IN_REVIEW, "test")
        self.report_id = store.create_report(
            db, kind="wrong_flag", claim_id=IN_REVIEW, passage="p", url=None, comment=None
        )["id"]
        self.import_id = store.import_claims(db, [], "test")["id"]
        target = make_user(app, "target@example.org", "contributor")
        self.user_id = target["id"]
        self.key_id = auth.create_api_key(db, "matrix", target)[0]["id"]
        db.close()

    def version(self) -> str:
        return version_of(self.app, IN_REVIEW)

    def versioned(self) -> dict:
        return {"version": self.version()}

    def path(self, rule: str) -> str:
        return (
            rule.replace("<claim_id>", IN_REVIEW)
            .replace("<int:report_id>", str(self.report_id))
            .replace("<int:import_id>", str(self.import_id))
            .replace("<int:user_id>", str(self.user_id))
            .replace("<int:key_id>", str(self.key_id))
            .replace("<any(resume, discard):action>", "discard")
            .replace("<any(csv, json):kind>", "csv")
        )


def client_for(app, role: str | None):
    if role is None:
        client = app.test_client()
        client.get("/moderate/")
        return client
    return logged_in(app, role)


@pytest.mark.parametrize(("method", "rule"), sorted(MATRIX), ids=lambda v: v)
def test_role_matrix(app, method, rule):
    """Each role gets through exactly where it should: anything below the least
    role is refused (no 2xx, nothing changes); anything at or above is served."""
    least, form = MATRIX[(method, rule)]
    ctx = Matrix(app)
    clients = {role: client_for(app, role) for role in (None, *ROLES)}
    # Refused roles first, so that the allowed requests do not change what they see.
    for role in sorted(clients, key=lambda r: RANK[r] >= RANK[least]):
        client = clients[role]
        ctx.n += 1
        path = ctx.path(rule)
        before = audit_count(app)
        if method == "GET":
            res = client.get(path)
        else:
            token = csrf(client, "/moderate/account" if role else "/moderate/")
            data = {"csrf_token": token, **(form(ctx) if form else {})}
            res = client.post(path, data=data)
        allowed = RANK[role] >= RANK[least]
        label = f"{method} {path} as {role or 'anonymous'}: {res.status_code}"
        if allowed:
            assert res.status_code not in (401, 403, 404, 405), label
            assert res.status_code < 500, label
        else:
            assert not 200 <= res.status_code < 300, label
            if role is None and method == "GET":
                assert res.status_code == 302, label
                assert res.headers["Location"].startswith("/moderate/login"), label
            else:
                assert res.status_code == (401 if role is None else 403), label
            assert audit_count(app) == before, f"{label} changed something"


# --- claims: create, lifecycle, publish ---------------------------------------------------------


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


def test_the_form_keeps_phrasings_aliases_required_terms_and_evidence(app):
    contributor = logged_in(app, "contributor")
    create(contributor, id="mms-autism")
    rec = store.revision(db_of(app), store.get_claim(db_of(app), "mms-autism")["current_revision"])
    assert rec["phrasings"] == ["MMS cures autism.", MMS_SENTENCE]
    assert rec["aliases"] == {"chlorine dioxide": ["miracle mineral solution", "mms"]}
    assert rec["required_terms"] == ["autism"]
    assert rec["counter_statements"] == [
        "Chlorine dioxide does not treat autism.",
        "Drinking MMS harms children.",
    ]
    assert rec["reviewed_at"] == "2026-12-01"
    assert rec["evidence"] == [
        {
            "url": NEW_CLAIM["ev_url"],
            "title": NEW_CLAIM["ev_title"],
            "publisher": NEW_CLAIM["ev_publisher"],
            "source_type": "regulator",
            "year": 2019,
        }
    ]
    # The edit form shows them back as they were typed.
    page = contributor.get("/moderate/claims/mms-autism/edit").get_data(as_text=True)
    assert "chlorine dioxide: miracle mineral solution; mms" in page
    assert NEW_CLAIM["ev_url"] in page
    assert "Drinking MMS harms children." in page and 'value="2026-12-01"' in page


def test_the_claim_and_edit_pages_list_what_the_evidence_bar_still_needs(app):
    """The checklist from server/evidence.py, in words, before anyone publishes."""
    contributor = logged_in(app, "contributor")
    create(contributor, id="mms-autism")
    for path in ("/moderate/claims/mms-autism", "/moderate/claims/mms-autism/edit"):
        page = contributor.get(path).get_data(as_text=True)
        assert "Evidence checklist" in page
        assert "Fewer than 3 phrasings (2)" in page
        assert "Fewer than 2 strong links to original pages (1)" in page

    # A second strong original, a third phrasing and an old source with its reason:
    # the bar is met, and the reason survives the form.
    form = {
        **NEW_CLAIM,
        "version": version_of(app, "mms-autism"),
        "phrasings": NEW_CLAIM["phrasings"] + "\nBleach drops will cure your child's autism.",
        "ev_url": [NEW_CLAIM["ev_url"], "https://fullfact.org/health/mms-autism/"],
        "ev_title": [NEW_CLAIM["ev_title"], "MMS does not cure autism"],
        "ev_publisher": [NEW_CLAIM["ev_publisher"], "Full Fact"],
        "ev_source_type": ["regulator", "fact_check"],
        "ev_year": ["2010", "2024"],
        "ev_current_reason": ["The warning still stands.", ""],
    }
    assert post(contributor, "/moderate/claims/mms-autism/edit", form).status_code == 303
    page = contributor.get("/moderate/claims/mms-autism").get_data(as_text=True)
    assert "Meets the evidence bar" in page and "Fewer than" not in page
    edit = contributor.get("/moderate/claims/mms-autism/edit").get_data(as_text=True)
    assert 'value="The warning still stands."' in edit

    # Without the reason, the old source no longer counts and the checklist says why.
    form["ev_current_reason"] = ["", ""]
    form["version"] = version_of(app, "mms-autism")
    post(contributor, "/moderate/claims/mms-autism/edit", form)
    page = contributor.get("/moderate/claims/mms-autism").get_data(as_text=True)
    assert "Link 1 is from 2010, older than 10 years" in page


def test_invalid_claims_come_back_with_every_problem_and_the_input_kept(app):
    contributor = logged_in(app, "contributor")
    res = create(contributor, verdict="maybe", ev_url="http://insecure.example/x")
    assert res.status_code == 422
    page = res.get_data(as_text=True)
    assert "verdict must be one of" in page and "https://" in page
    assert "Giving kids chlorine dioxide heals their autism." in page
    assert query(app, "SELECT count(*) FROM claims WHERE topic = 'autism-cures'") == [(0,)]


def test_creating_never_overwrites_an_existing_claim(app):
    contributor = logged_in(app, "contributor")
    res = create(contributor, id="vaccines-cause-autism")
    assert res.status_code == 409
    [(text,)] = query(app, "SELECT text FROM claims WHERE id = 'vaccines-cause-autism'")
    assert text == "Vaccines cause autism."


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


# --- conflicts -------------------------------------------------------------------------------


def test_a_second_save_of_the_same_claim_gets_a_conflict_page_never_an_overwrite(app):
    ann = logged_in(app, "contributor", "ann@example.org")
    bob = logged_in(app, "contributor", "bob@example.org")
    create(ann, id="mms")
    form_ann = ann.get("/moderate/claims/mms/edit").get_data(as_text=True)
    form_bob = bob.get("/moderate/claims/mms/edit").get_data(as_text=True)

    def hidden(page: str, name: str) -> str:
        return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)

    first = post(
        ann,
        "/moderate/claims/mms/edit",
        {
            **NEW_CLAIM,
            "summary": "Ann's careful summary.",
            "version": hidden(form_ann, "version"),
            "base_revision": hidden(form_ann, "base_revision"),
        },
    )
    assert first.status_code == 303
    second = post(
        bob,
        "/moderate/claims/mms/edit",
        {
            **NEW_CLAIM,
            "summary": "Bob's hasty summary.",
            "version": hidden(form_bob, "version"),
            "base_revision": hidden(form_bob, "base_revision"),
        },
    )
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "not saved" in page and "ann@example.org" in page
    assert "Ann&#39;s careful summary." in page and "Bob&#39;s hasty summary." in page
    assert "What they changed" in page and "What you changed" in page
    rec = store.revision(db_of(app), store.get_claim(db_of(app), "mms")["current_revision"])
    assert rec["summary"] == "Ann's careful summary."

    # Saving from the conflict page is a deliberate overwrite against the new version.
    res = post(
        bob,
        "/moderate/claims/mms/edit",
        {
            **NEW_CLAIM,
            "summary": "Bob's merged summary.",
            "version": hidden(page, "version"),
            "base_revision": hidden(page, "base_revision"),
        },
    )
    assert res.status_code == 303
    rec = store.revision(db_of(app), store.get_claim(db_of(app), "mms")["current_revision"])
    assert rec["summary"] == "Bob's merged summary."


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


# --- history and audit --------------------------------------------------------------------------


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


def test_every_state_change_writes_its_audit_entry(app):
    """Audit completeness: each action adds exactly the entries it should, naming
    who did what to which object."""
    contributor = logged_in(app, "contributor", "carl@example.org")
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    admin = logged_in(app, "admin", "ada@example.org")
    report_id = store.create_report(
        db_of(app),
        kind="wrong_flag",
        claim_id="vaccines-cause-autism",
        passage="x",
        url=None,
        comment=None,
    )["id"]
    target = make_user(app, "tina@example.org", "contributor")

    def check(run, actor: str, action: str, object_id: str | None = None):
        before = audit_count(app)
        res = run()
        assert res.status_code in (200, 303), (action, res.status_code)
        events = store.audit_events(db_of(app), limit=audit_count(app) - before)
        assert [e["action"] for e in events] == [action], events
        assert events[0]["actor"] == actor
        if object_id is not None:
            assert events[0]["object_id"] == object_id

    check(lambda: create(contributor, id="mms"), "carl@example.org", "claim.create", "mms")
    check(
        lambda: post(
            contributor,
            "/moderate/claims/mms/edit",
            {**NEW_CLAIM, "summary": "Edited.", "version": version_of(app, "mms")},
        ),
        "carl@example.org",
        "claim.update",
        "mms",
    )
    check(lambda: act(contributor, app, "mms", "submit"), "carl@example.org", "claim.submit")
    check(
        lambda: act(reviewer, app, "mms", "return", note="why"), "rita@example.org", "claim.return"
    )
    act(contributor, app, "mms", "submit")
    check(lambda: act(reviewer, app, "mms", "approve"), "rita@example.org", "claim.publish")
    check(
        lambda: post(
            contributor,
            "/moderate/claims/mms/edit",
            {**NEW_CLAIM, "summary": "Pending.", "version": version_of(app, "mms")},
        ),
        "carl@example.org",
        "claim.update",
    )
    check(lambda: act(reviewer, app, "mms", "discard"), "rita@example.org", "claim.discard")
    check(
        lambda: act(reviewer, app, "mms", "merge", superseded_by="vaccines-cause-autism"),
        "rita@example.org",
        "claim.merge",
        "mms",
    )
    check(
        lambda: act(reviewer, app, "kratom-not-addictive", "retire"),
        "rita@example.org",
        "claim.retire",
    )
    check(
        lambda: post(
            reviewer,
            f"/moderate/reports/{report_id}/resolve",
            {"status": "dismissed_no_action", "note": "the flag is right"},
        ),
        "rita@example.org",
        "report.resolve",
        str(report_id),
    )

    def import_and_wait():
        res = post(reviewer, "/moderate/import", {"file": (io.BytesIO(b"[]"), "empty.json")})
        _finished(app, res)  # the job runs in the background and audits when it ends
        return res

    check(import_and_wait, "rita@example.org", "import")
    check(
        lambda: post(admin, "/moderate/users", {"email": "new@example.org", "role": "reviewer"}),
        "ada@example.org",
        "user.create",
    )
    uid = target["id"]
    check(
        lambda: post(admin, f"/moderate/users/{uid}/role", {"role": "reviewer"}),
        "ada@example.org",
        "user.role",
        str(uid),
    )
    check(
        lambda: post(admin, f"/moderate/users/{uid}/password"),
        "ada@example.org",
        "user.password_reset",
    )
    check(lambda: post(admin, f"/moderate/users/{uid}/disable"), "ada@example.org", "user.disable")
    check(lambda: post(admin, f"/moderate/users/{uid}/enable"), "ada@example.org", "user.enable")
    check(
        lambda: post(admin, "/moderate/api-keys", {"name": "k"}),
        "ada@example.org",
        "api_key.create",
    )
    [(key_id,)] = query(app, "SELECT id FROM api_keys")
    check(
        lambda: post(admin, f"/moderate/api-keys/{key_id}/revoke"),
        "ada@example.org",
        "api_key.revoke",
    )
    check(
        lambda: post(contributor, "/moderate/account/sessions"),
        "carl@example.org",
        "user.end_sessions",
    )
    check(lambda: post(contributor, "/moderate/logout"), "carl@example.org", "user.logout")
    check(lambda: login(contributor, "carl@example.org"), "carl@example.org", "user.login")
    # Looking changes nothing, and the bench stores nothing.
    before = audit_count(app)
    post(reviewer, "/moderate/bench", {"text": MMS_SENTENCE})
    reviewer.get("/moderate/claims")
    reviewer.get("/moderate/export?format=csv")
    assert audit_count(app) == before


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("contributor", lambda c, app: create(c, id="mms")),
        ("reviewer", lambda c, app: act(c, app, "vaccines-cause-autism", "retire")),
        (
            "admin",
            lambda c, app: post(c, "/moderate/users", {"email": "z@example.org", "role": "admin"}),
        ),
        ("admin", lambda c, app: post(c, "/moderate/api-keys", {"name": "k"})),
    ],
)
def test_a_change_never_lands_without_its_audit_entry(app, monkeypatch, role, action):
    """The change and its audit entry share one transaction: when the audit write
    fails, the change is rolled back with it."""
    client = logged_in(app, role)
    tables = ("claims", "claim_revisions", "users", "api_keys", "audit_events")
    before = {t: query(app, f"SELECT * FROM {t}") for t in tables}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.audit_log, "append", broken)
    app.testing = False  # answer 500 instead of re-raising inside the test
    app.config["PROPAGATE_EXCEPTIONS"] = False
    res = action(client, app)
    assert res.status_code == 500
    assert {t: query(app, f"SELECT * FROM {t}") for t in tables} == before


def test_the_audit_log_is_append_only(app):
    logged_in(app, "admin")
    db = db_of(app)
    with pytest.raises(Exception, match="append-only"):
        db.execute("UPDATE audit_events SET actor = 'someone else'")
    with pytest.raises(Exception, match="append-only"):
        db.execute("DELETE FROM audit_events")


def test_the_audit_page_filters_by_actor_and_object(app):
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    act(reviewer, app, "kratom-not-addictive", "retire")
    page = reviewer.get("/moderate/audit?actor=rita@example.org").get_data(as_text=True)
    table = page.split("<table", 1)[1]
    assert "retired it" in table and "Kratom is not addictive." in table
    assert "created the claim" not in table  # the seed's entries are by 'system'
    page = reviewer.get("/moderate/audit?object_type=claim&object_id=vaccines-cause-autism")
    assert "published it" in page.get_data(as_text=True).split("<table", 1)[1]
    page = reviewer.get("/moderate/audit?action=claim.retire").get_data(as_text=True)
    assert "retired it" in page.split("<table", 1)[1]


# --- claims list -----------------------------------------------------------------------------


def test_the_claims_list_searches_and_filters(app):
    contributor = logged_in(app, "contributor")
    create(contributor, id="mms")

    def ids(qs: str) -> set[str]:
        page = contributor.get("/moderate/claims" + qs).get_data(as_text=True)
        return set(re.findall(r'href="/moderate/claims/([a-z0-9-]+)"', page)) - {"new"}

    everything = ids("")
    assert "mms" in everything and "vaccines-cause-autism" in everything
    assert ids("?status=draft") == {"mms"}
    assert ids("?verdict=supported") == {"opioid-agonists-cut-overdose-deaths"}
    assert ids("?topic=kratom") == {"kratom-safe-opioid-treatment", "kratom-not-addictive"}
    assert ids("?q=miracle+mineral") == {"mms"}  # an alias of a draft
    assert ids("?q=heroin") == {"kratom-safe-opioid-treatment"}  # a phrasing
    assert ids("?q=kratom&status=published&verdict=false") == {
        "kratom-safe-opioid-treatment",
        "kratom-not-addictive",
    }
    assert contributor.get("/moderate/claims?status=bogus").status_code == 400


# --- test bench ------------------------------------------------------------------------------


def test_the_bench_shows_what_the_published_set_and_a_draft_would_flag(app):
    contributor = logged_in(app, "contributor")
    create(contributor, id="mms")
    text = f"Kratom is a safe, natural cure for opioid addiction.\n\n{MMS_SENTENCE}"
    res = post(contributor, "/moderate/bench", {"text": text, "claim": "mms"})
    assert res.status_code == 200
    page = res.get_data(as_text=True)
    published, _, draft = page.partition('id="draft-results"')
    assert "kratom-safe-opioid-treatment" in published and "/moderate/claims/mms" not in published
    assert "/moderate/claims/mms" in draft and "kratom-safe-opioid-treatment" in draft
    for column in ("confident", "repeats", "contradicts the evidence"):
        assert column in page
    assert re.search(r'<td class="num">[01]\.\d\d</td>', page)


def test_the_bench_reads_an_uploaded_html_page_and_stores_nothing(app):
    contributor = logged_in(app, "contributor")
    canary = "canary-7f3a9"
    html = (
        f"<html><body><nav>menu</nav><p>Kratom is a safe, natural cure for opioid "
        f"addiction. {canary}</p></body></html>"
    )
    res = post(
        contributor,
        "/moderate/bench",
        {"text": "", "page": (io.BytesIO(html.encode()), "page.html")},
    )
    assert res.status_code == 200
    assert "kratom-safe-opioid-treatment" in res.get_data(as_text=True)
    with open(app.config["DATABASE"], "rb") as fh:
        assert canary.encode() not in fh.read()
    assert query(app, "SELECT count(*) FROM match_counts") == [(0,)]


def test_the_bench_asks_for_something_to_check(app):
    contributor = logged_in(app, "contributor")
    assert post(contributor, "/moderate/bench", {"text": "  "}).status_code == 422
    res = post(contributor, "/moderate/bench", {"text": "Some text here.", "claim": "nope"})
    assert res.status_code == 422


# --- reports -----------------------------------------------------------------------------------


def test_reports_move_between_states_with_a_note_and_show_on_the_claim(app):
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    db = db_of(app)
    first = store.create_report(
        db,
        kind="wrong_flag",
        claim_id="vaccines-cause-autism",
        passage="Vaccines do not cause autism.",
        url=None,
        comment="This sentence debunks it",
    )["id"]
    second = store.create_report(
        db,
        kind="wrong_flag",
        claim_id="vaccines-cause-autism",
        passage="Vaccines do not cause autism!",
        url=None,
        comment=None,
    )["id"]
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


# --- import and export ------------------------------------------------------------


def _upload(client, content: bytes, name: str, **extra):
    return post(client, "/moderate/import", {"file": (io.BytesIO(content), name), **extra})


def _finished(app, res) -> dict:
    """The import job a 303 points to, once its background thread has finished it."""
    job_id = int(res.headers["Location"].rsplit("/", 1)[1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = importer.get_job(db_of(app), job_id)
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"import {job_id} still {job['status']}")


def test_an_import_arrives_as_drafts_with_a_report_on_every_row(app):
    reviewer = logged_in(app, "reviewer")
    good = {
        **sample_claims()[0],
        "id": "imported-kratom",
        "text": "Kratom is a cure-all.",
        "phrasings": [
            "Kratom fixes everything.",
            "Kratom heals any illness.",
            "Kratom cures it all.",
        ],
    }
    bad = {"id": "bad-one", "text": "No verdict here."}
    res = _upload(reviewer, json.dumps([good, bad]).encode(), "batch.json")
    assert res.status_code == 303
    assert _finished(app, res)["status"] == "done"
    report = reviewer.get(res.headers["Location"] + "?show=all").get_data(as_text=True)
    assert (
        "imported-kratom" in report and "bad-one" in report and "verdict must be one of" in report
    )
    assert status_of(app, "imported-kratom") == ("draft", None)
    assert match(app.test_client(), "Kratom is a cure-all.") == []


def test_only_an_admin_can_publish_on_import(app):
    reviewer = logged_in(app, "reviewer")
    admin = logged_in(app, "admin")
    record = {**sample_claims()[0], "id": "imported-kratom", "text": "Kratom is a cure-all."}
    record["phrasings"] = ["Kratom fixes everything.", "Kratom heals any illness."]
    body = json.dumps([record]).encode()
    assert _upload(reviewer, body, "a.json", publish="1").status_code == 403
    assert query(app, "SELECT count(*) FROM claims WHERE id = 'imported-kratom'") == [(0,)]
    res = _upload(admin, body, "a.json", publish="1")
    assert res.status_code == 303 and _finished(app, res)["status"] == "done"
    assert status_of(app, "imported-kratom") == ("published", None)


def test_unreadable_import_files_are_explained(app):
    reviewer = logged_in(app, "reviewer")
    assert _upload(reviewer, b"{not json", "x.json").status_code == 422
    assert _upload(reviewer, b"\xff\xfe\x00", "x.json").status_code == 422
    assert post(reviewer, "/moderate/import", {}).status_code == 422


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "claimreview"])
def test_export_downloads_every_format_and_it_imports_back(app, tmp_path, fmt):
    contributor = logged_in(app, "contributor")
    res = contributor.get(f"/moderate/export?format={fmt}&status=published")
    assert res.status_code == 200
    assert res.headers["Content-Disposition"].startswith('attachment; filename="healthflags-')
    body = res.get_data(as_text=True)
    assert "vaccines-cause-autism" in body
    # Round trip into a fresh database through the import page.
    other = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "other.db"),
            "SECRET_KEY": "t",
            "PASSWORD_HASH_CHEAP": True,
        }
    )
    admin = logged_in(other, "admin")
    name = {"json": "x.json", "ndjson": "x.ndjson", "csv": "x.csv", "claimreview": "x.jsonld"}[fmt]
    res = _upload(admin, body.encode(), name, format=fmt)
    assert res.status_code == 303
    job = _finished(other, res)
    assert job["counts"]["created"] == 4 and job["counts"]["invalid"] == 0


# --- dashboard ------------------------------------------------------------------------------------


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


# --- publishing reaches every worker --------------------------------------------------------------


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


# --- the workspace's own protections --------------------------------------------------


def test_workspace_pages_are_never_cached_framed_or_shared_cross_origin(app):
    contributor = logged_in(app, "contributor")
    res = contributor.get("/moderate/claims", headers={"Origin": "https://evil.example"})
    assert res.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in res.headers["Content-Security-Policy"]
    assert "script-src 'self'" in res.headers["Content-Security-Policy"]
    assert res.headers["X-Frame-Options"] == "DENY"
    assert "Access-Control-Allow-Origin" not in res.headers
    preflight = app.test_client().options(
        "/moderate/login",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_claim_text_is_escaped_everywhere_it_is_shown(app):
    contributor = logged_in(app, "contributor")
    create(
        contributor,
        id="xss",
        text='<img src=x onerror="alert(1)"> cures autism.',
        phrasings="<script>alert(2)</script> heals autism",
    )
    for path in (
        "/moderate/claims",
        "/moderate/claims/xss",
        "/moderate/claims/xss/history",
        "/moderate/claims/xss/edit",
    ):
        page = contributor.get(path).get_data(as_text=True)
        assert "<img src=x" not in page and "<script>alert" not in page, path


def test_the_served_app_never_runs_in_debug_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("HEALTHFLAGS_DATABASE", str(tmp_path / "x.db"))
    monkeypatch.setenv("HEALTHFLAGS_SECRET_KEY", "x")  # so no secret file is written
    served = create_app()
    assert served.debug is False


def test_with_semantic_matching_a_publish_embeds_its_texts_and_the_bench_says_by_meaning(
    tmp_path,
):
    skip_without_semantic()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "s.db"),
            "SECRET_KEY": "t",
            "PASSWORD_HASH_CHEAP": True,
            "INDEX_CHECK_SECONDS": 0.0,
            "SEMANTIC": True,
        }
    )
    db = db_of(app)
    store.seed_if_new(db)
    contributor, reviewer = logged_in(app, "contributor"), logged_in(app, "reviewer")
    # The seed holds a near twin (MMS cures autism): the moderator creates it anyway.
    assert create(contributor, allow_duplicate="1").status_code == 303
    claim_id = "chlorine-dioxide-cures-autism-in-children"
    act(contributor, app, claim_id, "submit")
    match(app.test_client(), "Kratom is not addictive.")  # the workers' first index: seed vectors
    before = db["claim_vectors"].count
    assert before == len(store.published_texts(db))
    assert act(reviewer, app, claim_id, "approve").status_code == 303
    # The approval embedded the new claim's texts then, not on a reader's request.
    assert db["claim_vectors"].count == len(store.published_texts(db)) > before
    res = post(contributor, "/moderate/bench", {"text": "No one has ever died from kratom alone."})
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "kratom-never-killed-anyone" in page and "by meaning" in page


@pytest.mark.parametrize("name", ["verdict-list.json", "rating-string.jsonld", "plain-url.csv"])
def test_a_malformed_upload_is_reported_row_by_row_never_a_500(app, name):
    from test_importer import MALFORMED

    text, expected = MALFORMED[name]
    admin = logged_in(app, "admin")
    fmt = {"format": "claimreview"} if name.endswith(".jsonld") else {}
    res = _upload(admin, text.encode(), name, publish="1", **fmt)
    assert res.status_code == 303
    job = _finished(app, res)
    assert job["status"] == "done" and job["counts"]["invalid"] == 1
    page = admin.get(res.headers["Location"]).get_data(as_text=True)
    assert expected in page and ("line " in page or "item " in page)


def test_the_chosen_file_is_kept_after_a_whole_file_error(app):
    reviewer = logged_in(app, "reviewer")
    record = {**sample_claims()[1], "id": "kept-one", "text": "Kratom tea cures gout."}
    body = json.dumps([{**record, "phrasings": []}]).encode()
    res = _upload(reviewer, body, "claims.json", format="csv")  # the wrong format
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "no “text” column" in page
    assert "File kept: <strong>claims.json</strong>" in page
    token = re.search(r'name="kept_token" value="([0-9a-f]+)"', page).group(1)
    again = post(
        reviewer,
        "/moderate/import",
        {"kept_token": token, "kept_name": "claims.json", "format": "json"},
    )
    assert again.status_code == 303 and _finished(app, again)["counts"]["created"] == 1


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_the_templates_download_and_import_as_they_are(app, kind):
    reviewer = logged_in(app, "reviewer")
    page = reviewer.get("/moderate/import").get_data(as_text=True)
    assert f"/moderate/import/template.{kind}" in page and "counter_statements" in page
    template = reviewer.get(f"/moderate/import/template.{kind}")
    assert "attachment" in template.headers["Content-Disposition"]
    res = _upload(reviewer, template.data, f"template.{kind}")
    job = _finished(app, res)
    assert job["counts"]["created"] == 1 and job["counts"]["invalid"] == 0, job


def test_a_running_import_shows_its_progress_and_a_failed_one_offers_resume(app):
    reviewer = logged_in(app, "reviewer")
    db = db_of(app)
    job_id = importer.create_job(db, actor="t", fmt="csv", filename="big.csv")
    with dbm.write(db):
        db.execute(
            "UPDATE imports SET status = 'running', pid = ?, host = ?, heartbeat_at = ?, "
            "bytes_total = 1000, bytes_done = 400, rows_done = 120 WHERE id = ?",
            [__import__("os").getpid(), __import__("socket").gethostname(), store.now(), job_id],
        )
    page = reviewer.get(f"/moderate/imports/{job_id}").get_data(as_text=True)
    assert '<progress max="100" value="40"' in page and 'http-equiv="refresh"' in page
    assert "120 rows read" in page
    with dbm.write(db):
        db.execute("UPDATE imports SET pid = 999999999 WHERE id = ?", [job_id])  # it died
    page = reviewer.get(f"/moderate/imports/{job_id}").get_data(as_text=True)
    assert "stopped after row 120" in page and "Resume from row 121" in page


# --- issue 20: what fact-checkers stumbled on --------------------------------------------


def test_workspace_search_finds_words_in_any_form(app):
    contributor = logged_in(app, "contributor")
    for q in ("vaccine+autism", "vaccines+autism"):
        page = contributor.get(f"/moderate/claims?q={q}").get_data(as_text=True)
        assert 'href="/moderate/claims/vaccines-cause-autism"' in page, q


def test_a_near_duplicate_on_create_is_shown_with_a_link_before_it_is_made(app):
    contributor = logged_in(app, "contributor")
    res = create(contributor, id="dup", text="Can vaccines cause autism?", phrasings="")
    page = res.get_data(as_text=True)
    assert res.status_code == 409 and "looks like a claim we already have" in page
    assert 'href="/moderate/claims/vaccines-cause-autism"' in page
    assert 'name="allow_duplicate"' in page and "Can vaccines cause autism?" in page
    assert query(app, "SELECT count(*) FROM claims WHERE id = 'dup'") == [(0,)]
    res = create(
        contributor, id="dup", text="Can vaccines cause autism?", phrasings="", allow_duplicate="1"
    )
    assert res.status_code == 303 and status_of(app, "dup") == ("draft", None)


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


def test_the_claim_page_says_one_revision_number_and_the_derived_required_terms(app):
    reviewer = logged_in(app, "reviewer")
    create(reviewer, id="mms", required_terms="")
    page = reviewer.get("/moderate/claims/mms").get_data(as_text=True)
    assert not re.search(r"version \d", page) and "revision 1" in page
    terms = page.split("<h3>Required terms</h3>", 1)[1].split("</p>", 1)[0]
    assert "derived from the phrasings" in terms
    assert re.search(r"<p>[a-z ,]+ <span", terms)  # the words themselves are listed
    # A published claim without given terms: the words of the index readers meet.
    page = reviewer.get("/moderate/claims/kratom-not-addictive").get_data(as_text=True)
    terms = page.split("<h3>Required terms</h3>", 1)[1].split("</p>", 1)[0]
    assert re.search(r"<p>kratom <span class=\"muted\">\(derived", terms), terms


def test_history_names_who_published_each_revision(app):
    contributor = logged_in(app, "contributor")
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    create(contributor, id="mms")
    act(contributor, app, "mms", "submit")
    act(reviewer, app, "mms", "approve")
    page = reviewer.get("/moderate/claims/mms/history").get_data(as_text=True)
    assert "approved and published by rita@example.org" in page


def test_the_dashboard_and_audit_log_say_what_happened_in_words(app):
    contributor = logged_in(app, "contributor", "carl@example.org")
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    create(contributor, id="mms")
    act(contributor, app, "mms", "submit")
    act(reviewer, app, "mms", "return", note="Add a second source")
    for path in ("/moderate/", "/moderate/audit"):
        page = reviewer.get(path).get_data(as_text=True)
        recent = page.split("Recent changes", 1)[-1] if path == "/moderate/" else page
        recent = recent.split("<table", 1)[-1] if path != "/moderate/" else recent
        assert "carl@example.org created the claim" in recent, path
        assert "rita@example.org sent it back to draft" in recent, path
        assert "Chlorine dioxide cures autism in children." in recent, path
        assert "claim.create" not in recent and "claim.return" not in recent, path
        assert re.search(
            r'<time datetime="\d{4}-\d\d-\d\dT[\d:]+Z" class="when">\d+ \w+ \d{4}', recent
        )
    audit = reviewer.get("/moderate/audit?object_id=mms").get_data(as_text=True)
    # The fields that changed, in words; the raw record stays one click away.
    changed = "".join(re.findall(r'<dl class="changes">.*?</dl>', audit, re.S))
    assert "<dt>Status</dt>" in changed and "In review" in changed and "Draft" in changed
    assert "published_revision" not in changed and "version" not in changed


def test_drafts_list_what_they_lack(app):
    contributor = logged_in(app, "contributor")
    create(contributor, id="mms")
    page = contributor.get("/moderate/claims?status=draft").get_data(as_text=True)
    row = page.split('href="/moderate/claims/mms"', 1)[1].split("</tr>", 1)[0]
    # One strong source and two phrasings: below the bar on both counts, in words.
    assert "Still needs:" in row and "Fewer than 3 phrasings" in row
    assert "Fewer than 2 strong links" in row


def test_the_bench_splits_crlf_paragraphs_and_lists_what_passed(app):
    contributor = logged_in(app, "contributor")
    harmless = "Our clinic opens at nine on weekdays."
    text = "\r\n\r\n".join(
        [
            "Kratom is a safe, natural cure for opioid addiction.",
            harmless,
            "Drink plenty of water when it is hot.",
            "Vaccines cause autism, some parents say, but is that so?",
        ]
    )
    page = post(contributor, "/moderate/bench", {"text": text}).get_data(as_text=True)
    assert "in 4 blocks of text" in page
    passed = page.split("Not flagged:", 1)[1].split("</details>", 1)[0]
    assert harmless in passed and "Drink plenty of water" in passed
    assert "Kratom is a safe" not in passed
    assert re.search(r"<td><span class=\"muted small\">s1</span>", page)


def test_the_bench_explains_unclear(app):
    contributor = logged_in(app, "contributor")
    ask = post(contributor, "/moderate/bench", {"text": "Is it true that vaccines cause autism?"})
    page = ask.get_data(as_text=True)
    assert ">unclear</span>" in page  # a question neither repeats nor disputes
    assert "Reader sees “unclear”" in page and "argues against it" in page
    plain = post(contributor, "/moderate/bench", {"text": "Vaccines cause autism."})
    assert "Reader sees “unclear”" not in plain.get_data(as_text=True)


def test_a_missed_claim_report_leads_to_a_new_claim_and_the_bench(app):
    reviewer = logged_in(app, "reviewer")
    passage = "Turmeric shots cure type 2 diabetes in a week."
    report_id = store.create_report(
        db_of(app),
        kind="missed_claim",
        claim_id=None,
        passage=passage,
        url="https://shop.example/turmeric?x=1",
        comment=None,
    )["id"]
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
    report_id = store.create_report(
        db_of(app), kind="missed_claim", claim_id=None, passage="p", url=url, comment=None
    )["id"]
    page = reviewer.get(f"/moderate/reports/{report_id}").get_data(as_text=True)
    assert f'href="{url}' not in page and "not a web address" in page


def test_a_dismissal_needs_a_note_and_saving_moves_on_to_the_next_open_report(app):
    reviewer = logged_in(app, "reviewer")
    ids = [
        store.create_report(
            db_of(app), kind="wrong_flag", claim_id=None, passage=f"p{n}", url=None, comment=None
        )["id"]
        for n in range(3)
    ]
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


def test_forms_mark_required_fields_and_highlight_the_ones_with_problems(app):
    contributor = logged_in(app, "contributor")
    page = contributor.get("/moderate/claims/new").get_data(as_text=True)
    for name in ("Canonical text", "Verdict", "Topic", "Summary"):
        assert re.search(rf'{name} <abbr class="req" title="required">\*</abbr>', page), name
    assert re.search(r'name="topic"[^>]*required', page)
    res = create(
        contributor,
        summary="",
        ev_url="https://www.fda.gov/x?utm_source=newsletter&utm_medium=email",
    )
    page = res.get_data(as_text=True)
    assert res.status_code == 422
    assert "remove the tracking parameters (utm_source, utm_medium)" in page
    assert re.search(r'name="summary"[^>]*aria-invalid="true"', page)
    assert re.search(r'name="ev_url"[^>]*aria-invalid="true"', page)
    assert not re.search(r'name="text"[^>]*aria-invalid', page)


def test_claimant_claim_date_and_appearance_are_kept_shown_and_exported(app):
    contributor = logged_in(app, "contributor")
    create(
        contributor,
        id="mms",
        claimant="Genesis II Church",
        claim_date="2025-04-01",
        appearance="https://church.example/mms",
    )
    page = contributor.get("/moderate/claims/mms").get_data(as_text=True)
    assert "Genesis II Church" in page and 'href="https://church.example/mms"' in page
    body = contributor.get("/moderate/export?format=claimreview&status=draft").get_json()
    [item] = [i for i in body if i["identifier"] == "mms"]
    assert item["itemReviewed"]["author"]["name"] == "Genesis II Church"
    assert item["itemReviewed"]["datePublished"] == "2025-04-01"
    assert item["itemReviewed"]["appearance"]["url"] == "https://church.example/mms"


def test_every_page_offers_a_skip_link_and_the_password_minimum_is_stated(app):
    admin = logged_in(app, "admin")
    page = admin.get("/moderate/claims").get_data(as_text=True)
    assert page.index('class="skip-link" href="#main"') < page.index("<nav")
    assert 'id="main"' in page
    assert "at least 12 characters" in admin.get("/moderate/users").get_data(as_text=True)
    assert "at least 12 characters" in admin.get("/moderate/account").get_data(as_text=True)


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
