"""Requests checked against the contract: each fault gets the code clients rely on,
and a message that names the field and never repeats what was sent."""

from __future__ import annotations

import pytest

from server.openapi import CLAIMS_QUERY
from server.schemas import Limits, match_request, report_request
from server.validation import Checker, ProblemError, check, check_query, field_name

MATCH = match_request(Limits(segments=3, segment_chars=10))
REPORT = report_request(Limits())


def codes(schema: dict, body) -> list[tuple[int, str, str]]:
    return [(p.status, p.code, p.message) for p in check(schema, body)]


def test_field_names_read_as_a_client_writes_them():
    assert field_name(["segments", 2, "text"]) == "segments[2].text"
    assert field_name([]) == ""


def test_a_valid_request_has_no_problem():
    assert check(MATCH, {"segments": [{"id": "7", "text": "abc"}], "url": None}) == []


@pytest.mark.parametrize(
    "body, status, code, message",
    [
        ([], 422, "invalid_body", "The body must be a JSON object."),
        ({"segments": "x"}, 422, "invalid_field", "segments must be a list."),
        (
            {"segments": [{"id": 1.0, "text": "x"}]},
            422,
            "invalid_field",
            "segments[0].id must be a string.",
        ),
        (
            {"segments": [{"id": True, "text": "x"}]},
            422,
            "invalid_field",
            "segments[0].id must be a string.",
        ),
        ({"segments": [{"text": "x"}]}, 422, "invalid_field", "segments[0].id is required."),
        (
            {"segments": [{"id": "a", "text": "x" * 11}]},
            422,
            "field_too_long",
            "segments[0].text is longer than 10 characters.",
        ),
        (
            {"segments": [], "lang": "\ud83d"},
            422,
            "invalid_text",
            "lang holds an unpaired surrogate.",
        ),
    ],
)
def test_each_fault_gets_its_code(body, status, code, message):
    assert codes(MATCH, body)[0] == (status, code, message)


def test_too_many_segments_comes_before_any_fault_in_them():
    body = {"segments": [1, 2, 3, 4], "url": 5}
    first = check(MATCH, body)[0]
    assert (first.status, first.code) == (413, "too_many_segments")
    assert first.message == "Send at most 3 segments per request."


def test_messages_never_repeat_the_text_sent():
    secret = "my private page text \ud83d" + "x" * 20
    body = {"segments": [{"id": "a", "text": secret}], "url": secret, "lang": secret}
    for _status, _code, message in codes(MATCH, body):
        assert "private" not in message


def test_the_rules_of_a_report_speak_in_their_own_words():
    assert codes(REPORT, {"kind": "wrong_flag", "passage": "p"}) == [
        (422, "invalid_field", "A wrong_flag report names its claim_id.")
    ]
    assert codes(REPORT, {"kind": "missed_claim", "passage": "", "comment": None}) == [
        (422, "invalid_field", "Say what is wrong: send a passage or a comment.")
    ]
    assert codes(REPORT, {"kind": "missed_claim", "passage": "p", "url": "ftp://x"}) == [
        (422, "invalid_field", "url must be an http or https address.")
    ]


def test_query_values_are_typed_and_defaults_filled_in():
    assert check_query(CLAIMS_QUERY, {"limit": "+5", "verdict": ""}) == {
        "limit": 5,
        "verdict": None,
        "q": "",
        "topic": None,
        "cursor": None,
    }


@pytest.mark.parametrize(
    "args, status, code, message",
    [
        ({"limit": ""}, 400, "invalid_parameter", "limit must be a whole number."),
        ({"limit": "0"}, 400, "invalid_parameter", "limit must be between 1 and 200."),
        (
            {"verdict": "maybe"},
            400,
            "invalid_parameter",
            "verdict must be one of false, misleading, unproven, needs_context, supported.",
        ),
        ({"topic": "t" * 61}, 422, "field_too_long", "topic is longer than 60 characters."),
        (
            {"limit": "0", "verdict": "maybe"},
            400,
            "invalid_parameter",
            "limit must be between 1 and 200.",
        ),
    ],
)
def test_the_first_query_parameter_at_fault_is_answered(args, status, code, message):
    with pytest.raises(ProblemError) as raised:
        check_query(CLAIMS_QUERY, args)
    found = raised.value.problem
    assert (found.status, found.code, found.message) == (status, code, message)


BODIES = [
    {"segments": [{"id": "a", "text": "abc"}]},
    {"segments": [{"id": 1.0, "text": "x"}]},
    {"segments": [{"id": "a", "text": "x\ud83d"}]},
    {"segments": [{"id": "a", "text": "x"}], "url": None, "lang": "en"},
    {"segments": [{"id": "a", "text": "x"}], "extra": {"anything": 1}},
    {"segments": [1, 2, 3, 4]},
    {"kind": "missed_claim", "comment": "c"},
    {"kind": "wrong_flag", "claim_id": None, "passage": "p"},
    {"kind": "wrong_flag", "claim_id": "c", "passage": "p", "url": "https://e.org"},
    {"kind": "missed_claim", "passage": "p", "url": "javascript:x"},
    None,
]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("schema", [MATCH, REPORT], ids=["match", "report"])
def test_the_fast_check_agrees_with_the_full_one(schema, body):
    """Checker answers valid requests from fastjsonschema's compiled code: it must
    accept exactly what jsonschema accepts."""
    assert Checker(schema).problems(body) == check(schema, body)
