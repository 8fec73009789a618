"""The public /v1 contract: success shapes, one error shape, CORS, drafts never served."""

from __future__ import annotations

import json

import pytest
from conftest import sample_claims

from server import db as dbm
from server import store

KRATOM = "Kratom is a safe, natural treatment for opioid addiction."  # the claim, word for word


def match(client, *texts: str, **extra):
    segments = [{"id": f"s{i}", "text": t} for i, t in enumerate(texts)]
    return client.post("/v1/match", json={"segments": segments, **extra})


def test_match_returns_the_sentence_with_its_claim_and_evidence(client):
    text = f"Welcome to our shop! {KRATOM} Order today."
    res = match(client, text, url="https://example.org/post")
    assert res.status_code == 200
    body = res.get_json()
    [m] = body["matches"]
    assert m["claim_id"] == "kratom-safe-opioid-treatment"
    assert text[m["start"] : m["end"]] == m["exact"] == KRATOM
    assert m["tier"] == "confident" and m["stance"] == "repeats"
    assert m["assessment"] == "contradicts_evidence" and m["method"] == "lexical"
    claim = body["claims"]["kratom-safe-opioid-treatment"]
    assert claim["verdict"] == "false" and claim["rating_value"] == 1
    assert claim["evidence"] and all(e["url"].startswith("https://") for e in claim["evidence"])
    assert claim["review_url"].endswith("/claims/kratom-safe-opioid-treatment")
    assert body["db_version"]


def test_each_claim_appears_once_however_often_it_matched(client):
    body = match(client, KRATOM, KRATOM + " " + KRATOM).get_json()
    assert len(body["matches"]) == 3
    assert list(body["claims"]) == ["kratom-safe-opioid-treatment"]


def test_harmless_text_gets_no_matches(client):
    body = match(client, "Drink water and sleep well.", "Walking is good for you.").get_json()
    assert body == {"db_version": body["db_version"], "matches": [], "claims": {}, "rejected": []}


def test_other_languages_get_no_flags_rather_than_wrong_ones(client):
    assert match(client, KRATOM, lang="fr").get_json()["matches"] == []
    assert match(client, KRATOM, lang="en-GB").get_json()["matches"]


def test_drafts_and_retired_claims_are_never_matched_or_listed(app, client, db_path):
    db = dbm.open_db(db_path)
    store.save_claim(
        db,
        {
            **sample_claims()[0],
            "id": "draft-only",
            "text": "Chlorine dioxide cures autism in children.",
            "phrasings": [],
        },
        "t",
    )
    assert match(client, "Chlorine dioxide cures autism in children.").get_json()["matches"] == []
    store.retire_claim(db, "kratom-safe-opioid-treatment", "t")
    body = match(client, "Switching to kratom is a risk-free way to quit heroin.").get_json()
    assert "kratom-safe-opioid-treatment" not in {m["claim_id"] for m in body["matches"]}
    assert "kratom-safe-opioid-treatment" not in body["claims"]
    ids = [c["id"] for c in client.get("/v1/claims?limit=200").get_json()["claims"]]
    assert "draft-only" not in ids and "kratom-safe-opioid-treatment" not in ids
    assert client.get("/v1/claims/draft-only").status_code == 404


def test_a_publish_reaches_the_matcher(app, client, db_path):
    text = "Colloidal silver cures every infection."
    assert match(client, text).get_json()["matches"] == []
    db = dbm.open_db(db_path)
    record = {
        **sample_claims()[0],
        "id": "colloidal-silver-cures-infections",
        "text": text,
        "phrasings": ["Drinking colloidal silver kills any infection."],
        "aliases": {},
        "required_terms": ["colloidal silver"],
    }
    store.save_claim(db, record, "t")
    store.publish_claim(db, record["id"], "t")
    assert [m["claim_id"] for m in match(client, text).get_json()["matches"]] == [record["id"]]


def test_claims_list_filters_and_pages(client):
    first = client.get("/v1/claims?limit=2").get_json()
    assert len(first["claims"]) == 2 and first["next_cursor"]
    rest = client.get(f"/v1/claims?limit=2&cursor={first['next_cursor']}").get_json()
    ids = [c["id"] for c in first["claims"] + rest["claims"]]
    assert ids == sorted(ids) and len(set(ids)) == 4 and rest["next_cursor"] is None
    only = client.get("/v1/claims?verdict=supported").get_json()["claims"]
    assert [c["id"] for c in only] == ["opioid-agonists-cut-overdose-deaths"]
    kratom = client.get("/v1/claims?topic=kratom").get_json()["claims"]
    assert {c["topic"] for c in kratom} == {"kratom"} and len(kratom) == 2
    found = client.get("/v1/claims?q=hooked").get_json()["claims"]  # a phrasing's word
    assert [c["id"] for c in found] == ["kratom-not-addictive"]
    assert client.get("/v1/claims?q=100%25_").get_json()["claims"] == []


