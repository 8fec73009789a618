"""Claims imported from a feed: what a flag needs when only the claim's text exists.

A fact-check feed gives a text and a verdict: no subject a moderator chose, no
required terms, phrasings or counter statements. Its short claims are often made of
everyday words ("making a difference prevents a teenage suicide"), and the index's
own rarity (IDF over claims) cannot tell: "difference" is rare *among claims* and
common in every newspaper. So an imported claim is judged by how rare its words are
in general English (`wordfreq`, Zipf scale: 7 = "the", 3 = "kratom", unknown < 2.4):

- its **subject** is its two rarest content words;
- its **specificity** is how far they sit below everyday words (`COMMON` on the
  Zipf scale), summed; a word rare enough to pick the claim out alone ("kratom",
  "Komen") counts twice, alone;
- under `MIN_SPECIFICITY` the claim is too generic to flag safely and is never
  flagged; above it, a flag needs a word of the subject said in the sentence (both
  cost too many tweets that do repeat the claim), and stays `possible` until a
  moderator curates the claim (`Settings.imported_possible_only`).

Pure functions; `rarity()` builds the word table once per process.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from .text import SKIP, Aliases, stem, terms

COMMON = 6.0  # Zipf of everyday words ("make", "day"): no specificity at all
ALONE = 3.0  # a word this rare names its claim alone ("kratom" 2.5, "remission" 3.2)
UNKNOWN = 2.0  # words outside the table: brand names, Latin, misspellings
# Read off the fit halves (`bench/flags.py --half fit`: CLEF-2020 train tweets against
# the news fit half with the 10k import; bench/README.md, "Imported claims").
MIN_SPECIFICITY = 3.0
TABLE_WORDS = 60000


@dataclass(frozen=True, slots=True)
class Imported:
    subject: tuple[str, ...]  # stems, rarest first
    specificity: float
    flaggable: bool


def judge(stems: Iterable[str], zipf: Callable[[str], float]) -> Imported:
    """An imported claim's subject, specificity and whether it may be flagged, from
    its content stems (matching terms) and a stem's Zipf frequency."""
    words = sorted({s for s in stems if s not in SKIP}, key=lambda s: (zipf(s), s))
    if not words:
        return Imported((), 0.0, False)
    subject = tuple(words[:2])
    if zipf(words[0]) <= ALONE or len(words) == 1:
        score = 2 * max(0.0, COMMON - zipf(words[0]))  # rare enough to stand alone
    else:
        score = sum(max(0.0, COMMON - zipf(s)) for s in subject)
    return Imported(subject, round(score, 3), score >= MIN_SPECIFICITY)


def of_text(text: str, aliases: Aliases | None = None) -> Imported:
    """`judge` for a claim's text as a feed gives it: what the workspace's list of
    claims too generic to flag and the import report's count call, with no index."""
    return judge(terms(text, aliases or Aliases({})), rarity())


@cache
def rarity() -> Callable[[str], float]:
    """A stem's Zipf frequency in English (the most frequent word with that stem),
    `UNKNOWN` for stems outside the table."""
    from wordfreq import get_frequency_dict

    freq = get_frequency_dict("en")
    top = sorted(freq.items(), key=lambda kv: -kv[1])[:TABLE_WORDS]
    table: dict[str, float] = {}
    for word, f in top:
        s = stem(word)
        z = math.log10(f * 1e9)
        if z > table.get(s, 0.0):
            table[s] = z
    return lambda s: table.get(s, UNKNOWN)
