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

from .clauses import _finite, _third_person, split_clauses
from .polarity import ATTRIBUTION
from .text import NEGATIONS

_WORD = re.compile(r"[\w'’-]+")
_TRIM = " \t\n,;:\"'“”‘’«»()-–—"
_THAT = re.compile(r"(?:that|how|whether)\s+", re.I)

# Reporting verbs that leave the content to the speaker: the stance check's attribution
# cues that are verbs (not "according", "viral", "allegedly": read as frames below), and
# more verbs that report.
REPORTING = (
    ATTRIBUTION
    - frozenset(
        ["according", "allegedly", "ask", "asked", "asks", "heard", "post", "posted", "posts",
         "purportedly", "supposedly", "viral", "wonder", "wondered", "wonders"]
    )
) | frozenset(
    ["afraid", "allege", "alleged", "alleges", "alleging", "arguing",
     "assure", "assured", "assures", "assuring", "claiming", "insisting", "maintain",
     "maintained", "maintains", "promise", "promised", "promises", "reckon", "reckons",
     "rumored", "swear", "swears", "swore", "warn", "warned", "warns", "write", "writes",
     "writing", "wrote"]
)  # fmt: skip
# More verbs that report: beliefs put on others, suggestions (unless research
# suggests: a hedge), what someone recalled or shouted.
REPORTING = REPORTING | frozenset(
    [
        "thought", "assume", "assumes", "assumed", "suspect", "suspects", "suspected",
        "expect", "expects", "expected", "suggest", "suggests", "suggested", "imply",
        "implies", "implied", "recall", "recalls", "recalled", "shout", "shouted",
        "shouts", "state", "states", "stated",
    ]
)  # fmt: skip
# Verbs that sell or present something "as" what it is claimed to be: a report when
# an "as" follows ("clinics market X as a cure"); alone they say nothing of the kind.
PRESENTING = frozenset(
    [
        "promote", "promotes", "promoted", "promoting", "advertise", "advertises",
        "advertised", "advertising", "market", "marketed", "marketing", "markets", "tout", "touts",
        "touted", "touting", "describe", "describes", "described", "describing", "hail",
        "hails", "hailed", "billed", "pitched", "branded", "pushed", "pushes", "called",
        "calls", "blamed", "blames", "blame",
    ]
)  # fmt: skip
# What must follow the thing presented for these to report: "called X [a] game
# changer" (not "a drug called metformin"), "blamed X [for] Y" (not "the aches people
# blame on statins").
_LINKS = {
    "called": ("a", "an", "the"), "calls": ("a", "an", "the"),
    "blamed": ("for",), "blames": ("for",), "blame": ("for",),
}  # fmt: skip
# Sources that report research: "research suggests" is a hedge, not a report.
_RESEARCH = frozenset(
    [
        "study", "studies", "research", "evidence", "data", "trial", "trials", "review",
        "reviews", "analysis", "findings", "results", "experiments", "study's",
    ]
)  # fmt: skip
_HEDGING = frozenset(["suggest", "suggests", "suggested", "imply", "implies", "implied"])
_BE = frozenset(["is", "are", "was", "were", "be", "been", "being"])
_DETERMINERS = frozenset(["the", "a", "an", "this", "that", "its", "their", "our", "black"])
_IMPERSONAL = frozenset(["it", "it's", "it’s", "there", "there's"])
# Said at the end ('"...," she asked'; "..., he added"): a report there, not elsewhere
# ("quitting will add years to your life").
_AFTER_QUOTE = frozenset(["asked", "asks", "added", "adds", "explained", "replied", "continued"])
# After these a listener may follow: "told us", "assured me", "warns parents".
_LISTENERS = frozenset(
    ["me", "us", "him", "her", "them", "you", "reporters", "readers", "parents", "customers"]
)
_OWN = frozenset(["i", "we", "i'm", "we're"])  # "I think X" is the writer's own view
_JOINERS = frozenset(["and", "but", "so", "which", "because", "or", "that"])
# A tail that concedes ("..., whatever the agencies say"; "..., as experts say") is
# the writer's aside, not who says the sentence.
_CONCEDING = frozenset(
    ["whatever", "whoever", "no", "despite", "regardless", "even", "as", "though", "unlike"]
)
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
    if not cued(text):
        return None  # most sentences: no word any frame needs
    for find in (_label, _according, _participle, _trailing, _leading, _presenting, _noun_that,
                 _hearsay):  # fmt: skip
        found = find(text)
        if found and _words(text[found.content_start : found.content_end]) >= 2:
            return found
    return None


