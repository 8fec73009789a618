"""Where one sentence says several things: the clauses worth judging on their own.

"In other news, vaccines cause autism according to a viral post, and kratom is not
addictive, a shop owner told us." says two claims; judged as one sentence, the words
of each dilute the other, and a flag would paint the whole sentence. A sentence is cut
only where a new assertion starts: at ";", before "while", "whereas", "but",
"although", "though", "yet", and before "and" when a new subject follows ("and the
fluoride in the water lowers IQ", "and it can make you ill") or a second "that"
clause ("...saying X and that Y"). Never inside a list ("cures autism, malaria and
HIV") nor between two verbs of one subject ("spreads the virus and causes cancer"):
there each piece alone would lose its subject.

Pure functions on a sentence's text; offsets are code points of that text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .polarity import Reading, read

_WORD = re.compile(r"[\w'’-]+")
_BREAK = re.compile(
    r"\s*[;:]\s*|,?\s+(?:while|whereas|but|although|though|yet)\s+|,?\s+and\s+(?:that\s+)?",
    re.I,
)
_TRIM = " \t\n,;:-–—"

# A finite verb's short closed list: auxiliaries, copulas and the verbs claims use.
# A clause needs one on each side of a break: "Vitamins A and D are stored" is not
# two clauses, nor "safe but effective".
_BASES = [
    "be",
    "is",
    "are",
    "was",
    "were",
    "am",
    "been",
    "being",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "can",
    "could",
    "will",
    "would",
    "shall",
    "should",
    "may",
    "might",
    "must",
    "cause",
    "cure",
    "prevent",
    "help",
    "make",
    "lower",
    "raise",
    "reduce",
    "boost",
    "kill",
    "spread",
    "weaken",
    "work",
    "treat",
    "protect",
    "contain",
    "increase",
    "remove",
    "keep",
    "give",
    "stop",
    "lead",
    "detox",
    "heal",
    "flush",
    "fight",
    "block",
    "damage",
    "harm",
    "replace",
    "reverse",
    "need",
    "say",
    "claim",
    "insist",
    "travel",
    "trigger",
    "change",
    "affect",
    "destroy",
    "poison",
    "become",
    "get",
    "take",
    "cut",
]
VERBS = frozenset(
    _BASES
    + [w + "s" for w in _BASES if not w.endswith(("s", "e"))]
    + [w + "es" for w in _BASES if w.endswith(("s", "sh", "ch"))]
    + [w + "s" for w in _BASES if w.endswith("e")]
    + [w + "ed" for w in _BASES if not w.endswith("e")]
    + [w + "d" for w in _BASES if w.endswith("e")]
    + ["isn't", "aren't", "wasn't", "weren't", "won't", "can't", "cannot", "doesn't",
       "don't", "didn't", "hasn't", "haven't", "shouldn't", "wouldn't", "couldn't",
       "it's", "that's", "there's", "they're", "made", "kept", "gave", "took", "got",
       "says", "said", "told", "insisted", "claimed", "killed", "spread", "cut"]
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Piece:
    start: int
    end: int
    joiner: str  # what joined it to the clause before: "", ";", "but", "and", "and that"…


def split_clauses(text: str) -> list[Piece]:
    """The clauses of a sentence, in order; one piece (the whole, trimmed) when no cut
    changes what is said."""
    if not _may_break(text):
        return [_piece(text, 0, len(text), "")] if text.strip(_TRIM) else []
    pieces: list[Piece] = []
    start, joiner = 0, ""
    for m in _BREAK.finditer(text):
        word = m.group(0).strip(" ,").casefold()
        word = " ".join(word.split())
        left, right = text[start : m.start()], text[m.end() :]
        if word == "yet" and "," not in m.group(0):
            continue  # "they don't yet have it": an adverb; ", yet" joins clauses
        if not _cut(word, left, right):
            continue
        pieces.append(_piece(text, start, m.start(), joiner))
        start, joiner = m.end(), word or ";"
    pieces.append(_piece(text, start, len(text), joiner))
    return [p for p in pieces if p.end > p.start]


_BREAK_WORDS = (" and ", " but ", " while ", " whereas ", " although ", " though ", " yet ")


def _may_break(text: str) -> bool:
    """A quick check in C: most sentences have no place `_BREAK` could cut."""
    if ";" in text or ":" in text:
        return True
    low = " " + " ".join(text.casefold().split()) + " "
    return any(w in low for w in _BREAK_WORDS)


def _cut(word: str, left: str, right: str) -> bool:
    lw = [w.casefold() for w in _WORD.findall(left)]
    rw = [w.casefold() for w in _WORD.findall(right)]
    if len(lw) < 3 or len(rw) < 3 or not _has_verb(lw):
        return False
    if word == "but" and rw[0] in ("not", "also", "rather"):
        return False  # "vitamin E, but not vitamin C, was linked...": a contrasted phrase
    if word in ("", ";", ":"):
        # A new assertion has its verb soon after its subject; "...; ask a pharmacist
        # about remedies for a blocked nose" is advice with no verb of its own.
        return _has_verb(rw[:8])
    if word == "and that":
        return _has_verb(rw)
    if word == "and" and not _has_verb(_after_complementiser(lw)):
        # "trials failed to show that vitamin E and beta carotene prevent...": the
        # left side's last clause has no verb yet, so "and" joins two subjects.
        return False
    if word == "and":
        # A new subject: at least one word before the right side's first verb; after
        # a determiner, a third-person "-s" counts as one ("and the fluoride in our
        # water dulls...": the closed list cannot hold every verb).
        first = next(
            (i for i, w in enumerate(rw[:8]) if _finite(w) and (i == 0 or not _infinitive(rw, i))),
            None,
        )  # "and natural way to get off opioids": an infinitive is no new clause
        if first is None and rw[0] in _DETERMINERS:
            first = next((i for i, w in enumerate(rw[2:8], 2) if _third_person(w)), None)
        return first is not None and first >= 1
    return _has_verb(rw)


_DETERMINERS = frozenset(
    ["the", "a", "an", "this", "that", "these", "those", "its", "their", "our", "my", "your",
     "his", "her"]
)  # fmt: skip


def _infinitive(words: list[str], i: int) -> bool:
    """ "to get": a base form after "to" ("an owner we spoke to insisted" is none)."""
    return words[i - 1] == "to" and not words[i].endswith(("ed", "s", "n't"))


def _third_person(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


_COMPLEMENTISERS = frozenset(["that", "whether", "which", "who", "if"])


def _after_complementiser(words: list[str]) -> list[str]:
    at = max((i for i, w in enumerate(words) if w in _COMPLEMENTISERS), default=-1)
    return words[at + 1 :] if at >= 0 else words


def _finite(word: str) -> bool:
    return word in VERBS or word.endswith("n't")


def _has_verb(words: list[str]) -> bool:
    return any(_finite(w) for w in words)


def _piece(text: str, start: int, end: int, joiner: str) -> Piece:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return Piece(start, end, joiner)


def clause_reading(
    sentence: str, start: int, end: int, aliases, said: str | None = None
) -> Reading:
    """How a clause says its words (`said`, when it is read with words from around
    it), in its sentence: its own clauses, plus the sentence's debunking clauses
    around it ("Don't believe the lies: X, and Y" still frames X), never the other
    clauses' reports or claims."""
    own = read(said or sentence[start:end], aliases)
    before = [c for c in read(sentence[:start], aliases).clauses if c.debunk]
    after = [c for c in read(sentence[end:], aliases).clauses if c.debunk]
    return Reading((*before, *own.clauses, *after), "?" in sentence)


