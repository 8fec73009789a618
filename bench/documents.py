"""Each data set as the documents `bench/flags.py` sends and judges: a document is
one page (paragraphs) with labelled spans (`scoring.Doc`). Which label each data set
gives is written out in bench/README.md, "Flags". A page's paragraphs become segments
and requests as the extension makes them (`segments_of`, `batches`)."""

from __future__ import annotations

from pathlib import Path

import datasets as ds
from scoring import Doc, Span, utf16_len

# extension/text-anchoring.js and extension/content.js: how a page becomes requests.
MAX_SEGMENT_CHARS = 4000
MAX_BATCH_SEGMENTS = 60
MAX_BATCH_CHARS = 40_000


def segments_of(text: str) -> list[tuple[int, str]]:
    """(start, text) of the segments the extension sends for one block: cut at white
    space below MAX_SEGMENT_CHARS (JavaScript counts UTF-16 units; these are code
    points, the same for text within the Basic Multilingual Plane)."""
    out, base = [], 0
    while base < len(text):
        end = min(len(text), base + MAX_SEGMENT_CHARS)
        if end < len(text):
            cut = text.rfind(" ", 0, end + 1)
            if cut > base + MAX_SEGMENT_CHARS / 2:
                end = cut + 1
        if text[base:end].strip():
            out.append((base, text[base:end]))
        base = end
    return out


def batches(segments: list[dict]) -> list[list[dict]]:
    """Segments grouped into requests as the extension groups them."""
    out: list[list[dict]] = []
    chars = 0
    for seg in segments:
        full = out and (
            len(out[-1]) >= MAX_BATCH_SEGMENTS or chars + len(seg["text"]) > MAX_BATCH_CHARS
        )
        if not out or full:
            out.append([])
            chars = 0
        out[-1].append(seg)
        chars += len(seg["text"])
    return out


def single(key: str, text: str, labels: dict[str, str]) -> Doc:
    """A one-paragraph document labelled as a whole (a tweet, a row, a pair)."""
    return Doc(key, [text], [Span(0, 0, utf16_len(text), labels)])


def team_pairs(path: Path) -> list[Doc]:
    """One document per distinct text, with every claim it is labelled against."""
    by_text: dict[str, Doc] = {}
    for row in ds.read_team_pairs(path):
        text = row["text"]
        if text not in by_text:
            by_text[text] = single(row["id"], text, {})
            by_text[text].meta["pattern"] = row.get("pattern") or "none"
        by_text[text].spans[0].labels[row["claim_id"]] = row["label"]
    return list(by_text.values())


def team_pages(folder: Path) -> list[Doc]:
    """A page's paragraphs as segments, each sentence a span with its labels."""
    docs = []
    for page in ds.read_team_pages(folder):
        paragraphs, spans = [], []
        for p, para in enumerate(page["paragraphs"]):
            at = 0
            for s in para:
                n = utf16_len(s["text"])
                labels = {c["claim_id"]: c["label"] for c in s.get("claims", [])}
                if not labels and "not in database" in s.get("note", ""):
                    labels = None  # it says a claim we do not hold: its flags are not judged
                spans.append(Span(p, at, at + n, labels))
                at += n + 1  # the one space that joins sentences
            paragraphs.append(ds.page_sentences(para))
        meta = {k: page.get(k, "") for k in ("kind", "topic", "title")}
        docs.append(Doc(page["id"], paragraphs, spans, meta))
    return docs


def fullfact_claims(path: Path) -> dict[str, str]:
    """Claim text -> its store id (`ff-N`, in order of first appearance in the file)."""
    out: dict[str, str] = {}
    for r in ds.fullfact_rows(path):
        out.setdefault(" ".join(r["output_text"].split()), f"ff-{len(out) + 1}")
    return out


def fullfact_records(path: Path) -> list[dict]:
    """The health rows' claims (both halves) as import records: a health database
    would hold them; it would not hold the "not medical" / "not a claim" ones."""
    ids = fullfact_claims(path)
    health = {
        " ".join(r["output_text"].split()) for r in ds.fullfact_rows(path) if not ds.not_health(r)
    }
    return [
        {
            "id": cid,
            "text": text[:500],
            "verdict": "unproven",
            "topic": "evaluation",
            "summary": "Imported from pairs.csv for evaluation.",
        }
        for text, cid in ids.items()
        if text in health
    ]


def fullfact(path: Path, half: str | None) -> list[Doc]:
    """Each row of `half`: its claim, or nothing to flag when its claim is not a health
    claim (not in the database)."""
    ids = fullfact_claims(path)
    docs = []
    for i, r in enumerate(ds.fullfact_rows(path, half)):
        claim = ids[" ".join(r["output_text"].split())]
        docs.append(single(f"row{i}", r["input_text"], {} if ds.not_health(r) else {claim: "says"}))
    return docs


def clef(folder: Path, claims_path: Path) -> list[Doc]:
    """Each tweet with its claims (store ids as `datasets.claim_ids` gives them)."""
    slug = ds.claim_ids(ds.read_claims(claims_path))
    qrels = ds.read_qrels(folder / "tweet-vclaim-pairs.qrels")
    return [
        single(q, text, {slug[c]: "says" for c in qrels[q] if c in slug})
        for q, text in ds.read_queries(folder / "tweets.queries.tsv")
        if q in qrels
    ]


def news(path: Path, half: str | None) -> list[Doc]:
    """Articles of `half`, unlabelled: their flags are counted and written out."""
    return [
        Doc(a["id"], [p for p in a["paragraphs"] if p.strip()], None, {"title": a["title"]})
        for a in ds.news_articles(path, half)
    ]
