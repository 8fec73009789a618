"""Evaluation data sets, read from files in their published layout, and loaded into
a fresh database through the import path moderators use (`store.import_claims`).

Nothing here knows about a particular data set beyond its file layout.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from server import db as dbm
from server import store
from server.formats import read_records
from server.matching import Index, build_index
from server.matching.text import Aliases, terms

csv.field_size_limit(sys.maxsize)

TEXT_LIMIT = 500  # characters the claim store accepts per text or phrasing
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def read_tsv(path: str | Path) -> list[list[str]]:
    """Rows of a tab-separated file with a header row (dropped)."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    return [r for r in rows[1:] if r and any(c.strip() for c in r)]


def read_claims(path: str | Path) -> list[dict]:
    """CLEF layout: id, vclaim, title (header row first). Other columns are ignored."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = [h.strip().casefold() for h in next(reader)]
        col = {name: header.index(name) for name in ("vclaim", "title") if name in header}
        rows = [r for r in reader if r and any(c.strip() for c in r)]
    return [
        {
            "id": r[0].strip(),
            "vclaim": r[col.get("vclaim", 1)],
            "title": r[col["title"]] if "title" in col and col["title"] < len(r) else "",
        }
        for r in rows
    ]


def read_queries(path: str | Path) -> list[tuple[str, str]]:
    """(id, text) of each query: first column id, second text, header row first."""
    return [(r[0].strip(), r[1]) for r in read_tsv(path) if len(r) >= 2]


def read_qrels(path: str | Path) -> dict[str, set[str]]:
    """TREC qrels (`query 0 doc relevance`), whitespace separated: relevant docs per query."""
    out: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 4 and float(parts[3]) > 0:
                out.setdefault(parts[0], set()).add(parts[2])
    return out


def claim_id(raw: str) -> str:
    """A slug the claim store accepts (`c-123` for id 123), stable for any id."""
    slug = re.sub(r"[^a-z0-9]+", "-", raw.casefold()).strip("-")[:60].strip("-")
    return f"c-{slug}" if slug else "c-blank"


def claim_ids(rows: list[dict]) -> dict[str, str]:
    """Each row's id → a distinct store id (`claim_id`, numbered on a clash)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for row in rows:
        base = slug = claim_id(row["id"])
        n = 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        out[row["id"]] = slug
    return out


