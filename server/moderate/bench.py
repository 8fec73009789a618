"""The test bench: what a page (pasted text or an HTML file) gets flagged by the
published claims, and what it would get with one draft or pending edit published."""

from __future__ import annotations

import sqlite_utils
from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from .. import auth, store
from ..api import settings as match_settings
from ..db import get_db
from ..matcher import get_matcher, store_vectors
from ..matching import Index, Match, Semantic, build_index, find_matches
from ..matching.semantic import phrasing_texts
from ..matching.sentences import split_sentences
from ..pagetext import looks_like_html, segments_from_html, segments_from_text
from . import bp


def _bench_segments(text: str, upload: FileStorage | None) -> tuple[list[dict], list[str]]:
    cfg = current_app.config
    notes: list[str] = []
    if upload is not None and upload.filename:
        html = upload.read().decode("utf-8", errors="replace")
        segments = segments_from_html(html)
    elif looks_like_html(text):
        segments = segments_from_html(text)
    else:
        segments = segments_from_text(text)
    if len(segments) > cfg["MATCH_MAX_SEGMENTS"]:
        notes.append(f"Only the first {cfg['MATCH_MAX_SEGMENTS']} blocks of text were checked.")
        segments = segments[: cfg["MATCH_MAX_SEGMENTS"]]
    limit = cfg["MATCH_MAX_SEGMENT_CHARS"]
    if any(len(s["text"]) > limit for s in segments):
        notes.append(f"Blocks longer than {limit} characters were cut (the API refuses them).")
        segments = [{**s, "text": s["text"][:limit]} for s in segments]
    return segments, notes


def index_with(
    db: sqlite_utils.Database, claim: dict, semantic: Semantic | None
) -> tuple[Index, Semantic | None]:
    """The published index as it would be with `claim`'s current revision published,
    and its vectors if the semantic stage is on."""
    rec = store.revision(db, claim["current_revision"])
    claims, aliases = store.index_rows(db)
    claims = [c for c in claims if c["id"] != claim["id"]]
    claims.append(
        {
            "id": rec["id"],
            "verdict": rec["verdict"],
            "text": rec["text"],
            "phrasings": rec["phrasings"],
            "required_terms": rec["required_terms"],
        }
    )
    merged = {term: list(names) for term, names in aliases.items()}
    for term, names in rec["aliases"].items():
        merged.setdefault(term, []).extend(n for n in names if n not in merged.get(term, []))
    index = build_index(claims, aliases=merged)
    if semantic is None:
        return index, None
    vectors = store_vectors(
        db, current_app.extensions["healthflags_embedder"], phrasing_texts(index, claims)
    )
    return index, Semantic(vectors, semantic.embed)


def _bench_rows(
    db: sqlite_utils.Database, matches: list[Match], claim_texts: dict[str, dict]
) -> list[dict]:
    return [
        {"match": m, "claim": claim_texts.get(m.claim_id) or store.get_claim(db, m.claim_id)}
        for m in matches
    ]


def unflagged(segments: list[dict], matches: list[Match]) -> list[str]:
    """The sentences no match touches, in page order: what passed."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for m in matches:
        spans.setdefault(m.segment_id, []).append((m.start, m.end))
    out = []
    for seg in segments:
        text = seg["text"]
        for start, end in split_sentences(text):
            # Matches count UTF-16 code units; sentences count code points.
            lo = len(text[:start].encode("utf-16-le")) // 2
            hi = lo + len(text[start:end].encode("utf-16-le")) // 2
            if not any(a < hi and lo < b for a, b in spans.get(seg["id"], [])):
                out.append(text[start:end])
    return out


@bp.get("/bench")
@auth.require("contributor")
def bench() -> ResponseReturnValue:
    # `text` fills the box (from a reader's report); nothing runs until Check.
    return _bench_page(request.args.get("claim", ""), text=request.args.get("text", "")[:20000])


def _bench_page(claim_id: str, text: str = "", **extra: object) -> str:
    db = get_db()
    choices = list(
        db.query(
            "SELECT id, status, pending_status FROM claims WHERE status != 'retired' "
            "AND (status != 'published' OR pending_status IS NOT NULL) ORDER BY id"
        )
    )
    return render_template(
        "moderate/bench.html", claim_id=claim_id, choices=choices, text=text, **extra
    )


@bp.post("/bench")
@auth.require("contributor")
def bench_run() -> ResponseReturnValue:
    """What a page would get flagged, now and with the chosen claim published. The
    text is used for this answer only: never stored, never counted, never logged."""
    db = get_db()
    text = request.form.get("text", "")
    claim_id = request.form.get("claim", "").strip()
    segments, notes = _bench_segments(text, request.files.get("page"))
    if not segments:
        error = "Paste some text or choose an HTML file."
        return _bench_page(claim_id, text=text, error=error), 422
    settings = match_settings()
    index, _version, semantic = get_matcher().current(db)
    published = find_matches(index, segments, settings, semantic)
    draft = draft_rows = None
    draft_matches: list[Match] = []
    if claim_id:
        draft = store.get_claim(db, claim_id)
        if draft is None:
            return _bench_page(claim_id, text=text, error="No claim has that id."), 422
        draft_index, draft_semantic = index_with(db, draft, semantic)
        draft_matches = find_matches(draft_index, segments, settings, draft_semantic)
        rec = store.revision(db, draft["current_revision"])
        draft_rows = _bench_rows(db, draft_matches, {draft["id"]: {**draft, **rec}})
    page = _bench_page(
        claim_id,
        text=text,
        segments=len(segments),
        notes=notes,
        published_rows=_bench_rows(db, published, {}),
        published_passed=unflagged(segments, published),
        draft=draft,
        draft_rows=draft_rows,
        draft_passed=unflagged(segments, draft_matches) if draft else [],
    )
    return page
