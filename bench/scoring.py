"""How `bench/flags.py` judges the flags of a run against labels (pure functions; the
rules are written out in bench/README.md, "Flags").

A document is what one page sends: paragraphs, and labelled spans (a sentence, a
tweet, a transcript row) each with the claims it carries, `{claim id: label}`:
- `repeats` / `disputes`: a flag of that claim is right with that stance (with the
  other stance, or `unclear`, it is wrong: the two are counted apart);
- `says` (tweets, Full Fact rows: no stance label): a flag of that claim is right
  whatever its stance;
- `mentions`: no flag is wanted; one with stance `unclear` is tolerated (the
  reader is told the claim is being talked about, which is true) and counts neither
  way; a flag that says it is repeated or disputed is wrong;
- `unrelated`, or a claim the span does not carry, or a span with no claim: wrong;
- a span whose claim the database does not hold (labels None): its flags are not
  judged (a flag of a neighbouring claim may be fair), and it is no target.
A document with no spans (news) has no labels: its flags are counted, not judged.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from scipy.stats import binomtest

TIERS = ("confident", "possible")
RIGHT, TOLERATED, UNLABELLED, UNJUDGED = "right", "tolerated", "unlabelled", "unjudged"
WRONG_KINDS = (
    "opposite stance",
    "stance unclear",
    "mention as said",
    "unrelated",
    "other claim",
    "nothing to flag",
)
STANCE_OF = {"repeats": "repeats", "disputes": "disputes", "mentions": "unclear"}
BAD_VERDICTS = ("false", "misleading")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True, slots=True)
class Flag:
    paragraph: int
    start: int  # UTF-16 units in the paragraph
    end: int
    claim: str  # its same-claim group (claims that read the same count as one)
    claim_id: str
    tier: str
    stance: str
    assessment: str
    score: float
    method: str
    quote: str  # prefix [exact] suffix
    attributed: bool = False  # the page reports the claim (issue 16; absent before)

    @classmethod
    def from_match(cls, m: dict, paragraph: int, base: int, group: dict[str, str]) -> Flag:
        return cls(
            paragraph,
            base + m["start"],
            base + m["end"],
            group.get(m["claim_id"], m["claim_id"]),
            m["claim_id"],
            m["tier"],
            m["stance"],
            m["assessment"],
            m["score"],
            m.get("method", "lexical"),
            f"{m['prefix']}[{m['exact']}]{m['suffix']}",
            bool(m.get("attributed", False)),
        )

    def at(self, tier: str) -> bool:
        return tier == "possible" or self.tier == "confident"


@dataclass(slots=True)
class Span:
    paragraph: int
    start: int  # UTF-16 units in the paragraph
    end: int
    labels: dict[str, str] | None  # claim id -> label; {}: nothing to flag; None: unjudged

    def overlaps(self, f: Flag) -> bool:
        return self.paragraph == f.paragraph and self.start < f.end and f.start < self.end


@dataclass(slots=True)
class Doc:
    key: str
    paragraphs: list[str]
    spans: list[Span] | None  # None: unlabelled (news)
    meta: dict = field(default_factory=dict)


def judge_in(f: Flag, labels: dict[str, str] | None) -> str:
    """What a flag is in one span whose labels are keyed by same-claim group."""
    if labels is None:
        return UNJUDGED
    label = labels.get(f.claim)
    if label == "says":
        return RIGHT
    if label in ("repeats", "disputes"):
        if f.stance == label:
            return RIGHT
        return "stance unclear" if f.stance == "unclear" else "opposite stance"
    if label == "mentions":
        return TOLERATED if f.stance == "unclear" else "mention as said"
    if label == "unrelated":
        return "unrelated"
    return "other claim" if labels else "nothing to flag"


def judge(f: Flag, doc: Doc, group: dict[str, str]) -> str:
    """The best reading of a flag over the spans it touches."""
    if doc.spans is None:
        return UNLABELLED
    order = {RIGHT: 0, TOLERATED: 1, UNJUDGED: 2}
    found = [judge_in(f, grouped(s.labels, group)) for s in doc.spans if s.overlaps(f)]
    return min(found, key=lambda j: order.get(j, 3), default="nothing to flag")


def grouped(labels: dict[str, str] | None, group: dict[str, str]) -> dict[str, str] | None:
    if labels is None:
        return None
    return {group.get(c, c): label for c, label in labels.items()}


@dataclass(slots=True)
class Tally:
    flags: dict[str, Counter] = field(default_factory=lambda: {t: Counter() for t in TIERS})
    targets: int = 0
    found: Counter = field(default_factory=Counter)  # tier -> targets flagged right
    named: Counter = field(default_factory=Counter)  # tier -> targets whose claim is flagged
    stance: Counter = field(default_factory=Counter)  # (expected, given) -> count
    paint: Counter = field(default_factory=Counter)  # (tier, assessment) of wrong flags
    right_stance: Counter = field(default_factory=Counter)  # stance of right flags, possible

    def add(self, other: Tally) -> None:
        for t in TIERS:
            self.flags[t].update(other.flags[t])
        self.targets += other.targets
        self.found.update(other.found)
        self.named.update(other.named)
        self.stance.update(other.stance)
        self.paint.update(other.paint)
        self.right_stance.update(other.right_stance)

    def precision(self, tier: str) -> tuple[int, int]:
        c = self.flags[tier]
        return c[RIGHT], c[RIGHT] + sum(c[k] for k in WRONG_KINDS)

    def recall(self, tier: str) -> tuple[int, int]:
        return self.found[tier], self.targets

    def stance_accuracy(self) -> tuple[int, int]:
        return sum(n for (e, g), n in self.stance.items() if e == g), sum(self.stance.values())


def tally(doc: Doc, flags: list[Flag], group: dict[str, str], says_stance: str | None) -> Tally:
    """One document's flags judged. `says_stance`: the stance a `says` label expects
    for stance accuracy (None: not counted)."""
    t = Tally()
    for f in flags:
        verdict = judge(f, doc, group)
        for tier in TIERS:
            if f.at(tier):
                t.flags[tier][verdict] += 1
                if verdict not in (RIGHT, TOLERATED, UNLABELLED, UNJUDGED):
                    t.paint[(tier, f.assessment)] += 1
        if verdict == RIGHT:
            t.right_stance[f.stance] += 1
    for span in doc.spans or []:
        labels = grouped(span.labels, group) or {}
        for claim, label in labels.items():
            mine = [f for f in flags if f.claim == claim and span.overlaps(f)]
            if label in ("repeats", "disputes", "says"):
                t.targets += 1
                for tier in TIERS:
                    t.found[tier] += any(f.at(tier) and judge_in(f, labels) == RIGHT for f in mine)
                    t.named[tier] += any(f.at(tier) for f in mine)
            expected = says_stance if label == "says" else STANCE_OF.get(label)
            if mine and expected:
                t.stance[(expected, max(mine, key=lambda f: f.score).stance)] += 1
    return t


def missed(doc: Doc, flags: list[Flag], group: dict[str, str]) -> list[tuple[Span, str, str]]:
    """(span, claim, label) of the claims to find that no right flag finds."""
    return [
        (s, c, label)
        for s in doc.spans or []
        for c, label in (s.labels or {}).items()
        if label in ("repeats", "disputes", "says")
        and not any(
            s.overlaps(f) and judge_in(f, grouped(s.labels, group)) == RIGHT
            for f in flags
            if f.claim == group.get(c, c)
        )
    ]


def page_check(doc: Doc, flags: list[Flag], verdicts: dict[str, str], group) -> dict:
    """Per labelled page: which false claims it repeats are flagged `confident` and
    right, and how many of its sentences with nothing to flag are flagged."""
    said = {
        c
        for s in doc.spans or []
        for c, label in (s.labels or {}).items()
        if label == "repeats" and verdicts.get(c) in BAD_VERDICTS
    }
    caught = {
        c
        for c in said
        if any(
            f.claim == group.get(c, c) and f.tier == "confident" and judge(f, doc, group) == RIGHT
            for f in flags
        )
    }
    harmless = [s for s in doc.spans or [] if s.labels == {}]
    return {
        "said": sorted(said),
        "missed": sorted(said - caught),
        "harmless": len(harmless),
        "harmless_possible": sum(any(s.overlaps(f) for f in flags) for s in harmless),
        "harmless_confident": sum(
            any(s.overlaps(f) and f.tier == "confident" for f in flags) for s in harmless
        ),
    }


# --- several claims in one sentence, and claims a page reports (issue 16) -----------

# Pairs written as a report of someone else's words (bench/data/README.md, patterns).
REPORTED_PATTERNS = ("attribution", "quote")


@dataclass(slots=True)
class Clauses:
    """Sentences labelled with two or more claims the database holds, and labelled
    attributions: how many the flags get right."""

    multi: int = 0  # sentences with 2+ claims to flag or to mark as reported
    multi_all: int = 0  # every one of its claims flagged right (or reported, for a mention)
    multi_own: int = 0  # ... and each with its own span (no two claims share one span)
    reported: int = 0  # (sentence, claim) labelled `mentions` that report someone's words
    reported_flagged: int = 0  # a flag of that claim on it, any tier
    reported_marked: int = 0  # ... marked `attributed`
    asserted_marked: int = 0  # flags marked `attributed` on a claim labelled repeats/disputes
    asserted_flagged: int = 0  # flags on a claim labelled repeats/disputes

    def add(self, other: Clauses) -> None:
        for k in self.__slots__:
            setattr(self, k, getattr(self, k) + getattr(other, k))


def _span_text(doc: Doc, s: Span) -> str:
    raw = doc.paragraphs[s.paragraph].encode("utf-16-le", "surrogatepass")
    return raw[s.start * 2 : s.end * 2].decode("utf-16-le", "surrogatepass")


def clause_tally(doc: Doc, flags: list[Flag], group: dict[str, str]) -> Clauses:
    """Multi-claim sentences: each claim flagged right at `possible` or above (a
    `mentions` label: flagged and marked `attributed`), and the claims' best flags
    on pairwise different spans. Reported claims: `mentions` labels on a statement
    (pages: not a question; pairs: the attribution and quote patterns)."""
    t = Clauses()
    pattern = doc.meta.get("pattern")
    for s in doc.spans or []:
        labels = grouped(s.labels, group) or {}
        best: dict[str, Flag] = {}
        for claim, label in labels.items():
            mine = [f for f in flags if f.claim == claim and s.overlaps(f)]
            if label in ("repeats", "disputes"):
                t.asserted_flagged += len(mine)
                t.asserted_marked += sum(f.attributed for f in mine)
                ok = [f for f in mine if judge_in(f, labels) == RIGHT]
            elif label == "mentions":
                ok = [f for f in mine if f.attributed or f.stance == "unclear"]
                question = "?" in _span_text(doc, s)
                if (pattern in REPORTED_PATTERNS) if pattern else not question:
                    t.reported += 1
                    t.reported_flagged += bool(mine)
                    t.reported_marked += any(f.attributed for f in mine)
            else:
                continue
            if ok:
                best[claim] = max(ok, key=lambda f: f.score)
        wanted = [c for c, lab in labels.items() if lab in ("repeats", "disputes", "mentions")]
        if len(wanted) >= 2 and pattern is None:
            t.multi += 1
            if all(c in best for c in wanted):
                t.multi_all += 1
                spans = {(best[c].paragraph, best[c].start, best[c].end) for c in wanted}
                t.multi_own += len(spans) == len(wanted)
    return t


def _exact(f: Flag) -> str:
    return f.quote.split("[", 1)[-1].rsplit("]", 1)[0]


def clause_cases(doc: Doc, flags: list[Flag], group: dict[str, str]) -> list[str]:
    """For reading (`flags.py --verbose`): each multi-claim sentence not fully right
    and each reported claim not marked attributed, with the flags that touch it (claim,
    tier, stance, attributed, highlighted text)."""
    out = []
    pattern = doc.meta.get("pattern")
    for n, s in enumerate(doc.spans or []):
        labels = grouped(s.labels, group) or {}
        wanted = {c: lab for c, lab in labels.items() if lab in ("repeats", "disputes", "mentions")}
        mine = [f for f in flags if s.overlaps(f)]
        one = Clauses()
        one_doc = Doc(doc.key, doc.paragraphs, [s], doc.meta)
        one.add(clause_tally(one_doc, mine, group))
        bad_multi = one.multi and not one.multi_own
        bad_report = one.reported > one.reported_marked
        if not (bad_multi or bad_report):
            continue
        kind = "multi" if bad_multi else "reported"
        if bad_multi and bad_report:
            kind = "multi+reported"
        out.append(f"[{kind}] {doc.key}#{n} {pattern or ''}\n  text: {_span_text(doc, s)}")
        out.append("  want: " + "; ".join(f"{c} {lab}" for c, lab in wanted.items()))
        for f in sorted(mine, key=lambda f: (f.start, -f.score)):
            mark = " attributed" if f.attributed else ""
            out.append(
                f"  got:  {f.claim_id} {f.tier} {f.stance}{mark} {f.score:.2f} [{_exact(f)}]"
            )
        if not mine:
            out.append("  got:  nothing")
    return out


def wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return math.nan, math.nan
    ci = binomtest(k, n).proportion_ci(0.95, method="wilson")
    return ci.low, ci.high


def share(k: int, n: int) -> str:
    """`0.812 [0.735, 0.871] 95/117`, or `n/a 0/0`."""
    if n == 0:
        return "n/a 0/0"
    lo, hi = wilson(k, n)
    return f"{k / n:.3f} [{lo:.3f}, {hi:.3f}] {k}/{n}"


def ratio(k: int, n: int) -> str:
    return f"{k / n:.3f}" if n else "nan"