def _words(text: str) -> int:
    return len(_WORD.findall(text))


# Punctuation to white space, so that splitting gives the words `_WORD` finds (a
# word's inner ' ’ - stay): a check in C for every clause of a page.
_SPACES = str.maketrans({c: " " for c in '"“”‘«»()[]{}.,;:!?/\\|…—–*&%$#@+=<>~^`'})


def cued(text: str) -> bool:
    """Whether the text holds a word some frame needs (every frame has one)."""
    return not _CUE_WORDS.isdisjoint(text.casefold().translate(_SPACES).split())


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
    """ "X, a shop owner told us." / "“X,” says Jane." / "X, she said." / "“X,” one
    seller told a reporter." """
    cut = max(text.rfind(","), text.rfind("”"), text.rfind('"'))
    if cut < 1:
        return None
    tail = text[cut + 1 :]
    words = [w.casefold() for w in _WORD.findall(tail)]
    if not 1 <= len(words) <= _TAIL_WORDS or words[0] in _JOINERS | _CONCEDING:
        return None
    at = next((i for i, w in enumerate(words) if w in REPORTING or w in _AFTER_QUOTE), None)
    # The verb ends the tail ("a shop owner told us"), starts it ("says Jane"), or is
    # followed by a short listener or topic ("told the crowd", "said of ivermectin").
    if at is None or len(words) - at - 1 > 3:
        return None
    if (at and words[at - 1] in _OWN) or (at + 1 < len(words) and words[-1] in _OWN):
        return None
    if at == 0 and (len(words) > 5 or words[0].endswith("ing")):
        return None  # ", saying X" reports what follows it (`_participle`)
    after = words[at + 1 :]
    listener = [w for w in after if w in _LISTENERS]
    speaker = words[:at] if at else after
    source = " ".join(w for w in speaker if w not in _LISTENERS)
    if at and after and not listener and after[0] not in ("of", "the", "a", "an", "to"):
        return None
    return _made(text, cut, len(text), 0, cut, source)


def _leading(text: str) -> Frame | None:
    """ "A viral post claimed that X" / "Its promoters say X" / "Some parents worry X"."""
    spans = [m for m in _WORD.finditer(text)][:_LEAD_WORDS]
    for i, m in enumerate(spans):
        w = m.group(0).casefold()
        if w not in REPORTING or i == 0:
            continue
        before = text[: m.start()]
        source = _speaker(before)
        said = [x.casefold() for x in _WORD.findall(source)]
        if not said or said[0] in _OWN or said[-1] in _OWN or said[-1] in _NOT_SPEAKERS:
            return None
        if said[0] in _IMPERSONAL or (len(said) == 1 and said[0] in _DETERMINERS):
            return None  # "It's wrong to say X", "The claim that X is...": the writer's
        if any(x in NEGATIONS or x.endswith("n't") for x in said[-3:]):
            return None  # "You can't honestly say that X": the writer denies it
        if w in _HEDGING and _RESEARCH & set(said):
            return None  # "research suggests": a hedge of the writer's
        head = before.rfind(source) if source else 0
        source = _COPULA_END.sub("", source)
        end = m.end()
        rest = spans[i + 1 :]
        if rest and rest[0].group(0).casefold() in _LISTENERS:
            end = rest[0].end()
        t = _THAT.match(text, _skip_space(text, end))
        content = t.end() if t else _skip_space(text, end)
        return _made(text, head, content, content, len(text), source)
    return None


def _speaker(before: str) -> str:
    """Who speaks: the words since the last comma or colon ("In other news, [a viral
    post]"), or, when a comma only closes an aside ("Maria, a nurse from Florida,
    told us"; "My sister, who ..., says"), the words before the aside."""
    head = max(before.rfind(","), before.rfind(":")) + 1
    source = before[head:].strip(_TRIM)
    if source or head == 0:
        return source
    first = before.find(",")
    return before[:first].strip(_TRIM) if 0 < first < head - 1 else ""


