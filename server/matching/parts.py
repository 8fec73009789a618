"""The parts of a sentence worth judging on their own, each with the text to read.

A sentence that says several things is read part by part (`retrieve.read_clauses`):
- its clauses (`clauses.split_clauses`), and of a clause that reports someone's words,
  what it reports ("a viral post claims that [X]", `attribution.frame`);
- a clause whose subject is a pronoun ("..., and it causes cancer"), read with the
  subject of the sentence's first clause in its place: "5G does not spread the virus,
  and there is no evidence that it causes cancer" says something about 5G twice;
- each of two predicates of one subject ("5G masts spread the virus and cause
  cancer"), read with the subject: the second alone would have none;
- each item of a list joined by "and"/"or" ("does not cure autism, malaria or HIV";
  "treatment with methadone or buprenorphine cuts the risk"), read with the words
  around the list: the sentence says the same thing of each item.

A part is highlighted on its own words (the second predicate, the list item; the
first item from the clause's start), and read as `said`: the words a reader
understands there. Pure functions; offsets are code points of the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attribution import frame
from .clauses import _finite, _third_person, split_clauses
from .polarity import DEBUNK, DEBUNK_PAIRS
from .text import STOP_WORDS

_WORD = re.compile(r"[\w'’-]+")
# Third-person subject pronouns that stand for the sentence's subject.
_PRONOUNS = frozenset(["it", "they", "it's", "they're", "its", "them"])
_COMPLEMENT = re.compile(r"\b(?:that|whether)\s+", re.I)
# A list's separators: a comma, "and"/"or" (with an optional comma before).
_SEP = re.compile(r",?\s+(?:and|or|nor)\s+(?:even\s+)?|,\s+(?!and\b|or\b)", re.I)
_OR_NAME = re.compile(r"^(?:or|and|also)\s+", re.I)
_JOINED = re.compile(r"\s(?:and|or|nor)\s", re.I)  # what `_coordinated` needs at least
_MAX_SUBJECT = 6  # words: a longer "subject" is a clause of its own, not a noun phrase
_MAX_ITEM = 3  # words of a list item
# A list item ends before a verb, a preposition or a contrast ("olive oil and juice,
# not gallstones"); an item is no pronoun ("..., or you might overdose").
_ITEM_ENDS = frozenset(
    ["not", "to", "in", "for", "from", "with", "of", "on", "at", "by", "than", "as"]
)
_NOT_ITEMS = frozenset(
    ["i", "you", "we", "he", "she", "it", "they", "not", "no", "nothing", "little", "less"]
)


def _ends_item(word: str) -> bool:
    return _finite(word) or word in _ITEM_ENDS


@dataclass(frozen=True, slots=True)
class Part:
    start: int  # what a flag on it highlights (code points of the sentence)
    end: int
    said: str | None = None  # the text to read, when it is not `sentence[start:end]`


def sentence_parts(text: str, before: str = "") -> list[Part]:
    """The parts of a sentence to judge apart from it (none when the whole says one
    thing once). `before`: the sentence before it in the same block, whose subject a
    leading pronoun stands for ("Kratom is sold online. It is not addictive.")."""
    pieces = split_clauses(text)
    spans: list[tuple[int, int]] = []
    for p in pieces:
        f = frame(text[p.start : p.end])
        if f is not None and not _debunked_around(text, p.start + f.content_start,
                                                  p.start + f.content_end):  # fmt: skip
            spans.append((p.start + f.content_start, p.start + f.content_end))
        else:
            spans.append((p.start, p.end))
    out: list[Part] = []
    if len(pieces) > 1 or spans[0] != (pieces[0].start, pieces[0].end):
        out.extend(Part(a, b) for a, b in spans)
    subject, first = "", 1
    if before and starts_with_pronoun(text[spans[0][0] : spans[0][1]]):
        subject, first = _subject(before, 0, len(before)), 0
    elif len(spans) > 1:
        subject = _subject(text, *spans[0])
    for i, (a, b) in enumerate(spans):
        borrowed = _antecedent(text[a:b], subject) if i >= first and subject else None
        if borrowed:
            out.append(Part(a, b, borrowed))
        if _JOINED.search(text, a, b):
            for p in _coordinated(text, a, b):
                # "it can cure autism, malaria or HIV": each item with the antecedent.
                said = p.said or text[p.start : p.end]
                again = _antecedent(said, subject) if borrowed else None
                out.append(Part(p.start, p.end, again or p.said))
    return _distinct(out)


# "It ...", or a gerund and its object: "Taking it daily ...".
_LEADING_PRONOUN = re.compile(r"\W*(?:\w+ing\s+)?(?:it|they|it's|they're|its|them)\b", re.I)


def starts_with_pronoun(text: str) -> bool:
    return _LEADING_PRONOUN.match(text) is not None


def _debunked_around(text: str, a: int, b: int) -> bool:
    """Whether the writer calls what a frame reports false outside it ("the claim
    that X is a myth"): the writer's voice then decides, read on the whole."""
    words = [w.casefold() for w in _WORD.findall(text[:a] + " . " + text[b:])]
    pairs = zip(words, words[1:], strict=False)
    return any(w in DEBUNK for w in words) or any(p in DEBUNK_PAIRS for p in pairs)


def _words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _subject(text: str, a: int, b: int) -> str:
    """The noun phrase before a clause's first verb, after its last comma ("Unlike
    methadone, [kratom] is..."), or "" when there is none short enough."""
    words = _words(text[a:b])
    said = [m.group(0).casefold() for m in words]
    # A verb of the closed list first; else a third-person "-s" ("garlic [eases]"),
    # which plural nouns also look like ("Unlike opioids, kratom has...").
    at = next((i for i, w in enumerate(said) if _finite(w)), None)
    if at is None:
        at = next((i for i, w in enumerate(said) if i and _third_person(w)), None)
    if not at:
        return ""
    raw = text[a : a + words[at].start()].rstrip()
    core = raw.rstrip(" ,;:")
    head = core[core.rfind(",") + 1 :].strip()
    if raw.endswith(",") and not _OR_NAME.match(head):
        head = core[: core.find(",")].strip()  # "Garlic, a bulb, is": the aside closes
    head = _OR_NAME.sub("", head)  # "Miracle Mineral Solution, or MMS, has": its name
    n = len(_WORD.findall(head))
    if not 1 <= n <= _MAX_SUBJECT or head.casefold() in _PRONOUNS:
        return ""
    return head


def _antecedent(said: str, subject: str) -> str | None:
    """`said` with a pronoun in its subject position ("[it] causes cancer", "no
    evidence that [it] causes") replaced by `subject`; None when it has none."""
    base = max((m.end() for m in _COMPLEMENT.finditer(said)), default=0)
    words = _words(said[base:])[:2]
    # The subject: the first word, or the object of a gerund ("stopping [it] causes").
    at = 0 if words and words[0].group(0).casefold() in _PRONOUNS else None
    if at is None and len(words) == 2 and words[0].group(0).casefold().endswith("ing"):
        at = 1 if words[1].group(0).casefold() in _PRONOUNS else None
    if at is None:
        return None
    w = words[at]
    word, a, b = w.group(0).casefold(), base + w.start(), base + w.end()
    if word in ("it's", "they're"):
        return said[:a] + subject + " is" + said[b:]
    if word == "its":
        return said[:a] + subject + "'s" + said[b:]
    return said[:a] + subject + said[b:]


def _coordinated(text: str, a: int, b: int) -> list[Part]:
    """Parts for two predicates of one subject, or the items of a list, in the clause
    `text[a:b]`."""
    clause = text[a:b]
    seps = list(_SEP.finditer(clause))
    joins = [s.group(0).strip(" ,").casefold().split(" ")[0] for s in seps]
    if not any(j in ("and", "or", "nor") for j in joins):
        return []
    first = seps[0]
    after = _words(clause[first.end() :])
    word = after[0].group(0).casefold() if after else ""
    if _finite(word) and word not in _SUBJECT_VERBS and first.group(0).strip(" ,"):
        return _predicates(text, a, b, first)
    return _items(text, a, b, seps)


# Verbs written with their subject ("and there's proof"): a new clause, not a predicate.
_SUBJECT_VERBS = frozenset(["there's", "it's", "that's", "they're", "there", "here's"])


def _predicates(text: str, a: int, b: int, sep: re.Match) -> list[Part]:
    """ "S V1 ... and V2 ...": "S V1 ..." (as written) and "S V2 ..." (read with S),
    highlighted on "V2 ..."."""
    clause = text[a:b]
    words = _words(clause)
    at = next((i for i, m in enumerate(words) if _finite(m.group(0).casefold())), None)
    if at is None or words[at].start() >= sep.start():
        return []
    subject = clause[: words[at].start()]
    rest = clause[sep.end() :]
    if not subject.strip() or len(_WORD.findall(subject)) > _MAX_SUBJECT:
        return []
    between = [m.group(0).casefold() for m in words[at:] if m.start() < sep.start()]
    if all(_finite(w) for w in between):
        return []  # "cause or spread COVID-19": two verbs share what follows
    return [Part(a, a + sep.start()), Part(a + sep.end(), b, subject + rest)]


def _items(text: str, a: int, b: int, seps: list[re.Match]) -> list[Part]:
    """A list "P X, Y or Z S": each item read as "P item S". An item ends at the next
    separator, or at a verb (after the last one); the first item is as long as the
    second, counted in words."""
    clause = text[a:b]
    # The run of separators that make one list: up to the first "and"/"or".
    run = []
    for s in seps:
        run.append(s)
        if s.group(0).strip(" ,"):
            break
    else:
        return []
    # Two words joined by "and" are as often two adjectives or a pair ("sweat and
    # grime", "non-toxic and free of...") as a list the sentence says one thing of:
    # a list is three items or more, or a choice ("methadone or buprenorphine").
    if len(run) < 2 and run[-1].group(0).strip(" ,").casefold() == "and":
        return []
    starts = [s.end() for s in run]
    ends = [s.start() for s in run[1:]]
    last = clause[starts[-1] :]
    stop = next((m for m in _words(last)[1:] if _ends_item(m.group(0).casefold())), None)
    comma = last.find(",")
    end_last = starts[-1] + min(
        stop.start() if stop else len(last), comma if comma != -1 else len(last)
    )
    ends.append(end_last)
    items = [(s, len(clause[:e].rstrip(" ,.;:!?"))) for s, e in zip(starts, ends, strict=True)]
    for s, e in items:
        words = [w.casefold() for w in _WORD.findall(clause[s:e])]
        if not 1 <= len(words) <= _MAX_ITEM or words[0] in _NOT_ITEMS:
            return []
        if all(w in STOP_WORDS or w in _NOT_ITEMS for w in words):
            return []  # "little or nothing", "more or less": no thing to say it of
    n = len(_WORD.findall(clause[items[0][0] : items[0][1]]))
    before = _words(clause[: run[0].start()])
    if before and _finite(before[-1].group(0).casefold()):
        return []  # "can cause or worsen X": verbs, not items
    if len(before) <= n:
        return []
    first = (before[-n].start(), run[0].start())
    prefix, suffix = clause[: first[0]], clause[end_last:]
    if suffix and suffix[0].isalnum():
        suffix = " " + suffix
    out = [Part(a, a + first[1], prefix + clause[first[0] : first[1]] + suffix)]
    out += [Part(a + s, a + e, prefix + clause[s:e] + suffix) for s, e in items]
    return out


def _distinct(parts: list[Part]) -> list[Part]:
    seen, out = set(), []
    for p in parts:
        key = (p.start, p.end, p.said)
        if key not in seen and p.end > p.start:
            seen.add(key)
            out.append(p)
    return out
