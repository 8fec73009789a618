"""The shapes of /v1 requests and answers, as JSON Schema 2020-12, stated once.

`openapi.py` publishes them as the spec's components; `validation.py` checks each
request against them and turns a failure into our error codes. Request schemas are
written out whole (no `$ref`) so that a failure can be traced to the rule it broke;
`x-error` on a rule is the message a client gets when that rule fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .claims import SOURCE_TYPES, VERDICTS

# Text a client sends must be readable: an unpaired UTF-16 surrogate (half of an
# emoji cut in two) cannot be encoded, so it is refused by name (`invalid_text`).
READABLE = r"^[^\ud800-\udfff]*$"
REPORT_KINDS = ("wrong_flag", "missed_claim")


@dataclass(frozen=True)
class Limits:
    """The configurable request limits: their defaults (create_app's DEFAULTS read them
    from here, so the spec can be read without an app) and `of` an app's config."""

    segments: int = 2000
    segment_chars: int = 20_000
    report_chars: int = 2000

    @classmethod
    def of(cls, config: Mapping) -> Limits:
        return cls(
            segments=config["MATCH_MAX_SEGMENTS"],
            segment_chars=config["MATCH_MAX_SEGMENT_CHARS"],
            report_chars=config["REPORT_MAX_CHARS"],
        )


def text(max_length: int, description: str = "", *, optional: bool = False) -> dict:
    """A readable string of at most `max_length` characters; when `optional`, null
    (like leaving it out) means not sent."""
    schema = {
        "type": ["string", "null"] if optional else "string",
        "maxLength": max_length,
        "pattern": READABLE,
    }
    return {**schema, "description": description} if description else schema


def match_request(limits: Limits) -> dict:
    return {
        "type": "object",
        "required": ["segments"],
        "properties": {
            "url": text(
                4096, optional=True, description="The page's address; optional, never stored"
            ),
            "lang": text(
                35,
                optional=True,
                description="The page's language (BCP 47); only English is matched",
            ),
            "segments": {
                "type": "array",
                "maxItems": limits.segments,
                "description": "Blocks of visible text in page order",
                "items": {
                    "type": "object",
                    "required": ["id", "text"],
                    "description": "A segment that is not an object, lacks its id or text, "
                    "or has text over the limit fails the whole request (422); one whose "
                    "text cannot be read is only skipped (see `rejected`)",
                    "properties": {
                        # A whole-number id (JSON integer) is taken too, read as its
                        # decimal string before this is checked (api.py).
                        "id": text(100, "Text; a whole number is read as its decimal string"),
                        "text": text(limits.segment_chars),
                    },
                },
            },
        },
    }


def report_request(limits: Limits) -> dict:
    chars = limits.report_chars
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": list(REPORT_KINDS)},
            "claim_id": text(
                80, optional=True, description="The flagged claim (required for wrong_flag)"
            ),
            "passage": text(chars, optional=True, description="The text the reader chose to send"),
            "comment": text(chars, optional=True),
            "url": {
                **text(
                    2048,
                    optional=True,
                    description="The page's address, only if the reader ticks it",
                ),
                "allOf": [
                    {"pattern": "^https?://", "x-error": "url must be an http or https address."}
                ],
            },
        },
        "allOf": [
            {
                "if": {"required": ["kind"], "properties": {"kind": {"const": "wrong_flag"}}},
                "then": {
                    "required": ["claim_id"],
                    "properties": {"claim_id": {"type": "string"}},
                    "x-error": "A wrong_flag report names its claim_id.",
                },
            },
            {
                "anyOf": [
                    {"required": [name], "properties": {name: {"type": "string", "minLength": 1}}}
                    for name in ("passage", "comment")
                ],
                "x-error": "Say what is wrong: send a passage or a comment.",
            },
        ],
    }


