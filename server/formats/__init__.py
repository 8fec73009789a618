"""Claims in and out of files: our JSON/NDJSON, CSV and schema.org ClaimReview.

Reading turns a file into claim records (the seed-file shape); `store` validates
and saves them. Writing turns records back into a file. Pure functions, no database.

  __init__      this surface: guess a file's format, read its rows, write records
  rows          Row (one row of a file, or why it could not be read), FormatError
  jsonfile      JSON and NDJSON, streamed row by row
  csvfile       CSV: one row a claim, lists as lines inside a cell
  claimreview   ClaimReview JSON-LD, ours out and any fact-checker's in
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .claimreview import claim_review, from_claim_review
from .csvfile import CSV_COLUMNS, csv_rows, write_csv
from .jsonfile import json_rows, ndjson_rows
from .rows import FormatError, Row

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "FormatError",
    "Row",
    "claim_review",
    "from_claim_review",
    "guess_format",
    "read_records",
    "read_rows",
    "write_records",
]

FORMATS = ("json", "ndjson", "csv", "claimreview")


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


def read_rows(stream: BinaryIO, fmt: str) -> Iterator[Row]:
    """The rows of a file, streamed: a row that cannot be read becomes a Row with
    problems and the rest go on. Raises FormatError (in words) only when the file
    itself cannot be read, before or between rows."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        if fmt == "csv":
            yield from csv_rows(text)
        elif fmt == "ndjson":
            yield from ndjson_rows(text)
        elif fmt in ("json", "claimreview"):
            yield from json_rows(stream, text, fmt)
        else:
            raise FormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    except UnicodeDecodeError:
        raise FormatError("the file is not UTF-8 text; save it as UTF-8 and try again") from None
    finally:
        text.detach()


def read_records(text: str, fmt: str) -> list:
    """Every readable record of a small file held in memory (tests, the bench)."""
    return [r.record for r in read_rows(io.BytesIO(text.encode()), fmt) if r.record is not None]


def write_records(records: Iterable[dict], fmt: str, review_url=None) -> str:
    records = list(records)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "ndjson":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "csv":
        return write_csv(records)
    if fmt == "claimreview":
        reviews = [claim_review(r, review_url(r["id"]) if review_url else None) for r in records]
        return json.dumps(reviews, ensure_ascii=False, indent=2) + "\n"
    raise FormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
