"""Imports as jobs: malformed files never fail whole, likely duplicates are held back,
every row is reported (a killed import: test_importer_background.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import sample_claims

from server import db as dbm
from server import importer, store
from server.cli import main

GOOD = {**sample_claims()[1], "id": "good-row"}
GOOD["phrasings"] = ["Kratom never hooks anyone.", "Nobody gets addicted to kratom leaves."]
GOOD["text"] = "Kratom leaves cannot hook you."

# Each malformed file with what its report must say. Found by attacking the landed import.
MALFORMED = {
    "verdict-list.json": (
        json.dumps([{**GOOD, "verdict": ["false"]}]),
        "verdict must be one of",
    ),
    "verdict-object.json": (
        json.dumps([{**GOOD, "verdict": {"value": "false"}}]),
        "verdict must be one of",
    ),
    "rating-string.jsonld": (
        json.dumps([{"@type": "ClaimReview", "claimReviewed": "X cures Y", "reviewRating": "F"}]),
        "reviewRating: expected an object, found a string",
    ),
    "item-string.jsonld": (
        json.dumps([{"@type": "ClaimReview", "claimReviewed": "X cures Y", "itemReviewed": "x"}]),
        "itemReviewed: expected an object, found a string",
    ),
    "citation-number.jsonld": (
        json.dumps([{"@type": "ClaimReview", "claimReviewed": "X cures Y", "citation": 5}]),
        "citation: expected a list of sources, found a number",
    ),
    "claim-list.jsonld": (
        json.dumps([{"@type": "ClaimReview", "claimReviewed": ["a", "b"]}]),
        "claimReviewed: expected text, found a list",
    ),
    "date-number.jsonld": (
        json.dumps(
            [
                {
                    "@type": "ClaimReview",
                    "claimReviewed": "X cures Y",
                    "datePublished": 2020,
                    "reviewRating": {"ratingValue": 1},
                }
            ]
        ),
        "summary is required",  # the year itself is read; the row lacks a summary
    ),
    "row-not-object.json": (json.dumps([GOOD, 7]), "expected an object, found a number"),
    "bad-line.ndjson": (json.dumps(GOOD) + "\n{oops\n", "not valid JSON"),
    "year-object.json": (
        json.dumps([{**GOOD, "evidence": [{**GOOD["evidence"][0], "year": {"y": 1}}]}]),
        "year must be a year",
    ),
    "aliases-list.json": (json.dumps([{**GOOD, "aliases": ["kratom"]}]), "aliases must map"),
}


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["id", "text", "verdict", "summary", "topic", "evidence"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


CSV_ROW = {
    "id": "csv-row",
    "text": "Kratom bark cures gout.",
    "verdict": "false",
    "summary": "No evidence.",
    "topic": "kratom",
    "evidence": "",
}
MALFORMED["plain-url.csv"] = (
    _csv([CSV_ROW, {**CSV_ROW, "id": "csv-url", "evidence": "https://www.fda.gov/kratom"}]),
    "title and publisher are required",
)
MALFORMED["huge-field.csv"] = (
    _csv([{**CSV_ROW, "id": "csv-huge", "summary": "x" * 140_000}, CSV_ROW]),
    "summary is longer than 600 characters",
)


WITH_A_GOOD_ROW = {"row-not-object.json", "bad-line.ndjson", "plain-url.csv", "huge-field.csv"}


@pytest.fixture
def cli(tmp_path):
    db = tmp_path / "cli.db"

    def run(*args: str):
        return CliRunner().invoke(main, [*args, "--db", str(db)], catch_exceptions=False)

    run.db = db
    return run


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_row_is_reported_by_line_and_field_and_the_rest_lands(cli, tmp_path, name):
    text, expected = MALFORMED[name]
    path = tmp_path / name
    path.write_text(text)
    fmt = "claimreview" if name.endswith(".jsonld") else None
    result = cli("import", str(path), *(["--format", fmt] if fmt else []))
    assert result.exit_code == 0, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert ("line " if name.endswith((".csv", ".ndjson")) else "item ") in result.output
    [job] = importer.list_jobs(dbm.open_db(cli.db))
    assert job["status"] == "done" and job["counts"]["invalid"] >= 1
    # The files that hold a good row beside the bad one import it.
    assert job["counts"]["created"] == (1 if name in WITH_A_GOOD_ROW else 0)


@pytest.mark.parametrize(
    "name, text, words",
    [
        ("whole-string.jsonld", '"just a string"', "JSON list of claims or one object"),
        ("truncated.json", '[{"id": "a", "text": "b"}, {"id": ', "could not read the file"),
        ("latin1.csv", "text,verdict\nCaf\xe9 cures,false\n", "not UTF-8"),
        ("no-header.csv", "hello,world\n1,2\n", "has no “text” column"),
    ],
)
def test_a_file_that_cannot_be_read_fails_in_words(cli, tmp_path, name, text, words):
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1") if "latin1" in name else text.encode())
    result = cli("import", str(path))
    assert result.exit_code != 0 and words in result.output and "Traceback" not in result.output
    [job] = importer.list_jobs(dbm.open_db(cli.db))
    assert job["status"] == "failed" and words in job["error"]


def test_likely_duplicates_are_held_back_unless_asked_for(cli, tmp_path):
    cli("import", _write(tmp_path / "first.json", sample_claims()), "--publish")
    twin = {**sample_claims()[0], "id": "kratom-twin", "phrasings": []}
    twin["text"] = "KRATOM is a safe natural treatment for opioid addiction!"  # folded alike
    result = cli("import", _write(tmp_path / "twin.json", [twin]))
    assert "same text as kratom-safe-opioid-treatment" in result.output
    db = dbm.open_db(cli.db)
    assert store.get_claim(db, "kratom-twin") is None
    cli("import", str(tmp_path / "twin.json"), "--allow-duplicates")
    assert store.get_claim(db, "kratom-twin") is not None


def _write(path: Path, records: list[dict]) -> str:
    path.write_text(json.dumps(records))
    return str(path)


def test_memory_does_not_hold_the_report(tmp_path):
    """The returned report lists only the rows that were not imported."""
    db = dbm.open_db(tmp_path / "m.db")
    records = [
        {**GOOD, "id": f"r-{i}", "text": f"Claim {i} text", "phrasings": []} for i in range(30)
    ]
    report = importer.import_records(db, [*records, {"id": "bad"}], "t")
    assert report["counts"]["created"] == 30 and [r["row"] for r in report["rows"]] == [31]
