"""Words and sentences: tokens with their offsets, stems, stop words and aliases.

Offsets are code points into the original string; `utf16_offset` converts them
for JavaScript, which counts UTF-16 code units.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

# Kept small on purpose: words such as "cure", "safe" or "cause" carry the claim.
STOP_WORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an",
        "and", "any", "are", "as", "at", "be", "because", "been", "before", "being",
        "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "down", "during", "each", "few", "for", "from", "further", "had",
        "has", "have", "having", "he", "her", "here", "hers", "herself", "him",
        "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
        "just", "me", "more", "most", "my", "myself", "of", "off", "on", "once", "only",
        "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she",
        "should", "so", "some", "such", "than", "that", "the", "their", "theirs",
        "them", "themselves", "then", "there", "these", "they", "this", "those",
        "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
        "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "would", "you", "your", "yours", "yourself", "yourselves", "s", "t", "ll", "re",
        "ve", "d", "m", "o", "y", "get", "got", "gets", "really", "actually", "even",
        "much", "many", "may", "might", "us", "one", "ever", "every", "way", "thing",
        "things", "let", "lets", "said", "says", "say", "like", "via", "per", "amp",
        "rt",
    ]
)

# Words that flip what a sentence asserts ("non-addictive" reads as "not
# addictive"). They are not matching terms, but the stance check counts them.
NEGATIONS = frozenset(
    [
        "not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "cannot",
        "cant", "without", "isnt", "arent", "wasnt", "werent", "dont", "doesnt",
        "didnt", "wont", "wouldnt", "shouldnt", "couldnt", "hasnt", "havent", "hadnt",
        "aint", "non",
    ]
)

_stemmer = Stemmer.Stemmer("english")

# Web and social-media noise that carries no words of a claim: addresses are
# dropped, and #hashtags / @handles are read as the words they run together
# ("#BoycottOliveGarden" -> "Boycott Olive Garden", "@realDonaldTrump" -> "real
# Donald Trump"), as a reader would read them.
# A bare address ("example.org/page") is a chain of words joined by dots or hyphens,
# then a slash. The chain is matched whole from its first word only, and whether
# it ends in a top-level domain is checked after (`_drop_address`): nested
# repetition with a required ending took 7 s on 20,000 characters of "a.a.a.".
_URL = re.compile(
    r"(?:https?://|www\.)\S+|(?<![^\W_])(?<![^\W_][.-])(?P<bare>[^\W_]++(?:[.-][^\W_]++)*+)/\S*",
    re.IGNORECASE,
)
_TAG = re.compile(r"(?<!\w)[#@](\w+)")
_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])|_+"
)
# Matching reads a word as a run of letters and digits: apostrophes vanish
# ("doesn't" -> "doesnt", "kratom's" -> "kratoms") and hyphenated compounds fall into
# their parts ("THC-free", "FDA-approved"), as search engines' standard analysers do.
# For speed, common Unicode punctuation is replaced, ASCII punctuation goes to spaces
# through a bytes table over the UTF-8 text, and `split` does the rest; a token still
# holding another non-word character (an emoji glued to a word) is split by regex
# once and remembered. SEPARATOR (a control character texts lose) lets many texts go
# through at once.
SEPARATOR = "\x00"
_UNICODE_PUNCTUATION = "“”„‟«»‹›—–‐‑‒―…•·¡¿§¶†‡°′″‰€£¥©®™‘"
_PART = re.compile(r"[^\W_]+")
_ASCII_SPACES = bytes(
    c if (chr(c).isalnum() or c == 0 or c >= 128) else ord(" ") for c in range(256)
)


@lru_cache(maxsize=200_000)
def normalise_word(raw: str) -> str:
    word = unicodedata.normalize("NFKC", raw).casefold()
    return word.replace("’", "").replace("'", "")


class _StemCache(dict):
    """Raw token → the stem of its normalised form, or for a token that is several
    words (see above) the tuple of their stems; computed once per distinct token."""

    def __missing__(self, raw: str) -> str | tuple[str, ...]:
        self.fill([raw])
        return self[raw]

    def fill(self, tokens: list[str]) -> None:
        """Stem the tokens not seen yet, in one call to the stemmer."""
        new = [t for t in tokens if t not in self]
        if not new:
            return
        if len(self) + len(new) > 300_000:  # bounded: pages hold any number of words
            self.clear()
            self[SEPARATOR] = SEPARATOR
            COMPOUND_TOKENS.clear()
        plain = [t for t in new if t.isascii() and t.isalnum()]  # most of them
        self.update(zip(plain, _stemmer.stemWords([t.lower() for t in plain]), strict=True))
        for raw in new:
            if raw in self:
                continue
            if _PART.fullmatch(raw):
                self[raw] = _stemmer.stemWord(normalise_word(raw))
            else:
                self[raw] = tuple(_stemmer.stemWord(normalise_word(p)) for p in _PART.findall(raw))
                COMPOUND_TOKENS.add(raw)


STEMS = _StemCache({SEPARATOR: SEPARATOR})
COMPOUND_TOKENS: set[str] = set()  # tokens STEMS maps to a tuple


def stem(word: str) -> str:
    out = STEMS[word]
    return out if isinstance(out, str) else " ".join(out)


def _prepare(text: str) -> str:
    if "/" in text or "www." in text:
        text = _URL.sub(_drop_address, text)
    if "#" in text or "@" in text:
        text = _TAG.sub(_split_tag, text)
    if SEPARATOR in text:
        text = text.replace(SEPARATOR, " ")
    return text


def raw_tokens(text: str) -> list[str]:
    """A text's tokens for matching: no web addresses, hashtags and handles split
    into their words, punctuation gone. Nearly always one word each."""
    return _split(_prepare(text))


def raw_tokens_of_many(texts: list[str]) -> list[str]:
    """`raw_tokens` of many texts in one pass, each text's followed by SEPARATOR."""
    return [t for chunk in raw_token_chunks(texts) for t in chunk]


