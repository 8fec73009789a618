"""The OpenAPI 3.1 description of /v1, served at /v1/openapi.json.

`tests/test_openapi.py` checks that every /v1 route is described here and every
described route exists, and that answers fit these schemas.
"""

from __future__ import annotations

from .claims import SOURCE_TYPES, VERDICTS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    str(code): _json(_ref("Error"), text)
    for code, text in (
        (400, "Malformed request"),
        (
            413,
            "Too large: body (`payload_too_large`, chunked bodies too), segments "
            "(`too_many_segments`) or sentences (`too_many_sentences`) over the configured "
            "limits: send the page in parts",
        ),
        (415, "The body is not application/json"),
        (422, "Well-formed JSON with a wrong field"),
        (429, "Too many requests from this client; see Retry-After"),
    )
}
# Every route also answers 405 (with `Allow`) to a method it does not take, and 408
# when the request is not sent within the server's read timeout.
OTHER = {
    "405": _json(_ref("Error"), "Method not allowed; the Allow header lists the right ones"),
    "408": _json(_ref("Error"), "The request was not sent within the server's read timeout"),
}


def spec() -> dict:
    claim_props = {
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
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "healthflags API",
            "version": "1",
            "description": "Find checked health claims in page text. Page text is used to "
            "answer and never stored or logged.",
        },
        "paths": {
            "/v1/match": {
                "post": {
                    "summary": "Find the passages of page text that repeat a checked claim",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("MatchRequest")}},
                    },
                    "security": [{}, {"bearer": []}, {"apiKey": []}],
                    "responses": {
                        "200": _json(_ref("MatchResponse"), "Matches and their claims"),
                        **ERRORS,
                        "401": _json(
                            _ref("Error"),
                            "An API key was sent and is not valid (`invalid_api_key`)",
                        ),
                        **OTHER,
                    },
                }
            },
            "/v1/claims": {
                "get": {
                    "summary": "Published claims, filtered and paged",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "description": "Words to find in the text, summary and phrasings: "
                            "every word must appear, in any form (vaccine finds vaccines).",
                            "schema": {"type": "string", "maxLength": 200},
                        },
                        {
                            "name": "verdict",
                            "in": "query",
                            "schema": {"type": "string", "enum": list(VERDICTS)},
                        },
                        {
                            "name": "topic",
                            "in": "query",
                            "schema": {"type": "string", "maxLength": 60},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 200,
                                "default": 50,
                            },
                        },
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["claims", "next_cursor"],
                                "properties": {
                                    "claims": {"type": "array", "items": _ref("Claim")},
                                    "next_cursor": {"type": ["string", "null"]},
                                },
                            },
                            "A page of claims",
                        ),
                        "400": ERRORS["400"],
                        "422": _json(_ref("Error"), "q or topic longer than its maxLength"),
                        "429": ERRORS["429"],
                        **OTHER,
                    },
                }
            },
            "/v1/claims/{claim_id}": {
                "get": {
                    "summary": "One published claim, as JSON or ClaimReview JSON-LD",
                    "parameters": [
                        {
                            "name": "claim_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The claim",
                            "content": {
                                "application/json": {"schema": _ref("Claim")},
                                "application/ld+json": {"schema": {"type": "object"}},
                            },
                        },
                        "404": _json(_ref("Error"), "No published claim has that id"),
                        "429": ERRORS["429"],
                        **OTHER,
                    },
                }
            },
            "/v1/reports": {
                "post": {
                    "summary": "A reader says a flag is wrong or a claim was missed",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("ReportRequest")}},
                    },
                    "responses": {
                        "201": _json(
                            {
                                "type": "object",
                                "required": ["report"],
                                "properties": {"report": {"type": "object"}},
                            },
                            "Report received",
                        ),
                        **ERRORS,
                        "403": _json(
                            _ref("Error"),
                            "Sent from a web page (`forbidden_origin`): reports come from the "
                            "extension (`chrome-extension://`, `moz-extension://`) or from "
                            "clients that send no Origin",
                        ),
                        "422": _json(
                            _ref("Error"),
                            "A wrong field; `unknown_claim` for an id no published claim has; "
                            "a report with neither passage nor comment",
                        ),
                        **OTHER,
                    },
                }
            },
            "/v1/health": {
                "get": {
                    "summary": "Liveness and the published version",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["status"],
                                "properties": {
                                    "status": {"const": "ok"},
                                    "db_version": {
                                        "type": "string",
                                        "description": "The database's published version",
                                    },
                                    "index_version": {
                                        "type": "string",
                                        "description": "The published version this worker's "
                                        "index holds (it looks for a newer one every few "
                                        "seconds)",
                                    },
                                    "index_claims": {"type": "integer"},
                                    "claims": {"type": "integer"},
                                },
                            },
                            "Up",
                        ),
                        **OTHER,
                    },
                }
            },
            "/v1/openapi.json": {
                "get": {
                    "summary": "This description",
                    "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1"), **OTHER},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key (`hf_…`) made in the workspace: /v1/match "
                    "then counts requests against the key's own limit, not the address's",
                },
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "Evidence": {
                    "type": "object",
                    "required": ["url", "title", "publisher", "source_type"],
                    "properties": {
                        "url": {"type": "string", "pattern": "^https://"},
                        "title": {"type": "string"},
                        "publisher": {"type": "string"},
                        "source_type": {"type": "string", "enum": list(SOURCE_TYPES)},
                        "year": {"type": ["integer", "null"]},
                        "doi": {"type": "string"},
                        "pmid": {"type": "string"},
                    },
                },
                "Claim": {
                    "type": "object",
                    "required": list(claim_props),
                    "properties": claim_props,
                },
                "Segment": {
                    "type": "object",
                    "required": ["id", "text"],
                    "description": "A segment without id or text, or with text over the "
                    "limit, fails the whole request (422)",
                    "properties": {
                        "id": {"type": "string", "maxLength": 100},
                        "text": {"type": "string"},
                    },
                },
                "MatchRequest": {
                    "type": "object",
                    "required": ["segments"],
                    "properties": {
                        "url": {"type": "string", "description": "Optional; never stored"},
                        "lang": {"type": "string", "maxLength": 35},
                        "segments": {"type": "array", "items": _ref("Segment")},
                    },
                },
                "Match": {
                    "type": "object",
                    "required": [
                        "segment_id",
                        "start",
                        "end",
                        "exact",
                        "prefix",
                        "suffix",
                        "claim_id",
                        "score",
                        "tier",
                        "stance",
                        "assessment",
                        "method",
                    ],
                    "properties": {
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
                        # Issue 16: a claim the page reports (additive; old clients
                        # read stance `unclear`, as for any mention).
                        "attributed": {"type": "boolean"},
                        "attribution": {"oneOf": [{"type": "null"}, _ref("Attribution")]},
                    },
                },
                "Attribution": {
                    "type": "object",
                    "description": "Who the page puts the claim in the mouth of. `start`/`end` "
                    "(UTF-16 code units of the segment) and `exact` are the reporting frame "
                    "itself ('a viral post claims that'), apart from the match's span; "
                    "`stance` is which way the reported speaker leans.",
                    "required": ["start", "end", "exact", "source", "stance"],
                    "properties": {
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                        "exact": {"type": "string"},
                        "source": {"type": "string", "description": "as written; may be empty"},
                        "stance": {"type": "string", "enum": ["repeats", "disputes", "unclear"]},
                    },
                },
                "MatchResponse": {
                    "type": "object",
                    "required": ["db_version", "matches", "claims", "rejected"],
                    "properties": {
                        "db_version": {"type": "string"},
                        "matches": {"type": "array", "items": _ref("Match")},
                        "claims": {"type": "object", "additionalProperties": _ref("Claim")},
                        "rejected": {
                            "type": "array",
                            "description": "Segments skipped because their text cannot be "
                            "read (`invalid_text`: an unpaired UTF-16 surrogate); the others "
                            "are matched as usual. Empty when none.",
                            "items": _ref("Rejected"),
                        },
                    },
                },
                "Rejected": {
                    "type": "object",
                    "required": ["segment_id", "code", "message"],
                    "properties": {
                        "segment_id": {"type": "string"},
                        "code": {"type": "string", "enum": ["invalid_text"]},
                        "message": {"type": "string"},
                    },
                },
                "ReportRequest": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["wrong_flag", "missed_claim"]},
                        "claim_id": {"type": "string"},
                        "passage": {
                            "type": "string",
                            "description": "The text the reader chose to send",
                        },
                        "url": {"type": "string", "description": "Only if the reader ticks it"},
                        "comment": {"type": "string"},
                    },
                },
            },
        },
    }
