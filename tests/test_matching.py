"""The engine, tested without a server: hits, misses, stance, offsets, determinism."""

from __future__ import annotations

import pytest
from conftest import finishes_within, sample_claims

from server.matching import (
    Settings,
    TooMuchText,
    build_index,
    find_matches,
    rank,
)


def sample_aliases() -> dict[str, list[str]]:
    aliases: dict[str, list[str]] = {}
    for c in sample_claims():
        for term, names in c.get("aliases", {}).items():
            aliases.setdefault(term, []).extend(names)
    return aliases


@pytest.fixture(scope="module")
def index():
    return build_index(sample_claims(), aliases=sample_aliases())


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
        (
            "Mitragyna speciosa is a safe and natural treatment for opioid addiction.",
            "kratom-safe-opioid-treatment",
        ),
        (
            "Honestly, kratom is a totally harmless way to beat your opiate addiction.",
            "kratom-safe-opioid-treatment",
        ),
        ("Kratom isn't addictive at all.", "kratom-not-addictive"),
        ("The MMR vaccine causes autism in children.", "vaccines-cause-autism"),
        (
            "Buprenorphine treatment lowers the chance of dying of an overdose.",
            "opioid-agonists-cut-overdose-deaths",
        ),
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
    text = (
        "Kratom is a safe, natural cure for opioid addiction. Vaccines cause autism. "
        "You can't get hooked on kratom. "
    ) * 5
    first = flags(index, text)
    assert len(first) == 15
    for _ in range(3):
        assert flags(index, text) == first
    # The same claims and aliases give the same flags and scores (word weights depend
    # on the aliases, so a rebuild must use the same ones).
    rebuilt = build_index(sample_claims(), aliases=sample_aliases())
    assert flags(rebuilt, text) == first


def test_claim_split_over_two_sentences_is_found_once(index):
    text = "Kratom? It is a safe, natural treatment for opioid addiction."
    found = flags(index, text)
    assert [m.claim_id for m in found] == ["kratom-safe-opioid-treatment"]
    assert found[0].exact == text


def test_tiers_follow_the_thresholds(index):
    text = "Kratom is a safe, natural cure for opioid addiction."
    [m] = find_matches(index, [{"id": "s", "text": text}])
    # Thresholds just above and below this sentence's own score.
    above, below = min(1.0, m.score + 1e-3), m.score - 1e-3
    [m] = find_matches(
        index,
        [{"id": "s", "text": text}],
        Settings(confident=above, confident_curated=above, possible=below),
    )
    assert m.tier == "possible"
    [m] = find_matches(
        index,
        [{"id": "s", "text": text}],
        Settings(confident=below, confident_curated=below, possible=below),
    )
    assert m.tier == "confident"
    assert find_matches(index, [{"id": "s", "text": text}], Settings(possible=above)) == []


def test_empty_index_matches_nothing():
    assert find_matches(build_index([]), [{"id": "s", "text": "Vaccines cause autism."}]) == []


def test_rank_orders_claims_strictly(index):
    ranked = rank(index, "is kratom a safe treatment for opioid addiction", limit=4)
    assert ranked[0][0] == "kratom-safe-opioid-treatment"
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert rank(index, "is kratom a safe treatment for opioid addiction", limit=4) == ranked


def test_sentence_limit_caps_the_work(index):
    text = "Vaccines cause autism. " * 10
    assert len(find_matches(index, [{"id": "s", "text": text}], Settings(max_sentences=10))) == 10
    # One more sentence, in another segment: refused whole, not read in part.
    with pytest.raises(TooMuchText):
        find_matches(
            index,
            [{"id": "s", "text": text}, {"id": "t", "text": "One more."}],
            Settings(max_sentences=10),
        )


def test_overlapping_pairs_are_dropped_in_linear_time():
    """Issue 12, point 1: "Kratom cures addiction. " x 5,000 took 3 s, 1.8 s of it
    comparing every match with every kept one. 50,000 matches of one claim in one
    segment would take the old loop minutes; the deadline is 60 s."""
    code = (
        "from server.matching import Match, _drop_overlapping_pairs\n"
        "ms = [Match('s', i * 10, i * 10 + 8, 'x', '', '', 'c', 0.9, 'confident', 'repeats',"
        " 'contradicts_evidence') for i in range(50_000)]\n"
        "pair = Match('s', 0, 18, 'x', '', '', 'c', 0.95, 'confident', 'repeats',"
        " 'contradicts_evidence')\n"
        "out = _drop_overlapping_pairs([pair] + ms)\n"
        "assert len(out) == 49_999 and out[0] is pair, len(out)\n"
    )
    finishes_within(code, 60)


def test_a_short_claims_words_inside_a_different_assertion_do_not_match(index):
    # "addiction" here is opioid addiction: the sentence says nothing about whether
    # kratom itself is addictive, so it neither repeats nor disputes that claim.
    text = "Kratom is a safe, natural cure for opioid addiction."
    assert [m.claim_id for m in flags(index, text)] == ["kratom-safe-opioid-treatment"]


def test_hashtags_and_handles_read_as_their_words_and_addresses_are_dropped(index):
    text = "#KratomIsSafe and a #NaturalCure for #OpioidAddiction https://t.co/x1 pic.twitter.com/y"
    [m] = flags(index, text)
    assert m.claim_id == "kratom-safe-opioid-treatment"
    assert flags(index, "https://kratom.example/opioid-addiction-cure-safe-natural") == []