def split_long(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Text longer than the store accepts, as pieces of whole sentences (words if a
    sentence alone is too long), so every word of it is still indexed."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for part in _SENTENCE_END.split(text):
        while len(part) > limit:
            cut = part.rfind(" ", 0, limit) if " " in part[:limit] else limit
            pieces.append(part[:cut])
            part = part[cut:].strip()
        if current and len(current) + 1 + len(part) > limit:
            pieces.append(current)
            current = part
        else:
            current = f"{current} {part}".strip()
    if current:
        pieces.append(current)
    return pieces


def claim_record(row: dict, source: str, store_id: str | None = None) -> dict | None:
    """A claim record as a moderator would import it: the claim is the text, its
    headline (title) another phrasing. None when the row has no text at all."""
    pieces = split_long(row["vclaim"]) or split_long(row["title"])
    if not pieces:
        return None
    phrasings = pieces[1:] + [p for p in split_long(row["title"]) if p not in pieces]
    return {
        "id": store_id or claim_id(row["id"]),
        "text": pieces[0],
        "verdict": "unproven",
        "summary": f"Imported from {source} for evaluation.",
        "topic": "evaluation",
        "phrasings": phrasings,
    }


@contextmanager
def temp_db() -> Iterator:
    with tempfile.TemporaryDirectory(prefix="healthflags-bench-") as tmp:
        db = dbm.open_db(Path(tmp) / "bench.db")
        try:
            yield db
        finally:
            db.close()


def import_records(db, records: list[dict], source: str) -> dict:
    report = store.import_claims(db, records, "bench", publish=True, fmt="json", filename=source)
    bad = [r for r in report["rows"] if r["result"] == "invalid"]
    if bad:
        print(f"warning: {len(bad)} claims rejected by the store, e.g. {bad[0]}", file=sys.stderr)
    return report


def index_from_db(db) -> Index:
    claims, aliases = store.index_rows(db)
    return build_index(claims, aliases=aliases)


def same_claim_groups(claims: list[dict]) -> dict[str, str]:
    """Claim id → the id of the first claim whose phrasings read the same after
    normalisation: the engine cannot tell such claims apart (the CLEF claims hold
    hundreds of near copies), so a match with either is the same answer."""
    plain = Aliases()
    first: dict[tuple, str] = {}
    out = {}
    for c in claims:
        key = tuple(sorted({" ".join(terms(t, plain)) for t in [c["text"], *c["phrasings"]]}))
        out[c["id"]] = first.setdefault(key, c["id"])
    return out


class Labelled:
    """A CLEF-layout data set loaded through the import path: the published claim
    rows and aliases (as `store.index_rows` gives them), the queries, and each
    query's relevant claims as store ids, with their same-claim groups."""

    def __init__(self, claims_path: str | Path, queries_path: str | Path, qrels_path: str | Path):
        rows = read_claims(claims_path)
        slug = claim_ids(rows)
        self.original = {v: k for k, v in slug.items()}  # store id → the file's id
        source = Path(claims_path).name
        records = [r for r in (claim_record(row, source, slug[row["id"]]) for row in rows) if r]
        with temp_db() as db:
            t0 = time.perf_counter()
            import_records(db, records, source)
            self.import_s = time.perf_counter() - t0
            self.claims, self.aliases = store.index_rows(db)
        self.group = same_claim_groups(self.claims)
        qrels = read_qrels(qrels_path)
        self.queries = [(q, t) for q, t in read_queries(queries_path) if q in qrels]
        self.relevant = {q: {slug[c] for c in qrels[q] if c in slug} for q, _ in self.queries}
        self.relevant_groups = {
            q: {self.group[c] for c in cs if c in self.group} for q, cs in self.relevant.items()
        }

    def index(self) -> Index:
        t0 = time.perf_counter()
        index = build_index(self.claims, aliases=self.aliases)
        self.build_s = time.perf_counter() - t0
        return index


def load_pairs(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- Fit and report halves (fixed before any fitting: bench/README.md) --------------
#
# Data sets with no split of their own are cut in two by a hash of each item's key
# (an article's id, a Full Fact row's text), so the halves never move when files are
# reordered or rows added. Fitting reads only `fit`; figures are printed on `report`.

SPLIT_SALT = "healthflags/flags/2026-12"
FIT, REPORT = "fit", "report"

# Data sets whose role is fixed whole (the CLEF splits keep their own meaning; the
# team-written set is frozen and only measured).
FIXED_HALVES = {
    "clef2020-task2/train": FIT,
    "clef2020-task2/dev": REPORT,
    "clef2022-task2a/dev-test": REPORT,
    "team-written (bench/data)": REPORT,
}


def half_of(key: str) -> str:
    """`fit` or `report` for an item key: a stable hash, about half each."""
    digest = hashlib.sha256(f"{SPLIT_SALT}\0{key}".encode()).digest()
    return FIT if digest[0] % 2 == 0 else REPORT


def _check_half(half: str | None) -> None:
    if half not in (None, FIT, REPORT):
        raise ValueError(f"half must be {FIT!r}, {REPORT!r} or None, not {half!r}")


def news_articles(path: str | Path, half: str | None = None) -> list[dict]:
    """health-news-dev articles (`id`, `title`, `paragraphs`), those of `half` (by id)."""
    _check_half(half)
    with open(path, encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    return [a for a in articles if half is None or half_of(f"news:{a['id']}") == half]


# Full Fact rows whose "claim" a health database would never hold.
NOT_HEALTH = ("not medical", "not a claim")


def not_health(row: dict) -> bool:
    return any(row.get(k) in NOT_HEALTH for k in ("type_of_claim", "type_of_medical_claim"))


def fullfact_key(row: dict) -> str:
    return "fullfact:" + " ".join(row["input_text"].split())


def fullfact_rows(path: str | Path, half: str | None = None) -> list[dict]:
    """Full Fact pairs with text on both sides, those of `half` (by the transcript text)."""
    _check_half(half)
    rows = [r for r in load_pairs(path) if r["input_text"].strip() and r["output_text"].strip()]
    return [r for r in rows if half is None or half_of(fullfact_key(r)) == half]


# --- The team-written labelled set (bench/data/, frozen: read, never written here) ---

PAIR_LABELS = ("repeats", "disputes", "mentions", "unrelated")
PAGE_LABELS = ("repeats", "disputes", "mentions")


def read_team_pairs(path: str | Path) -> list[dict]:
    """`pairs.jsonl`: {id, text, claim_id, label, pattern} a line."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = [k for k in ("id", "text", "claim_id", "label") if not row.get(k)]
            if missing or row["label"] not in PAIR_LABELS:
                raise ValueError(f"{path}:{n}: needs id, text, claim_id, a label in {PAIR_LABELS}")
            out.append(row)
    return out


def page_sentences(paragraph: list[dict]) -> str:
    """A paragraph's segment text: its sentences joined by one space."""
    return " ".join(s["text"] for s in paragraph)


def read_team_pages(folder: str | Path) -> list[dict]:
    """`pages/*.json`: {id, kind, topic, title, paragraphs: [[{text, claims: [{claim_id,
    label}], note?}]]}, in file-name order."""
    pages = []
    for path in sorted(Path(folder).glob("*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))
        for para in page["paragraphs"]:
            for s in para:
                if not isinstance(s.get("text"), str) or not s["text"].strip():
                    raise ValueError(f"{path}: a sentence without text")
                for c in s.get("claims", []):
                    if not c.get("claim_id") or c.get("label") not in PAGE_LABELS:
                        raise ValueError(f"{path}: {c} needs claim_id and a label in {PAGE_LABELS}")
        pages.append(page)
    return pages


# --- Databases as a moderator builds them ---------------------------------------------


def feed_records(path: str | Path, verdict: str = "false") -> list[dict]:
    """A CLEF-layout claims file as import records (`claim_record`), with `verdict`,
    written out and read back as NDJSON, the way `healthflags import` reads a file."""
    rows = read_claims(path)
    slug = claim_ids(rows)
    source = Path(path).name
    records = [r for r in (claim_record(row, source, slug[row["id"]]) for row in rows) if r]
    text = "".join(json.dumps({**r, "verdict": verdict}) + "\n" for r in records)
    return read_records(text, "ndjson")


def seeded_database(path: str | Path, feeds: list[tuple[str, list[dict]]] = ()) -> None:
    """A database at `path` as a fresh `healthflags serve` makes it (migrations, then the
    shipped seed: published claims, and drafts readers never see), then each feed
    (name, records) imported and published as `healthflags import --publish` does."""
    db = dbm.open_db(path)
    try:
        store.seed_if_new(db)
        for name, records in feeds:
            import_records(db, records, name)
    finally:
        db.close()


def inputs_hash(paths: list[Path], extra: str = "") -> str:
    """A hash of files' bytes (folders: every file in them), for cache keys."""
    h = hashlib.sha256(extra.encode())
    for p in paths:
        files = sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]
        for f in files:
            if "__pycache__" in f.parts:
                continue
            h.update(str(f.name).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]
