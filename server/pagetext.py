"""Page text as segments, the way the extension sends it: one block of text each.

Used by `healthflags check` and the moderators' test bench, so what they show is
what a reader's browser would send. It follows `extension/text-anchoring.js`:
every piece of text belongs to its nearest block element (a `<div>`'s own text, a
list item's text after a nested list), a `<br>` is a line break, and long blocks
are cut at white space into segments of at most `MAX_SEGMENT_CHARS`.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

# As the extension: never read code, form fields (a reader's own words) or embeds.
SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "form",
        "input",
        "textarea",
        "select",
        "option",
        "optgroup",
        "button",
        "datalist",
        "iframe",
        "frame",
        "object",
        "embed",
        "canvas",
        "svg",
        "math",
        "video",
        "audio",
    ]
)
BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
MAX_SEGMENT_CHARS = 4000


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|p|div|article|li|td|h[1-6])[\s>]", text[:5000], re.I))


def segments_from_text(text: str) -> list[dict]:
    """Plain text: a segment per paragraph (blank-line separated). Line endings are
    normalised first: a browser's form sends CRLF, old Mac files CR."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b.strip() for b in re.split(r"\n[ \t]*\n", text)]
    return [{"id": f"s{i}", "text": b} for i, b in enumerate((b for b in blocks if b), 1)]


def segments_from_html(html: str) -> list[dict]:
    """Visible text grouped by block element, in page order."""
    tree = LexborHTMLParser(html)
    root = tree.root
    if root is None:
        return []
    out = []
    for text in _block_texts(root):
        text = " ".join(text.split())
        for piece in _cuts(text):
            out.append({"id": f"s{len(out) + 1}", "text": piece})
    return out


def _block_texts(root) -> list[str]:
    """Each block's text, blocks in the order their first text appears. Walked with
    a stack, not recursion, so no nesting depth can exhaust the interpreter's."""
    blocks: dict[int, list[str]] = {}
    last = None
    stack = [(root.iter(include_text=True), root.mem_id)]
    while stack:
        children, block = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            continue
        tag = node.tag
        if tag == "-text":
            text = node.text_content or ""
        elif tag == "br":
            text = "\n"
        elif tag.startswith("-") or tag in SKIP or "hidden" in (node.attributes or {}):
            continue
        else:
            stack.append((node.iter(include_text=True), node.mem_id if tag in BLOCKS else block))
            continue
        parts = blocks.setdefault(block, [])
        if last is not None and last != block and parts and not parts[-1][-1:].isspace():
            parts.append("\n")  # text resuming after a nested block starts a new line
        parts.append(text)
        last = block
    return [t for t in ("".join(p) for p in blocks.values()) if t.strip()]


def _cuts(text: str) -> list[str]:
    """A block longer than MAX_SEGMENT_CHARS, cut at white space as the extension does."""
    out, base = [], 0
    while base < len(text):
        end = min(len(text), base + MAX_SEGMENT_CHARS)
        if end < len(text):
            cut = text.rfind(" ", base, end + 1)
            if cut > base + MAX_SEGMENT_CHARS // 2:
                end = cut + 1
        piece = text[base:end].strip()
        if piece:
            out.append(piece)
        base = end
    return out
