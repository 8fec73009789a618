"""Words and sentences: tokens with their offsets, stems, stop words and aliases.

Offsets are code points into the original string; `utf16_offset` converts them
for JavaScript, which counts UTF-16 code units.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# A word is letters/digits, with inner apostrophes ("doesn't") or hyphens ("7-oh").
# Each alternative consumes at least one character, so matching stays linear.
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")

# Kept small on purpose: words such as "cure", "safe" or "cause" carry the claim.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
        "ll",
        "re",
        "ve",
        "d",
        "m",
        "o",
        "y",
        "get",
        "got",
        "gets",
        "really",
        "actually",
        "even",
        "much",
        "many",
        "may",
        "might",
        "us",
        "one",
        "ever",
        "every",
        "way",
        "thing",
        "things",
        "let",
        "lets",
        "said",
        "says",
        "say",
        "like",
        "via",
        "per",
        "amp",
        "rt",
    ]
)

# Words that flip what a sentence asserts. They are not matching terms, but the
# stance check counts them.
NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "nobody",
        "neither",
        "nor",
        "cannot",
        "cant",
        "without",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "dont",
        "doesnt",
        "didnt",
        "wont",
        "wouldnt",
        "shouldnt",
        "couldnt",
        "hasnt",
        "havent",
        "hadnt",
        "aint",
    ]
)

_stemmer = Stemmer.Stemmer("english")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    word: str  # normalised surface form (NFKC, casefolded, no apostrophes)


@lru_cache(maxsize=200_000)
def normalise_word(raw: str) -> str:
    word = unicodedata.normalize("NFKC", raw).casefold()
    return word.replace("’", "").replace("'", "")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def tokens(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), normalise_word(m.group())) for m in _WORD.finditer(text)]


class Aliases:
    """Maps alternative names to one term, on stemmed word sequences.

    `{"kratom": ["mitragyna speciosa", "ketum"]}` makes "Mitragyna speciosa" and
    "ketum" read as "kratom". Longest alias wins; matching is greedy left to right.
    """

    def __init__(self, groups: dict[str, list[str]] | None = None):
        self._map: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._longest = 1
        for term, names in (groups or {}).items():
            canonical = tuple(stem(t.word) for t in tokens(term))
            if not canonical:
                continue
            for name in names:
                key = tuple(stem(t.word) for t in tokens(name))
                if key and key != canonical:
                    self._map[key] = canonical
                    self._longest = max(self._longest, len(key))

    def __len__(self) -> int:
        return len(self._map)

    def apply(self, stems: list[str]) -> list[str]:
        if not self._map:
            return stems
        out: list[str] = []
        i = 0
        while i < len(stems):
            for size in range(min(self._longest, len(stems) - i), 0, -1):
                canonical = self._map.get(tuple(stems[i : i + size]))
                if canonical:
                    out.extend(canonical)
                    i += size
                    break
            else:
                out.append(stems[i])
                i += 1
        return out


def terms(text: str, aliases: Aliases) -> list[str]:
    """The matching terms of a text: stems of its content words, aliases applied."""
    stems = [stem(t.word) for t in tokens(text)]
    return [s for s in aliases.apply(stems) if s not in _SKIP]


def negation_count(text: str) -> int:
    return sum(1 for t in tokens(text) if t.word in NEGATIONS)


# Stop words are dropped after stemming (aliases may span them), so drop their stems.
_SKIP = frozenset(STOP_WORDS | NEGATIONS | {stem(w) for w in STOP_WORDS | NEGATIONS})


def utf16_offset(text: str, index: int) -> int:
    """JavaScript's index for code point `index` of `text`."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)
