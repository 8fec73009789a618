"""The curated database that ships: every entry valid, distinct, and matchable."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from server.claims import SOURCE_TYPES, VERDICTS, clean_claim, is_https_url
from server.evidence import (
    STRONG_TYPES,
    address_problem,
    checklist,
    is_old,
    shared_sets,
    type_problem,
    unexplained_shared_sets,
)
from server.matching import build_index, find_matches
from server.store import SEED_DIR, seed_records

RECORDS = seed_records()
TRACKING = re.compile(r"[?&](utm_[a-z]+|fbclid|gclid|s_cid|replytocom|secret_password)=", re.I)


def all_aliases(records) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for r in records:
        for term, names in (r.get("aliases") or {}).items():
            groups.setdefault(term.lower(), []).extend(n.lower() for n in names)
    return groups


@pytest.fixture(scope="module")
def index():
    return build_index([clean_claim(r) for r in RECORDS], aliases=all_aliases(RECORDS))


@pytest.fixture(scope="module")
def published_index():
    """What readers are matched against: the claims a first start publishes."""
    return build_index([clean_claim(r) for r in PUBLISHED], aliases=all_aliases(PUBLISHED))


def test_every_seed_file_is_a_list_of_claims_on_one_topic():
    for path in SEED_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data, list) and data, path.name
        assert {r["topic"] for r in data} == {path.stem}, path.name


PUBLISHED = [r for r in RECORDS if r.get("status") != "draft"]
# The day the horizon is counted from is the test run's: a source that ages past it
# shows up here, and someone looks at it again.
TODAY = date.today()
SHARED_REASONS = json.loads((SEED_DIR / "meta" / "shared-evidence.json").read_text())


def test_database_size_and_breadth():
    assert len(PUBLISHED) >= 300
    assert len({r["topic"] for r in PUBLISHED}) >= 25
    assert sum(r["topic"] == "kratom" for r in PUBLISHED) >= 6
    verdicts = Counter(r["verdict"] for r in PUBLISHED)
    assert verdicts["supported"] >= 20


def test_published_claims_meet_the_evidence_bar():
    """Two strong links to original pages (server/evidence.py) for every claim readers
    see, none older than the horizon without a reason, and the rest of the checklist."""
    short = {r["id"]: checklist(r, TODAY) for r in PUBLISHED}
    short = {k: v for k, v in short.items() if v}
    assert short == {}, "\n".join(f"{k}: {v}" for k, v in short.items())


def test_drafts_are_drafts_because_they_are_short_of_the_bar():
    """A draft that meets the bar should simply be published."""
    drafts = [r for r in RECORDS if r.get("status") == "draft"]
    assert [r["id"] for r in drafts if not checklist(r, TODAY)] == []
    assert {r.get("status", "published") for r in RECORDS} <= {"published", "draft"}


def test_no_entry_claims_a_strong_type_its_link_cannot_carry():
    """Copies, archives, relays, newsletters and repositories are typed `other`, as are
    fact-checks by outlets not on the list and agency pages on someone else's site."""
    wrong = [
        (r["id"], ev["url"], type_problem(ev))
        for r in RECORDS
        for ev in r["evidence"]
        if type_problem(ev)
    ]
    assert wrong == [], "\n".join(map(str, wrong))


def test_old_strong_evidence_says_why_it_is_still_current():
    old = [
        (r["id"], ev["year"], ev["url"])
        for r in PUBLISHED
        for ev in r["evidence"]
        if ev["source_type"] in STRONG_TYPES
        and is_old(ev, TODAY)
        and not ev.get("current_reason", "").strip()
    ]
    assert old == [], "\n".join(map(str, old))


def test_evidence_sets_shared_word_for_word_have_a_recorded_reason():
    assert unexplained_shared_sets(RECORDS, SHARED_REASONS) == []
    # Every recorded group still names real claims that still share one set.
    ids = {r["id"] for r in RECORDS}
    shared = [set(g) for g in shared_sets(RECORDS)]
    for group in SHARED_REASONS:
        assert set(group["claims"]) <= ids, group
        assert any(set(group["claims"]) & g for g in shared), group


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_each_entry_is_complete(record):
    rec = clean_claim(record)
    assert rec["verdict"] in VERDICTS
    assert len(rec["phrasings"]) >= 3
    assert 1 <= len(rec["summary"]) <= 600
    assert len(rec["evidence"]) >= 2
    for ev in rec["evidence"]:
        assert is_https_url(ev["url"]) and ev["source_type"] in SOURCE_TYPES
        assert ev["title"] and ev["publisher"] and ev["year"]
        # Readers follow these links; they should not carry someone's campaign tags,
        # nor be an API, an AMP copy, a page fragment or a translation of the page.
        assert not TRACKING.search(ev["url"]), ev["url"]
        assert address_problem(ev["url"]) is None, (ev["url"], address_problem(ev["url"]))


def test_no_duplicate_claims_or_phrasings():
    ids = Counter(r["id"] for r in RECORDS)
    assert [i for i, n in ids.items() if n > 1] == []
    texts = Counter(
        t.casefold().strip(" .!") for r in RECORDS for t in [r["text"], *r["phrasings"]]
    )
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_phrasing_matches_its_own_claim_and_no_other(index):
    wrong = []
    for r in RECORDS:
        for text in [r["text"], *r["phrasings"]]:
            found = {m.claim_id for m in find_matches(index, [{"id": "s", "text": text}])}
            if r["id"] not in found or found - {r["id"]}:
                wrong.append((r["id"], text, sorted(found)))
    assert wrong == [], "\n".join(map(str, wrong[:40])) + f"\n{len(wrong)} in all"


def test_seed_folder_is_what_first_start_loads():
    assert Path(SEED_DIR).is_dir() and len(seed_records()) == len(RECORDS)


FIXTURES = Path(__file__).parent / "fixtures"


def page_flags(index, name: str) -> list:
    from server.pagetext import segments_from_html

    return find_matches(index, segments_from_html((FIXTURES / name).read_text()))


@pytest.mark.xfail(
    strict=True,
    reason="issue 15, open: verification misses 'Unlike methadone, kratom is not addictive, "
    "so ...' and 'Clinical trials have proven that kratom works ...' (see bench/README.md)",
)
def test_a_kratom_sales_page_lights_up_its_claims_and_nothing_else(published_index):
    flags = page_flags(published_index, "kratom-blog.html")
    bad = {
        m.exact
        for m in flags
        if m.assessment == "contradicts_evidence"
        and m.tier == "confident"
        and m.claim_id.startswith("kratom-")
    }
    assert {
        "Kratom is a safe, natural cure for opioid addiction.",
        "Unlike methadone, kratom is not addictive, so you never trade one habit for another.",
        "Kratom resets your dopamine and fixes the root cause of addiction.",
    } <= bad
    harmless = (
        "Our founder started this company",
        "The leaves are harvested by hand",
        "Free shipping",
        "Lab-tested",
        "Many people like to mix",
        "Questions? Email",
    )
    assert not [m.exact for m in flags if m.exact.startswith(harmless)]
    flagged = {m.exact for m in flags}
    assert "Clinical trials have proven that kratom works for opioid withdrawal." in flagged


def test_a_page_of_sound_health_advice_stays_clear(index):
    flags = page_flags(index, "sound-advice.html")
    assert [m for m in flags if m.assessment == "contradicts_evidence"] == []
    assert len(flags) <= 1
