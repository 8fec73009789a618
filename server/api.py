"""The public JSON API, version 1: what the extension and third parties call.

Page text sent to /v1/match is used to answer and then dropped: it is never
stored, and never logged (errors name the field, never its content).
"""

from __future__ import annotations

import json
from dataclasses import fields
from functools import lru_cache
from operator import attrgetter
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for

from . import auth, store
from .db import get_db
from .formats import claim_review
from .limits import limiter, match_client, match_limit, read_limit, report_limit
from .matcher import get_matcher
from .matching import Match, Settings, TooMuchText, find_matches
from .openapi import spec
from .schemas import Limits
from .validation import Checker, Problem, ProblemError, check_query

bp = Blueprint("api", __name__, url_prefix="/v1")
MATCH_FIELDS = tuple(f.name for f in fields(Match))
_match_values = attrgetter(*MATCH_FIELDS)  # asdict deep-copies every value: 5x slower


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    @classmethod
    def of(cls, problem: Problem) -> BadRequest:
        return cls(problem.status, problem.code, problem.message)


def error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.errorhandler(BadRequest)
def bad_request(exc: BadRequest):
    return error(exc.status, exc.code, exc.message)


def json_body() -> Any:
    if request.mimetype != "application/json":
        raise BadRequest(415, "unsupported_media_type", "Send the body as application/json.")
    raw = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before we read it
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body has no length to refuse up front: werkzeug stops reading at
        # the limit, and what it read would only be cut-off JSON.
        raise BadRequest(413, "payload_too_large", f"Send at most {limit} bytes per request.")
    if not raw:
        raise BadRequest(400, "empty_body", "The request body is empty.")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest(400, "invalid_encoding", "The body is not valid UTF-8.") from None
    except RecursionError:
        raise BadRequest(400, "invalid_json", "The JSON is nested too deeply.") from None
    except ValueError:
        raise BadRequest(400, "invalid_json", "The body is not valid JSON.") from None


@lru_cache(maxsize=8)
def _contract(limits: Limits) -> tuple[dict, dict[str, Checker]]:
    document = spec(limits)
    schemas = document["components"]["schemas"]
    return document, {name: Checker(schemas[name]) for name in ("MatchRequest", "ReportRequest")}


def contract() -> dict:
    """The OpenAPI document with this app's limits: what requests are checked against."""
    return _contract(Limits.of(current_app.config))[0]


def request_body(name: str) -> tuple[dict, list[Problem]]:
    """The JSON body, checked against the schema `name`. The first problem is raised;
    those `skippable` (a segment's unreadable text) are returned, not raised."""
    body = json_body()
    if name == "MatchRequest":
        _whole_number_ids(body)
    checker = _contract(Limits.of(current_app.config))[1][name]
    problems = checker.problems(body)
    fatal = [p for p in problems if not skippable(p)]
    if fatal:
        raise BadRequest.of(fatal[0])
    return body, problems


def skippable(found: Problem) -> bool:
    """A segment whose text cannot be read: one bad segment must not cost the page
    its other flags."""
    path = found.path
    return found.code == "invalid_text" and len(path) == 3 and path[::2] == ("segments", "text")


def _whole_number_ids(body: Any) -> None:
    """A whole-number segment id is read as its decimal string (as the spec says)
    before the check, so that its length is checked as the string's."""
    segments = body.get("segments") if isinstance(body, dict) else None
    for seg in segments if isinstance(segments, list) else ():
        if isinstance(seg, dict) and type(seg.get("id")) is int:
            seg["id"] = str(seg["id"])


def settings() -> Settings:
    cfg = current_app.config
    return Settings(
        confident=cfg["MATCH_CONFIDENT"],
        confident_curated=cfg["MATCH_CONFIDENT_CURATED"],
        possible=cfg["MATCH_POSSIBLE"],
        max_sentences=cfg["MATCH_MAX_SENTENCES"],
    )


def public_claim(claim: dict) -> dict:
    return {**claim, "review_url": url_for("pages.claim", claim_id=claim["id"], _external=True)}


