"""Reporting frames: who a page puts a claim on (issue 16). Sentences written for
these tests in our own words, look-alikes of the ways pages report claims (never text
from bench/data or held-out material); the basic frames are in test_clauses.py."""

from __future__ import annotations

import pytest

from server.matching.attribution import closing, frame


@pytest.mark.parametrize(
    "text, frame_text, content, source",
    [
        # Sellers presenting the claim "as" what it is said to be, active and passive.
        ("Wellness shops advertise garlic pills as a cure for infections.",
         "advertise", "Wellness shops advertise garlic pills as a cure for infections",
         "Wellness shops"),
        ("Garlic is being touted online as a natural antibiotic.",
         "being touted", "Garlic is being touted online as a natural antibiotic", ""),
        # A participle after the main clause reports what follows it.
        ("Parents wrote to the council, saying fluoride lowers IQ.",
         "saying", "fluoride lowers IQ", ""),
        # A listener after the closing verb; an aside between speaker and verb.
        ("\"Garlic cures every infection,\" one stallholder told a journalist.",
         "one stallholder told a journalist", "Garlic cures every infection",
         "one stallholder"),
        ("Priya, a yoga teacher from Leeds, told us garlic cures infections.",
         "Priya, a yoga teacher from Leeds, told us", "garlic cures infections", "Priya"),
        # Beliefs and suggestions put on others; a verb said only after a quote.
        ("A councillor suggested that fluoride lowers IQ.",
         "A councillor suggested that", "fluoride lowers IQ", "A councillor"),
        ("Many patients expect antibiotics for a sore throat.",
         "Many patients expect", "antibiotics for a sore throat", "Many patients"),
        ("\"Does garlic cure colds?\" my nephew asked.",
         "my nephew asked", "Does garlic cure colds", "my nephew"),
        ("Garlic beats antibiotics, the herbalist added.",
         "the herbalist added", "Garlic beats antibiotics", "the herbalist"),
        ("Some spas market cupping as a cure for back pain.",
         "market", "Some spas market cupping as a cure for back pain", "Some spas"),
        # Calling X a Y; blaming X for Y.
        ("In 2019 the mayor called garlic a miracle cure for colds.",
         "called", "In 2019 the mayor called garlic a miracle cure for colds",
         "In 2019 the mayor"),
        ("Tabloids blamed cell towers for the headaches.",
         "blamed", "Tabloids blamed cell towers for the headaches", "Tabloids"),
    ],
)  # fmt: skip
def test_more_ways_a_page_reports_a_claim(text, frame_text, content, source):
    f = frame(text)
    assert f is not None
    assert (text[f.start : f.end], text[f.content_start : f.content_end], f.source) == (
        frame_text,
        content,
        source,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Research suggests garlic may lower blood pressure slightly.",  # a hedge
        "Garlic cannot be marketed as a medicine in the EU.",  # a rule, not a report
        "Garlic cures infections, whatever the doctors say.",  # a concession
        "The notion that garlic cures infections is a myth.",  # the writer's predicate
        "Kratom is sold legally as a supplement in most states.",  # a fact of trade
        "The market for garlic pills grew fast last year.",  # a noun
        "You can't honestly say that garlic cures colds.",  # a denied report
        "It's wrong to say garlic cures colds.",  # an impersonal judgment
        "The claim that garlic cures colds is not supported.",  # the writer's predicate
        "Eating garlic every day will add years to your life.",  # "add" mid-sentence
        "Blood tests can't tell whether garlic works.",  # a denied "tell"
        "A drug called metformin lowers the blood sugar.",  # naming
        "Most of the aches people blame on statins are not caused by them.",  # the writer's
    ],
)
def test_the_writers_own_voice_is_no_frame(text):
    assert frame(text) is None


def test_a_frame_closing_the_sentence_reports_every_clause_before_it():
    text = '"Garlic cures colds, but nobody believes me," my uncle said.'
    first = text.index("Garlic"), text.index(",")
    f = closing(text, *first)
    assert f is not None
    assert text[f.start : f.end] == "my uncle said"
    assert (f.content_start, f.content_end) == first
    # Only for a clause before the frame.
    assert closing("Garlic cures colds, and onions cure flu.", 0, 18) is None
