"""Imported claims too generic to flag safely (issue 16).

A claim a feed gave us (a text and a verdict) that no person has worked on is judged by
its own words (`matching.specificity`): when its subject is everyday English ("making a
difference prevents..."), readers never see a flag for it. The workspace lists these so
a moderator can fix one (add the subject words a sentence must name, or what the
evidence says: saving it in the workspace makes it curated) or retire it.
"""

from __future__ import annotations

import sqlite_utils

from ..matching.specificity import of_text
from ..matching.text import Aliases
from .public import index_rows


def too_generic(db: sqlite_utils.Database, import_id: int | None = None) -> list[dict]:
    """Published, uncurated claims that are too generic to flag, rarest subject first;
    with `import_id`, only those that import wrote."""
    claims, aliases = index_rows(db)
    if import_id is not None:
        mine = {
            r["claim_id"]
            for r in db.query(
                "SELECT claim_id FROM import_rows WHERE import_id = ? AND claim_id IS NOT NULL",
                [import_id],
            )
        }
        claims = [c for c in claims if c["id"] in mine]
    alias_map = Aliases(aliases)
    out = []
    for c in claims:
        if c.get("curated") or c["counter_statements"] or c["required_terms"]:
            continue
        judged = of_text(c["text"], alias_map)
        if not judged.flaggable:
            out.append(
                {
                    "id": c["id"],
                    "text": c["text"],
                    "verdict": c["verdict"],
                    "subject": list(judged.subject),
                    "specificity": judged.specificity,
                }
            )
    return sorted(out, key=lambda r: (r["specificity"], r["id"]))
