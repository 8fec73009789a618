"""The healthflags command, run for real: import → check → export round trip."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import sample_claims

from server import db as dbm
from server.cli import main


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.delenv("HEALTHFLAGS_DATABASE", raising=False)
    db = tmp_path / "cli.db"
    runner = CliRunner()

    def run(*args, input=None):
        result = runner.invoke(main, [*args, "--db", str(db)], input=input, catch_exceptions=False)
        return result

    run.db = db
    return run


def test_import_check_export_round_trip(cli, tmp_path):
    source = tmp_path / "claims.json"
    source.write_text(json.dumps(sample_claims()))
    result = cli("import", str(source), "--publish")
    assert result.exit_code == 0, result.output
    assert "4 created" in result.output
    assert "0 created, 0 updated, 4 unchanged" in cli("import", str(source), "--publish").output

    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>Hello.</p><p>Kratom is a safe, natural cure for "
        "<b>opioid addiction</b>.</p><p>We ship fast.</p></body></html>"
    )
    out = cli("check", str(page)).output
    assert "[FALSE]" in out and "Kratom is a safe, natural cure for opioid addiction." in out
    assert "evidence: https://" in out and "1 flagged." in out
    answer = json.loads(cli("check", str(page), "--json").output)
    assert [m["claim_id"] for m in answer["matches"]] == ["kratom-safe-opioid-treatment"]

    for fmt in ("json", "ndjson", "csv", "claimreview"):
        exported = tmp_path / f"out.{fmt}"
        assert cli("export", "--format", fmt, "-o", str(exported)).exit_code == 0
        other = tmp_path / f"other-{fmt}.db"
        runner = CliRunner()
        res = runner.invoke(main, ["import", str(exported), "--format", fmt, "--db", str(other)])
        assert "4 created" in res.output, (fmt, res.output)


def test_check_reads_stdin_and_says_when_nothing_is_flagged(cli):
    assert cli("check", "-", input="Drink water. Sleep well.\n").stdout == "Nothing flagged.\n"


def test_import_reports_bad_rows_and_keeps_good_ones(cli, tmp_path):
    source = tmp_path / "mixed.ndjson"
    source.write_text(json.dumps(sample_claims()[0]) + "\n" + json.dumps({"id": "x"}) + "\n")
    result = cli("import", str(source))
    assert "1 created" in result.output and "1 invalid" in result.output
    assert "line 2 (x): text is required" in result.output


def test_add_moderator_reads_the_password_from_stdin(cli):
    result = cli(
        "add-moderator",
        "Ana@Example.org",
        "--role",
        "admin",
        input="correct horse battery staple\n",
    )
    assert result.exit_code == 0 and "ana@example.org" in result.output
    row = dbm.open_db(cli.db).execute("SELECT password_hash, role FROM users").fetchone()
    assert row[0].startswith("$argon2id$") and row[1] == "admin"
    again = cli("add-moderator", "ana@example.org", "--role", "admin", input="another password!\n")
    assert again.exit_code != 0 and "already" in again.output


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "healthflags"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    for command in ("serve", "check", "import", "export", "add-moderator"):
        assert command in out.stdout


def test_check_on_a_never_served_database_seeds_it_as_serve_does(cli):
    """A newcomer's first `check` finds the curated claims, not an empty database."""
    result = cli("check", "-", input="Vaccines cause autism.\n")
    assert result.exit_code == 0, result.output
    assert "[FALSE]" in result.stdout and "1 flagged." in result.stdout
    assert "loaded" in result.stderr and "curated claims" in result.stderr
    again = cli("check", "-", "--json", input="Vaccines cause autism.\n")
    assert "curated claims" not in again.stderr  # once only
    assert json.loads(again.stdout)["matches"][0]["claim_id"] == "vaccines-cause-autism"
