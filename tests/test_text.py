"""Words for matching: addresses dropped in linear time, tags split."""

from __future__ import annotations

from conftest import finishes_within

from server.matching.text import raw_tokens


def test_bare_and_full_addresses_are_dropped_and_other_slashes_kept():
    assert raw_tokens("see example.org/page now") == ["see", "now"]
    assert raw_tokens("buy at kratom-cures.com/buy it") == ["buy", "at", "it"]
    assert raw_tokens("https://t.co/x1 and www.x.com hi") == ["and", "hi"]
    assert raw_tokens("and/or 1.5/2 this") == ["and", "or", "1", "5", "2", "this"]
    assert raw_tokens("foo.com-bar/x") == ["foo", "com", "bar", "x"]


def test_a_long_chain_of_dotted_words_is_read_in_linear_time():
    """Found while fixing issue 12: the bare-address pattern (nested repetition
    with a required ending) took 7 s on 20,000 characters of "a.a.a."; 400,000
    would take the old pattern hours; the deadline is 60 s."""
    code = (
        "from server.matching.text import raw_tokens\n"
        "assert raw_tokens('a.' * 200_000 + ' /')[:2] == ['a', 'a']\n"
        "assert raw_tokens('ab-' * 130_000 + ' /')[:2] == ['ab', 'ab']\n"
    )
    finishes_within(code, 60)