def raw_token_chunks(texts: list[str], chunk: int = 2000) -> Iterator[list[str]]:
    """`raw_tokens_of_many` in pieces of `chunk` texts (so that one text with an
    accent does not slow the rest, and few token strings live at once)."""
    for i in range(0, len(texts), chunk):
        part = [_prepare(t) for t in texts[i : i + chunk]]
        yield _split(" \x00 ".join(part) + " \x00")


def _split(text: str) -> list[str]:
    if not text.isascii():
        text = text.replace("’", "")
        for mark in _UNICODE_PUNCTUATION:
            if mark in text:
                text = text.replace(mark, " ")
    return (
        text.encode("utf-8", "surrogatepass")
        .translate(_ASCII_SPACES, b"'")
        .decode("utf-8", "surrogatepass")
        .split()
    )


def stems_of(tokens: list[str]) -> list[str]:
    """The stems of raw tokens, in order."""
    cache = STEMS
    out = [cache[t] for t in tokens]
    if COMPOUND_TOKENS.isdisjoint(tokens):
        return out
    flat: list[str] = []
    for s in out:
        if isinstance(s, str):
            flat.append(s)
        else:
            flat.extend(s)
    return flat


def _drop_address(m: re.Match) -> str:
    host = m.group("bare")
    if host is None:
        return " "  # http://…, www.…
    _, dot, tld = host.rpartition(".")
    return " " if dot and len(tld) >= 2 and tld.isascii() and tld.isalpha() else m.group()


def _split_tag(m: re.Match) -> str:
    return " " + _CAMEL.sub(" ", m.group(1)) + " "


class Aliases:
    """Maps alternative names to one term, on stemmed word sequences.

    `{"kratom": ["mitragyna speciosa", "ketum"]}` makes "Mitragyna speciosa" and
    "ketum" read as "kratom". Longest alias wins; matching is greedy left to right.
    A canonical term of several words stays itself, so "vitamin c" is not broken up
    by a one-word alias from another group ("vitamins" → "nutrient"); one holding a
    stop word is read as one term ("vitamin a").
    """

    def __init__(self, groups: dict[str, list[str]] | None = None):
        self._map: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._longest = 1
        canonicals = []
        for term, names in (groups or {}).items():
            words = tuple(stems_of(raw_tokens(term)))
            if not words:
                continue
            # A canonical term holding a stop word is one term: "vitamin a" must not
            # shrink to "vitamin" once "a" is dropped (other terms of several words,
            # "long covid", stay words that moderators' subject terms name).
            canonical = _canonical(words)
            canonicals.append(words)
            for name in names:
                key = tuple(stems_of(raw_tokens(name)))
                if key and key != words:
                    self._map[key] = canonical
                    self._longest = max(self._longest, len(key))
        self._count = len(self._map)
        for words in canonicals:
            if len(words) > 1:
                self._map.setdefault(words, _canonical(words))
                self._longest = max(self._longest, len(words))
        self.starts = frozenset(key[0] for key in self._map)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return bool(self._map)

    def apply_numbers(self, ids: list[int], number) -> list[int]:
        """`apply` on stem numbers (`number(stem)` gives a stem's number)."""
        if not self._map:
            return ids
        table = {
            tuple(number(s) for s in k): tuple(number(s) for s in v) for k, v in self._map.items()
        }
        starts = {k[0] for k in table}
        if starts.isdisjoint(ids):
            return ids
        out: list[int] = []
        done = 0
        longest = self._longest
        for i in [i for i, s in enumerate(ids) if s in starts]:
            if i < done:
                continue
            for size in range(min(longest, len(ids) - i), 0, -1):
                canonical = table.get(tuple(ids[i : i + size]))
                if canonical:
                    out.extend(ids[done:i])
                    out.extend(canonical)
                    done = i + size
                    break
        out.extend(ids[done:])
        return out

    def apply(self, stems: list[str]) -> list[str]:
        if not self._map or self.starts.isdisjoint(stems):
            return stems
        starts, table, longest = self.starts, self._map, self._longest
        out: list[str] = []
        done = 0  # stems before this position are in `out`
        for i in [i for i, s in enumerate(stems) if s in starts]:
            if i < done:
                continue  # inside an alias already replaced
            for size in range(min(longest, len(stems) - i), 0, -1):
                canonical = table.get(tuple(stems[i : i + size]))
                if canonical:
                    out.extend(stems[done:i])
                    out.extend(canonical)
                    done = i + size
                    break
        out.extend(stems[done:])
        return out


def _canonical(words: tuple[str, ...]) -> tuple[str, ...]:
    return (" ".join(words),) if len(words) > 1 and any(w in SKIP for w in words) else words


def terms(text: str, aliases: Aliases) -> list[str]:
    """The matching terms of a text: stems of its content words, aliases applied."""
    stems = stems_of(raw_tokens(text))
    if aliases:
        stems = aliases.apply(stems)
    skip = SKIP
    return [s for s in stems if s not in skip]


# Stop words are dropped after stemming (aliases may span them), so drop their stems.
SKIP = frozenset(STOP_WORDS | NEGATIONS | {stem(w) for w in STOP_WORDS | NEGATIONS} | {SEPARATOR})
NEGATION_STEMS = frozenset(stem(w) for w in NEGATIONS)


def utf16_offset(text: str, index: int) -> int:
    """JavaScript's index for code point `index` of `text`."""
    head = text[:index]
    return len(head.encode("utf-16-le", "surrogatepass")) // 2 if not head.isascii() else index
