"""One sentence, several claims; claims a page reports rather than says (issue 16).

Sentences are written for these tests in our own words, look-alikes of the patterns
the issue describes (two claims joined by "and", ";" or "but"; "according to", "X told
us", "…, she said", "a viral post claims"); never text from bench/data or held-out
material. Each case gives the claim, tier, stance, whether it is attributed, and the
span a reader sees highlighted.
"""

from __future__ import annotations

import pytest

from server.matching import build_index, find_matches
from server.matching.attribution import frame, reported
from server.matching.clauses import split_clauses

AUTISM, KRATOM = "vaccines-cause-autism", "kratom-not-addictive"


@pytest.fixture(scope="module")
def index(seed):
    claims, aliases = seed  # conftest: the shipped database as a first start publishes it
    return build_index(claims, aliases=aliases)


def flags(index, text: str) -> dict[str, tuple]:
    """claim id -> (tier, stance, attributed, highlighted text, the frame's text)."""
    out = {}
    for m in find_matches(index, [{"id": "s", "text": text}]):
        frame_text = m.attribution["exact"] if m.attribution else None
        out[m.claim_id] = (m.tier, m.stance, m.attributed, m.exact, frame_text)
    return out


# --- splitting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, pieces",
    [
        (
            "Vaccines cause autism; kratom is not addictive.",
            ["Vaccines cause autism", "kratom is not addictive."],
        ),
        (
            "The jabs are full of toxins, and the fluoride in our water dulls children's minds.",
            ["The jabs are full of toxins", "the fluoride in our water dulls children's minds."],
        ),
        (
            "Green tea might help a little, but it won't melt fat on its own.",
            ["Green tea might help a little", "it won't melt fat on its own."],
        ),
        (
            "My aunt keeps forwarding posts saying vitamin C cures colds and that flu shots "
            "give you the flu.",
            [
                "My aunt keeps forwarding posts saying vitamin C cures colds",
                "flu shots give you the flu.",
            ],
        ),
        # A list, two verbs of one subject, two nouns joined by "and": one assertion.
        ("Chlorine dioxide cures malaria, cholera and even cancer.", None),
        ("Cell towers spread the virus and cause headaches.", None),
        ("Vitamins A and D are stored in body fat.", None),
        ("Trials have failed to show that zinc and echinacea can prevent colds.", None),
        ("Kratom is safe but strong.", None),
    ],
)
def test_a_sentence_is_cut_only_where_a_new_assertion_starts(text, pieces):
    got = [text[p.start : p.end] for p in split_clauses(text)]
    assert got == (pieces or [text])


# --- attribution frames ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, frame_text, content, source",
    [
        (
            "According to a leaflet at the pharmacy, garlic cures infections.",
            "According to a leaflet at the pharmacy",
            "garlic cures infections",
            "a leaflet at the pharmacy",
        ),
        (
            "Garlic cures infections according to my yoga teacher",
            "according to my yoga teacher",
            "Garlic cures infections",
            "my yoga teacher",
        ),
        (
            "Garlic cures infections, a market trader told us.",
            "a market trader told us",
            "Garlic cures infections",
            "a market trader",
        ),
        (
            "“Garlic cured my chest infection in two days,” says Mo from Leeds.",
            "says Mo from Leeds",
            "Garlic cured my chest infection in two days",
            "mo from leeds",
        ),
        (
            "A viral video claims that garlic cures infections.",
            "A viral video claims that",
            "garlic cures infections",
            "A viral video",
        ),
        (
            "Garlic supposedly cures infections.",
            "supposedly",
            "Garlic supposedly cures infections",
            "",
        ),
        (
            "I heard on the radio that garlic cures infections.",
            "I heard on the radio that",
            "garlic cures infections",
            "",
        ),
        (
            "Claim: garlic cures every infection.",
            "Claim",
            "garlic cures every infection",
            "",
        ),
    ],
)
def test_a_reporting_frame_is_found_with_its_source_and_content(text, frame_text, content, source):
    f = frame(text)
    assert f is not None
    assert text[f.start : f.end] == frame_text
    assert text[f.content_start : f.content_end] == content
    assert f.source == source


