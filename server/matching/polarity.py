"""How a sentence says its words: which terms sit under a negation, in which clause,
and the cue words around them (debunks, attributions, hedges).

Verification (`verify.py`) compares this reading of a page sentence with the same
reading of a claim's phrasings and counter statements. A negation reaches the next
`SCOPE` content words of its clause, so "non-addictive" reads as "not addictive" (a
prefix is one more negation, not a flip of the whole sentence), "without any special
detox" negates only "special" and "detox", and two negations over one word cancel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import NEGATIONS, SKIP, STOP_WORDS, Aliases, normalise_word, raw_tokens, stems_of

SCOPE = 4  # content words a negation reaches

# Clause breaks: the punctuation and conjunctions that start a new assertion. Not
# commas: "kratom is not a safe, natural cure" is one assertion, its negation
# reaching past the comma.
# A leading "No," answers a question and stands apart: in "No, vaccines do not
# contain microchips" it must not cancel the negation that follows.
CLAUSE = re.compile(
    r"[;:()\u2014\u2013]|\s-\s|\b(?:so|but|because|while|although|though|whereas|yet)\b"
    r"|^\s*(?:no|nope)\s*[,!]",
    re.I,
)
# "not true that ...", "not the case that ...", "no evidence that ...": the negation
# is the debunk frame (`DEBUNK_PAIRS`), said of the whole statement; it reaches no
# claim word. Stems.
FRAMED = frozenset(["true", "case", "evid", "proof", "link"])

# Cue words, compared with the casefolded word (no stemming: short closed lists).
DEBUNK = frozenset(
    [
        "myth",
        "myths",
        "debunked",
        "debunk",
        "debunking",
        "hoax",
        "hoaxes",
        "false",
        "falsely",
        "untrue",
        "misinformation",
        "disinformation",
        "baseless",
        "unfounded",
        "disproven",
        "disproved",
        "misconception",
        "misconceptions",
        "misleading",
        "bogus",
        "fake",
        "rumor",
        "rumors",
        "rumour",
        "rumours",
        "conspiracy",
        "lie",
        "lies",
        "nonsense",
        "refuted",
        "refute",
        "wrongly",
        "deny",
        "denies",
        "denied",
    ]
)
DEBUNK_PAIRS = frozenset(
    [("no", "evidence"), ("not", "true"), ("no", "proof"), ("no", "link"), ("little", "evidence")]
)
ATTRIBUTION = frozenset(
    [
        "claim",
        "claims",
        "claimed",
        "allegedly",
        "supposedly",
        "purportedly",
        "worry",
        "worries",
        "worried",
        "fear",
        "fears",
        "feared",
        "believe",
        "believes",
        "believed",
        "wonder",
        "wonders",
        "wondered",
        "ask",
        "asks",
        "asked",
        "heard",
        "rumoured",
        "according",
        "viral",
        "post",
        "posts",
        "posted",
        "insist",
        "insists",
        "insisted",
        "argue",
        "argues",
        "argued",
        "think",
        "thinks",
        "convinced",
        "tell",
        "tells",
        "telling",
        "told",
        "say",
        "says",
        "saying",
        "said",
    ]
)
HEDGES = frozenset(
    [
        "may",
        "might",
        "could",
        "possibly",
        "perhaps",
        "suggest",
        "suggests",
        "suggested",
        "preliminary",
        "potentially",
        "likely",
        "unclear",
        "uncertain",
    ]
)
FIRST_PERSON = frozenset(["i", "me", "my", "we", "our", "us"])


@dataclass(frozen=True, slots=True)
class Clause:
    terms: tuple[str, ...]  # matching terms (stems, aliases applied), in order
    negated: frozenset[str]  # terms under an odd number of negations
    words: tuple[str, ...]  # casefolded words, for the cue lists
    negations: int
    debunk: bool = False  # holds a debunking cue (`debunks`)
    framed: bool = False  # "not true that", "no evidence that": a negation that frames


@dataclass(frozen=True, slots=True)
class Reading:
    clauses: tuple[Clause, ...]
    question: bool

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(t for c in self.clauses for t in c.terms)

    @property
    def negated(self) -> frozenset[str]:
        return frozenset(t for c in self.clauses for t in c.negated)


def read(text: str, aliases: Aliases) -> Reading:
    """A sentence's clauses with their terms, negated terms and words."""
    # "risk-free" stays two words, "risk" and "free", as claims' phrasings are read.
    clauses = []
    for part in CLAUSE.split(text):
        if part and part.strip():
            clauses.append(_clause(part, aliases))
    # A question anywhere in the unit (a sentence joined with its neighbour) asks.
    return Reading(tuple(c for c in clauses if c.words), "?" in text)


# A comma before an "-ing" word starts the next item of a list of actions: in "not
# smoking, exercising regularly, and eating well" the negation ends at "smoking".
LIST_ITEM = re.compile(r",\s+(?:and\s+|or\s+)?(?=[A-Za-z]+ing\b)")


def _clause(text: str, aliases: Aliases) -> Clause:
    words: list[str] = []
    stems: list[str] = []
    breaks: list[bool] = []  # True where a list item after the first starts
    for part in LIST_ITEM.split(text):
        tokens = raw_tokens(part)
        found = aliases.apply(stems_of(tokens)) if aliases else stems_of(tokens)
        words += [normalise_word(t) for t in tokens]
        breaks += [bool(stems and i == 0) for i in range(len(found))]
        stems += found
    is_neg = [s in _NEGATION_STEMS for s in stems]
    is_skip = [s in SKIP for s in stems]
    framed = False
    for i in [i for i, n in enumerate(is_neg) if n]:
        nxt = next((s for s, k in zip(stems[i + 1 :], is_skip[i + 1 :], strict=True) if not k), "")
        if nxt in FRAMED:
            is_neg[i] = False
            framed = True
    negated = in_scope(is_neg, is_skip, breaks)
    terms = tuple(s for s, k in zip(stems, is_skip, strict=True) if not k)
    flipped = frozenset(s for s, k, n in zip(stems, is_skip, negated, strict=True) if n and not k)
    said = tuple(words)
    return Clause(terms, flipped, said, sum(is_neg), framed or debunks(said), framed)


def in_scope(
    is_neg: list[bool], is_skip: list[bool], breaks: list[bool] | None = None
) -> list[bool]:
    """Per token, whether an odd number of negations reach it: each negation reaches
    the next SCOPE tokens that are not skipped, up to a break (a text's end)."""
    out = [False] * len(is_neg)
    for i in [i for i, n in enumerate(is_neg) if n]:
        left = SCOPE
        j = i + 1
        while left and j < len(is_neg) and not (breaks and breaks[j]):
            if not is_skip[j]:
                out[j] = not out[j]
                left -= 1
            j += 1
    return out


def cues(words: tuple[str, ...], table: frozenset[str]) -> bool:
    return not table.isdisjoint(words)


def debunks(words: tuple[str, ...]) -> bool:
    pairs = zip(words, words[1:], strict=False)
    return cues(words, DEBUNK) or any(p in DEBUNK_PAIRS for p in pairs)


_NEGATION_STEMS = frozenset(stems_of(sorted(NEGATIONS)))
assert not (_NEGATION_STEMS - SKIP), "negations are never matching terms"
assert "non" in NEGATIONS and "non" not in STOP_WORDS
