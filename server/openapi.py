"""The OpenAPI 3.1 description of /v1, served at /v1/openapi.json: the one contract.

The shapes come from `schemas.py`; `api.py` validates every request body and query
against this same document (`validation.py`), so what is described is what is
checked. `tests/test_openapi.py` keeps it whole: every /v1 route described, every
described route real, the document valid OpenAPI 3.1 and the answers fitting it.
"""

from __future__ import annotations

from .claims import VERDICTS
from .schemas import Limits, components


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


ERRORS = {
    "400": _error("Malformed request"),
    "413": _error(
        "Too large: body (`payload_too_large`, chunked bodies too), segments "
        "(`too_many_segments`) or sentences (`too_many_sentences`) over the configured "
        "limits: send the page in parts"
    ),
    "415": _error("The body is not application/json"),
    "422": _error("Well-formed JSON with a wrong field"),
    "429": _error("Too many requests from this client; see Retry-After"),
}
# Every route also answers 405 (with `Allow`) to a method it does not take, and 408
# when the request is not sent within the server's read timeout.
OTHER = {
    "405": _error("Method not allowed; the Allow header lists the right ones"),
    "408": _error("The request was not sent within the server's read timeout"),
}


def _body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _query(name: str, schema: dict, description: str = "", *, empty: bool = True) -> dict:
    """A query parameter. `empty`: `?name=` means the parameter was not sent."""
    param = {"name": name, "in": "query", "schema": schema}
    if description:
        param["description"] = description
    if empty:
        param["allowEmptyValue"] = True
    return param


# In the order they are checked: the first one at fault is the one answered.
CLAIMS_QUERY = [
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
        empty=False,
    ),
    _query("verdict", {"type": "string", "enum": list(VERDICTS)}),
    _query(
        "q",
        {"type": "string", "maxLength": 200, "default": ""},
        "Words to find in the text, summary and phrasings: every word must appear, in any "
        "form (vaccine finds vaccines).",
    ),
    _query("topic", {"type": "string", "maxLength": 60}),
    _query("cursor", {"type": "string"}, "`next_cursor` of the page before"),
]


def _match() -> dict:
    return {
        "summary": "Find the passages of page text that repeat a checked claim",
        "requestBody": _body("MatchRequest"),
        "security": [{}, {"bearer": []}, {"apiKey": []}],
        "responses": {
            "200": _json(_ref("MatchResponse"), "Matches and their claims"),
            **ERRORS,
            "401": _error("An API key was sent and is not valid (`invalid_api_key`)"),
            **OTHER,
        },
    }


def _claims() -> dict:
    return {
        "summary": "Published claims, filtered and paged",
        "parameters": CLAIMS_QUERY,
        "responses": {
            "200": _json(_ref("ClaimPage"), "A page of claims"),
            "400": _error(
                "A parameter out of its range (`invalid_parameter`), or a cursor "
                "we did not give out (`invalid_cursor`)"
            ),
            "422": _error("q or topic longer than its maxLength"),
            "429": ERRORS["429"],
            **OTHER,
        },
    }


def _claim() -> dict:
    return {
        "summary": "One published claim, as JSON or ClaimReview JSON-LD",
        "parameters": [
            {"name": "claim_id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "200": {
                "description": "The claim",
                "content": {
                    "application/json": {"schema": _ref("Claim")},
                    "application/ld+json": {"schema": {"type": "object"}},
                },
            },
            "404": _error("No published claim has that id"),
            "429": ERRORS["429"],
            **OTHER,
        },
    }


def _reports() -> dict:
    return {
        "summary": "A reader says a flag is wrong or a claim was missed",
        "requestBody": _body("ReportRequest"),
        "responses": {
            "201": _json(_ref("ReportCreated"), "Report received"),
            **ERRORS,
            "403": _error(
                "Sent from a web page (`forbidden_origin`): reports come from the extension "
                "(`chrome-extension://`, `moz-extension://`) or from clients that send no Origin"
            ),
            "422": _error(
                "A wrong field; `unknown_claim` for an id no published claim has; a report "
                "with neither passage nor comment"
            ),
            **OTHER,
        },
    }


SECURITY = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (`hf_…`) made in the workspace: /v1/match then counts "
        "requests against the key's own limit, not the address's",
    },
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


def spec(limits: Limits = Limits()) -> dict:  # noqa: B008 (frozen: one shared default is fine)
    """The document, with the limits this server enforces."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "healthflags API",
            "version": "1",
            "description": "Find checked health claims in page text. Page text is used to "
            "answer and never stored or logged.",
        },
        "paths": {
            "/v1/match": {"post": _match()},
            "/v1/claims": {"get": _claims()},
            "/v1/claims/{claim_id}": {"get": _claim()},
            "/v1/reports": {"post": _reports()},
            "/v1/health": {
                "get": {
                    "summary": "Liveness and the published version",
                    "responses": {"200": _json(_ref("Health"), "Up"), **OTHER},
                }
            },
            "/v1/openapi.json": {
                "get": {
                    "summary": "This description",
                    "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1"), **OTHER},
                }
            },
        },
        "components": {"securitySchemes": SECURITY, "schemas": components(limits)},
    }
