"""Who says it: a claim the page reports rather than asserts.

"According to a viral post, X", "a shop owner told us X", "X, she said", "Its
promoters say X", "Claim: X" put X in someone else's mouth: the page reports the
claim (bench/data/README.md, "Attribution"). Verbs that commit the writer to the
content ("studies have shown", "researchers found", "proved", "explained") are not
reports, nor the writer's own opinion ("I think", "we believe"), nor hedges
("research suggests").

`frame(text)` finds the frame in one clause and splits it into the frame's own span
(highlighted apart, or not at all) and the span of what is reported. Pure functions;
offsets are code points of the text given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clauses import split_clauses
from .polarity import ATTRIBUTION

_WORD = re.compile(r"[\w'’-]+")
_TRIM = " \t\n,;:\"'“”‘’«»()-–—"
_THAT = re.compile(r"(?:that|how|whether)\s+", re.I)

# Reporting verbs that leave the content to the speaker: the stance check's attribution
# cues that are verbs (not "according", "viral", "allegedly": read as frames below), and
# more verbs that report.
REPORTING = (
    ATTRIBUTION
    - frozenset(
        [
            "according",
            "allegedly",
            "ask",
            "asked",
            "asks",
            "heard",
            "post",
            "posted",
            "posts",
            "purportedly",
            "supposedly",
            "viral",
            "wonder",
            "wondered",
            "wonders",
        ]
    )
) | frozenset(
    [
        "add",
        "added",
        "adds",
        "afraid",
        "allege",
        "alleged",
        "alleges",
        "alleging",
        "arguing",
        "assure",
        "assured",
        "assures",
        "assuring",
        "claiming",
        "insisting",
        "maintain",
        "maintained",
        "maintains",
        "promise",
        "promised",
        "promises",
        "reckon",
        "reckons",
        "rumored",
        "swear",
        "swears",
        "swore",
        "warn",
        "warned",
        "warns",
        "write",
        "writes",
        "writing",
        "wrote",
    ]
)
# After these a listener may follow: "told us", "assured me", "warns parents".
_LISTENERS = frozenset(
    ["me", "us", "him", "her", "them", "you", "reporters", "readers", "parents", "customers"]
)
_OWN = frozenset(["i", "we", "i'm", "we're"])  # "I think X" is the writer's own view
_JOINERS = frozenset(["and", "but", "so", "which", "because", "or", "that"])
# "Don't believe the fake news: X" commands the reader; it reports nobody.
_NOT_SPEAKERS = frozenset(["don't", "do", "never", "not", "dont"])
_COPULA_END = re.compile(r"(?:\s+(?:is|are|was|were|be|been|am))+$", re.I)
# Frames at a trailing comma are short: "..., a shop owner told us."
_TAIL_WORDS = 9
_LEAD_WORDS = 12
_LABEL = re.compile(r"\s*(?:the\s+)?(?:claim|what's claimed|what is claimed)\s*:\s*", re.I)


@dataclass(frozen=True, slots=True)
class Frame:
    start: int  # the frame's own span ("a viral post claimed that")
    end: int
    content_start: int  # what it reports
    content_end: int
    source: str  # who says it, as written ("a viral post"); "" when unnamed


def frame(text: str) -> Frame | None:
    """The reporting frame of a clause, if its content is put in someone's mouth."""
    for find in (_label, _according, _trailing, _leading, _hearsay):
        found = find(text)
        if found and _words(text[found.content_start : found.content_end]) >= 2:
            return found
    return None


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _label(text: str) -> Frame | None:
    m = _LABEL.match(text)
    return _made(text, m.start(), m.end(), m.end(), len(text), "") if m else None


def _according(text: str) -> Frame | None:
    m = re.search(r"\baccording\s+to\s+", text, re.I)
    if not m:
        return None
    comma = text.find(",", m.end())
    stop = comma if comma != -1 else len(text)
    source = text[m.end() : stop]
    if _words(text[: m.start()]) >= 2 and comma == -1:
        return _made(text, m.start(), len(text), 0, m.start(), source)  # "X according to Y"
    if _words(text[: m.start()]) < 2:
        return _made(text, m.start(), stop, stop, len(text), source)  # "According to Y, X"
    # "X, according to Y, Z": the content is both sides.
    return _made(text, m.start(), stop, 0, len(text), source)