@pytest.mark.parametrize(
    "text",
    [
        # Verbs that commit the writer, the writer's own view, a command, a hedge.
        "Studies have shown that garlic lowers blood pressure a little.",
        "Researchers found that garlic does not cure infections.",
        "I think garlic cures infections.",
        "Don't believe the lies: garlic cures infections.",
        "Research suggests garlic may lower blood pressure slightly.",
        "Garlic cures infections, and that is why I said yes.",
    ],
)
def test_what_the_writer_says_is_not_a_report(text):
    assert frame(text) is None


def test_a_clause_joined_by_and_that_shares_the_frame_before_it():
    text = (
        "My aunt keeps forwarding posts saying vitamin C cures colds and that flu shots "
        "give you the flu."
    )
    second = split_clauses(text)[1]
    f = reported(text, second.start, second.end)
    assert f is not None
    assert text[f.start : f.end] == "My aunt keeps forwarding posts saying"
    assert text[f.content_start : f.content_end] == "flu shots give you the flu."


# --- the engine: each claim its own flag and span, reports marked ---------------------


def test_the_issues_sentence_gets_two_reported_flags_on_their_own_clauses(index):
    text = (
        "In other news, vaccines cause autism according to a viral post, and kratom is "
        "not addictive, a shop owner told us."
    )
    got = flags(index, text)
    assert got[AUTISM] == (
        "possible",
        "unclear",
        True,
        "In other news, vaccines cause autism",
        "according to a viral post",
    )
    assert got[KRATOM] == (
        "possible",
        "unclear",
        True,
        "kratom is not addictive",
        "a shop owner told us",
    )


@pytest.mark.parametrize(
    "text, claim, expected",
    [
        (
            "A wellness influencer insists that vaccines cause autism.",
            AUTISM,
            ("possible", "unclear", True, "vaccines cause autism",
             "A wellness influencer insists that"),
        ),
        (
            "According to a flyer pinned up at the gym, vaccines cause autism.",
            AUTISM,
            ("possible", "unclear", True, "vaccines cause autism",
             "According to a flyer pinned up at the gym"),
        ),
        (
            "Kratom is not addictive, the vendor assured us.",
            KRATOM,
            ("possible", "unclear", True, "Kratom is not addictive", "the vendor assured us"),
        ),
        (
            "\"Vaccines cause autism,\" my neighbour said.",
            AUTISM,
            ("possible", "unclear", True, "Vaccines cause autism", "my neighbour said"),
        ),
        # The writer's own voice: not attributed, and painted as it reads.
        (
            "Researchers found that vaccines do not cause autism.",
            AUTISM,
            ("confident", "disputes", False,
             "Researchers found that vaccines do not cause autism.", None),
        ),
    ],
)  # fmt: skip
def test_a_reported_claim_is_marked_attributed_and_never_painted(index, text, claim, expected):
    got = flags(index, text)
    assert got[claim] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Vaccines cause autism; kratom is not addictive.",
            {
                AUTISM: ("confident", "repeats", False, "Vaccines cause autism", None),
                KRATOM: ("possible", "repeats", False, "kratom is not addictive.", None),
            },
        ),
        (
            "Vaccines do not cause autism, but kratom is addictive.",
            {
                AUTISM: ("confident", "disputes", False, "Vaccines do not cause autism", None),
                KRATOM: ("confident", "disputes", False, "kratom is addictive.", None),
            },
        ),
        (
            "Kratom is not addictive, and the jabs cause autism.",
            {
                KRATOM: ("possible", "repeats", False, "Kratom is not addictive", None),
                AUTISM: ("confident", "repeats", False, "the jabs cause autism.", None),
            },
        ),
        (
            "A wellness blogger insists that vaccines cause autism, and a vape shop clerk "
            "told me that kratom is not addictive.",
            {
                AUTISM: ("possible", "unclear", True, "vaccines cause autism",
                         "A wellness blogger insists that"),
                KRATOM: ("possible", "unclear", True, "kratom is not addictive",
                         "a vape shop clerk told me that"),
            },
        ),
    ],
)  # fmt: skip
def test_two_claims_in_one_sentence_get_two_flags_each_on_its_clause(index, text, expected):
    got = flags(index, text)
    assert {c: got.get(c) for c in expected} == expected


