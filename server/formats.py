"""Claims in and out of files: our JSON/NDJSON, CSV and schema.org ClaimReview.

Reading turns a file into claim records (the seed-file shape); `store` validates
and saves them. Writing turns records back into a file. Pure functions, no database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import ijson

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
    "claimant",
    "claim_date",
    "appearance",
)
# Who made a claim, when and where: ClaimReview's itemReviewed author, datePublished
# and appearance.
ORIGIN_KEYS = ("claimant", "claim_date", "appearance")


CSV_FIELD_LIMIT = 4 * 1024 * 1024  # characters in one cell; longer cells are the row's problem


class FormatError(ValueError):
    pass


def guess_format(filename: str, text: str) -> str:
    """The format from the file's name, else from its first few KB."""
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


@dataclass
class Row:
    """One row of a file: where it stands, and the record read from it or why not."""

    number: int
    where: str  # "line 12" (CSV, NDJSON) or "item 3" (JSON)
    record: dict | None = None
    problems: list[str] = field(default_factory=list)


def read_rows(stream: BinaryIO, fmt: str) -> Iterator[Row]:
    """The rows of a file, streamed: a row that cannot be read becomes a Row with
    problems and the rest go on. Raises FormatError (in words) only when the file
    itself cannot be read, before or between rows."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        if fmt == "csv":
            yield from _csv_rows(text)
        elif fmt == "ndjson":
            yield from _ndjson_rows(text)
        elif fmt in ("json", "claimreview"):
            yield from _json_rows(stream, text, fmt)
        else:
            raise FormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    except UnicodeDecodeError:
        raise FormatError("the file is not UTF-8 text; save it as UTF-8 and try again") from None
    finally:
        text.detach()


def read_records(text: str, fmt: str) -> list:
    """Every readable record of a small file held in memory (tests, the bench)."""
    return [r.record for r in read_rows(io.BytesIO(text.encode()), fmt) if r.record is not None]


def _csv_rows(text: io.TextIOWrapper) -> Iterator[Row]:
    # A long summary or evidence cell is the row's problem, not the file's.
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.DictReader(text)
    try:
        columns = reader.fieldnames or []
    except csv.Error as exc:
        raise FormatError(f"could not read the CSV header: {exc}") from None
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if "text" not in columns:
        raise FormatError(
            "the CSV has no “text” column; the first line must name the columns: "
            + ", ".join(CSV_COLUMNS)
        )
    number = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield Row(number, f"line {line}", problems=[f"could not read the row: {exc}"])
            continue
        number += 1
        where = f"line {line}"
        if None in row:  # more cells than columns
            yield Row(number, where, problems=["the row has more cells than the header names"])
            continue
        record, problems = _from_csv_row({k: v for k, v in row.items() if k not in unknown})
        yield Row(number, where, record if not problems else None, problems)


def _ndjson_rows(text: io.TextIOWrapper) -> Iterator[Row]:
    number = 0
    for line_no, line in enumerate(text, 1):
        if not line.strip():
            continue
        number += 1
        yield _json_row(number, f"line {line_no}", line)


def _json_row(number: int, where: str, line: str) -> Row:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return Row(number, where, problems=[f"not valid JSON: {exc}"])
    return _as_record(number, where, value, "json")


def _as_record(number: int, where: str, value, fmt: str) -> Row:
    if not isinstance(value, dict):
        return Row(number, where, problems=[f"expected an object, found {_kind(value)}"])
    if fmt == "claimreview":
        record, problems = from_claim_review(value)
        return Row(number, where, record if not problems else None, problems)
    return Row(number, where, value)


def _json_rows(stream: BinaryIO, text: io.TextIOWrapper, fmt: str) -> Iterator[Row]:
    head = stream.read(64)
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    rest = io.BufferedReader(_Chain(head, stream))  # type: ignore[arg-type]
    if first == b"[":
        items = ijson.items(rest, "item", use_float=True)
        yield from _items(items, fmt)
        return
    if first != b"{":
        raise FormatError(
            f"could not read the file as {fmt}: it must hold a JSON list of claims or one object"
        )
    try:
        data = json.load(io.TextIOWrapper(rest, encoding="utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"could not read the file as {fmt}: {exc}") from None
    if fmt == "claimreview" or "@graph" in data:
        graph = data.get("@graph", [data])
        if not isinstance(graph, list):
            raise FormatError("could not read the file as ClaimReview: @graph must be a list")
        reviews = [g for g in graph if not isinstance(g, dict) or _is_review(g)]
        yield from _items(iter(reviews), "claimreview")
    else:
        yield _as_record(1, "item 1", data, fmt)


def _items(items: Iterator, fmt: str) -> Iterator[Row]:
    number = 0
    while True:
        try:
            value = next(items)
        except StopIteration:
            return
        except (ijson.JSONError, ValueError) as exc:
            raise FormatError(
                f"could not read the file as JSON after item {number}: {exc}"
            ) from None
        number += 1
        if fmt == "claimreview" and isinstance(value, dict) and not _is_review(value):
            continue
        yield _as_record(number, f"item {number}", value, fmt)


class _Chain(io.RawIOBase):
    """The bytes already peeked at, then the rest of the stream."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.head[: len(buffer)] if self.head else self.stream.read(len(buffer))
        self.head = self.head[len(data) :] if self.head else b""
        buffer[: len(data)] = data
        return len(data)


