"""The test bench: what the published set and a draft would flag on pasted text
or an uploaded page, what passed, and why a flag is unclear; nothing is stored."""

from __future__ import annotations

import io
import re

import pytest
from conftest import skip_without_semantic
from moderate_helpers import MMS_SENTENCE, act, create, db_of, match, post
from test_auth import logged_in, query

from server import create_app, store

pytestmark = pytest.mark.usefixtures("cheap_hashes")


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