@pytest.mark.parametrize(
    "text, spans",
    [
        (
            "Chlorine dioxide does not cure autism, malaria or HIV.",
            {
                "chlorine-dioxide-cures-autism": "Chlorine dioxide does not cure autism",
                "chlorine-dioxide-cures-malaria": "malaria",
                "chlorine-dioxide-cures-hiv": "HIV",
            },
        ),
    ],
)
def test_claims_listed_in_one_clause_each_get_their_own_words(index, text, spans):
    got = {c: f[3] for c, f in flags(index, text).items()}
    assert got == spans
    assert all(f[1] == "disputes" for f in flags(index, text).values())


def test_an_attributed_match_says_who_and_where_in_utf16(client):
    """Through the real app (the test claims): the frame's offsets count UTF-16 code
    units, as the match's own do, with astral characters before them."""
    text = "🙄🙄 According to a flyer at the gym, kratom is not addictive."
    body = client.post("/v1/match", json={"segments": [{"id": "a", "text": text}]})
    (m,) = [m for m in body.get_json()["matches"] if m["claim_id"] == KRATOM]
    units = text.encode("utf-16-le")
    at = m["attribution"]
    assert m["attributed"] is True and m["stance"] == "unclear" and m["tier"] == "possible"
    assert m["assessment"] == "unclear"
    assert units[at["start"] * 2 : at["end"] * 2].decode("utf-16-le") == at["exact"]
    assert at["exact"] == "According to a flyer at the gym"
    assert at["source"] == "a flyer at the gym"
    assert at["stance"] == "repeats"
    assert units[m["start"] * 2 : m["end"] * 2].decode("utf-16-le") == "kratom is not addictive"


def test_an_asserted_match_has_no_attribution(client):
    text = "Kratom is not addictive at all."
    body = client.post("/v1/match", json={"segments": [{"id": "a", "text": text}]})
    (m,) = [m for m in body.get_json()["matches"] if m["claim_id"] == KRATOM]
    assert m["attributed"] is False and m["attribution"] is None
    assert m["stance"] == "repeats"


def test_advice_after_a_semicolon_stays_with_the_sentence_it_follows():
    # An imperative tail has no assertion of its own: cut off, the first half would be
    # judged alone ("...do not work against colds" read without its context).
    text = "Herbal teas do not shorten a cold; drink plenty of water and rest for a few days."
    assert [text[p.start : p.end] for p in split_clauses(text)] == [text.rstrip(".") + "."]
    two = "Herbal teas cure a cold; the steam can clear a blocked nose in minutes."
    assert len(split_clauses(two)) == 2


# --- parts: each claim of a sentence read where it is said (parts.py) ----------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # A pronoun subject stands for the first clause's subject.
        (
            "5G masts do not spread the coronavirus, and there is no proof that they cause "
            "cancer.",
            {
                "5g-emf-5g-causes-covid": ("confident", "disputes", False,
                                           "5G masts do not spread the coronavirus", None),
                "5g-emf-5g-radiation-causes-cancer": (
                    "confident", "disputes", False,
                    "there is no proof that they cause cancer.", None),
            },
        ),
        (
            "Kratom is not addictive, and quitting it causes no withdrawal.",
            {
                KRATOM: ("possible", "repeats", False, "Kratom is not addictive", None),
                "kratom-no-withdrawal": ("possible", "repeats", False,
                                         "quitting it causes no withdrawal.", None),
            },
        ),
        # A colon cuts like a semicolon.
        (
            "They keep lying to us: the jabs cause autism and the fluoride in our taps "
            "lowers IQ.",
            {
                AUTISM: ("confident", "repeats", False, "the jabs cause autism", None),
                "fluoride-water-lowers-iq": ("confident", "repeats", False,
                                             "the fluoride in our taps lowers IQ.", None),
            },
        ),
        # Four list items, each its own flag on its own words.
        (
            "Chlorine dioxide does not cure HIV, malaria, autism or COVID-19.",
            {
                "chlorine-dioxide-cures-hiv": ("confident", "disputes", False,
                                               "Chlorine dioxide does not cure HIV", None),
                "chlorine-dioxide-cures-malaria": ("confident", "disputes", False, "malaria",
                                                   None),
                "chlorine-dioxide-cures-autism": ("confident", "disputes", False, "autism",
                                                  None),
                "chlorine-dioxide-cures-covid": ("confident", "disputes", False, "COVID-19",
                                                 None),
            },
        ),
        # A long sentence reporting two claims: each claim's words are too few of the
        # whole for retrieval, so every sentence naming a subject is read part by part.
        (
            "Also this week, a viral video claimed that vaccines cause autism, and a vape "
            "shop worker we met insisted that kratom is not addictive.",
            {
                AUTISM: ("possible", "unclear", True, "vaccines cause autism",
                         "a viral video claimed that"),
                KRATOM: ("possible", "unclear", True, "kratom is not addictive",
                         "a vape shop worker we met insisted that"),
            },
        ),
    ],
)  # fmt: skip
def test_each_claim_of_a_sentence_is_flagged_where_it_is_said(index, text, expected):
    got = flags(index, text)
    assert {c: got.get(c) for c in expected} == expected