@bp.post("/match")
@limiter.limit(match_limit, key_func=match_client)
def match():
    body, unreadable = request_body("MatchRequest")
    skipped = {p.path[1] for p in unreadable}
    segments = body["segments"]
    clean = [s for i, s in enumerate(segments) if i not in skipped]
    rejected = [
        {"segment_id": segments[p.path[1]]["id"], "code": p.code, "message": p.message}
        for p in unreadable
    ]
    lang = body.get("lang")
    db = get_db()
    matcher = get_matcher()
    index, version, semantic = matcher.current(db)
    # The engine reads English; other languages get no flags rather than wrong ones.
    english = lang is None or lang.lower().split("-")[0] in ("en", "")
    try:
        found = find_matches(index, clean, settings(), semantic) if english else []
    except TooMuchText as exc:
        raise BadRequest(
            413,
            "too_many_sentences",
            f"The text holds more than {exc.limit} sentences: send the page in parts.",
        ) from None
    claims = store.public_claims(db, [m.claim_id for m in found])
    found = [m for m in found if m.claim_id in claims]  # retired since the index was built
    if found:
        matcher.count(db, [m.claim_id for m in found])
    key = g.get("api_key")
    if key is not None:
        auth.key_uses(current_app).add(db, key["id"])
    return jsonify(
        {
            "db_version": version,
            "matches": [dict(zip(MATCH_FIELDS, _match_values(m), strict=True)) for m in found],
            "claims": {cid: public_claim(c) for cid, c in claims.items()},
            "rejected": rejected,
        }
    )


@bp.get("/claims")
@limiter.limit(read_limit)
def list_claims():
    try:
        query = check_query(contract()["paths"]["/v1/claims"]["get"]["parameters"], request.args)
    except ProblemError as exc:
        raise BadRequest.of(exc.problem) from None
    try:
        claims, cursor = store.list_public_claims(get_db(), **{**query, "q": query["q"].strip()})
    except ValueError:
        raise BadRequest(400, "invalid_cursor", "That cursor is not one we gave out.") from None
    return jsonify({"claims": [public_claim(c) for c in claims], "next_cursor": cursor})


@bp.get("/claims/<claim_id>")
@limiter.limit(read_limit)
def get_claim(claim_id: str):
    found = store.public_claims(get_db(), [claim_id]).get(claim_id)
    if found is None:
        raise BadRequest(404, "not_found", "No published claim has that id.")
    claim = public_claim(found)
    best = request.accept_mimetypes.best_match(["application/json", "application/ld+json"])
    if (
        best == "application/ld+json"
        and request.accept_mimetypes["application/ld+json"]
        > (request.accept_mimetypes["application/json"])
    ):
        return Response(
            json.dumps(claim_review(claim), ensure_ascii=False), mimetype="application/ld+json"
        )
    return jsonify(claim)


REPORT_ORIGINS = ("chrome-extension://", "moz-extension://")


@bp.post("/reports")
@limiter.limit(report_limit)
def create_report():
    # Browsers send Origin with every cross-origin POST: a website's visitors cannot
    # be made to file reports (CORS would only hide the answer, not stop the write).
    origin = request.headers.get("Origin")
    if origin is not None and not origin.startswith(REPORT_ORIGINS):
        raise BadRequest(403, "forbidden_origin", "Reports come from the extension only.")
    body, _ = request_body("ReportRequest")
    claim_id = body.get("claim_id")
    db = get_db()
    if claim_id is not None and not store.is_public(store.get_claim(db, claim_id)):
        # Drafts are not public: answered as if they did not exist.
        raise BadRequest(422, "unknown_claim", "No published claim has that id.")
    kind, passage, comment, url = (body.get(k) for k in ("kind", "passage", "comment", "url"))
    report = store.create_report(
        db, kind=kind, claim_id=claim_id, passage=passage, url=url, comment=comment
    )
    return jsonify({"report": report}), 201


@bp.get("/health")
def health():
    """The database's published version, and the one this worker's index holds: they
    differ for up to INDEX_CHECK_SECONDS after a publish."""
    db = get_db()
    count = db.execute("SELECT count(*) FROM claims WHERE status = 'published'").fetchone()[0]
    index, version, _ = get_matcher().current(db)
    return jsonify(
        {
            "status": "ok",
            "db_version": store.published_version(db),
            "index_version": version,
            "index_claims": len(index),
            "claims": count,
        }
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(contract())
