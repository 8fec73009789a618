"""The parts of a sentence judged on their own (issue 16): clauses, what a frame
reports, a pronoun-subject clause read with its antecedent, two predicates of one
subject, list items. Sentences written for these tests in our own words (never text
from bench/data or held-out material)."""

from __future__ import annotations

import pytest

from server.matching.parts import sentence_parts


def parts(text: str) -> list[tuple[str, str | None]]:
    """(highlighted text, text read when it differs) of each part."""
    return [(text[p.start : p.end], p.said) for p in sentence_parts(text)]


def test_a_pronoun_subject_is_read_as_the_first_clauses_subject():
    text = "Zinc does not stop colds, and there is no proof that it shortens them."
    assert ("there is no proof that it shortens them.",
            "there is no proof that Zinc shortens them.") in parts(text)  # fmt: skip


def test_a_plural_noun_before_the_subject_is_no_verb():
    text = "Unlike painkillers, kratom has never hurt anyone, and quitting it causes no withdrawal."
    assert ("quitting it causes no withdrawal.", "quitting kratom causes no withdrawal.") in parts(
        text
    )


def test_the_object_of_a_gerund_counts_as_the_subject():
    text = "Unlike coffee, green tea has never harmed anyone, and quitting it causes no headaches."
    assert ("quitting it causes no headaches.", "quitting green tea causes no headaches.") in parts(
        text
    )


def test_a_pronoun_that_is_an_object_keeps_its_clause_as_written():
    text = "Aspirin helps after a stroke, but doctors don't give it to healthy adults."
    assert parts(text) == [
        ("Aspirin helps after a stroke", None),
        ("doctors don't give it to healthy adults.", None),
    ]


def test_two_predicates_of_one_subject_each_get_the_subject():
    assert parts("Cell towers spread the flu and cause migraines.") == [
        ("Cell towers spread the flu", None),
        ("cause migraines.", "Cell towers cause migraines."),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Garlic does not cure colds, flu or shingles.",
            [
                ("Garlic does not cure colds", "Garlic does not cure colds"),
                ("flu", "Garlic does not cure flu"),
                ("shingles", "Garlic does not cure shingles"),
            ],
        ),
        (
            "Long-term use of aspirin or ibuprofen lowers the chance of a stroke.",
            [
                ("Long-term use of aspirin",
                 "Long-term use of aspirin lowers the chance of a stroke."),
                ("ibuprofen", "Long-term use of ibuprofen lowers the chance of a stroke."),
            ],
        ),
    ],
)  # fmt: skip
def test_each_item_of_a_list_is_read_with_the_words_around_the_list(text, expected):
    assert parts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Two words joined by "and": as often a pair as a list.
        "Sweat pads draw out sweat and grime, not toxins.",
        "Hydroxychloroquine is taken by people with lupus and arthritis.",
        # Quantities and pronouns are no items.
        "Onions probably do little or nothing to prevent flu.",
        "Don't drink the water, or you might get sick.",
        # "but not X" contrasts a phrase; it starts no clause.
        "Nor is it clear why vitamin E, but not vitamin C or selenium, was linked to memory.",
        # Two verbs sharing what follows them.
        "5G masts cause or spread the flu.",
        "Kratom can cause or worsen liver damage.",
        # One clause saying one thing.
        "Kratom is not addictive.",
    ],
)
def test_no_parts_where_nothing_is_said_twice(text):
    assert parts(text) == []


def test_a_frame_is_not_split_off_when_the_writer_calls_it_false():
    # The writer's verdict outside what is reported decides, read on the whole.
    assert parts("Some parents claim that vaccines cause autism; that is a myth.") == [
        ("Some parents claim that vaccines cause autism", None),
        ("that is a myth.", None),
    ]
    assert parts("Some parents claim that vaccines cause autism.") == [
        ("vaccines cause autism", None)
    ]


def test_a_leading_pronoun_stands_for_the_subject_of_the_sentence_before():
    before = "Unlike coffee, green tea is sold in every corner shop."
    text = "It never harms anyone, and quitting it causes no headaches."
    assert [p.said for p in sentence_parts(text, before)] == [
        None,
        None,
        "green tea never harms anyone",
        "quitting green tea causes no headaches.",
    ]
    # What a frame reports, too; and nothing is borrowed without a sentence before.
    text = "They say it never harms anyone."
    assert [p.said for p in sentence_parts(text, before)] == [None, "green tea never harms anyone"]
    assert [p.said for p in sentence_parts(text)] == [None]


def test_a_gerund_with_a_pronoun_object_leads_a_sentence_too():
    before = "Vitamin C is sold in every pharmacy."
    assert [p.said for p in sentence_parts("Taking it daily does not stop colds.", before)] == [
        "Taking Vitamin C daily does not stop colds."
    ]


def test_the_subject_before_an_aside_or_an_alternative_name():
    # An aside closed by a comma: the words before it; "X, or Y,": the name Y.
    assert [p.said for p in sentence_parts("It cures colds.", "Garlic, a bulb, is cheap.")] == [
        "Garlic cures colds."
    ]
    before = "Sold as a tonic, Garlic Extract Formula, or GEF, has been pushed for years."
    assert [p.said for p in sentence_parts("It cures colds.", before)] == ["GEF cures colds."]


def test_a_list_ending_in_and_even_is_a_list_and_its_items_keep_the_antecedent():
    before = "Garlic is sold at every market."
    text = "Its fans say it can cure colds, flu, acne and even shingles."
    said = [p.said for p in sentence_parts(text, before)]
    assert said[-4:] == [
        "Garlic can cure colds",
        "Garlic can cure flu",
        "Garlic can cure acne",
        "Garlic can cure shingles",
    ]