def _presenting(text: str) -> Frame | None:
    """ "Clinics market X as a cure" / "X is being promoted online as a cure": a seller
    presents the claim; the content is the whole clause (what is presented as what)."""
    words = list(_WORD.finditer(text))
    for i, m in enumerate(words):
        verb = m.group(0).casefold()
        links = _LINKS.get(verb, ("as", "for")) if verb in PRESENTING else None
        if links is None or i == 0:
            continue
        if verb in _LINKS:
            # Right after a short object, with no verb between ("a drug called
            # metformin lowers the..." names a drug).
            after = [w.group(0).casefold() for w in words[i + 1 : i + 6]]
            at = next((k for k in range(1, len(after)) if after[k] in links), None)
            plural_ok = verb.startswith("blam")  # "blamed cell towers for": a plural object
            if at is None or any(
                _finite(w) or (_third_person(w) and not plural_ok) for w in after[:at]
            ):
                continue
        elif not any(words[k].group(0).casefold() in links
                     for k in range(i + 1, min(i + 9, len(words)))):  # fmt: skip
            continue
        previous = words[i - 1].group(0).casefold()
        if previous in _DETERMINERS:
            continue  # "the market for CBD": a noun
        passive = previous in _BE
        if any(w.group(0).casefold() in NEGATIONS for w in words[max(0, i - 3) : i]):
            continue  # "cannot be marketed as": a rule, not a report
        start = words[i - 1].start() if passive else m.start()
        source = "" if passive else _speaker(text[: m.start()])
        if not passive and (not source or source.casefold().split()[0] in _OWN):
            continue
        return _made(text, start, m.end(), 0, len(text), source)
    return None


_PARTICIPLE = re.compile(
    r",\s*(?:saying|claiming|insisting|arguing|alleging|suggesting|warning)\s+(?:that\s+)?",
    re.I,
)
_NOUN_THAT = re.compile(
    r"\b(?:claims?|rumou?rs?|beliefs?|idea|notion|fears?|suggestions?|assertions?|"
    r"allegations?|theory|theories)\s+that\s+",
    re.I,
)


def _participle(text: str) -> Frame | None:
    """ "Parents asked the school to switch off its WiFi, saying it harms children." """
    m = _PARTICIPLE.search(text)
    return _made(text, m.start(), m.end(), m.end(), len(text), "") if m else None


def _noun_that(text: str) -> Frame | None:
    """ "amid fears that X", "spread the rumour that X": X is what is said or feared,
    not what the writer says. Not as the sentence's subject ("The idea that X is a
    myth"): the writer's predicate follows X there."""
    m = _NOUN_THAT.search(text)
    if m is None or _words(text[: m.start()]) < 2:
        return None
    return _made(text, m.start(), m.end(), m.end(), len(text), "")


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
    clause reports), in the sentence's offsets: the span's own, its clause's, the one
    before it that a clause joined by "and that" shares ("videos saying X and that
    Y": Y is reported too), or one closing the sentence ("X, and Y, she said")."""
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
    return closing(sentence, start, end)


def closing(sentence: str, start: int, end: int) -> Frame | None:
    """A frame closing the sentence reports every clause before it: "“X, but Y,” he
    said." ("X" is his, however the quote is cut)."""
    last = _trailing(sentence)
    if (
        last is not None
        and last.start >= end
        and last.content_start <= _trim(sentence, start, end)[0]
    ):
        return Frame(last.start, last.end, start, end, last.source)
    return None


def _shift(f: Frame, by: int) -> Frame:
    return Frame(f.start + by, f.end + by, f.content_start + by, f.content_end + by, f.source)


# Every word a frame is found by: its verbs, "according", "claim:", the nouns before
# "that", the hearsay adverbs and "heard"/"read".
_CUE_WORDS = (
    REPORTING
    | PRESENTING
    | _AFTER_QUOTE
    | frozenset(
        ["according", "claim", "saying", "claiming", "insisting", "arguing", "alleging",
         "suggesting", "warning", "claims", "rumor", "rumors", "rumour", "rumours", "belief",
         "beliefs", "idea", "notion", "fear", "fears", "suggestion", "suggestions",
         "assertion", "assertions", "allegation", "allegations", "theory", "theories",
         "supposedly", "allegedly", "reportedly", "purportedly", "heard", "read", "what's",
         "what"]
    )
)  # fmt: skip
