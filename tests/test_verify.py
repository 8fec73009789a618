"""Verification against the shipped claims: which claim a sentence says, which way,
or that it only mentions it. Sentences are the issue's own examples and our own
look-alikes of each failure it describes (never text from held-out material)."""

from __future__ import annotations

import pytest

from server.matching import build_index, find_matches
from server.matching.polarity import read
from server.matching.text import Aliases


@pytest.fixture(scope="module")
def index(seed):
    claims, aliases = seed
    return build_index(claims, aliases=aliases)


def flags(index, text: str) -> list[tuple[str, str, str, str]]:
    return [
        (m.claim_id, m.tier, m.stance, m.assessment)
        for m in find_matches(index, [{"id": "s", "text": text}])
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        # A prefix is one more negation, not a flip: this repeats "not addictive".
        (
            "Kratom is non-addictive.",
            ("kratom-not-addictive", "possible", "repeats", "contradicts_evidence"),
        ),
        (
            "Our kratom powder is completely non-habit-forming.",
            ("kratom-not-addictive", "possible", "repeats", "contradicts_evidence"),
        ),
        # Calling the other side "fake news" is no debunk of the claim said after it.
        (
            "Don't believe the fake news: vaccines cause autism.",
            ("vaccines-cause-autism", "confident", "repeats", "contradicts_evidence"),
        ),
        (
            "Ignore the so-called fact-checkers: kratom is a safe, natural cure for opioid "
            "addiction.",
            (
                "kratom-safe-natural-cure-opioid-addiction",
                "confident",
                "repeats",
                "contradicts_evidence",
            ),
        ),
        # A myth named as a myth is disputed.
        (
            "The myth that vaccines cause autism was debunked long ago.",
            ("vaccines-cause-autism", "confident", "disputes", "consistent_with_evidence"),
        ),
        # A cue word the claim itself says ("... is a hoax") is its wording, not a debunk.
        (
            "Bird flu in raw milk is just a hoax made up to scare people off farm milk.",
            ("raw-milk-bird-flu-is-a-hoax", "confident", "repeats", "contradicts_evidence"),
        ),
        # A leading "No," answers; the negation after it still disputes.
        (
            "No, COVID vaccines do not contain microchips for tracking you.",
            (
                "vaccines-contain-tracking-microchips",
                "confident",
                "disputes",
                "consistent_with_evidence",
            ),
        ),
        # Reported, not asserted: shown as talked about, never as a confident repeat.
        (
            "Some parents worry that vaccines cause autism.",
            ("vaccines-cause-autism", "possible", "unclear", "unclear"),
        ),
        (
            "According to a viral post, kratom is not addictive.",
            ("kratom-not-addictive", "possible", "unclear", "unclear"),
        ),
        # What the evidence says, said plainly, agrees with a supported claim.
        (
            "Your liver and kidneys remove toxins from your body.",
            (
                "detox-cleanses-liver-and-kidneys-remove-toxins",
                "confident",
                "repeats",
                "consistent_with_evidence",
            ),
        ),
    ],
)
def test_what_a_sentence_does_with_a_claim(index, text, expected):
    assert flags(index, text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        # "vitamin a" is one term: vitamin D says nothing about it.
        "Take vitamin D every day during winter, the NHS advises.",
        "Most adults should take a vitamin D supplement in the darker months.",
        # The claim's topic words in a different assertion.
        "Doctors routinely prescribe statins after a heart attack.",
        pytest.param(
            "Kratom and dopamine",
            marks=pytest.mark.xfail(
                strict=True, reason="issue 15, open: a heading naming the topic is read as repeats"
            ),
        ),
    ],
)
def test_sentences_that_share_a_claims_topic_but_not_its_assertion_are_not_flagged(index, text):
    assert flags(index, text) == []


def test_a_sentence_on_how_kratom_acts_is_not_read_as_mixing_it_with_opioids(index):
    text = "Kratom binds to the same receptors in the brain as opioids."
    found = flags(index, text)
    assert all(c != "kratom-safe-to-mix-with-drugs" for c, *_ in found)
    assert all(a != "contradicts_evidence" for *_, a in found)


