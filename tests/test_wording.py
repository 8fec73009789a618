"""The workspace's words for stored codes and times."""

from __future__ import annotations

from server import wording


def test_timestamps_read_as_words_in_utc_whatever_zone_they_were_written_in():
    assert wording.utc_words("2026-12-07T17:31:59Z") == "7 Dec 2026, 17:31 UTC"
    assert wording.utc_words("2026-12-08T01:31:59+08:00") == "7 Dec 2026, 17:31 UTC"
    assert wording.utc_words("2026-12-07 17:31:59") == "7 Dec 2026, 17:31 UTC"  # naive is UTC
    assert wording.utc_words("not a time") == "not a time"


def test_stored_codes_become_the_words_moderators_use():
    assert wording.value("status", "in_review") == "In review"
    assert wording.value("status", "dismissed_no_action") == "Dismissed (no action)"
    assert wording.value("verdict", "needs_context") == "Needs context"
    assert wording.value("kind", "missed_claim") == "a claim was missed"
    assert wording.value("phrasings", ["One.", "Two."]) == "One.; Two."
    evidence = [{"title": "Kratom", "publisher": "NIDA", "url": "https://x.example"}]
    assert wording.value("evidence", evidence) == "Kratom (NIDA)"
    assert wording.field("counter_statements") == "The other side"
    assert wording.field("some_new_field") == "some new field"


def test_every_action_the_store_and_auth_write_has_words():
    import re
    from pathlib import Path

    server = Path(wording.__file__).parent
    written = set()
    sources = [p for name in ("store", "auth", "importer") for p in (server / name).glob("*.py")]
    for path in sources:
        source = path.read_text()
        written |= set(re.findall(r'"((?:claim|report|user|api_key|import)\.[a-z_]+)"', source))
    assert written and written <= set(wording.ACTION_WORDS), written - set(wording.ACTION_WORDS)
