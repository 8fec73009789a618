"""The semantic stage: the vector arithmetic on its own, then the real model on the
curated database and through the API (those skip without the `semantic` extra)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import skip_without_semantic

from server import create_app, store
from server import db as dbm
from server.claims import clean_claim
from server.matching import Semantic, Settings, build_index, embed, find_matches, rank
from server.matching.semantic import (
    claim_cosines,
    margins,
    nearest_claims,
    pair_cosines,
    phrasing_texts,
)

CLAIMS = [
    {"id": "a", "verdict": "false", "text": "Kratom is not addictive.", "phrasings": ["x y z"]},
    {"id": "b", "verdict": "false", "text": "Kratom is FDA approved."},
    {"id": "c", "verdict": "false", "text": "Kratom cures cancer.", "phrasings": ["p q"]},
]


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture(scope="module")
def small():
    index = build_index(CLAIMS)
    # One row per phrasing, in index order: a(2), b(1), c(2).
    vectors = np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1), unit(1, 1, 0), unit(0, 1, 1)])
    return index, vectors


def test_phrasing_texts_line_up_with_the_index():
    index = build_index(CLAIMS)
    texts = phrasing_texts(index, CLAIMS)
    assert texts == [
        "Kratom is not addictive.",
        "x y z",
        "Kratom is FDA approved.",
        "Kratom cures cancer.",
        "p q",
    ]
    assert [index.ids[c] for c in index.phrasing_claim] == ["a", "a", "b", "c", "c"]


def test_a_claim_is_as_close_as_its_closest_phrasing(small):
    index, vectors = small
    text = unit(0, 0.2, 1)
    best = claim_cosines(index, vectors @ text)
    assert np.allclose(
        best,
        [
            max(vectors[0] @ text, vectors[1] @ text),
            vectors[2] @ text,
            max(vectors[3] @ text, vectors[4] @ text),
        ],
    )
    pairs = pair_cosines(index, vectors, text[None, :], np.array([0, 0]), np.array([2, 0]))
    assert np.allclose(pairs, [best[2], best[0]])
    top, _ = nearest_claims(index, vectors, text, 2)
    assert [index.ids[c] for c in top] == ["b", "c"]


def test_margin_is_the_distance_to_the_best_other_claim():
    group = np.array([0, 0, 0, 1, 2, 2])
    cos = np.array([0.5, 0.9, 0.7, 0.8, 0.6, 0.6], dtype=np.float32)
    assert np.allclose(margins(group, cos), [-0.4, 0.2, -0.2, 0.0, 0.0, 0.0])


# --- the real model -------------------------------------------------------------


@pytest.fixture(scope="module")
def embedder():
    skip_without_semantic()
    return embed.Embedder(threads=1)


@pytest.fixture(scope="module")
def seed(embedder):
    records = [clean_claim(r) for r in store.seed_records()]
    aliases: dict[str, list[str]] = {}
    for r in records:
        for term, names in (r.get("aliases") or {}).items():
            aliases.setdefault(term.lower(), []).extend(n.lower() for n in names)
    index = build_index(records, aliases=aliases)
    vectors = embedder.embed(phrasing_texts(index, records))
    return index, Semantic(vectors, embedder.embed)


# Sentences in the style of a kratom shop's blog that repeat a checked claim in words
# of their own (each shares little more than "kratom" with the claim's phrasings),
# and sentences from the same kind of page that claim nothing.
REWORDED = [
    ("You can stop taking kratom any time without feeling sick.", "kratom-no-withdrawal"),
    ("No one has ever died from kratom alone.", "kratom-never-killed-anyone"),
    ("Kratom leaf is so gentle that it will never do you any harm.", "kratom-completely-safe"),
    ("Kratom repairs the brain chemistry that drugs wrecked.", "kratom-resets-dopamine-root-cause"),
    (
        "Scientists have already shown in human studies that kratom does what we say.",
        "kratom-clinical-trials-prove-it-works",
    ),
    (
        "Every kratom capsule carries exactly the same amount of alkaloids.",
        "kratom-consistent-reliable-dose",
    ),
    ("Kratom gives pain relief without the risk of dependence.", "kratom-not-addictive"),
    (
        "Thousands of former heroin users now rely on kratom instead of their daily clinic dose.",
        "kratom-natural-alternative-to-methadone-buprenorphine",
    ),
]
PLAIN = [
    "Kratom is a tree native to Southeast Asia.",
    "Our shop ships kratom capsules within two days.",
    "Kratom leaves are usually sold as a powder.",
    "Kratom has been used in Thailand and Malaysia for generations.",
    "Store your kratom powder in a cool, dry place.",
    "Prices for kratom start at ten dollars per ounce.",
    "Talk to your doctor before starting any new supplement, including kratom.",
    "We offer kratom in red, green and white vein varieties.",
]


def test_rewordings_the_words_miss_are_found_by_meaning(seed):
    index, semantic = seed
    lexical_hits = semantic_hits = 0
    for sentence, claim in REWORDED:
        segs = [{"id": "s", "text": sentence}]
        lexical_hits += any(m.claim_id == claim for m in find_matches(index, segs))
        found = find_matches(index, segs, Settings(), semantic)
        assert len(found) <= 1  # meaning alone names one claim, the closest
        if any(m.claim_id == claim for m in found):
            semantic_hits += 1
            assert found[0].method == "semantic" and found[0].tier == "possible"
            # Meaning cannot tell "repeats" from "disputes" (negation barely moves it).
            assert found[0].stance == found[0].assessment == "unclear"
    assert lexical_hits == 0
    assert semantic_hits >= 6, f"{semantic_hits} of {len(REWORDED)} found"  # 7 when written


def test_sentences_that_only_name_the_subject_stay_mostly_clear(seed):
    index, semantic = seed
    segs = [{"id": str(i), "text": t} for i, t in enumerate(PLAIN)]
    found = find_matches(index, segs, Settings(), semantic)
    # Two of these share a word with a claim's phrasing ("supplement", "red vein")
    # and come out as `possible` matches: measured, and noted in bench/README.md.
    assert len(found) <= 2 and all(m.tier == "possible" for m in found)
    assert find_matches(index, segs[:6], Settings(), semantic) == []


def test_the_semantic_stage_keeps_what_the_words_found(seed):
    index, semantic = seed
    page = [{"id": "p", "text": "Kratom is a safe, natural cure for opioid addiction."}]
    lexical = find_matches(index, page)
    both = find_matches(index, page, Settings(), semantic)
    assert [(m.claim_id, m.tier, m.method) for m in both] == [
        (m.claim_id, m.tier, "lexical") for m in lexical
    ]


def test_rank_with_vectors_puts_the_reworded_claim_first(seed):
    index, semantic = seed
    text = "No one has ever died from kratom alone."
    assert rank(index, text, limit=1, semantic=semantic)[0][0] == "kratom-never-killed-anyone"


def test_the_api_says_which_method_matched(embedder, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "hf.db"),
            "SECRET_KEY": "t",
            "INDEX_CHECK_SECONDS": 0.0,
            "SEMANTIC": True,
        }
    )
    db = dbm.open_db(tmp_path / "hf.db")
    store.seed_if_new(db)
    body = {
        "segments": [
            {"id": "1", "text": "No one has ever died from kratom alone."},
            {"id": "2", "text": "Kratom is not addictive."},
        ]
    }
    matches = app.test_client().post("/v1/match", json=body).get_json()["matches"]
    assert {(m["claim_id"], m["method"]) for m in matches} == {
        ("kratom-never-killed-anyone", "semantic"),
        ("kratom-not-addictive", "lexical"),
    }
    # The vectors were computed once, for the published texts, and stored.
    assert db["claim_vectors"].count == len(store.published_texts(db))
    plain = create_app({"TESTING": True, "DATABASE": str(tmp_path / "hf.db"), "SECRET_KEY": "t"})
    matches = plain.test_client().post("/v1/match", json=body).get_json()["matches"]
    assert [(m["claim_id"], m["method"]) for m in matches] == [("kratom-not-addictive", "lexical")]


# Run in a fresh interpreter where the semantic extra cannot be imported, as on a
# lexical-only install.
WITHOUT_EXTRA = """
import sys
sys.modules["onnxruntime"] = None  # import fails, as when the extra is not installed
from server import create_app, store, db as dbm
from server.matching.embed import SemanticUnavailable, available
assert not available()
try:
    create_app({"TESTING": True, "DATABASE": sys.argv[1], "SECRET_KEY": "t", "SEMANTIC": True})
except SemanticUnavailable as exc:
    assert "semantic" in str(exc), exc
else:
    raise AssertionError("the semantic switch must not start without the extra")
app = create_app({"TESTING": True, "DATABASE": sys.argv[1], "SECRET_KEY": "t"})
store.seed_if_new(dbm.open_db(sys.argv[1]))
body = {"segments": [{"id": "1", "text": "Kratom is not addictive."}]}
matches = app.test_client().post("/v1/match", json=body).get_json()["matches"]
assert [(m["claim_id"], m["method"]) for m in matches] == [("kratom-not-addictive", "lexical")]
print("ok")
"""


def test_without_the_extra_the_switch_says_why_and_words_still_match(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, str(tmp_path / "hf.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
