"""Claims in the workspace: the form keeps what is typed, problems come back
marked, the list searches and filters, likely duplicates are shown first, edit
conflicts never overwrite, and claim text is escaped everywhere."""

from __future__ import annotations

import re

import pytest
from moderate_helpers import MMS_SENTENCE, NEW_CLAIM, create, db_of, post, status_of, version_of
from test_auth import logged_in, query

from server import store

pytestmark = pytest.mark.usefixtures("cheap_hashes")


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


def test_drafts_list_what_they_lack(app):
    contributor = logged_in(app, "contributor")
    create(contributor, id="mms")
    page = contributor.get("/moderate/claims?status=draft").get_data(as_text=True)
    row = page.split('href="/moderate/claims/mms"', 1)[1].split("</tr>", 1)[0]
    # One strong source and two phrasings: below the bar on both counts, in words.
    assert "Still needs:" in row and "Fewer than 3 phrasings" in row
    assert "Fewer than 2 strong links" in row


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
