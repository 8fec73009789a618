"""Claims in and out of files: every format round-trips; foreign ClaimReview reads."""

from __future__ import annotations

import pytest
from conftest import sample_claims

from server.claims import clean_claim
from server.formats import FormatError, guess_format, read_records, write_records


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_lossless_formats_round_trip(fmt):
    records = [clean_claim(c) for c in sample_claims()]
    text = write_records(records, fmt)
    assert [clean_claim(r) for r in read_records(text, fmt)] == records


def test_claim_review_round_trips_what_it_carries():
    records = [clean_claim(c) for c in sample_claims()]
    text = write_records(records, "claimreview", review_url=lambda i: f"https://hf.example/{i}")
    back = [clean_claim(r) for r in read_records(text, "claimreview")]
    for before, after in zip(records, back, strict=True):
        for key in ("id", "text", "verdict", "summary", "topic", "phrasings", "evidence"):
            assert after[key] == before[key], key
    # The day the evidence was checked travels as dateModified.
    assert back[0]["reviewed_at"] == "2026-11-30"


def test_another_fact_checkers_claim_review_becomes_a_draft_record():
    item = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://factcheck.example/kratom",
        "claimReviewed": "Kratom cures anxiety",
        "author": {"@type": "Organization", "name": "Example Checks"},
        "datePublished": "2024-03-01",
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 2,
            "bestRating": 7,
            "worstRating": 1,
            "alternateName": "Mostly False",
        },
    }
    [record] = read_records(f'{{"@graph": [{__import__("json").dumps(item)}]}}', "claimreview")
    rec = clean_claim(record)
    assert rec["id"] == "kratom-cures-anxiety" and rec["verdict"] == "misleading"
    assert rec["evidence"][0] == {
        "url": "https://factcheck.example/kratom",
        "title": "Fact check by Example Checks",
        "publisher": "Example Checks",
        "source_type": "fact_check",
        "year": 2024,
    }


def test_rating_value_decides_when_the_name_says_nothing():
    item = {
        "@type": "ClaimReview",
        "claimReviewed": "x y",
        "reviewRating": {
            "ratingValue": 5,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "★★★★★",
        },
    }
    assert (
        read_records(__import__("json").dumps([item]), "claimreview")[0]["verdict"] == "supported"
    )


def test_format_is_guessed():
    assert guess_format("a.csv", "") == "csv"
    assert guess_format("a.ndjson", "") == "ndjson"
    assert guess_format("a.json", '[{"@type": "ClaimReview"}]') == "claimreview"
    assert guess_format("a.json", "[]") == "json"


@pytest.mark.parametrize("fmt, text", [("json", "{"), ("json", "[{}, {"), ("claimreview", "[")])
def test_unreadable_files_raise_format_error(fmt, text):
    with pytest.raises(FormatError):
        read_records(text, fmt)


ORIGIN = {
    "claimant": "naturalcures.example",
    "claim_date": "2025-06-02",
    "appearance": "https://naturalcures.example/kratom-miracle",
}


@pytest.mark.parametrize("fmt", ["json", "csv", "claimreview"])
def test_who_made_the_claim_when_and_where_travel_in_every_format(fmt):
    record = clean_claim({**sample_claims()[0], **ORIGIN})
    text = write_records([record], fmt, review_url=lambda i: f"https://hf.example/{i}")
    [back] = [clean_claim(r) for r in read_records(text, fmt)]
    assert {k: back[k] for k in ORIGIN} == ORIGIN


def test_claim_review_puts_the_claims_origin_in_item_reviewed():
    import json

    record = clean_claim({**sample_claims()[0], **ORIGIN})
    [item] = json.loads(write_records([record], "claimreview"))
    reviewed = item["itemReviewed"]
    assert reviewed["author"] == {"@type": "Organization", "name": "naturalcures.example"}
    assert reviewed["datePublished"] == "2025-06-02"
    assert reviewed["appearance"] == {"@type": "CreativeWork", "url": ORIGIN["appearance"]}
    # Another fact-checker's markup: a person as author, a list of appearances.
    foreign = {
        **item,
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Dr Example"},
            "datePublished": "2024-01-05T08:00:00Z",
            "appearance": [{"@type": "CreativeWork", "url": "http://blog.example/post"}],
        },
    }
    [back] = read_records(json.dumps([foreign]), "claimreview")
    assert (back["claimant"], back["claim_date"], back["appearance"]) == (
        "Dr Example",
        "2024-01-05",
        "http://blog.example/post",
    )