def test_claim_as_json_and_as_claim_review(client):
    res = client.get("/v1/claims/vaccines-cause-autism")
    assert res.status_code == 200 and res.get_json()["verdict"] == "false"
    ld = client.get("/v1/claims/vaccines-cause-autism", headers={"Accept": "application/ld+json"})
    assert ld.mimetype == "application/ld+json"
    review = json.loads(ld.data)
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Vaccines cause autism."
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["url"].endswith("/claims/vaccines-cause-autism")


def test_reports_are_stored_with_the_passage_the_reader_sent(client, db_path):
    res = client.post(
        "/v1/reports",
        json={
            "kind": "wrong_flag",
            "claim_id": "vaccines-cause-autism",
            "passage": "Vaccines do not cause autism.",
            "comment": "This sentence debunks it.",
        },
    )
    assert res.status_code == 201
    report_id = res.get_json()["report"]["id"]
    row = dbm.open_db(db_path)["reports"].get(report_id)
    assert row["passage"] == "Vaccines do not cause autism." and row["url"] is None
    assert row["status"] == "open"


def test_health(client):
    body = client.get("/v1/health").get_json()
    assert body["status"] == "ok" and body["claims"] == 4


def test_public_routes_answer_any_origin_without_credentials(client):
    res = client.get("/v1/claims", headers={"Origin": "https://evil.example"})
    assert res.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in res.headers
    pre = client.options(
        "/v1/match",
        headers={
            "Origin": "https://news.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.headers["Access-Control-Allow-Origin"] == "*"


def test_html_pages_do_not_answer_cross_origin(client):
    res = client.get("/claims/vaccines-cause-autism", headers={"Origin": "https://x.example"})
    assert res.status_code == 200
    assert "Access-Control-Allow-Origin" not in res.headers


def test_claim_page_shows_verdict_summary_evidence_and_history(client):
    res = client.get("/claims/vaccines-cause-autism")
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "Vaccines cause autism." in html
    assert "https://pubmed.ncbi.nlm.nih.gov/34806766/" in html
    assert "Revision 1" in html and "False" in html
    assert client.get("/claims/nope").status_code == 404


def test_claim_page_escapes_claim_text(client, db_path):
    db = dbm.open_db(db_path)
    record = {
        **sample_claims()[2],
        "id": "xss-claim",
        "text": "<script>alert(1)</script> vaccines",
        "summary": "<img src=x onerror=alert(1)>",
    }
    store.save_claim(db, record, "t")
    store.publish_claim(db, "xss-claim", "t")
    html = client.get("/claims/xss-claim").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


# --- the one error shape, over every failing route ----------------------------------

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "method, path, kwargs, status",
    [
        ("post", "/v1/match", {"data": "", "content_type": "application/json"}, 400),
        ("post", "/v1/match", {"data": "{", "content_type": "application/json"}, 400),
        ("post", "/v1/match", {"data": DEEP, "content_type": "application/json"}, 400),
        ("post", "/v1/match", {"data": b"\xff\xfe{}", "content_type": "application/json"}, 400),
        ("post", "/v1/match", {"data": "segments=1", "content_type": "text/plain"}, 415),
        ("post", "/v1/match", {"json": []}, 422),
        ("post", "/v1/match", {"json": {"segments": "text"}}, 422),
        ("post", "/v1/match", {"json": {"segments": [{"id": "a", "text": 5}]}}, 422),
        ("post", "/v1/match", {"json": {"segments": [{"id": {}, "text": "x"}]}}, 422),
        ("post", "/v1/match", {"json": {"segments": ["x"]}}, 422),
        ("post", "/v1/match", {"json": {"segments": [], "url": 7}}, 422),
        ("post", "/v1/match", {"json": {"segments": [{"text": "no id"}]}}, 422),
        ("post", "/v1/match", {"json": {"segments": [{"id": "a", "text": "x" * 20_001}]}}, 422),
        (
            "post",
            "/v1/match",
            {"json": {"segments": [{"id": str(i), "text": "x"} for i in range(2001)]}},
            413,
        ),
        (
            "post",
            "/v1/match",
            {"data": "x" * (1024 * 1024 + 1), "content_type": "application/json"},
            413,
        ),
        ("get", "/v1/match", {}, 405),
        ("put", "/v1/claims", {}, 405),
        ("get", "/v1/nothing-here", {}, 404),
        ("get", "/v1/claims/unknown-claim", {}, 404),
        ("get", "/v1/claims?limit=0", {}, 400),
        ("get", "/v1/claims?limit=ten", {}, 400),
        ("get", "/v1/claims?verdict=wrong", {}, 400),
        ("get", "/v1/claims?cursor=%%%%", {}, 400),
        ("post", "/v1/reports", {"json": {"kind": "praise"}}, 422),
        ("post", "/v1/reports", {"json": {"kind": "wrong_flag", "passage": "x"}}, 422),
        (
            "post",
            "/v1/reports",
            {"json": {"kind": "wrong_flag", "claim_id": "nope", "passage": "x"}},
            422,
        ),
        ("post", "/v1/reports", {"json": {"kind": "missed_claim"}}, 422),
        (
            "post",
            "/v1/reports",
            {"json": {"kind": "missed_claim", "passage": "x", "url": "javascript:alert(1)"}},
            422,
        ),
        ("post", "/v1/reports", {"data": DEEP, "content_type": "application/json"}, 400),
        ("delete", "/v1/reports", {}, 405),
    ],
)
def test_every_v1_error_has_one_shape(client, method, path, kwargs, status):
    res = getattr(client, method)(path, **kwargs)
    assert res.status_code == status, res.get_data(as_text=True)[:300]
    body = res.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] and body["error"]["message"]


