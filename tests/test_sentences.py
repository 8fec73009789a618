"""Sentence splitting: offsets, abbreviations, and time linear in the text."""

from __future__ import annotations

import pytest
from conftest import finishes_within

from server.matching.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_sentences_keep_their_offsets_and_skip_abbreviations():
    text = "Dr. Smith said so. Kratom is not addictive!  Is it?\u2026 Yes."
    assert sentences(text) == [
        "Dr. Smith said so.",
        "Kratom is not addictive!",
        "Is it?\u2026",
        "Yes.",
    ]


def test_a_single_letter_is_an_initial_only_where_it_could_be_one():
    # Initials stay inside the sentence; a letter that ends a code or names a vitamin,
    # a hepatitis or a plan ends it.
    assert sentences("By J. R. Tolkien. Kratom is safe.") == [
        "By J. R. Tolkien.",
        "Kratom is safe.",
    ]
    assert sentences("Order VISIBLE-PLAIN-5d1e. Kratom is safe.") == [
        "Order VISIBLE-PLAIN-5d1e.",
        "Kratom is safe.",
    ]
    assert sentences("Take vitamin D. It cures nothing.") == [
        "Take vitamin D.",
        "It cures nothing.",
    ]
    assert sentences("Get the hepatitis B. Vaccine now.") == [
        "Get the hepatitis B.",
        "Vaccine now.",
    ]


@pytest.mark.parametrize("mark", [".", "!", "?", "\u2026"])
def test_runs_of_terminators_split_in_linear_time(mark):
    """Issue 12, point 1: a run of terminators with no white space after it was
    retried from each of its characters (20,000 dots: 6-11 s). 200,000 of them
    would take the old pattern hours; the deadline is 60 s."""
    code = (
        "from server.matching.sentences import split_sentences\n"
        f"text = 'Kratom. ' + {mark!r} * 200_000 + ' x' + {mark!r} * 200_000\n"
        "assert len(split_sentences(text)) >= 2\n"
    )
    finishes_within(code, 60)


def test_terminators_with_closing_quotes_still_end_sentences():
    assert sentences('He said "kratom is safe." Then left.') == [
        'He said "kratom is safe."',
        "Then left.",
    ]
    assert sentences("Wait...what? No!!! (Really.) Yes") == [
        "Wait...what?",
        "No!!!",
        "(Really.)",
        "Yes",
    ]
