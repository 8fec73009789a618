"""CSV: one row a claim; lists as lines inside a cell, evidence as JSON or one source a line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from .rows import FormatError, Row

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


def csv_rows(text: io.TextIOWrapper) -> Iterator[Row]:
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


def write_csv(records: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(_to_csv_row(r) for r in records)
    return out.getvalue()


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