def test_limits_are_configurable(tmp_path):
    from server import create_app

    app = create_app(
        {
            "DATABASE": str(tmp_path / "x.db"),
            "SECRET_KEY": "t",
            "MATCH_MAX_SEGMENTS": 2,
            "MATCH_MAX_SEGMENT_CHARS": 10,
        }
    )
    client = app.test_client()
    assert match(client, "a", "b", "c").status_code == 413
    assert match(client, "x" * 11).status_code == 422
    assert match(client, "x" * 10).status_code == 200


def test_pages_carry_security_headers(client):
    page = client.get("/claims/vaccines-cause-autism")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    api = client.get("/v1/health")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_debug_mode_is_off_outside_tests(tmp_path, monkeypatch):
    from server import create_app

    monkeypatch.setenv("HEALTHFLAGS_DEBUG", "true")
    monkeypatch.setenv("HEALTHFLAGS_DATABASE", str(tmp_path / "d.db"))
    monkeypatch.setenv("HEALTHFLAGS_SECRET_KEY", "x")
    app = create_app()
    assert app.debug is False


# --- issue 12: drafts stay private, reports only from the extension -----------------


def test_a_draft_retired_without_publishing_stays_private(app, client, db_path):
    """Issue 12, point 3: a reviewer retired a contributor's draft and its page went
    from 404 to 200 with the draft's text and the history comment."""
    from test_auth import csrf, logged_in

    db = dbm.open_db(db_path)
    draft = {**sample_claims()[0], "id": "secret-draft", "text": "A draft nobody may read."}
    store.save_claim(db, draft, "contributor@example.org", comment="private note")
    assert client.get("/claims/secret-draft").status_code == 404
    reviewer = logged_in(app, "reviewer")
    version = store.get_claim(db, "secret-draft")["version"]
    res = reviewer.post(
        "/moderate/claims/secret-draft/retire",
        data={"csrf_token": csrf(reviewer), "version": version},
    )
    assert res.status_code == 303 and store.get_claim(db, "secret-draft")["status"] == "retired"
    page = client.get("/claims/secret-draft")
    assert page.status_code == 404 and "A draft nobody may read" not in page.get_data(as_text=True)
    assert client.get("/v1/claims/secret-draft").status_code == 404
    # A claim retired after readers saw it keeps its public page.
    store.retire_claim(db, "vaccines-cause-autism", "t")
    assert client.get("/claims/vaccines-cause-autism").status_code == 200


def report(client, origin: str | None = None, **body):
    headers = {"Origin": origin} if origin else {}
    return client.post("/v1/reports", json={"kind": "missed_claim", **body}, headers=headers)


