"""Hostile input: every malformed, oversized or adversarial request gets an answer or a
4xx in the one JSON error shape, never a 5xx (security.md promises 4, 5 and 13)."""

from __future__ import annotations

import json

import pytest
import schemathesis
from conftest import sample_claims
from hypothesis import HealthCheck, given, settings

from server import create_app, store
from server import db as dbm

MB = 1024 * 1024


def hostile_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "h.db"
    app = create_app(
        {
            "DATABASE": str(path),
            "SECRET_KEY": "t",
            "RATELIMIT_ENABLED": False,
            "MAX_CONTENT_LENGTH": 2 * MB,
        }
    )
    db = dbm.open_db(path)
    store.import_claims(db, sample_claims(), "system", publish=True)
    db.close()
    return app


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return hostile_app(tmp_path_factory).test_client()


def segs(*texts):
    return json.dumps({"segments": [{"id": str(i), "text": t} for i, t in enumerate(texts)]})


HOSTILE = {
    "5,000-deep JSON": "[" * 5000 + "]" * 5000,
    "5,000-deep object": '{"a":' * 5000 + "1" + "}" * 5000,
    "lone surrogate": '{"segments": [{"id": "a", "text": "\\udc00 kratom"}]}',
    "invalid UTF-8": b'{"segments": [{"id": "a", "text": "\xc3\x28"}]}',
    "null body": "null",
    "number body": "12",
    "segments null": '{"segments": null}',
    "segment text list": '{"segments": [{"id": "a", "text": ["x"]}]}',
    "segment id bool": '{"segments": [{"id": true, "text": "x"}]}',
    "1 MB sentence": segs("kratom " * (MB // 7)),
    "100,000 one-word sentences": json.dumps(
        {"segments": [{"id": str(i), "text": "Kratom. " * 50} for i in range(2000)]}
    ),
    "repeated words": segs(("vaccines " * 2400)[:19_999]),
    "regex bait": segs(("a." * 9000) + "!" * 1000),
    "dots and quotes": segs('."' * 6000),
    "huge body": "[" + "1," * MB + "1]",
    "empty body": "",
    "whitespace body": "   \n ",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_match_requests_get_an_answer_or_a_4xx_in_one_shape(client, name):
    res = client.post("/v1/match", data=HOSTILE[name], content_type="application/json")
    assert res.status_code < 500, res.get_data(as_text=True)[:200]
    body = res.get_json()
    if res.status_code >= 400:
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    else:
        assert set(body) == {"db_version", "matches", "claims", "rejected"}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_wrong_content_type_is_415(client, content_type):
    res = client.post("/v1/match", data=segs("x"), content_type=content_type)
    assert res.status_code == 415 and res.get_json()["error"]["code"] == "unsupported_media_type"


def test_nothing_stored_is_lost_after_hostile_requests(client):
    for name in HOSTILE:
        client.post("/v1/match", data=HOSTILE[name], content_type="application/json")
        client.post("/v1/reports", data=HOSTILE[name], content_type="application/json")
    assert client.get("/v1/health").get_json()["claims"] == len(sample_claims())


# --- schemathesis over the OpenAPI description --------------------------------------


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
def test_schemathesis_finds_no_server_error(tmp_path_factory, mode):
    """600 valid and 600 invalid cases generated from our OpenAPI description, sent to
    the real app: no 5xx, and every refusal in the one error shape."""
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", hostile_app(tmp_path_factory))
    sent = []

    @given(case=schema.as_strategy(mode))
    @settings(
        max_examples=600, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        res = case.call()
        sent.append(res.status_code)
        assert res.status_code < 500, (case.method, case.path, res.text[:200])
        if res.status_code >= 400:
            body = res.json()
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}

    run()
    assert len(sent) >= 500, len(sent)
