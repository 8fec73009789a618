"""SECURITY.md stays true: every test it names as proof exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_security_md_names_exists():
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    named, current = [], None
    for m in re.finditer(r"`(tests/test_\w+\.py)(?:::(test_\w+))?`|`::(test_\w+)`", text):
        current = m.group(1) or current
        if m.group(2) or m.group(3):
            named.append((current, m.group(2) or m.group(3)))
    assert len(named) >= 30
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert missing == []