def _kind(value) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


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
        **{k: r.get(k) or "" for k in ORIGIN_KEYS},
    }


def _from_csv_row(row: dict) -> tuple[dict, list[str]]:
    """A record from a CSV row, and the problems that name the column at fault."""
    cell = {k: (v or "") for k, v in row.items()}
    aliases, problems = {}, []
    for line in cell.get("aliases", "").splitlines():
        term, colon, names = line.partition(":")
        if not colon:
            problems.append(
                f"column aliases: write each line as “term: other name; other name”, "
                f"not “{line.strip()[:60]}”"
            )
        elif term.strip():
            aliases[term.strip()] = [n.strip() for n in names.split(";") if n.strip()]
    evidence = _evidence_cell(cell.get("evidence", ""), problems)
    record = {
        **{k: cell.get(k, "").strip() for k in ("id", "text", "verdict", "summary", "topic")},
        "harm": cell.get("harm", "").strip() or "medium",
        "phrasings": [p for p in cell.get("phrasings", "").splitlines() if p.strip()],
        "aliases": aliases,
        "required_terms": [
            t.strip() for t in cell.get("required_terms", "").split(";") if t.strip()
        ],
        "counter_statements": [
            p for p in cell.get("counter_statements", "").splitlines() if p.strip()
        ],
        "evidence": evidence,
        "reviewed_at": cell.get("reviewed_at", "").strip() or None,
        **{k: cell.get(k, "").strip() or None for k in ORIGIN_KEYS},
    }
    return record, problems


def _evidence_cell(value: str, problems: list[str]) -> list:
    """Evidence as a JSON list (what export writes), or one source a line written as
    `url | title | publisher | source type | year` (what people type)."""
    value = value.strip()
    if not value:
        return []
    if value.startswith("["):
        try:
            evidence = json.loads(value)
        except ValueError as exc:
            problems.append(f"column evidence: not a valid JSON list ({exc})")
            return []
        return evidence
    out = []
    for line in value.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        names = ("url", "title", "publisher", "source_type", "year")
        out.append({k: v for k, v in zip(names, parts, strict=False) if v})
    return out


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
        "itemReviewed": _item_reviewed(claim),
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


def _item_reviewed(claim: dict) -> dict:
    item = {"@type": "Claim", "alternateName": claim.get("phrasings", [])}
    if claim.get("claimant"):
        name = claim["claimant"]
        # A web address or a dotted name is a site, so an organisation; else a person.
        kind = "Organization" if "." in name or "/" in name else "Person"
        item["author"] = {"@type": kind, "name": name}
    if claim.get("claim_date"):
        item["datePublished"] = claim["claim_date"]
    if claim.get("appearance"):
        item["appearance"] = {"@type": "CreativeWork", "url": claim["appearance"]}
    return item


