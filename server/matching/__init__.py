"""The matching engine: page text in, checked claims out.

Pure functions over an `Index` of published claims; no Flask, no database. One
record (`retrieve.Candidate`) flows through the stages:

- retrieve (`retrieve.py`; `sentences.py`, `text.py`): sentences → terms → the few
  claims each is closest to, over the index (`index.py`, built by `build.py`);
- parts (`parts.py`; `clauses.py`, `attribution.py`): a sentence that names some
  claim's subject is also read part by part -- its clauses, what a reporting frame
  reports, each predicate or list item with its subject, a pronoun with what it stands
  for -- and a claim put in someone's mouth is read as reported;
- verify (`verify.py`, `polarity.py`): what each clause does with each candidate:
  repeats, disputes, mentions, or says something else, as probabilities;
- decide (here, `decide.py`, `passages.py`): one flag per claim and sentence, on the
  part that says it; tier and stance, then spans in UTF-16 code units with the quote
  around them. Imported claims (no curation) are
  judged by `specificity.py`: too generic is never flagged, the rest stays possible.

`ranking.py` orders every claim for one text taken whole (a tweet, a post);
`semantic.py` and `embed.py` are the optional sentence-vector stage; `config.py`
holds the operating points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .attribution import cued
from .build import build_index
from .clauses import clause_reading
from .config import DEFAULT, Settings, TooMuchText
from .decide import Features, Weights, assessment
from .index import Index
from .parts import starts_with_pronoun
from .passages import (
    attribution_of,
    drop_explained,
    own_parts,
    parallel_items,
    span_and_frame,
    trim_to_words,
)
from .polarity import read
from .ranking import rank, rank_features
from .retrieve import Candidate, Unit, find_candidates, read_clauses, read_page
from .semantic import Semantic
from .specificity import Imported, rarity
from .specificity import judge as judge_imported
from .text import utf16_offset
from .verify import features, judge

__all__ = [
    "Features",
    "Index",
    "Match",
    "Semantic",
    "Settings",
    "TooMuchText",
    "Weights",
    "build_index",
    "candidate_features",
    "find_matches",
    "imported",
    "rank",
    "rank_features",
    "verified",
]


@dataclass(frozen=True, slots=True)
class Match:
    segment_id: str
    start: int  # UTF-16 code units
    end: int
    exact: str
    prefix: str
    suffix: str
    claim_id: str
    score: float
    tier: str
    stance: str
    assessment: str
    method: str = "lexical"  # "semantic": found only by meaning (few shared words)
    # The page reports the claim ("a viral post claims X", "X, she said"): stance is
    # then `unclear` (the page does not say it) and `attribution` tells who does.
    attributed: bool = False
    attribution: dict | None = None  # start, end (UTF-16), exact, source, stance


def find_matches(
    index: Index,
    segments: Iterable[Mapping[str, str]],
    settings: Settings = DEFAULT,
    semantic: Semantic | None = None,
) -> list[Match]:
    """The passages of `segments` (mappings with `id` and `text`) that repeat or
    dispute a claim of `index`, or talk about it, in page order. With `semantic`,
    sentences that name a claim's subject are also compared with its phrasings by
    meaning."""
    segs = list(segments)
    pairs = parallel_items(index, verified(index, segs, settings, semantic), settings)
    found = [(u, c) for u, c in pairs if _flags(c, settings)]
    found = drop_explained(index, segs, found)
    found = _clause_or_sentence(found)
    # A joined pair only counts for claims neither sentence matched alone.
    alone = {(u.members[0], c.claim) for u, c in found if len(u.members) == 1}
    matches = [
        _match(index, segs, unit, cand, settings)
        for unit, cand in found
        if len(unit.members) == 1 or not any((m, cand.claim) in alone for m in unit.members)
    ]
    matches = own_parts(index, segs, matches, settings.quote_context)
    order = {str(seg["id"]): i for i, seg in reversed(list(enumerate(segs)))}
    matches.sort(key=lambda m: (order[m.segment_id], m.start, -m.score, m.claim_id))
    return _drop_overlapping_pairs(matches)


def verified(
    index: Index,
    segs: list[Mapping[str, str]],
    settings: Settings = DEFAULT,
    semantic: Semantic | None = None,
) -> list[tuple[Unit, Candidate]]:
    """Retrieve, then verify: each unit's few best candidates (a second claim only if
    it explains words the better ones do not: "cure for opioid addiction" must not
    also read as "kratom is not addictive"), each with its verdict."""
    page = read_page(index, segs, settings)
    found = [(page, r, cands) for r, cands in find_candidates(index, page, settings, semantic)]
    parts = read_clauses(index, segs, page, _to_read_in_parts(index, page, segs, found), settings)
    if parts is not None:
        found += [(parts, r, cands) for r, cands in find_candidates(index, parts, settings)]
    out: list[tuple[Unit, Candidate]] = []
    for page, r, cands in found:
        context = page.clause_of(r)
        if context is None:
            reading = read(page.text_of(r), index.aliases)
        else:
            sentence, start, end, said = context
            reading = clause_reading(sentence, start, end, index.aliases, said)
        logits = [c.features.logit(settings.weights) for c in cands]
        said = set(page.texts.terms_of(r).tolist())
        explained: set[int] = set()
        chosen: list[Candidate] = []
        by_meaning = False
        for i, cand in enumerate(cands):
            if not _may_flag(index, cand.claim, said):
                continue
            shared = set(index.claim_term_ids(cand.claim).tolist()) & said
            if explained and shared <= explained:
                continue
            # A sentence matched by meaning alone reads as one claim, its best.
            if cand.method == "semantic":
                if by_meaning:
                    continue
                by_meaning = True
            explained |= shared
            others = logits[:i] + logits[i + 1 :]
            lead = logits[i] - max(others) if others else 10.0
            _verify(index, reading, cand, lead, settings)
            chosen.append(cand)
            if len(chosen) >= settings.per_sentence:
                break
        out.extend((page.units[u], cand) for u in page.rows[r] for cand in chosen)
    return out


def _to_read_in_parts(index: Index, page, segs, found) -> list[int]:
    """The sentences also read part by part (`parts.py`): those with a candidate as a
    whole; those naming two claims' subjects or holding a reporting cue (a long
    sentence that says two things dilutes each claim's words below the floor: "In
    other news, a post claimed X, and a shop owner we spoke to insisted Y"); and those
    led by a pronoun, whose subject is in the sentence before ("Kratom is sold
    everywhere. It is not addictive, they say.")."""
    close = {page.units[u].members[0] for _, r, _ in found for u in page.rows[r]
             if page.single[r]}  # fmt: skip
    rows, claims = index.subject_candidates(page.texts)
    by_row: dict[int, list[int]] = {}
    for r, c in zip(rows.tolist(), claims.tolist(), strict=True):
        by_row.setdefault(r, []).append(c)
    for r, cs in by_row.items():
        if not page.single[r]:
            continue
        n = page.units[page.rows[r][0]].members[0]
        if n in close:
            continue
        g, a, b = page.spans[n]
        if _two_subjects(index, cs) or cued(segs[g]["text"][a:b]):
            close.add(n)
    for n, (g, a, b) in enumerate(page.spans):
        if n and page.spans[n - 1][0] == g and starts_with_pronoun(segs[g]["text"][a:b]):
            close.add(n)
    return sorted(close)


def _two_subjects(index: Index, claims: list[int]) -> bool:
    """Whether the claims a sentence names the subject of have no subject word in
    common (two things named, "vaccines ... and kratom ...")."""
    common: set[int] | None = None
    for c in claims[:30]:
        terms = set(index.required(c).tolist())
        common = terms if common is None else common & terms
        if not common:
            return len(claims) > 1
    return False


def candidate_features(
    index: Index,
    segments: Iterable[Mapping[str, str]],
    settings: Settings = DEFAULT,
    semantic: Semantic | None = None,
    decide_at: float | None = None,
) -> list[tuple[str, int, int, str, Features]]:
    """Every (passage, claim) pair retrieval scores at `settings.floor` or above,
    with its features: (segment id, start, end in code points, claim id, features).
    For fitting the retrieval weights (`bench/fit.py`): pass `floor=0` to see every
    candidate, and `decide_at` the threshold at which the words flag a pair (it
    decides which sentences the semantic stage takes)."""
    segs = list(segments)
    page = read_page(index, segs, settings)
    return [
        (
            str(segs[page.units[u].segment]["id"]),
            page.units[u].start,
            page.units[u].end,
            index.ids[c.claim],
            c.features,
        )
        for r, cands in find_candidates(index, page, settings, semantic, decide_at)
        for u in page.rows[r]
        for c in cands
    ]


def _verify(index: Index, reading, cand: Candidate, lead: float, settings: Settings) -> None:
    f = cand.features
    retrieval = {
        "logit": f.logit(settings.weights),
        "lead": lead,
        "coverage": f.coverage,
        "evidence": f.evidence,
        "precision": f.precision,
    }
    cand.x = features(index, reading, cand.claim, cand.phrasing, retrieval)
    cand.verdict = judge(cand.x)


def _flags(cand: Candidate, settings: Settings) -> bool:
    if cand.method == "semantic":
        return cand.score >= settings.words_flag
    return cand.verdict is not None and cand.verdict.score >= settings.possible


def _match(
    index: Index, segs: list[Mapping[str, str]], unit: Unit, cand: Candidate, settings: Settings
) -> Match:
    text = segs[unit.segment]["text"]
    sentence = unit.sentence or (unit.start, unit.end)
    start, end, frame = span_and_frame(index, text, unit, cand)
    start, end = trim_to_words(text, start, end)
    if cand.method == "semantic" or cand.verdict is None:
        # Sentence vectors barely register negation ("is addictive" sits next to "is
        # not addictive"), and a rewording may say a claim with negatives of its own
        # ("no one has ever died from it"): whether it repeats or disputes is unknown.
        # Meaning alone never makes a confident flag: training data had too few
        # close rewordings to say how precise that would be.
        stance, score, tier = "unclear", cand.score, "possible"
    else:
        stance, score = cand.verdict.stance, cand.verdict.score
        # A mention (stance unclear) is shown, never as a confident flag.
        curated = cand.claim in index.counters
        bar = settings.confident_curated if curated else settings.confident
        confident = score >= bar and stance != "unclear"
        if cand.claim not in index.curated and settings.imported_possible_only:
            confident = False  # an imported claim is a possible flag until curated
        tier = "confident" if confident else "possible"
    attribution = None
    if frame is not None:
        # Reported, not said: never a confident flag, never painted as the page's own.
        attribution = attribution_of(text, sentence[0], frame, cand)
        stance, tier = "unclear", "possible"
    n = settings.quote_context
    return Match(
        segment_id=str(segs[unit.segment]["id"]),
        start=utf16_offset(text, start),
        end=utf16_offset(text, end),
        exact=text[start:end],
        prefix=text[max(0, start - n) : start],
        suffix=text[end : end + n],
        claim_id=index.ids[cand.claim],
        score=round(score, 4),
        tier=tier,
        stance=stance,
        assessment=assessment(index.verdicts[cand.claim], stance),
        method=cand.method,
        attributed=frame is not None,
        attribution=attribution,
    )


def _clause_or_sentence(found: list[tuple[Unit, Candidate]]) -> list[tuple[Unit, Candidate]]:
    """A claim both a sentence and parts of it flag is flagged once, on a part (its
    span is what says the claim), read without its neighbours' negations and cues.
    A clause read as written wins over itself read with a pronoun's antecedent when
    they disagree; otherwise the surer part. The whole sentence's verdict is kept
    when it reads the same way and surer (the part alone lost words the claim needs:
    "safe and natural way to get off opioids"), or when the part only finds the
    claim mentioned."""
    whole = {(u.members[0], c.claim): c for u, c in found if _whole(u)}
    best: dict[tuple[int, int], tuple[Unit, Candidate]] = {}
    for u, c in found:
        key = (u.members[0], c.claim)
        if u.sentence is not None and (key not in best or _better(u, c, *best[key])):
            best[key] = (u, c)
    out = []
    for u, c in found:
        key = (u.members[0], c.claim)
        if key not in best or not (u.sentence is not None or c is whole.get(key)):
            out.append((u, c))
            continue
        if c is not best[key][1]:
            continue  # the whole sentence, or a weaker part: the best part holds it
        w = whole.get(key)
        if (
            w is not None
            and _stance(w) != "unclear"
            and (_stance(c) == "unclear" or (_stance(w) == _stance(c) and _final(w) > _final(c)))
        ):
            c = w
        out.append((u, c))
    return out


def _better(u: Unit, c: Candidate, bu: Unit, bc: Candidate) -> bool:
    """Whether part `u` flags its claim better than part `bu` does: a clause read as
    written rather than with a pronoun's antecedent when they disagree, else the
    surer."""
    same_span = (u.start, u.end) == (bu.start, bu.end)
    if same_span and (u.said is None) != (bu.said is None) and _stance(c) != _stance(bc):
        return u.said is None
    return _final(c) > _final(bc)


def _stance(cand: Candidate) -> str:
    return cand.verdict.stance if cand.verdict is not None else "unclear"


def _final(cand: Candidate) -> float:
    return cand.verdict.score if cand.verdict is not None else cand.score


def _whole(unit: Unit) -> bool:
    return unit.sentence is None and len(unit.members) == 1


def _may_flag(index: Index, claim: int, said: set[int]) -> bool:
    """A curated claim (counter statements or required terms given) always; an
    imported one only when it is specific enough and the sentence says a word of its
    subject (`specificity.py`)."""
    if claim in index.curated:
        return True
    found = imported(index, claim)
    if not found.flaggable:
        return False
    return any(index.vocab.get(s, -1) in said for s in found.subject)


def imported(index: Index, claim: int) -> Imported:
    """The specificity verdict of a claim as imported (cached on the read-only index:
    a dict item is set atomically)."""
    cache = index.__dict__.setdefault("_imported", {})
    found = cache.get(claim)
    if found is None:
        # The claim's own text (its first phrasing): what a feed's row says.
        stems = index.phrasing_terms(index.phrasings_of(claim)[0])
        found = cache[claim] = judge_imported(stems, rarity())
    return found


def _drop_overlapping_pairs(matches: list[Match]) -> list[Match]:
    """Two joined pairs can cover the same claim twice; keep the better one. Matches
    come sorted by start within a segment, so a kept match that ends before this one
    starts can clash with no later one: each is compared with the few still open
    (comparing with every kept match took 1.8 s for 5,000 repeats of a claim)."""
    out: list[Match] = []
    open_: dict[tuple[str, str], list[int]] = {}
    for m in matches:
        active = open_.setdefault((m.segment_id, m.claim_id), [])
        active[:] = [i for i in active if out[i].end > m.start]
        clash = next((i for i in active if out[i].start < m.end), None)
        if clash is None:
            active.append(len(out))
            out.append(m)
        elif m.score > out[clash].score:
            out[clash] = m
    return out
