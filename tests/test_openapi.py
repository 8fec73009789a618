"""The OpenAPI description stays true: every route described, every answer fits."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec

ROOT = Path(__file__).parent.parent


def openapi_path(rule: str) -> str:
    """/v1/claims/<claim_id> as OpenAPI writes it: /v1/claims/{claim_id}."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def v1_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/"):
            path = openapi_path(rule.rule)
            routes.setdefault(path, set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}
            )
    return routes


def test_every_route_is_described_and_every_description_is_a_route(app, client):
    spec = client.get("/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    described = {path: set(ops) for path, ops in spec["paths"].items()}
    assert described == v1_routes(app)


# Routes that are not the JSON API, by the part of the URL they live under: the
# moderators' workspace (HTML), the public claim pages and the static files.
NOT_API = {
    "/moderate": "the moderators' workspace (HTML)",
    "/": "the public home page",
    "/claims/<claim_id>": "a claim's public page (HTML)",
    "/static/<path:filename>": "static files",
}


def test_every_route_is_described_or_listed_as_not_api(app, client):
    spec = client.get("/v1/openapi.json").get_json()
    described = v1_routes(app)
    for rule in app.url_map.iter_rules():
        listed = rule.rule in NOT_API or rule.rule.startswith("/moderate/")
        path = openapi_path(rule.rule)
        assert listed or path in spec["paths"], f"{rule.rule} is neither in the spec nor listed"
        assert not (listed and path in described), rule.rule


def test_the_spec_is_valid_openapi_3_1(client):
    spec = client.get("/v1/openapi.json").get_json()
    validate_spec(spec)  # raises on any fault, against the OpenAPI 3.1 schema
    assert spec["openapi"] == "3.1.0"


def test_requests_are_checked_against_the_served_spec(tmp_path):
    """One source: the limits the spec states are the ones the API enforces."""
    from server import create_app

    app = create_app(
        {"DATABASE": str(tmp_path / "s.db"), "SECRET_KEY": "t", "MATCH_MAX_SEGMENTS": 3}
    )
    client = app.test_client()
    schemas = client.get("/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["MatchRequest"]["properties"]["segments"]["maxItems"] == 3
    segments = [{"id": str(i), "text": "x"} for i in range(4)]
    refused = client.post("/v1/match", json={"segments": segments})
    assert refused.status_code == 413
    assert refused.get_json()["error"]["code"] == "too_many_segments"
    assert client.post("/v1/match", json={"segments": segments[:3]}).status_code == 200


def test_every_route_is_in_the_readme(app):
    readme = (ROOT / "README.md").read_text()
    for path, methods in v1_routes(app).items():
        readme_path = re.sub(r"\{[^}]+\}", "<id>", path)
        for method in methods:
            assert f"{method.upper()} {readme_path}" in readme, (method, path)


def validate(spec: dict, schema_name: str, body) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    jsonschema.validate(body, schema)


def test_answers_fit_the_described_schemas(client):
    spec = client.get("/v1/openapi.json").get_json()
    match = client.post(
        "/v1/match",
        json={
            "segments": [
                {"id": "a", "text": "Kratom is a safe, natural cure for opioid addiction."}
            ]
        },
    ).get_json()
    assert match["matches"]
    validate(spec, "MatchResponse", match)
    for claim in client.get("/v1/claims").get_json()["claims"]:
        validate(spec, "Claim", claim)
    validate(spec, "Error", client.get("/v1/claims/nope").get_json())
    with pytest.raises(jsonschema.ValidationError):
        validate(spec, "MatchResponse", {"matches": [], "claims": {}})


def test_the_match_schema_names_every_field_a_match_carries():
    """/v1/match sends every field of matching.Match: a new one must be described."""
    from dataclasses import fields

    from server.matching import Match
    from server.schemas import MATCH

    assert set(MATCH) == {f.name for f in fields(Match)}