def test_little_evidence_for_one_thing_is_no_dispute_of_another(index):
    text = (
        "There is little evidence that statins affect cancer, but clear evidence that they "
        "cut heart attacks."
    )
    assert all(stance != "disputes" for _, _, stance, _ in flags(index, text))


def test_a_sentence_that_repeats_the_evidence_is_never_painted_red(index):
    for text in (
        "Your liver and kidneys remove toxins from your body.",
        "Your kidneys and liver clear toxins out of the body all by themselves.",
    ):
        assert all(a != "contradicts_evidence" for *_, a in flags(index, text))


def test_claims_without_counter_statements_are_judged_by_negation(seed):
    """An imported claim has no other side: negation scope decides the stance."""
    claims, aliases = seed
    bare = build_index([{**c, "counter_statements": []} for c in claims], aliases=aliases)
    [said] = flags(bare, "Kratom is non-addictive.")
    assert said[0] == "kratom-not-addictive" and said[2] == "repeats"
    [denied] = flags(bare, "Vaccines do not cause autism.")
    assert denied[0] == "vaccines-cause-autism" and denied[2] == "disputes"


def test_a_short_imported_claim_is_not_confident_inside_a_longer_different_sentence(seed):
    claims, aliases = seed
    imported = {
        "id": "c-imported",
        "verdict": "false",
        "text": "A journal study says ogling women's breasts is good for men's health.",
        "phrasings": [],
    }
    index = build_index([*claims, imported], aliases=aliases)
    text = "A journal study followed 40,000 women with breast cancer for ten years."
    assert all(tier != "confident" for _, tier, _, _ in flags(index, text))


@pytest.mark.parametrize(
    "text, negated",
    [
        ("Kratom is non-addictive.", {"addict"}),
        ("Kratom is not addictive.", {"addict"}),
        # "not true that" frames the statement as false (a debunk cue, `debunk`): its
        # negation reaches no claim word, so the claim's own negation stands.
        ("It is not true that kratom isn't addictive.", {"addict"}),
        # A leading "No," answers; it does not cancel the negation after it.
        ("No, vaccines do not contain microchips.", {"contain", "microchip"}),
        ("The liver removes toxins without any special detox.", {"special", "detox"}),
        ("A risk-free way to quit.", set()),  # as the claims' phrasings read it
        # A list of actions: the negation ends at its own item.
        ("Stay active: not smoking, exercising daily and sleeping well.", {"smoke"}),
    ],
)
def test_negation_scope(text, negated):
    reading = read(text, Aliases())
    assert reading.negated == negated


@pytest.mark.parametrize(
    "text, debunk",
    [
        ("It is not true that kratom is safe.", True),
        ("It is not the case that kratom is safe.", True),
        ("In the case of measles, two doses protect almost everyone.", False),
    ],
)
def test_a_statement_framed_as_false_is_a_debunk(text, debunk):
    assert any(c.debunk for c in read(text, Aliases()).clauses) is debunk


@pytest.mark.parametrize(
    "text, claim",
    [
        # Turned twice -- a debunk frame around the claim's words negated -- is a repeat.
        ("It is simply not true that vaccines do not cause autism.", "vaccines-cause-autism"),
        (
            "Claiming that the sun does not give you skin cancer is a myth.",
            "sunscreen-sun-does-not-cause-skin-cancer",
        ),
        (
            "Nobody can deny that homeopathy works better than placebo.",
            "homeopathy-works-beyond-placebo",
        ),
    ],
)
def test_a_debunk_of_the_claims_negation_repeats_it(index, text, claim):
    found = {c: stance for c, _, stance, _ in flags(index, text)}
    assert found.get(claim) == "repeats"


def test_no_proof_that_a_claim_holds_disputes_it(index):
    text = "There is no proof that 5G masts cause cancer."
    assert (
        "5g-emf-5g-radiation-causes-cancer",
        "confident",
        "disputes",
        "consistent_with_evidence",
    ) in flags(index, text)
