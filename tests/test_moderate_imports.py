"""Import and export in the workspace: uploads become background jobs with a
report on every row, only admins publish on import, unreadable files are
explained, templates and exports import back as they are."""

from __future__ import annotations

import json
import re

import pytest
from conftest import sample_claims
from moderate_helpers import db_of, finished, match, post, status_of, upload
from test_auth import logged_in, query

from server import create_app, importer, store
from server import db as dbm

pytestmark = pytest.mark.usefixtures("cheap_hashes")


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
    res = upload(reviewer, json.dumps([good, bad]).encode(), "batch.json")
    assert res.status_code == 303
    assert finished(app, res)["status"] == "done"
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
    assert upload(reviewer, body, "a.json", publish="1").status_code == 403
    assert query(app, "SELECT count(*) FROM claims WHERE id = 'imported-kratom'") == [(0,)]
    res = upload(admin, body, "a.json", publish="1")
    assert res.status_code == 303 and finished(app, res)["status"] == "done"
    assert status_of(app, "imported-kratom") == ("published", None)


def test_unreadable_import_files_are_explained(app):
    reviewer = logged_in(app, "reviewer")
    assert upload(reviewer, b"{not json", "x.json").status_code == 422
    assert upload(reviewer, b"\xff\xfe\x00", "x.json").status_code == 422
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
    res = upload(admin, body.encode(), name, format=fmt)
    assert res.status_code == 303
    job = finished(other, res)
    assert job["counts"]["created"] == 4 and job["counts"]["invalid"] == 0


@pytest.mark.parametrize("name", ["verdict-list.json", "rating-string.jsonld", "plain-url.csv"])
def test_a_malformed_upload_is_reported_row_by_row_never_a_500(app, name):
    from test_importer import MALFORMED

    text, expected = MALFORMED[name]
    admin = logged_in(app, "admin")
    fmt = {"format": "claimreview"} if name.endswith(".jsonld") else {}
    res = upload(admin, text.encode(), name, publish="1", **fmt)
    assert res.status_code == 303
    job = finished(app, res)
    assert job["status"] == "done" and job["counts"]["invalid"] == 1
    page = admin.get(res.headers["Location"]).get_data(as_text=True)
    assert expected in page and ("line " in page or "item " in page)


def test_the_chosen_file_is_kept_after_a_whole_file_error(app):
    reviewer = logged_in(app, "reviewer")
    record = {**sample_claims()[1], "id": "kept-one", "text": "Kratom tea cures gout."}
    body = json.dumps([{**record, "phrasings": []}]).encode()
    res = upload(reviewer, body, "claims.json", format="csv")  # the wrong format
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "no “text” column" in page
    assert "File kept: <strong>claims.json</strong>" in page
    token = re.search(r'name="kept_token" value="([0-9a-f]+)"', page).group(1)
    again = post(
        reviewer,
        "/moderate/import",
        {"kept_token": token, "kept_name": "claims.json", "format": "json"},
    )
    assert again.status_code == 303 and finished(app, again)["counts"]["created"] == 1


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_the_templates_download_and_import_as_they_are(app, kind):
    reviewer = logged_in(app, "reviewer")
    page = reviewer.get("/moderate/import").get_data(as_text=True)
    assert f"/moderate/import/template.{kind}" in page and "counter_statements" in page
    template = reviewer.get(f"/moderate/import/template.{kind}")
    assert "attachment" in template.headers["Content-Disposition"]
    res = upload(reviewer, template.data, f"template.{kind}")
    job = finished(app, res)
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


def test_imported_claims_too_generic_to_flag_are_counted_and_listed_until_someone_fixes_them(app):
    """Issue 16: an import's claims that name nothing specific are never flagged; the
    job's report counts them, a workspace page lists them, and a person's edit (which
    makes a claim curated) takes one off the list."""
    admin = logged_in(app, "admin")
    base = {**sample_claims()[0], "counter_statements": [], "required_terms": []}
    text = "Taking care of yourself every day makes a big difference."
    generic = {**base, "id": "feed-generic", "text": text}
    generic["phrasings"] = ["Self-care each day changes everything.", "Look after yourself daily."]
    specific = {**base, "id": "feed-specific", "text": "Kratom cures arthritis."}
    specific["phrasings"] = ["Kratom heals arthritis.", "Arthritis goes away with kratom."]
    res = upload(admin, json.dumps([generic, specific]).encode(), "feed.json", publish="1")
    job = finished(app, res)
    assert job["status"] == "done"
    page = admin.get(f"/moderate/imports/{job['id']}").get_data(as_text=True)
    assert re.search(r'data-too-generic><span class="n">1</span>', page)
    listed = admin.get("/moderate/imports/too-generic").get_data(as_text=True)
    assert 'data-claim="feed-generic"' in listed and 'data-claim="feed-specific"' not in listed
    edited = {**generic, "required_terms": ["self-care"]}
    store.save_claim(db_of(app), edited, "admin@example.org")
    store.publish_claim(db_of(app), "feed-generic", "admin@example.org")
    listed = admin.get("/moderate/imports/too-generic").get_data(as_text=True)
    assert 'data-claim="feed-generic"' not in listed