def test_hyphenated_compounds_match_their_parts(index):
    [m] = flags(index, "Kratom is a safe, all-natural, risk-free opioid-addiction cure.")
    assert m.claim_id == "kratom-safe-opioid-treatment"


def test_a_canonical_term_of_several_words_is_not_broken_by_a_shorter_alias():
    claims = [
        {
            "id": "c-cures-colds",
            "verdict": "false",
            "text": "Vitamin C cures colds.",
            "required_terms": ["vitamin c"],
        },
        {
            "id": "microwave",
            "verdict": "false",
            "text": "Microwaving destroys nutrients.",
            "required_terms": ["nutrient"],
        },
    ]
    idx = build_index(claims, aliases={"vitamin c": ["ascorbic acid"], "nutrient": ["vitamins"]})
    assert [m.claim_id for m in flags(idx, "Ascorbic acid cures colds.")] == ["c-cures-colds"]
    assert [m.claim_id for m in flags(idx, "Vitamin C cures colds.")] == ["c-cures-colds"]


def test_a_page_read_at_once_flags_what_its_sentences_flag_one_by_one(index):
    sentences = [
        "Kratom is a safe, natural cure for opioid addiction.",
        "The weather was fine.",
        "Vaccines cause autism, they say.",
        "You can't get hooked on kratom.",
        "Buprenorphine treatment lowers the chance of dying of an overdose.",
    ]
    page = find_matches(index, [{"id": str(i), "text": s} for i, s in enumerate(sentences)])
    alone = [
        (str(i), m.claim_id, m.score)
        for i, s in enumerate(sentences)
        for m in find_matches(index, [{"id": str(i), "text": s}])
    ]
    assert [(m.segment_id, m.claim_id, m.score) for m in page] == alone
    assert len(alone) == 4


def test_rank_breaks_ties_by_the_order_claims_were_indexed():
    twins = [
        {"id": f"twin-{i}", "verdict": "false", "text": "Garlic cures the common cold."}
        for i in (2, 1)
    ]
    ranked = rank(build_index(twins), "garlic cures colds", limit=2)
    assert [c for c, _ in ranked] == ["twin-2", "twin-1"]
    assert ranked[0][1] == ranked[1][1]


def test_a_negation_counts_in_the_clause_that_carries_the_claim(index):
    # Two negations would cancel out over the whole sentence; the claim's clause has one.
    [m] = flags(index, "Vaccines do not cause autism, so there is nothing to fear.")
    assert m.claim_id == "vaccines-cause-autism"
    assert m.stance == "disputes"


@pytest.mark.xfail(
    strict=True,
    reason="issue 15, open: a short claim inside a longer sentence with a competing claim "
    "('methadone') is judged unrelated by the verification head",
)
def test_a_clause_that_states_a_whole_short_claim_is_flagged_with_its_stance(index):
    text = "Unlike methadone, kratom is not addictive, so you never trade one habit for another."
    [m] = flags(index, text)
    assert (m.claim_id, m.stance) == ("kratom-not-addictive", "repeats")
    # The same words spread through a longer clause are no statement of it.
    spread = "Kratom vendors say addictive opioids harm families in many small rural towns."
    assert all(m.tier != "confident" for m in flags(index, spread))


def test_a_question_is_unclear_even_against_a_negated_phrasing(index):
    [m] = flags(index, "Is kratom really not addictive?")
    assert m.stance == "unclear" and m.assessment == "unclear"


def test_a_big_page_costs_memory_linear_in_its_words():
    """Issue 12, point 6: a 1 MB request took +98 MB at 10,000 claims, for a table of
    the page's sentences x its distinct words. Here 4,000 sentences with 11,000
    distinct known words made that table 44 MB (peak 53 MB); now the page's
    (sentence, word) pairs are looked up in a sorted array instead."""
    import random
    import tracemalloc

    rng = random.Random(1)
    words = [f"w{i}word" for i in range(20_000)]
    claims = [
        {
            "id": f"c{i}",
            "verdict": "false",
            "text": f"subj{i % 50}q " + " ".join(rng.sample(words, 6)),
        }
        for i in range(3000)
    ]
    idx = build_index(claims)
    sentences = [f"Subj{i % 50}q " + " ".join(rng.sample(words, 12)) + "." for i in range(4000)]
    segs = [{"id": str(i), "text": " ".join(sentences[i * 20 : (i + 1) * 20])} for i in range(200)]
    find_matches(idx, segs[:1])  # stems of the words, cached once, not counted below
    tracemalloc.start()
    try:
        find_matches(idx, segs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000, f"peak {peak / 1e6:.0f} MB"


def test_a_repeated_sentence_is_scored_once(index, monkeypatch):
    """Issue 12, point 1: "Kratom cures addiction. " x 5,000 took 3.0 s, every copy
    scored anew. Copies are flagged each, from one scoring."""
    import server.matching.retrieve as engine

    calls = []
    real = engine.fuzzy_ratios
    monkeypatch.setattr(engine, "fuzzy_ratios", lambda *a: calls.append(a) or real(*a))
    once = flags(index, "Vaccines cause autism. Kratom is not addictive.")
    scored_once = len(calls)
    calls.clear()
    many = flags(index, "Vaccines cause autism. Kratom is not addictive. " * 1000)
    assert len(many) == 1000 * len(once) == 2000
    assert len(calls) <= scored_once + 4  # and the pair across the repeat boundary
