"""Claims imported from a feed (a text and a verdict, no curation): how specific they
are, and what a flag of one needs (issue 16). Claims and sentences written for these
tests."""

from __future__ import annotations

import pytest

from server.matching import Settings, build_index, find_matches, imported
from server.matching.specificity import MIN_SPECIFICITY, judge, of_text, rarity
from server.matching.text import raw_tokens, stems_of


def stems(text: str) -> list[str]:
    return stems_of(raw_tokens(text))


def test_the_subject_is_the_two_rarest_words_and_specificity_how_rare_they_are():
    zipf = {"kratom": 2.5, "addict": 3.9, "make": 6.5, "differ": 5.0, "day": 6.0}.get
    rare = judge(["kratom", "addict"], lambda s: zipf(s, 2.0))
    assert rare.subject == ("kratom", "addict")
    # One word rare enough to pick the claim out alone counts twice, alone.
    assert rare.specificity == pytest.approx(2 * (6.0 - 2.5))
    assert rare.flaggable
    common = judge(["make", "differ", "day"], lambda s: zipf(s, 2.0))
    assert common.subject == ("differ", "day")
    assert common.specificity == pytest.approx(1.0) and not common.flaggable
    assert judge([], lambda s: 2.0) == judge(["the", "and"], lambda s: 2.0)
    assert not judge([], lambda s: 2.0).flaggable


@pytest.mark.parametrize(
    "text, flaggable",
    [
        ("Kratom is not addictive.", True),
        ("Colloidal silver cures pneumonia in three days.", True),
        ("A window seat is the best seat.", False),
        ("Our last words are recorded.", False),
        ("Both sides of the fence agree.", False),
    ],
)
def test_everyday_words_make_a_claim_too_generic_to_flag(text, flaggable):
    found = judge(stems(text), rarity())
    assert found.flaggable is flaggable, found
    assert (found.specificity >= MIN_SPECIFICITY) is flaggable


FEED = [
    {"id": "feed-kratom", "verdict": "false", "text": "Kratom is not addictive."},
    {"id": "feed-seat", "verdict": "false", "text": "A window seat is the best seat."},
]
CURATED = {
    "id": "curated-kratom",
    "verdict": "false",
    "text": "Kratom is not addictive.",
    "required_terms": ["kratom"],
}


def matches(index, text):
    return {m.claim_id: m for m in find_matches(index, [{"id": "s", "text": text}])}


def test_an_imported_claim_is_at_most_possible_and_a_generic_one_never_flagged():
    index = build_index(FEED)
    got = matches(index, "Kratom is not addictive at all.")
    assert got["feed-kratom"].tier == "possible"
    assert got["feed-kratom"].stance == "repeats"
    assert not matches(index, "A window seat is the best seat, if you ask me.")
    assert imported(index, index.ids.index("feed-seat")).flaggable is False


def test_only_the_curation_policy_keeps_an_imported_claim_from_confident():
    # A low bar, so that the score is no obstacle: only the policy differs.
    low = Settings(confident=0.5, confident_curated=0.5)
    index = build_index([CURATED])
    assert index.ids.index("curated-kratom") in index.curated
    text = [{"id": "s", "text": "Kratom is not addictive."}]
    assert [(m.tier, m.stance) for m in find_matches(index, text, low)] == [
        ("confident", "repeats")
    ]
    bare = build_index([{k: v for k, v in CURATED.items() if k != "required_terms"}])
    assert [(m.tier, m.stance) for m in find_matches(bare, text, low)] == [("possible", "repeats")]
    off = Settings(confident=0.5, confident_curated=0.5, imported_possible_only=False)
    assert [m.tier for m in find_matches(bare, text, off)] == ["confident"]


def test_an_imported_claim_needs_a_word_of_its_subject_in_the_sentence():
    claim = {"id": "feed-teen", "verdict": "false",
             "text": "Making a difference prevents a teenage suicide."}  # fmt: skip
    index = build_index([claim])
    assert imported(index, 0).subject == ("teenag", "suicid")
    assert not matches(index, "Small changes could make a real difference to prevent that.")


def test_a_claim_text_is_judged_without_an_index_as_the_workspace_will():
    assert of_text("Kratom is not addictive.").subject == ("kratom", "addict")
    assert not of_text("Our last words are recorded.").flaggable
    assert of_text("Kratom is not addictive.") == imported(build_index(FEED[:1]), 0)