def _trailing(text: str) -> Frame | None:
    """ "X, a shop owner told us." / "“X,” says Jane." / "X, she said." """
    cut = max(text.rfind(","), text.rfind("”"), text.rfind('"'))
    if cut < 1:
        return None
    tail = text[cut + 1 :]
    words = [w.casefold() for w in _WORD.findall(tail)]
    if not 1 <= len(words) <= _TAIL_WORDS:
        return None
    at = next((i for i, w in enumerate(words) if w in REPORTING), None)
    # The verb ends the tail ("a shop owner told us") or starts it ("says Jane").
    if at is None or words[0] in _JOINERS or (0 < at < len(words) - 2):
        return None
    if (at and words[at - 1] in _OWN) or (at + 1 < len(words) and words[-1] in _OWN):
        return None
    if len(words) > 1 and words[at + 1 :] and at > 0 and words[-1] not in _LISTENERS:
        return None
    source = " ".join(w for i, w in enumerate(words) if i != at and w not in _LISTENERS)
    return _made(text, cut, len(text), 0, cut, source)


def _leading(text: str) -> Frame | None:
    """ "A viral post claimed that X" / "Its promoters say X" / "Some parents worry X"."""
    spans = [m for m in _WORD.finditer(text)][:_LEAD_WORDS]
    for i, m in enumerate(spans):
        w = m.group(0).casefold()
        if w not in REPORTING or i == 0:
            continue
        before = text[: m.start()]
        # The speaker: the words since the last comma ("In other news, a viral post").
        head = max(before.rfind(","), before.rfind(":")) + 1
        source = before[head:].strip(_TRIM)
        said = [x.casefold() for x in _WORD.findall(source)]
        if not said or said[0] in _OWN or said[-1] in _OWN or said[-1] in _NOT_SPEAKERS:
            return None
        source = _COPULA_END.sub("", source)
        end = m.end()
        rest = spans[i + 1 :]
        if rest and rest[0].group(0).casefold() in _LISTENERS:
            end = rest[0].end()
        t = _THAT.match(text, _skip_space(text, end))
        content = t.end() if t else _skip_space(text, end)
        return _made(text, head, content, content, len(text), source)
    return None


# "Kratom supposedly cures anxiety": the adverb puts it on unnamed others.
_HEARSAY = re.compile(r"\b(?:supposedly|allegedly|reportedly|purportedly)\b", re.I)
# "I heard that X", "we read online that X": hearsay, even in the first person.
_HEARD = re.compile(
    r"^\s*(?P<src>(?:i|we)(?:\s+(?:have|had|'ve))?)\s+(?:heard|read)\b[^,]{0,30}?\bthat\s+", re.I
)


def _hearsay(text: str) -> Frame | None:
    m = _HEARD.match(text)
    if m:
        return _made(text, m.start(), m.end(), m.end(), len(text), "")
    m = _HEARSAY.search(text)
    return _made(text, m.start(), m.end(), 0, len(text), "") if m else None


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " ,:":
        i += 1
    return i


def _made(text: str, a: int, b: int, c0: int, c1: int, source: str) -> Frame:
    a, b = _trim(text, a, b)
    c0, c1 = _trim(text, c0, c1)
    return Frame(a, b, c0, c1, " ".join(source.strip(_TRIM).split()))


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _TRIM:
        a += 1
    while b > a and text[b - 1] in _TRIM + ".!?":
        b -= 1
    return a, b


def reported(sentence: str, start: int, end: int) -> Frame | None:
    """The frame that reports the span `sentence[start:end]` (a clause, or what a
    clause reports), in the sentence's offsets: the span's own, its clause's, or the
    one before it that a clause joined by "and that" shares ("videos saying X and that
    Y": Y is reported too)."""
    own = frame(sentence[start:end])
    if own is not None:
        return _shift(own, start)
    pieces = split_clauses(sentence)
    at = next((i for i, p in enumerate(pieces) if p.start <= start and end <= p.end), None)
    if at is None:
        return None
    p = pieces[at]
    mine = frame(sentence[p.start : p.end])
    if mine is not None and mine.content_start + p.start <= start + 1:
        return _shift(mine, p.start)
    while at and pieces[at].joiner == "and that":
        at -= 1
        a, b = pieces[at].start, pieces[at].end
        before = frame(sentence[a:b])
        if before is not None and before.content_end + a >= b - 1:
            return Frame(before.start + a, before.end + a, start, end, before.source)
    return None


def _shift(f: Frame, by: int) -> Frame:
    return Frame(f.start + by, f.end + by, f.content_start + by, f.content_end + by, f.source)