_LIST = re.compile(r",?\s+(?:and|or|nor)\s+(?:even\s+)?|,\s+", re.I)


def own_spans(
    text: str, start: int, end: int, claims: list[frozenset[str]], terms_of
) -> list[tuple[int, int]] | None:
    """Each of several claims flagged on one span (`text[start:end]`) its own part of
    it: the list items and coordinated phrases ("MMS cures autism, malaria and HIV";
    "5G spreads the virus and causes cancer") holding the words that set that claim
    apart from the others (`claims`: each claim's terms; `terms_of(text)`: a text's).
    None when a claim's words are not in one run of pieces, or two would share one."""
    cuts = [start] + [start + m.end() for m in _LIST.finditer(text[start:end])]
    ends = [start + m.start() for m in _LIST.finditer(text[start:end])] + [end]
    pieces = [(a, b) for a, b in zip(cuts, ends, strict=True) if b > a]
    if len(pieces) < 2:
        return None
    said = [terms_of(text[a:b]) for a, b in pieces]
    shared = frozenset.intersection(*claims)
    out = []
    for terms in claims:
        own = terms - shared
        hits = [i for i, s in enumerate(said) if own & s]
        if not hits or hits != list(range(hits[0], hits[-1] + 1)):
            return None
        # The first piece keeps what the claims share (the subject): from the start.
        out.append((pieces[0][0] if hits[0] == 0 else pieces[hits[0]][0], pieces[hits[-1]][1]))
    return out if len(set(out)) == len(out) else None
