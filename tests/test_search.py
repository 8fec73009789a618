"""Word search over claims (FTS5, porter): the store keeps it in step with every
revision, the public API sees only published words, likely duplicates are found."""

from __future__ import annotations

import pytest

from server import db as dbm
from server import search, store


@pytest.fixture
def db(app):
    return dbm.open_db(app.config["DATABASE"])


def public_ids(db, q: str) -> list[str]:
    rows, _ = store.list_public_claims(db, q=q)
    return [r["id"] for r in rows]


def workspace_ids(db, q: str) -> list[str]:
    rows, _ = store.list_claims(db, q=q)
    return [r["id"] for r in rows]


@pytest.mark.parametrize("q", ["vaccine autism", "vaccines autism", "Vaccinations, autism!"])
def test_words_in_any_form_find_the_claim(db, q):
    assert "vaccines-cause-autism" in public_ids(db, q)
    assert "vaccines-cause-autism" in workspace_ids(db, q)


def test_every_word_must_appear_and_stopwords_do_not_count(db):
    assert public_ids(db, "vaccines and autism") == ["vaccines-cause-autism"]
    assert public_ids(db, "vaccine kratom") == []
    assert public_ids(db, 'autism" OR "kratom') == public_ids(db, "autism kratom") == []


def test_the_public_search_sees_published_words_only(db):
    rec = store.revision(db, store.get_claim(db, "kratom-not-addictive")["current_revision"])
    store.save_claim(db, {**rec, "phrasings": [*rec["phrasings"], "Mitragynine is harmless."]}, "t")
    assert workspace_ids(db, "mitragynine") == ["kratom-not-addictive"]  # the pending edit
    assert public_ids(db, "mitragynine") == []  # readers see the published words
    store.submit_claim(db, "kratom-not-addictive", "t")
    store.publish_claim(db, "kratom-not-addictive", "t")
    assert public_ids(db, "mitragynine") == ["kratom-not-addictive"]


def test_the_migration_indexes_claims_that_were_there_before(db):
    with dbm.write(db):
        db.execute("DELETE FROM claims_fts")
        search.reindex_all(db)
    assert public_ids(db, "vaccine autism") == ["vaccines-cause-autism"]


def test_likely_duplicates_share_every_subject_word(db):
    near = {"text": "Vaccines can cause autism in kids?", "phrasings": []}
    assert [d["id"] for d in search.likely_duplicates(db, near)] == []  # "kids" is extra
    near = {"text": "Can vaccines cause autism?", "phrasings": ["Jabs give kids autism."]}
    assert [d["id"] for d in search.likely_duplicates(db, near)] == ["vaccines-cause-autism"]
    other = {"text": "Chlorine dioxide cures autism.", "phrasings": ["MMS heals autism."]}
    assert search.likely_duplicates(db, other) == []
    # A claim is never its own duplicate.
    assert (
        search.likely_duplicates(
            db, {"id": "vaccines-cause-autism", "text": "Vaccines cause autism."}
        )
        == []
    )


def test_the_api_search_finds_words_in_any_form(client):
    for q in ("vaccine autism", "vaccines autism"):
        body = client.get("/v1/claims", query_string={"q": q}).get_json()
        assert [c["id"] for c in body["claims"]] == ["vaccines-cause-autism"]


def test_the_workspace_puts_the_best_word_match_first_and_keeps_the_filters(db):
    # "autism" is in the text of one sample claim and only in phrasings or summaries of
    # others (if any): the claim that says it in its text comes first.
    assert workspace_ids(db, "autism")[0] == "vaccines-cause-autism"
    rows, total = store.list_claims(db, q="kratom", status="published", verdict="false")
    assert total == 2 and {r["id"] for r in rows} == {
        "kratom-safe-opioid-treatment",
        "kratom-not-addictive",
    }
    assert store.list_claims(db, q="kratom", verdict="supported")[1] == 0


def test_a_short_last_word_is_not_a_prefix_of_unrelated_words(db):
    assert search.fts_query("mms") == '"mms"'
    assert search.fts_query("vaccine autis") == '"vaccine" AND "autis"*'
