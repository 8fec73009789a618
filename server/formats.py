"""Claims in and out of files: our JSON/NDJSON, CSV and schema.org ClaimReview.

Reading turns a file into claim records (the seed-file shape); `store` validates
and saves them. Writing turns records back into a file. Pure functions, no database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from .claims import VERDICT_LABELS, VERDICTS, slugify

FORMATS = ("json", "ndjson", "csv", "claimreview")
CSV_COLUMNS = (
    "id",
    "text",
    "verdict",
    "summary",
    "topic",
    "harm",
    "phrasings",
    "aliases",
    "required_terms",
    "counter_statements",
    "evidence",
    "reviewed_at",
)


class FormatError(ValueError):
    pass


def guess_format(filename: str, text: str) -> str:
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    head = text.lstrip()[:4000]
    if '"ClaimReview"' in head or "schema.org" in head:
        return "claimreview"
    if head.startswith("{") and "\n{" in text.strip():
        return "ndjson"
    return "json"


def read_records(text: str, fmt: str) -> list:
    """Records from a file's text. Raises FormatError when the file itself is unreadable;
    a bad row is left for the store to report."""
    try:
        if fmt == "json":
            data = json.loads(text)
            return data if isinstance(data, list) else [data]
        if fmt == "ndjson":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        if fmt == "csv":
            return [_from_csv_row(row) for row in csv.DictReader(io.StringIO(text))]
        if fmt == "claimreview":
            return [from_claim_review(item) for item in _claim_reviews(json.loads(text))]
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"could not read the file as {fmt}: {exc}") from None
    raise FormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_records(records: Iterable[dict], fmt: str, review_url=None) -> str:
    records = list(records)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "ndjson":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(_to_csv_row(r) for r in records)
        return out.getvalue()
    if fmt == "claimreview":
        reviews = [claim_review(r, review_url(r["id"]) if review_url else None) for r in records]
        return json.dumps(reviews, ensure_ascii=False, indent=2) + "\n"
    raise FormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


# --- CSV: one row a claim; lists as lines inside a cell -------------------------


def _to_csv_row(r: dict) -> dict:
    return {
        **{k: r.get(k, "") for k in ("id", "text", "verdict", "summary", "topic", "harm")},
        "phrasings": "\n".join(r.get("phrasings", [])),
        "aliases": "\n".join(f"{t}: {'; '.join(n)}" for t, n in r.get("aliases", {}).items()),
        "required_terms": "; ".join(r.get("required_terms", [])),
        "counter_statements": "\n".join(r.get("counter_statements", [])),
        "evidence": json.dumps(r.get("evidence", []), ensure_ascii=False),
        "reviewed_at": r.get("reviewed_at") or "",
    }


def _from_csv_row(row: dict) -> dict:
    aliases = {}
    for line in (row.get("aliases") or "").splitlines():
        term, _, names = line.partition(":")
        if term.strip():
            aliases[term.strip()] = [n.strip() for n in names.split(";") if n.strip()]
    evidence = row.get("evidence") or "[]"
    return {
        **{k: (row.get(k) or "").strip() for k in ("id", "text", "verdict", "summary", "topic")},
        "harm": (row.get("harm") or "medium").strip(),
        "phrasings": [p for p in (row.get("phrasings") or "").splitlines() if p.strip()],
        "aliases": aliases,
        "required_terms": [
            t.strip() for t in (row.get("required_terms") or "").split(";") if t.strip()
        ],
        "counter_statements": [
            p for p in (row.get("counter_statements") or "").splitlines() if p.strip()
        ],
        "evidence": json.loads(evidence),
        "reviewed_at": (row.get("reviewed_at") or "").strip() or None,
    }


# --- schema.org ClaimReview ---------------------------------------------------------


def claim_review(claim: dict, url: str | None = None) -> dict:
    """A claim as ClaimReview JSON-LD (https://schema.org/ClaimReview)."""
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": claim["id"],
        "url": url or claim.get("review_url"),
        "claimReviewed": claim["text"],
        "reviewBody": claim.get("summary", ""),
        "keywords": claim.get("topic", ""),
        # When the evidence was last checked, which is what a reader of the review wants.
        "dateModified": claim.get("reviewed_at") or claim.get("updated_at"),
        "author": {"@type": "Organization", "name": "healthflags"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": VERDICTS[claim["verdict"]],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": VERDICT_LABELS[claim["verdict"]],
        },
        "itemReviewed": {"@type": "Claim", "alternateName": claim.get("phrasings", [])},
        "citation": [
            {
                "@type": "CreativeWork",
                "url": ev["url"],
                "name": ev["title"],
                "publisher": {"@type": "Organization", "name": ev["publisher"]},
                "genre": ev.get("source_type", "other"),
                **({"datePublished": str(ev["year"])} if ev.get("year") else {}),
            }
            for ev in claim.get("evidence", [])
        ],
    }
    return {k: v for k, v in review.items() if v not in (None, "")}


