"""What a valid claim is."""

from __future__ import annotations

import pytest
from conftest import sample_claims

from server.claims import InvalidClaim, clean_claim, is_https_url, slugify


def test_a_good_record_is_normalised():
    rec = clean_claim(
        {
            **sample_claims()[0],
            "text": "  Kratom  is a safe,\n natural treatment for opioid addiction. ",
        }
    )
    assert rec["text"] == "Kratom is a safe, natural treatment for opioid addiction."
    assert rec["rating_value"] == 1 and rec["aliases"]["kratom"] == ["ketum", "mitragyna speciosa"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://example.org/x",
        "https://",
        "https://local",
        "data:text/html,x",
        "https://a.org/ x",
        5,
    ],
)
def test_evidence_must_be_https(url):
    assert not is_https_url(url)
    record = {**sample_claims()[0], "evidence": [{**sample_claims()[0]["evidence"][0], "url": url}]}
    with pytest.raises(InvalidClaim):
        clean_claim(record)


def test_every_problem_is_listed():
    with pytest.raises(InvalidClaim) as exc:
        clean_claim(
            {
                "id": "Bad Id",
                "text": 5,
                "verdict": "maybe",
                "harm": "huge",
                "phrasings": "fine",
                "evidence": [{"url": "https://x.org"}],
            }
        )
    text = " ".join(exc.value.problems)
    for word in ("id", "text", "verdict", "harm", "title"):
        assert word in text


def test_id_defaults_to_a_slug_of_the_text():
    rec = clean_claim({**sample_claims()[0], "id": None, "text": "Çà & 5G causes COVID-19!"})
    assert rec["id"] == slugify("Çà & 5G causes COVID-19!") == "ca-5g-causes-covid-19"


def test_duplicate_phrasings_are_dropped():
    c = sample_claims()[2]
    rec = clean_claim(
        {**c, "phrasings": [c["text"], "The MMR jab causes autism.", "the mmr jab causes autism."]}
    )
    assert rec["phrasings"] == ["The MMR jab causes autism."]


def test_review_date_is_an_iso_date_and_a_timestamp_keeps_its_day():
    assert (
        clean_claim({**sample_claims()[0], "reviewed_at": "2026-11-30T10:00:00Z"})["reviewed_at"]
        == "2026-11-30"
    )
    with pytest.raises(InvalidClaim, match="reviewed_at must be a date"):
        clean_claim({**sample_claims()[0], "reviewed_at": "last week"})


def test_counter_statements_are_a_list_of_sentences():
    rec = clean_claim({**sample_claims()[0], "counter_statements": "  Kratom  is addictive. "})
    assert rec["counter_statements"] == ["Kratom is addictive."]
    with pytest.raises(InvalidClaim, match="counter_statements must be a list"):
        clean_claim({**sample_claims()[0], "counter_statements": [3]})


@pytest.mark.parametrize(
    "url",
    [
        "https://www.fda.gov/kratom?utm_source=twitter&utm_medium=social",
        "https://www.cdc.gov/page?fbclid=IwAR0abc",
        "https://www.nhs.uk/x?id=3&gclid=EAIaIQ",
    ],
)
def test_addresses_with_tracking_parameters_are_refused_by_name(url):
    with pytest.raises(InvalidClaim) as err:
        clean_claim(
            {**sample_claims()[0], "evidence": [{**sample_claims()[0]["evidence"][0], "url": url}]}
        )
    [problem] = err.value.problems
    assert problem.startswith("evidence 1: remove the tracking parameters (")
    assert any(name in problem for name in ("utm_source", "fbclid", "gclid"))
    with pytest.raises(InvalidClaim, match="appearance: remove the tracking parameters"):
        clean_claim({**sample_claims()[0], "appearance": url})


def test_claimant_date_and_appearance_are_optional_and_checked():
    plain = clean_claim(sample_claims()[0])
    assert not {"claimant", "claim_date", "appearance"} & set(plain)  # absent, not empty
    full = clean_claim(
        {
            **sample_claims()[0],
            "claimant": "  A  wellness blog ",
            "claim_date": "2025-06-02T10:00:00Z",
            "appearance": "http://blog.example/kratom",
        }
    )
    assert (full["claimant"], full["claim_date"], full["appearance"]) == (
        "A wellness blog",
        "2025-06-02",
        "http://blog.example/kratom",
    )
    with pytest.raises(InvalidClaim) as err:
        clean_claim({**sample_claims()[0], "claim_date": "June", "appearance": "javascript:x"})
    assert len(err.value.problems) == 2
