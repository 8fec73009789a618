"""The engine, tested without a server: hits, misses, stance, offsets, determinism."""

from __future__ import annotations

import pytest
from conftest import sample_claims

from server.matching import Settings, build_index, find_matches, rank


@pytest.fixture(scope="module")
def index():
    aliases: dict[str, list[str]] = {}
    for c in sample_claims():
        for term, names in c.get("aliases", {}).items():
            aliases.setdefault(term, []).extend(names)
    return build_index(sample_claims(), aliases=aliases)


def flags(index, text: str) -> list:
    return find_matches(index, [{"id": "s1", "text": text}])


def utf16_slice(text: str, start: int, end: int) -> str:
    """What JavaScript's text.slice(start, end) returns."""
    raw = text.encode("utf-16-le")
    return raw[start * 2 : end * 2].decode("utf-16-le")


@pytest.mark.parametrize(
    "sentence, claim_id",
    [
        ("Kratom is a safe, natural cure for opioid addiction.", "kratom-safe-opioid-treatment"),
        ("Mitragyna speciosa is a safe and natural treatment for opioid addiction.",
         "kratom-safe-opioid-treatment"),
        ("Honestly, kratom is a totally harmless way to beat your opiate addiction.",
         "kratom-safe-opioid-treatment"),
        ("Kratom isn't addictive at all.", "kratom-not-addictive"),
        ("The MMR vaccine causes autism in children.", "vaccines-cause-autism"),
        ("Buprenorphine treatment lowers the chance of dying of an overdose.",
         "opioid-agonists-cut-overdose-deaths"),
    ],
)
def test_sentences_that_repeat_a_claim_are_found(index, sentence, claim_id):
    found = flags(index, sentence)
    assert [m.claim_id for m in found] == [claim_id]
    assert found[0].stance == "repeats"


@pytest.mark.parametrize(
    "sentence",
    [
        "Kratom is a tree native to Southeast Asia.",  # the subject alone
        "Our shop ships kratom capsules within two days.",
        "Opioid addiction is a treatable medical condition.",  # the predicate, no subject
        "Autism is diagnosed by looking at behaviour and development.",
        "The weather today is safe and natural for a walk.",
        "Vaccines are given in the arm.",
        "",
        "the the the the the",
    ],
)
def test_unrelated_and_near_miss_sentences_are_not_flagged(index, sentence):
    assert flags(index, sentence) == []


def test_debunking_sentence_is_reported_as_disputing(index):
    for text in (
        "There is no evidence that vaccines cause autism.",
        "The myth that vaccines cause autism has been debunked many times.",
        "Vaccines do not cause autism.",
    ):
        [m] = flags(index, text)
        assert m.claim_id == "vaccines-cause-autism"
        assert m.stance == "disputes"
        assert m.assessment == "consistent_with_evidence"


def test_question_is_unclear_not_misinformation(index):
    [m] = flags(index, "Is kratom a safe, natural treatment for opioid addiction?")
    assert m.stance == "unclear"
    assert m.assessment == "unclear"


def test_repeating_a_false_claim_contradicts_evidence_and_a_supported_one_is_consistent(index):
    [bad] = flags(index, "Kratom is a safe, natural treatment for opioid addiction.")
    [good] = flags(index, "People on methadone are much less likely to die of an overdose.")
    assert bad.assessment == "contradicts_evidence"
    assert good.assessment == "consistent_with_evidence"


def test_offsets_are_utf16_code_units_after_emoji_and_astral_characters(index):
    claim = "Kratom is a safe, natural cure for opioid addiction."
    text = f"😀👍🏽 𝐇𝐞𝐥𝐥𝐨 friends 🌿! {claim} 🇺🇸 Buy now."
    [m] = flags(index, text)
    assert utf16_slice(text, m.start, m.end) == claim == m.exact
    assert m.start == len(text[: text.index(claim)].encode("utf-16-le")) // 2
    assert m.suffix.startswith(" 🇺🇸")


def test_each_segment_gets_its_own_offsets(index):
    segments = [
        {"id": "a", "text": "Nothing here."},
        {"id": "b", "text": "Hello. Vaccines cause autism, they say."},
    ]
    [m] = find_matches(index, segments)
    assert m.segment_id == "b"
    assert segments[1]["text"][m.start : m.end] == m.exact


def test_results_are_deterministic(index):
    text = ("Kratom is a safe, natural cure for opioid addiction. Vaccines cause autism. "
            "You can't get hooked on kratom. ") * 5
    first = flags(index, text)
    assert len(first) == 15
    for _ in range(3):
        assert flags(index, text) == first
    rebuilt = build_index(sample_claims(), aliases={"kratom": ["mitragyna speciosa", "ketum"]})
    assert flags(rebuilt, text) == first


def test_claim_split_over_two_sentences_is_found_once(index):
    text = "Kratom? It is a safe, natural treatment for opioid addiction."
    found = flags(index, text)
    assert [m.claim_id for m in found] == ["kratom-safe-opioid-treatment"]
    assert found[0].exact == text


def test_tiers_follow_the_thresholds(index):
    text = "Kratom is a safe, natural cure for opioid addiction."
    [m] = find_matches(index, [{"id": "s", "text": text}], Settings(confident=0.99, possible=0.5))
    assert m.tier == "possible"
    assert find_matches(index, [{"id": "s", "text": text}], Settings(possible=0.999)) == []


def test_empty_index_matches_nothing():
    assert find_matches(build_index([]), [{"id": "s", "text": "Vaccines cause autism."}]) == []


def test_rank_orders_claims_strictly(index):
    ranked = rank(index, "is kratom a safe treatment for opioid addiction", limit=4)
    assert ranked[0][0] == "kratom-safe-opioid-treatment"
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert rank(index, "is kratom a safe treatment for opioid addiction", limit=4) == ranked


def test_sentence_limit_caps_the_work(index):
    text = "Vaccines cause autism. " * 50
    found = find_matches(index, [{"id": "s", "text": text}], Settings(max_sentences=10))
    assert len(found) == 10


def test_a_short_claims_words_inside_a_different_assertion_do_not_match():
    # "addiction" here is opioid addiction: the sentence says nothing about whether
    # kratom itself is addictive, so it neither repeats nor disputes that claim.
    only = build_index([c for c in sample_claims() if c["id"] == "kratom-not-addictive"])
    assert flags(only, "Kratom is a safe, natural cure for opioid addiction.") == []
