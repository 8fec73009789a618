"""Every seed claim carries its other side: short statements of what the evidence says."""

from __future__ import annotations

from collections import Counter

import pytest

from server.claims import clean_claim
from server.store import seed_records

RECORDS = seed_records()


def _key(text: str) -> str:
    return " ".join(text.casefold().strip(" .!?").split())


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["id"])
def test_each_claim_has_two_to_four_short_counter_statements(record):
    counter = record.get("counter_statements")
    assert isinstance(counter, list) and 2 <= len(counter) <= 4, record["id"]
    own = {_key(t) for t in [record["text"], *record["phrasings"]]}
    for statement in counter:
        assert isinstance(statement, str), record["id"]
        assert 5 <= len(statement.split()) <= 30, statement
        assert _key(statement) not in own, f"{record['id']}: counter repeats the claim: {statement}"
    assert len({_key(s) for s in counter}) == len(counter), record["id"]
    # The import keeps them as written.
    assert clean_claim(record)["counter_statements"] == counter


def test_no_counter_statement_is_shared_between_claims():
    owners = Counter(_key(s) for r in RECORDS for s in set(r.get("counter_statements") or []))
    shared = [s for s, n in owners.items() if n > 1]
    assert not shared, shared


def test_no_counter_statement_repeats_any_claim_or_phrasing():
    """A statement of the other side must never read as one of the claims themselves."""
    said = {_key(t) for r in RECORDS for t in [r["text"], *r["phrasings"]]}
    clashes = [s for r in RECORDS for s in r.get("counter_statements") or [] if _key(s) in said]
    assert not clashes, clashes
