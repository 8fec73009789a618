"""The OpenAPI description stays true: every route described, every answer fits."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).parent.parent


def v1_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}
            )
    return routes


def test_every_route_is_described_and_every_description_is_a_route(app, client):
    spec = client.get("/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    described = {path: set(ops) for path, ops in spec["paths"].items()}
    assert described == v1_routes(app)


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
