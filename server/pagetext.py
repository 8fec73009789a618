"""Page text as segments, the way the extension sends it: one block of text each.

Used by `healthflags check` and the moderators' test bench, so what they show is
what a reader's browser would send.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

BLOCKS = "p, li, td, th, h1, h2, h3, h4, h5, h6, blockquote, figcaption, dd, dt, pre, caption"
_SKIP = "script, style, noscript, template, textarea, input, select, button, nav, [hidden]"


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|p|div|article|li|td|h[1-6])[\s>]", text[:5000], re.I))


def segments_from_text(text: str) -> list[dict]:
    """Plain text: a segment per paragraph (blank-line separated). Line endings are
    normalised first: a browser's form sends CRLF, old Mac files CR."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b.strip() for b in re.split(r"\n[ \t]*\n", text)]
    return [{"id": f"s{i}", "text": b} for i, b in enumerate((b for b in blocks if b), 1)]


def segments_from_html(html: str) -> list[dict]:
    """Visible text of block elements, innermost blocks first so nothing is sent twice."""
    # A line break separates words even where the markup has no space around it.
    tree = LexborHTMLParser(re.sub(r"<br\s*/?>", "\n", html, flags=re.I))
    for node in tree.css(_SKIP):
        node.decompose()
    root = tree.body or tree.root
    if root is None:
        return []
    out = []
    for node in root.css(BLOCKS):
        if any(inner.mem_id != node.mem_id for inner in node.css(BLOCKS)):
            continue  # a container of other blocks: its children speak for it
        text = " ".join(node.text(separator="").split())
        if text:
            out.append({"id": f"s{len(out) + 1}", "text": text})
    if not out:
        text = " ".join(root.text(separator=" ").split())
        out = [{"id": "s1", "text": text}] if text else []
    return out