def _origin(reviewed: dict, string) -> dict:
    """Claimant, claim date and where it appeared, from itemReviewed."""
    author = reviewed.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    name = author.get("name") if isinstance(author, dict) else author
    appearance = reviewed.get("appearance") or reviewed.get("firstAppearance")
    if isinstance(appearance, list):
        appearance = appearance[0] if appearance else None
    where = appearance.get("url") if isinstance(appearance, dict) else appearance
    return {
        "claimant": string(name, "itemReviewed.author.name") or None,
        "claim_date": string(reviewed.get("datePublished"), "itemReviewed.datePublished")[:10]
        or None,
        "appearance": string(where, "itemReviewed.appearance.url") or None,
    }


def _is_review(item: dict) -> bool:
    return item.get("@type") in ("ClaimReview", ["ClaimReview"])


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


def from_claim_review(item: dict) -> tuple[dict, list[str]]:
    """A claim record from ClaimReview markup, ours or another fact-checker's, and the
    problems that name the property at fault (markup in the wild is often loose)."""
    problems: list[str] = []

    def obj(value, path: str) -> dict:
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object, found {_kind(value)}")
            return {}
        return value

    def string(value, path: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(f"{path}: expected text, found {_kind(value)}")
            return ""
        return str(value)

    rating = obj(item.get("reviewRating"), "reviewRating")
    reviewed = obj(item.get("itemReviewed"), "itemReviewed")
    author = item.get("author")
    author_name = string(author.get("name"), "author.name") if isinstance(author, dict) else ""
    phrasings = reviewed.get("alternateName") or []
    phrasings = [phrasings] if isinstance(phrasings, str) else phrasings
    if not isinstance(phrasings, list) or not all(isinstance(p, str) for p in phrasings):
        problems.append("itemReviewed.alternateName: expected a list of texts")
        phrasings = []
    citations = item.get("citation") or []
    citations = [citations] if isinstance(citations, dict) else citations
    if not isinstance(citations, list):
        problems.append(f"citation: expected a list of sources, found {_kind(citations)}")
        citations = []
    evidence = [_citation(c, f"citation[{i}]", string, obj) for i, c in enumerate(citations)]
    url = string(item.get("url"), "url")
    if author_name and author_name != "healthflags" and url:
        # Another fact-checker's review is itself the evidence.
        evidence.append(
            {
                "url": url,
                "title": string(item.get("name") or item.get("headline"), "name")
                or f"Fact check by {author_name}",
                "publisher": author_name,
                "source_type": "fact_check",
                "year": string(item.get("datePublished"), "datePublished")[:4] or None,
            }
        )
    text = string(item.get("claimReviewed"), "claimReviewed")
    keywords = item.get("keywords")
    modified = string(item.get("dateModified"), "dateModified")
    record = {
        "id": string(item.get("identifier"), "identifier") or slugify(text),
        "text": text,
        "verdict": _verdict_of(rating),
        "summary": string(item.get("reviewBody") or item.get("description"), "reviewBody")
        or (f"Rated {rating.get('alternateName')} by {author_name}." if author_name else ""),
        "topic": slugify(keywords, 60) if isinstance(keywords, str) and keywords else "general",
        "phrasings": phrasings,
        "evidence": evidence,
        "reviewed_at": modified or None,
        **_origin(reviewed, string),
    }
    if record["verdict"] is None and rating:
        problems.append(
            "reviewRating: neither its alternateName nor its ratingValue gives a verdict"
        )
    return record, problems


def _citation(c, path: str, string, obj) -> dict:
    c = obj(c, path)
    publisher = c.get("publisher")
    return {
        "url": string(c.get("url"), f"{path}.url"),
        "title": string(c.get("name") or c.get("headline"), f"{path}.name"),
        "publisher": string(publisher.get("name"), f"{path}.publisher.name")
        if isinstance(publisher, dict)
        else string(publisher, f"{path}.publisher"),
        "source_type": c.get("genre") if isinstance(c.get("genre"), str) else "other",
        "year": string(c.get("datePublished"), f"{path}.datePublished")[:4] or None,
    }
