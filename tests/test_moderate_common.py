"""Every workspace request: each route refuses the roles below its least one and
serves the rest; pages are never cached, framed or shared cross-origin; every page
offers a skip link; the served app never runs in debug mode."""

from __future__ import annotations

import io
import json

import pytest
from conftest import sample_claims
from moderate_helpers import NEW_CLAIM, db_of, version_of
from test_auth import PASSWORD, audit_count, csrf, logged_in, make_user

from server import auth, create_app, store

pytestmark = pytest.mark.usefixtures("cheap_hashes")


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
    ("GET", "/moderate/imports/too-generic"): (REVIEWER, None),
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


def test_the_served_app_never_runs_in_debug_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("HEALTHFLAGS_DATABASE", str(tmp_path / "x.db"))
    monkeypatch.setenv("HEALTHFLAGS_SECRET_KEY", "x")  # so no secret file is written
    served = create_app()
    assert served.debug is False


def test_every_page_offers_a_skip_link_and_the_password_minimum_is_stated(app):
    admin = logged_in(app, "admin")
    page = admin.get("/moderate/claims").get_data(as_text=True)
    assert page.index('class="skip-link" href="#main"') < page.index("<nav")
    assert 'id="main"' in page
    assert "at least 12 characters" in admin.get("/moderate/users").get_data(as_text=True)
    assert "at least 12 characters" in admin.get("/moderate/account").get_data(as_text=True)
