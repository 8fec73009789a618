"""Claims arriving in bulk: imports held in memory and the curated seed on first start."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from .. import db as dbm
from ..db import transaction
from .base import now

SEED_DIR = Path(__file__).parent.parent / "seed"


def import_claims(
    db: sqlite_utils.Database, records: Iterable[dict], actor: str, **options: object
) -> dict:
    """Import records held in memory as one job (see `importer.import_records`)."""
    from .. import importer  # the job machinery builds on the store

    return importer.import_records(db, records, actor, **options)


def seed_records(seed_dir: Path = SEED_DIR) -> list[dict]:
    records: list[dict] = []
    for path in sorted(seed_dir.glob("*.json")):
        records.extend(json.loads(path.read_text(encoding="utf-8")))
    return records


def seed_if_new(db: sqlite_utils.Database, seed_dir: Path = SEED_DIR) -> dict | None:
    """First start: import the curated claims by `system`, once. They are published,
    except those the seed marks `"status": "draft"` (their evidence is still short of
    the bar): those wait in the workspace for a moderator, unseen by readers. The
    report is the published import's, with the drafts' counts as `drafts`."""
    if dbm.get_meta(db, "seeded") or db.execute("SELECT 1 FROM claims LIMIT 1").fetchone():
        return None
    records = seed_records(seed_dir)
    drafts = [r for r in records if r.get("status") == "draft"]
    ready = [r for r in records if r.get("status") != "draft"]
    report = import_claims(db, ready, "system", publish=True, fmt="seed")
    report["drafts"] = import_claims(db, drafts, "system", fmt="seed")["counts"] if drafts else {}
    with transaction(db):
        dbm.set_meta(db, "seeded", now())
    return report
