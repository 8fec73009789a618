"""JSON and NDJSON files of claim records (and ClaimReview JSON-LD), streamed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import BinaryIO

import ijson

from .claimreview import from_claim_review, is_review
from .rows import FormatError, Row, describe


def ndjson_rows(text: io.TextIOWrapper) -> Iterator[Row]:
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
        return Row(number, where, problems=[f"expected an object, found {describe(value)}"])
    if fmt == "claimreview":
        record, problems = from_claim_review(value)
        return Row(number, where, record if not problems else None, problems)
    return Row(number, where, value)


def json_rows(stream: BinaryIO, text: io.TextIOWrapper, fmt: str) -> Iterator[Row]:
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
        reviews = [g for g in graph if not isinstance(g, dict) or is_review(g)]
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
        if fmt == "claimreview" and isinstance(value, dict) and not is_review(value):
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
