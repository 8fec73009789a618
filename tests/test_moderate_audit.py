"""The audit log: every change writes exactly its entry in the same transaction,
the log is append-only, and its page filters and says what happened in words."""

from __future__ import annotations

import io
import re

import pytest
from moderate_helpers import (
    MMS_SENTENCE,
    NEW_CLAIM,
    act,
    create,
    db_of,
    finished,
    post,
    reported,
    version_of,
)
from test_auth import audit_count, logged_in, login, make_user, query

from server import store

pytestmark = pytest.mark.usefixtures("cheap_hashes")


def test_every_state_change_writes_its_audit_entry(app):
    """Audit completeness: each action adds exactly the entries it should, naming
    who did what to which object."""
    contributor = logged_in(app, "contributor", "carl@example.org")
    reviewer = logged_in(app, "reviewer", "rita@example.org")
    admin = logged_in(app, "admin", "ada@example.org")
    report_id = reported(app, "x", claim_id="vaccines-cause-autism")
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
        finished(app, res)  # the job runs in the background and audits when it ends
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
