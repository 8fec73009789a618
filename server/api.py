"""The public JSON API, version 1: what the extension and third parties call.

Page text sent to /v1/match is used to answer and then dropped: it is never
stored, and never logged (errors name the field, never its content).
"""

from __future__ import annotations

import json
from dataclasses import fields
from operator import attrgetter
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for

from . import auth, store
from .claims import VERDICTS
from .db import get_db
from .formats import claim_review
from .limits import limiter, match_client, match_limit, read_limit, report_limit
from .matcher import get_matcher
from .matching import Match, Settings, TooMuchText, find_matches

bp = Blueprint("api", __name__, url_prefix="/v1")
MATCH_FIELDS = tuple(f.name for f in fields(Match))
_match_values = attrgetter(*MATCH_FIELDS)  # asdict deep-copies every value: 5x slower


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


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


def _string(value: Any, name: str, limit: int, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadRequest(422, "invalid_field", f"{name} must be a string.")
    if len(value) > limit:
        raise BadRequest(422, "field_too_long", f"{name} is longer than {limit} characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(422, "invalid_text", f"{name} holds an unpaired surrogate.") from None
    return value


def _object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise BadRequest(422, "invalid_body", "The body must be a JSON object.")
    return body


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
    body = _object(json_body())
    cfg = current_app.config
    segments = body.get("segments")
    if not isinstance(segments, list):
        raise BadRequest(422, "invalid_field", "segments must be a list.")
    if len(segments) > cfg["MATCH_MAX_SEGMENTS"]:
        raise BadRequest(
            413,
            "too_many_segments",
            f"Send at most {cfg['MATCH_MAX_SEGMENTS']} segments per request.",
        )
    _string(body.get("url"), "url", 4096)
    lang = _string(body.get("lang"), "lang", 35)
    clean, rejected = _segments(segments, cfg["MATCH_MAX_SEGMENT_CHARS"])

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


def _segments(segments: list, max_chars: int) -> tuple[list[dict], list[dict]]:
    """The segments to match, and those skipped for text that cannot be read (an
    unpaired surrogate: one bad segment must not cost the page its other flags).
    A segment that is not an object, or lacks its id or text, fails the request."""
    clean, rejected = [], []
    for i, seg in enumerate(segments):
        if not isinstance(seg, dict):
            raise BadRequest(422, "invalid_field", f"segments[{i}] must be an object.")
        if "id" not in seg:
            raise BadRequest(422, "invalid_field", f"segments[{i}] needs an id.")
        seg_id = seg["id"]
        if isinstance(seg_id, int) and not isinstance(seg_id, bool):
            seg_id = str(seg_id)
        seg_id = _string(seg_id, f"segments[{i}].id", 100, required=True)
        try:
            text = _string(seg.get("text"), f"segments[{i}].text", max_chars, required=True)
        except BadRequest as exc:
            if exc.code != "invalid_text":
                raise
            rejected.append({"segment_id": seg_id, "code": exc.code, "message": exc.message})
            continue
        clean.append({"id": seg_id, "text": text})
    return clean, rejected


@bp.get("/claims")
@limiter.limit(read_limit)
def list_claims():
    args = request.args
    try:
        limit = int(args.get("limit", 50))
    except ValueError:
        raise BadRequest(400, "invalid_parameter", "limit must be a whole number.") from None
    if not 1 <= limit <= 200:
        raise BadRequest(400, "invalid_parameter", "limit must be between 1 and 200.")
    verdict = args.get("verdict") or None
    if verdict and verdict not in VERDICTS:
        raise BadRequest(400, "invalid_parameter", f"verdict must be one of {', '.join(VERDICTS)}.")
    q = _string(args.get("q", ""), "q", 200) or ""
    topic = _string(args.get("topic"), "topic", 60)
    try:
        claims, cursor = store.list_public_claims(
            get_db(),
            q=q.strip(),
            verdict=verdict,
            topic=topic,
            limit=limit,
            cursor=args.get("cursor") or None,
        )
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
    body = _object(json_body())
    cfg = current_app.config
    kind = body.get("kind")
    if kind not in ("wrong_flag", "missed_claim"):
        raise BadRequest(422, "invalid_field", "kind must be wrong_flag or missed_claim.")
    claim_id = _string(body.get("claim_id"), "claim_id", 80)
    db = get_db()
    if claim_id is not None and not store.is_public(store.get_claim(db, claim_id)):
        # Drafts are not public: answered as if they did not exist.
        raise BadRequest(422, "unknown_claim", "No published claim has that id.")
    if kind == "wrong_flag" and claim_id is None:
        raise BadRequest(422, "invalid_field", "A wrong_flag report names its claim_id.")
    passage = _string(body.get("passage"), "passage", cfg["REPORT_MAX_CHARS"])
    comment = _string(body.get("comment"), "comment", cfg["REPORT_MAX_CHARS"])
    url = _string(body.get("url"), "url", 2048)
    if url is not None and not (url.startswith("https://") or url.startswith("http://")):
        raise BadRequest(422, "invalid_field", "url must be an http or https address.")
    if not (passage or comment):
        raise BadRequest(422, "invalid_field", "Say what is wrong: send a passage or a comment.")
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
    from .openapi import spec

    return jsonify(spec())