def _object(required: list[str], properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": required, "properties": properties}
    return {**schema, "description": description} if description else schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _claim() -> dict:
    props = {
        "id": {"type": "string"},
        "text": {"type": "string"},
        "verdict": {"type": "string", "enum": list(VERDICTS)},
        "rating_value": {"type": "integer", "minimum": 1, "maximum": 5},
        "summary": {"type": "string"},
        "topic": {"type": "string"},
        "harm": {"type": "string", "enum": ["low", "medium", "high"]},
        "evidence": {"type": "array", "items": _ref("Evidence")},
        "review_url": {"type": "string", "format": "uri"},
        "updated_at": {"type": "string"},
        "reviewed_at": {
            "type": ["string", "null"],
            "format": "date",
            "description": "The day a moderator last checked this claim's evidence.",
        },
    }
    return _object(list(props), props)


def _evidence() -> dict:
    return _object(
        ["url", "title", "publisher", "source_type"],
        {
            "url": {"type": "string", "pattern": "^https://"},
            "title": {"type": "string"},
            "publisher": {"type": "string"},
            "source_type": {"type": "string", "enum": list(SOURCE_TYPES)},
            "year": {"type": ["integer", "null"]},
            "doi": {"type": "string"},
            "pmid": {"type": "string"},
        },
    )


# One flagged passage: every field of matching.Match, each always sent (so all are
# required). A new field of Match is one more line here.
MATCH = {
    "segment_id": {"type": "string"},
    "start": {"type": "integer", "description": "UTF-16 code units"},
    "end": {"type": "integer", "description": "UTF-16 code units"},
    "exact": {"type": "string"},
    "prefix": {"type": "string"},
    "suffix": {"type": "string"},
    "claim_id": {"type": "string"},
    "score": {"type": "number"},
    "tier": {"type": "string", "enum": ["confident", "possible"]},
    "stance": {"type": "string", "enum": ["repeats", "disputes", "unclear"]},
    "assessment": {
        "type": "string",
        "enum": ["contradicts_evidence", "consistent_with_evidence", "unclear"],
    },
    "method": {"type": "string", "enum": ["lexical", "semantic"]},
    # Issue 16: a claim the page reports (additive; old clients read stance `unclear`,
    # as for any mention).
    "attributed": {"type": "boolean"},
    "attribution": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Attribution"}]},
}

# Who the page puts a reported claim in the mouth of.
ATTRIBUTION = {
    "start": {"type": "integer", "description": "UTF-16 code units"},
    "end": {"type": "integer", "description": "UTF-16 code units"},
    "exact": {"type": "string"},
    "source": {"type": "string", "description": "as written; may be empty"},
    "stance": {"type": "string", "enum": ["repeats", "disputes", "unclear"]},
}


def _match_response() -> dict:
    rejected = _object(
        ["segment_id", "code", "message"],
        {
            "segment_id": {"type": "string"},
            "code": {"type": "string", "enum": ["invalid_text"]},
            "message": {"type": "string"},
        },
    )
    return _object(
        ["db_version", "matches", "claims", "rejected"],
        {
            "db_version": {"type": "string"},
            "matches": {"type": "array", "items": _ref("Match")},
            "claims": {"type": "object", "additionalProperties": _ref("Claim")},
            "rejected": {
                "type": "array",
                "description": "Segments skipped because their text cannot be read "
                "(`invalid_text`: an unpaired UTF-16 surrogate); the others are matched "
                "as usual. Empty when none.",
                "items": rejected,
            },
        },
    )


def _health() -> dict:
    return _object(
        ["status"],
        {
            "status": {"const": "ok"},
            "db_version": {"type": "string", "description": "The database's published version"},
            "index_version": {
                "type": "string",
                "description": "The published version this worker's index holds (it looks "
                "for a newer one every few seconds)",
            },
            "index_claims": {"type": "integer"},
            "claims": {"type": "integer"},
        },
    )


def components(limits: Limits) -> dict:
    """Every named shape: the spec's `components.schemas`."""
    error = _object(
        ["code", "message"], {"code": {"type": "string"}, "message": {"type": "string"}}
    )
    return {
        "Error": _object(["error"], {"error": error}),
        "Evidence": _evidence(),
        "Claim": _claim(),
        "ClaimPage": _object(
            ["claims", "next_cursor"],
            {
                "claims": {"type": "array", "items": _ref("Claim")},
                "next_cursor": {"type": ["string", "null"]},
            },
        ),
        "MatchRequest": match_request(limits),
        "Match": _object(list(MATCH), MATCH),
        "Attribution": {
            **_object(list(ATTRIBUTION), ATTRIBUTION),
            "description": "The reporting frame itself ('a viral post claims that'), apart "
            "from the match's span; `stance` is which way the reported speaker leans.",
        },
        "MatchResponse": _match_response(),
        "ReportRequest": report_request(limits),
        "ReportCreated": _object(["report"], {"report": {"type": "object"}}),
        "Health": _health(),
    }