@pytest.mark.parametrize(
    "text, claim, expected",
    [
        ("Maya, a nurse from Leeds who sells supplements, told us kratom is not addictive.",
         KRATOM, ("possible", "unclear", True, "kratom is not addictive",
                  "Maya, a nurse from Leeds who sells supplements, told us")),
        ("Parents wrote to the school, saying the jabs cause autism.",
         AUTISM, ("possible", "unclear", True, "the jabs cause autism", "saying")),
        ("Kratom is being touted online as a safe, natural cure for opioid addiction.",
         "kratom-safe-natural-cure-opioid-addiction",
         ("possible", "unclear", True,
          "Kratom is being touted online as a safe, natural cure for opioid addiction",
          "being touted")),
        # The quote's own "but" does not make its first clause the writer's.
        ("\"Vaccines cause autism, but don't tell anyone,\" a parent at the gate said.",
         AUTISM, ("possible", "unclear", True, "\"Vaccines cause autism",
                  "a parent at the gate said")),
        # A rule about the claim is the writer's, not a report.
        ("Kratom cannot be legally marketed as a dietary supplement in the US.",
         "kratom-lawful-dietary-supplement",
         ("possible", "disputes", False,
          "Kratom cannot be legally marketed as a dietary supplement in the US.", None)),
    ],
)  # fmt: skip
def test_a_claim_reported_in_other_ways_is_marked_attributed(index, text, claim, expected):
    assert flags(index, text)[claim] == expected


def test_a_sentence_led_by_a_pronoun_is_read_with_the_subject_before_it(index):
    text = (
        "Kratom is sold in corner shops across the state. It is not addictive, the clerks told us."
    )
    assert flags(index, text)[KRATOM] == (
        "possible", "unclear", True, "It is not addictive", "the clerks told us"
    )  # fmt: skip


def test_an_imported_claim_is_never_flagged_on_a_part_read_with_borrowed_words():
    feed = {
        "id": "feed-tio2",
        "verdict": "false",
        "text": "Titanium dioxide in sweets causes cancer.",
    }
    curated = dict(feed, id="curated-tio2", required_terms=["titanium dioxide"])
    listed = "Sweets hold sugar, gelatin or titanium dioxide, which causes cancer."

    def spans(claim, text):
        return [m.exact for m in find_matches(build_index([claim]), [{"id": "s", "text": text}])]

    # A list of ingredients: the item alone would read "The tablets hold titanium dioxide".
    assert (
        spans(feed, "The tablets hold maize starch, magnesium stearate and titanium dioxide.") == []
    )
    assert spans(feed, listed) == [listed]  # the whole sentence, as before parts
    assert spans(curated, listed) == ["titanium dioxide"]  # a curated claim: its item


@pytest.mark.parametrize(
    "text, pieces",
    [
        ("People with this condition don't yet have dementia, but they are forgetful.",
         ["People with this condition don't yet have dementia", "they are forgetful."]),
        ("Garlic is cheap, yet it cures nothing.", ["Garlic is cheap", "it cures nothing."]),
    ],
)  # fmt: skip
def test_yet_cuts_only_as_a_conjunction_after_a_comma(text, pieces):
    assert [text[p.start : p.end] for p in split_clauses(text)] == pieces


def test_items_of_one_list_share_what_the_sentence_says_of_them(index):
    text = "Staying on methadone or buprenorphine lowers the chance of a fatal overdose."
    got = flags(index, text)
    assert got["opioid-treatment-buprenorphine-reduces-overdose-death"] == (
        "confident", "repeats", False, "buprenorphine", None
    )  # fmt: skip
    # Its sibling, read weaker on its own item, gets the same reading, at most possible.
    assert got["opioid-treatment-methadone-reduces-overdose-death"] == (
        "possible", "repeats", False, "Staying on methadone", None
    )  # fmt: skip
