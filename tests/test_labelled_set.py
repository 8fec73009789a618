"""The team-written labelled set in bench/data/: frozen, and valid against the shipped claims.

The set is the yardstick for the flags a reader sees (issue 14), so the model-building work
must not edit it: every file is pinned by bench/data/SHA256SUMS. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SEED = ROOT / "server" / "seed"
MANIFEST = DATA / "SHA256SUMS"
UNPINNED = {"README.md", "SHA256SUMS"}

PAIR_LABELS = {"repeats", "disputes", "mentions", "unrelated"}
PAGE_LABELS = {"repeats", "disputes", "mentions"}
PATTERNS = {
    "plain",
    "negation",
    "double_negation",
    "prefix",
    "hedge",
    "comparative",
    "testimony",
    "sales",
    "debunk",
    "question",
    "attribution",
    "quote",
    "supported_claim",
}
KINDS = {"sales", "blog", "forum", "news", "debunk"}
NOTE = "claim not in database"


def seed_claims() -> dict[str, dict]:
    claims: dict[str, dict] = {}
    for path in sorted(SEED.glob("*.json")):
        for claim in json.loads(path.read_text(encoding="utf-8")):
            claims[claim["id"]] = claim
    return claims


CLAIMS = seed_claims()
PUBLISHED = {cid: c for cid, c in CLAIMS.items() if c.get("status") != "draft"}
# The set was written against the claims published when it was frozen; a claim moved to
# drafts since (its evidence fell short of a stricter bar) still exists, and the bench
# counts its sentences as ones the database does not hold. So ids must exist, in any state.


def pairs() -> list[dict]:
    lines = (DATA / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def pages() -> dict[Path, dict]:
    return {p: json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("pages/*.json"))}


def sentences(page: dict) -> list[dict]:
    return [s for paragraph in page["paragraphs"] for s in paragraph]


# --- frozen -------------------------------------------------------------------------------


def manifest() -> dict[str, str]:
    entries = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        assert re.fullmatch(r"[0-9a-f]{64}", digest) and name, f"bad manifest line: {line!r}"
        entries[name] = digest
    return entries


def test_every_file_of_the_set_matches_its_frozen_checksum():
    on_disk = {
        p.relative_to(DATA).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in DATA.rglob("*")
        if p.is_file() and p.relative_to(DATA).as_posix() not in UNPINNED
    }
    pinned = manifest()
    assert sorted(on_disk) == sorted(pinned), (
        "files added to or removed from bench/data/: the labelled set is frozen"
    )
    changed = sorted(name for name, digest in pinned.items() if on_disk[name] != digest)
    assert not changed, f"the frozen labelled set was edited: {changed}"


# --- pairs ----------------------------------------------------------------------------------


def test_pairs_have_the_documented_fields_and_unique_ids():
    rows = pairs()
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert set(r) == {"id", "text", "claim_id", "label", "pattern"}, r
        assert re.fullmatch(r"p\d{4}", r["id"]), r["id"]
        assert r["text"].strip() == r["text"] and r["text"], r["id"]


def test_pairs_name_seed_claims_with_allowed_labels_and_patterns():
    for r in pairs():
        assert r["claim_id"] in CLAIMS, f"{r['id']}: {r['claim_id']} is not a claim"
        assert r["label"] in PAIR_LABELS, r["id"]
        assert r["pattern"] in PATTERNS, r["id"]
        if r["pattern"] == "supported_claim":
            assert CLAIMS[r["claim_id"]]["verdict"] == "supported", r["id"]


def test_pairs_are_enough_and_every_class_is_well_represented():
    rows = pairs()
    assert len(rows) >= 400
    counts = Counter(r["label"] for r in rows)
    assert all(counts[label] >= 90 for label in PAIR_LABELS), counts
    assert {r["pattern"] for r in rows} == PATTERNS
    supported = Counter(r["label"] for r in rows if r["pattern"] == "supported_claim")
    assert supported["repeats"] and supported["disputes"]


def test_no_sentence_is_paired_twice_with_the_same_claim():
    keys = Counter((r["claim_id"], r["text"]) for r in pairs())
    assert not [k for k, n in keys.items() if n > 1]


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(DATA.glob("pages/*.json")), ids=lambda p: p.stem)
def test_each_page_is_well_formed_and_every_sentence_labelled(path):
    page = json.loads(path.read_text(encoding="utf-8"))
    assert set(page) == {"id", "kind", "topic", "title", "paragraphs"}
    assert page["id"] == path.stem
    assert page["kind"] in KINDS
    assert page["topic"] in {c["topic"] for c in CLAIMS.values()}
    sents = sentences(page)
    assert 25 <= len(sents) <= 60, len(sents)
    assert all(paragraph for paragraph in page["paragraphs"])
    for s in sents:
        assert set(s) <= {"text", "claims", "note"} and s["text"].strip(), s
        named = [c["claim_id"] for c in s["claims"]]
        assert len(named) == len(set(named)), s["text"]
        for c in s["claims"]:
            assert set(c) == {"claim_id", "label"}, c
            assert c["claim_id"] in CLAIMS, c["claim_id"]
            assert c["label"] in PAGE_LABELS, c
        if "note" in s:
            assert s["note"] == NOTE and not s["claims"], s["text"]
    harmless = sum(1 for s in sents if not s["claims"])
    assert harmless > len(sents) / 2, "most sentences of a page are harmless"


def test_pages_cover_the_kinds_and_topics_asked_for():
    all_pages = list(pages().values())
    assert len(all_pages) >= 8
    kinds = Counter(p["kind"] for p in all_pages)
    assert all(kinds[k] >= 2 for k in KINDS), kinds
    topics = [p["topic"] for p in all_pages]
    assert len(topics) == len(set(topics)), "each page is on a different topic"


def test_pages_hold_two_claim_sentences_and_attributed_claims():
    with_two, with_mentions = set(), set()
    for page in pages().values():
        for s in sentences(page):
            if len(s["claims"]) >= 2:
                with_two.add(page["id"])
            if any(c["label"] == "mentions" for c in s["claims"]):
                with_mentions.add(page["id"])
    assert len(with_two) >= 3 and len(with_mentions) >= 3


# --- the training pairs in bench/train/: frozen too, and never a copy of a report sentence ---

TRAIN = ROOT / "bench" / "train"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def train_files() -> list[Path]:
    return sorted(TRAIN.glob("pairs-train*.jsonl"))


def train_pairs() -> list[dict]:
    lines = [line for f in train_files() for line in f.read_text(encoding="utf-8").splitlines()]
    return [json.loads(line) for line in lines if line.strip()]


def test_training_pairs_match_their_frozen_checksum_and_name_published_claims():
    pinned = dict(
        reversed(line.split(None, 1)) for line in (TRAIN / "SHA256SUMS").read_text().splitlines()
    )
    got = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in train_files()}
    assert pinned == got
    for p in train_pairs():
        assert p["claim_id"] in CLAIMS and p["label"] in PAIR_LABELS, p["id"]


def test_no_training_sentence_is_close_to_a_report_sentence():
    """Fitting on a sentence of the report set (or one a word or two away) would make the
    report figures a fit figure: every training sentence stays below half word overlap."""
    report = [_words(p["text"]) for p in pairs()]
    report += [_words(s["text"]) for page in pages().values() for s in sentences(page)]
    report = [r for r in report if r]
    for p in train_pairs():
        mine = _words(p["text"])
        closest = max(len(mine & r) / len(mine | r) for r in report)
        assert closest < 0.5, (p["id"], closest)
