"""What a flag highlights, and who the page says makes the claim.

A flag spans the clause that says its claim (`clauses.py`), not its whole sentence; of
a report ("a viral post claims that X"), only what is reported, the frame given apart
(`attribution.py`); of several claims listed in one clause, the item naming each.
Offsets here are code points of the segment's text; the match converts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .attribution import closing, reported
from .clauses import own_spans, split_clauses
from .index import Index
from .polarity import read
from .retrieve import Candidate, Unit
from .text import utf16_offset
from .verify import CLASSES, FEATURES


def span_and_frame(index: Index, text: str, unit: Unit, cand: Candidate):
    """What a flag highlights (the clause holding the claim; of a report, what is
    reported) and the reporting frame, if the page puts the claim in someone's mouth."""
    sentence = unit.sentence or (unit.start, unit.end)
    if len(unit.members) == 1:
        start, end = _clause_of_claim(index, text, unit, cand)
    else:
        start, end = unit.start, unit.end
    said = text[sentence[0] : sentence[1]]
    frame = reported(said, start - sentence[0], end - sentence[0])
    if frame is not None and cand.x is not None and _writer_debunks(cand.x):
        # The writer's own voice wins ("X, a post claims; it is a myth"), unless the
        # debunk is inside a quote too ("“X, but that's not true,” he said").
        frame = closing(said, start - sentence[0], end - sentence[0])
    if frame is not None:
        start, end = sentence[0] + frame.content_start, sentence[0] + frame.content_end
    return start, end, frame


def attribution_of(text: str, base: int, frame, cand: Candidate) -> dict:
    a, b = base + frame.start, base + frame.end
    return {
        "start": utf16_offset(text, a),
        "end": utf16_offset(text, b),
        "exact": text[a:b],
        "source": frame.source,
        "stance": _reported_stance(cand),
    }


def own_parts(index: Index, segs: list[Mapping[str, str]], matches: list, n: int) -> list:
    """Several claims flagged on the very same span ("MMS does not cure autism,
    malaria or HIV") each get their own part of it (`clauses.own_spans`), when the
    parts say which is which; otherwise they keep the span they share."""
    groups: dict[tuple[str, int, int], list[int]] = {}
    for i, m in enumerate(matches):
        groups.setdefault((m.segment_id, m.start, m.end), []).append(i)
    text_of = {str(s["id"]): s["text"] for s in segs}
    pos = {c: i for i, c in enumerate(index.ids)} if len(groups) < len(matches) else {}
    for (sid, _, _), at in groups.items():
        if len(at) < 2 or len({matches[i].claim_id for i in at}) < len(at):
            continue
        text = text_of[sid]
        first = matches[at[0]]
        start, end = _code_points(text, first.start), _code_points(text, first.end)
        names = index.term_list
        claims = [
            frozenset(names[t] for t in index.claim_term_ids(pos[matches[i].claim_id]).tolist())
            for i in at
        ]
        parts = own_spans(text, start, end, claims, lambda t: read(t, index.aliases).terms)
        for i, (a, b) in zip(at, parts or [], strict=False):
            a, b = trim_to_words(text, a, b)
            matches[i] = replace(
                matches[i],
                start=utf16_offset(text, a),
                end=utf16_offset(text, b),
                exact=text[a:b],
                prefix=text[max(0, a - n) : a],
                suffix=text[b : b + n],
            )
    return matches


def parallel_items(index: Index, pairs: list, settings) -> list:
    """The items of one list share what the sentence says of them ("treatment with
    methadone or buprenorphine halves the risk"): a sibling claim that differs from a
    flagged item's claim only in the item ("methadone reduces deaths" beside
    "buprenorphine reduces deaths") gets that verdict on its own item, at most
    `possible` (the head read it weaker on its own)."""
    items = [(u, c) for u, c in pairs if u.said is not None and u.sentence is not None]
    flagged = [(u, c) for u, c in items if _said(c) and c.claim in index.curated]
    if not flagged or len(items) < 2:
        return pairs
    bar = min(settings.confident, settings.confident_curated) - 1e-6
    for u, c in items:
        if _said(c) or c.verdict is None or c.claim not in index.curated:
            continue
        mine = _text_terms(index, c.claim)
        for fu, fc in flagged:
            if fu.sentence != u.sentence or fu is u or not _parallel(fu.said, u.said):
                continue
            theirs = _text_terms(index, fc.claim)
            # Sibling claims: the same words but the item's ("methadone" for
            # "buprenorphine"), in the claims' own texts.
            if fc.claim != c.claim and len(mine ^ theirs) <= 3 and len(mine & theirs) >= 3:
                v = fc.verdict
                c.verdict = type(v)(v.probabilities, v.stance, min(v.score, bar))
                break
    return pairs