def test_reports_answer_only_the_extension_and_refuse_websites(client, db_path):
    """Issue 12, point 5: any website could post reports through its visitors."""
    for origin in ("chrome-extension://abcdefghijklmnop", "moz-extension://1234-5678"):
        pre = client.options(
            "/v1/reports",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert pre.headers["Access-Control-Allow-Origin"] == origin
        assert report(client, origin, passage="x").status_code == 201
    pre = client.options(
        "/v1/reports",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in pre.headers
    refused = report(client, "https://evil.example", passage="from a website")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden_origin"
    assert report(client, "null", passage="sandboxed").status_code == 403
    # A form post cannot skip the preflight: only application/json is read.
    form = client.post("/v1/reports", data={"kind": "missed_claim", "passage": "x"})
    assert form.status_code == 415
    assert report(client, passage="a script, no Origin").status_code == 201
    passages = [r["passage"] for r in dbm.open_db(db_path)["reports"].rows]
    assert "from a website" not in passages and "sandboxed" not in passages


def test_reports_do_not_reveal_whether_a_draft_exists(client, db_path):
    db = dbm.open_db(db_path)
    store.save_claim(db, {**sample_claims()[0], "id": "draft-id", "text": "Draft text."}, "t")
    answers = [
        report(client, kind="wrong_flag", claim_id=cid, passage="x").get_json()
        for cid in ("draft-id", "no-such-claim")
    ]
    assert answers[0] == answers[1] and answers[0]["error"]["code"] == "unknown_claim"


def test_the_reports_limit_is_split_across_workers(tmp_path, monkeypatch):
    """Issue 12, point 5: two workers allowed 60 reports an hour, not the 30 set."""
    from server import create_app

    monkeypatch.setenv("HEALTHFLAGS_WORKERS", "2")
    app = create_app(
        {"DATABASE": str(tmp_path / "r.db"), "SECRET_KEY": "t", "RATELIMIT_REPORTS": "6 per hour"}
    )
    client = app.test_client()
    codes = [report(client, passage="x").status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]


# --- issue 12: the contract as the spec states it -------------------------------------


def test_one_bad_segment_is_rejected_and_the_others_matched(client):
    body = (
        '{"segments": [{"id": "s1", "text": "Vaccines cause autism."},'
        ' {"id": "s2", "text": "\\ud83d broken half of an emoji"},'
        ' {"id": "s3", "text": "Kratom is not addictive."}]}'
    )
    res = client.post("/v1/match", data=body, content_type="application/json")
    assert res.status_code == 200
    answer = res.get_json()
    assert {m["segment_id"] for m in answer["matches"]} == {"s1", "s3"}
    [rejected] = answer["rejected"]
    assert rejected["segment_id"] == "s2" and rejected["code"] == "invalid_text"
    assert rejected["message"]


def test_six_segments_of_20000_dots_get_an_answer(client):
    """Issue 12, point 1, its failing input: six segments of 20,000 dots (120 KB)
    held a worker 30 s and got an HTML 500. Now a JSON answer: nothing to flag."""
    segments = [{"id": f"s{i}", "text": "." * 20_000} for i in range(6)]
    res = client.post("/v1/match", json={"segments": segments})
    assert res.status_code == 200 and res.get_json()["matches"] == []


def test_a_page_over_the_sentence_budget_is_refused_whole(client):
    """Issue 12, point 1: the work a request may ask for is bounded (5,000 sentences
    by default) and a page over it gets a clear 413, not part of an answer."""
    segments = [{"id": str(i), "text": "Vaccines cause autism. " * 500} for i in range(11)]
    res = client.post("/v1/match", json={"segments": segments})
    assert res.status_code == 413
    assert res.get_json()["error"]["code"] == "too_many_sentences"
    res = client.post("/v1/match", json={"segments": segments[:10]})
    assert res.status_code == 200 and len(res.get_json()["matches"]) == 5000


@pytest.mark.parametrize(
    "method, path, allow", [("get", "/v1/match", "POST"), ("delete", "/v1/reports", "POST")]
)
def test_405_names_the_allowed_methods(client, method, path, allow):
    res = getattr(client, method)(path)
    assert res.status_code == 405 and allow in res.headers["Allow"].split(", ")


def test_long_topic_and_report_without_content_are_refused_as_the_spec_says(client):
    from server.openapi import spec

    res = client.get("/v1/claims?topic=" + "x" * 61)
    assert res.status_code == 422
    assert "422" in spec()["paths"]["/v1/claims"]["get"]["responses"]
    assert report(client).status_code == 422
    assert "422" in spec()["paths"]["/v1/reports"]["post"]["responses"]


def test_health_reports_the_index_this_worker_holds(tmp_path):
    """Issue 12, point 7: health read only the database, so it could not show
    whether the answering worker's index had caught up with a publish."""
    from server import create_app

    path = tmp_path / "h.db"
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "t", "INDEX_CHECK_SECONDS": 3600})
    client = app.test_client()
    db = dbm.open_db(path)
    store.import_claims(db, sample_claims()[:1], "system", publish=True)
    first = client.get("/v1/health").get_json()
    assert first["index_version"] == first["db_version"] and first["index_claims"] == 1
    store.import_claims(db, sample_claims()[1:], "system", publish=True)
    later = client.get("/v1/health").get_json()
    assert later["db_version"] != first["db_version"] and later["claims"] == 4
    assert later["index_version"] == first["index_version"] and later["index_claims"] == 1