def _claim_reviews(data) -> Iterator[dict]:
    items = data if isinstance(data, list) else data.get("@graph", [data])
    for item in items:
        if isinstance(item, dict) and item.get("@type") in ("ClaimReview", ["ClaimReview"]):
            yield item


_WORDS_TO_VERDICT = (
    ("mostly false", "misleading"),
    ("partly false", "misleading"),
    ("half true", "misleading"),
    ("misleading", "misleading"),
    ("exaggerat", "misleading"),
    ("missing context", "needs_context"),
    ("needs context", "needs_context"),
    ("mixture", "needs_context"),
    ("unproven", "unproven"),
    ("unsupported", "unproven"),
    ("no evidence", "unproven"),
    ("unverified", "unproven"),
    ("pants on fire", "false"),
    ("false", "false"),
    ("fake", "false"),
    ("incorrect", "false"),
    ("wrong", "false"),
    ("mostly true", "needs_context"),
    ("true", "supported"),
    ("correct", "supported"),
    ("accurate", "supported"),
    ("supported", "supported"),
)


def _verdict_of(rating: dict) -> str | None:
    name = str(rating.get("alternateName") or "").casefold()
    for words, verdict in _WORDS_TO_VERDICT:
        if words in name:
            return verdict
    try:
        value = float(rating["ratingValue"])
        best, worst = float(rating.get("bestRating", 5)), float(rating.get("worstRating", 1))
        share = (value - worst) / (best - worst)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return ["false", "misleading", "unproven", "needs_context", "supported"][
        min(4, max(0, round(share * 4)))
    ]


def from_claim_review(item: dict) -> dict:
    """A claim record from ClaimReview markup, ours or another fact-checker's."""
    rating = item.get("reviewRating") or {}
    reviewed = item.get("itemReviewed") or {}
    phrasings = reviewed.get("alternateName") or []
    author = item.get("author") or {}
    author_name = author.get("name") if isinstance(author, dict) else None
    evidence = [
        {
            "url": c.get("url"),
            "title": c.get("name") or c.get("headline") or "",
            "publisher": (c.get("publisher") or {}).get("name", "")
            if isinstance(c.get("publisher"), dict)
            else str(c.get("publisher") or ""),
            "source_type": c.get("genre") or "other",
            "year": (c.get("datePublished") or "")[:4] or None,
        }
        for c in item.get("citation", [])
        if isinstance(c, dict)
    ]
    if author_name and author_name != "healthflags" and item.get("url"):
        # Another fact-checker's review is itself the evidence.
        evidence.append(
            {
                "url": item["url"],
                "title": item.get("name") or item.get("headline") or f"Fact check by {author_name}",
                "publisher": author_name,
                "source_type": "fact_check",
                "year": (item.get("datePublished") or "")[:4] or None,
            }
        )
    text = item.get("claimReviewed") or ""
    return {
        "id": item.get("identifier") or slugify(text),
        "text": text,
        "verdict": _verdict_of(rating),
        "summary": item.get("reviewBody")
        or item.get("description")
        or (f"Rated {rating.get('alternateName')} by {author_name}." if author_name else ""),
        "topic": slugify(item.get("keywords") or "general", 60)
        if isinstance(item.get("keywords"), str)
        else "general",
        "phrasings": phrasings if isinstance(phrasings, list) else [phrasings],
        "evidence": evidence,
        "reviewed_at": modified if isinstance(modified := item.get("dateModified"), str) else None,
    }