def _text_terms(index: Index, claim: int) -> set[str]:
    return set(index.phrasing_terms(index.phrasings_of(claim)[0]))


def _said(c: Candidate) -> bool:
    """A verdict that flags: the sentence repeats or disputes the claim."""
    return c.verdict is not None and c.verdict.stance != "unclear" and c.verdict.score >= 0.5


def _parallel(a: str, b: str) -> bool:
    """Two readings of one sentence that differ only in a few words in the middle
    (two items of one list, read each with the words around the list)."""
    x, y = a.split(), b.split()
    k = 0
    while k < min(len(x), len(y)) and x[k] == y[k]:
        k += 1
    j = 0
    while j < min(len(x), len(y)) - k and x[-1 - j] == y[-1 - j]:
        j += 1
    return 0 < max(len(x), len(y)) - k - j <= 3 and k + j >= 3


def drop_explained(index: Index, segs: list[Mapping[str, str]], found: list) -> list:
    """A claim only a part of a sentence flags is dropped when the claims flagged on
    the whole sentence already explain every word it shares with that part: "Detox
    teas melt fat and boost your metabolism" says the claim about both, not a
    sibling claim that shares the first half's words. An imported claim (no curation)
    is never flagged on a part read with borrowed words (a list item, a predicate
    with its subject, a pronoun's antecedent): its short text matches such fragments
    too easily ("..., magnesium stearate and [titanium dioxide]")."""
    found = [(u, c) for u, c in found if u.said is None or c.claim in index.curated]
    whole: dict[int, set[int]] = {}
    for u, c in found:
        if u.sentence is None and len(u.members) == 1:
            whole.setdefault(u.members[0], set()).add(c.claim)
    if not whole:
        return found
    names = index.term_list

    def terms_of(claim: int) -> set[str]:
        return {names[t] for t in index.claim_term_ids(claim).tolist()}

    explained: dict[int, set[str]] = {}
    out = []
    for u, c in found:
        n = u.members[0]
        if u.sentence is None or c.claim in whole.get(n, ()) or n not in whole:
            out.append((u, c))
            continue
        if n not in explained:
            said = read(segs[u.segment]["text"][slice(*u.sentence)], index.aliases).terms
            explained[n] = {t for k in whole[n] for t in terms_of(k) & said}
        text = u.said or segs[u.segment]["text"][u.start : u.end]
        if not terms_of(c.claim) & read(text, index.aliases).terms <= explained[n]:
            out.append((u, c))
    return out


def _code_points(text: str, utf16: int) -> int:
    """The code-point offset of a UTF-16 offset of `text`."""
    if text.isascii():
        return utf16
    count = 0
    for i, ch in enumerate(text):
        if count >= utf16:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def _clause_of_claim(index: Index, text: str, unit: Unit, cand: Candidate) -> tuple[int, int]:
    """A whole sentence's flag narrowed to the one clause holding the claim's words,
    when no other clause holds any (else the claim straddles them: the sentence)."""
    if unit.sentence is not None:
        return unit.start, unit.end
    pieces = split_clauses(text[unit.start : unit.end])
    if len(pieces) < 2:
        return unit.start, unit.end
    mine = set(index.claim_term_ids(cand.claim).tolist())
    names = index.term_list
    words = {names[t] for t in mine}
    holding = [
        p
        for p in pieces
        if words & read(text[unit.start + p.start : unit.start + p.end], index.aliases).terms
    ]
    if len(holding) != 1:
        return unit.start, unit.end
    return unit.start + holding[0].start, unit.start + holding[0].end


_DEBUNK = [FEATURES.index(k) for k in ("debunk_here", "debunk_before", "debunk_after")]


_DEBUNK = [FEATURES.index(k) for k in ("debunk_here", "debunk_before", "debunk_after")]


def _writer_debunks(x) -> bool:
    return bool(x[_DEBUNK].any())


def _reported_stance(cand: Candidate) -> str:
    """Which way the reported speaker leans, when the verification head says so
    clearly (twice as likely one way as the other)."""
    if cand.verdict is None:
        return "unclear"
    p = dict(zip(CLASSES, cand.verdict.probabilities, strict=True))
    if p["repeats"] > 2 * p["disputes"]:
        return "repeats"
    if p["disputes"] > 2 * p["repeats"]:
        return "disputes"
    return "unclear"


def trim_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Start the highlight at the first letter, digit or quote (not an emoji)."""
    while start < end and not (text[start].isalnum() or text[start] in "\"'“‘(«"):
        start += 1
    return start, end
