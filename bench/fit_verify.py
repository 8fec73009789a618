"""Fit the verification head (`server/matching/verify_head.json`) and print the
precision of flags at each threshold of its score, on fit data only.

    python bench/fit_verify.py --data ../shared/data [--write]

Training pairs are every (sentence, candidate claim) pair that retrieval hands to
verification (`matching.verified`), with the features it computes, labelled by the
set of classes that may be right (a partial label: a tweet "says" its claim without
saying which way):

- generated from the shipped claims' own data, in our own templates (`TEMPLATES`):
  phrasings → repeats, counter statements → disputes, phrasings inside attribution
  or question frames → mentions (also less one word, `drop_word`), phrasings inside
  negating frames or turned around by a negation (`negate`) → disputes, headings
  naming the topic (`heading`) → unrelated or mentions, phrasings among tokens no
  claim uses (`noise`) → repeats, and
  every other claim retrieval offers for these sentences → unrelated;
- CLEF-2020 train tweets: their own claim → repeats (repeats or disputes when the
  tweet holds a debunking word), others → unrelated;
- the FIT half of the Full Fact pairs: their own claim, likewise;
- the FIT half of the health news: real prose that repeats no false claim: a pair of
  a false/misleading claim may be anything but `repeats`, of a supported claim
  anything but `disputes` (the flags that would paint correct news red);
- the team-written TRAINING pairs (`bench/train/pairs-train*.jsonl`, frozen, never a
  copy of a report sentence): page-style sentences, each with its labelled claim;
  every other claim retrieval offers → unrelated, unless the sentence says most of
  its wording (a sibling claim, left out). Only a writer's pairs who does not fit the
  head are fitted on (`SHARE`).

Never the team-written REPORT set (bench/data), report halves or dev sets. The head
is a multinomial logistic regression with an L2 penalty (scipy), each source weighted
equally in total except as `SHARE` says.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

import numpy as np
from datasets import Labelled, half_of, load_pairs, read_team_pairs
from scipy.optimize import minimize

from server import db as dbm
from server import store
from server.matching import Index, Settings, build_index, verified
from server.matching.polarity import debunks
from server.matching.verify import CLASSES, FEATURES, HEAD_FILE, Head, judge

REP, DIS, MEN, UNR = (1 << i for i in range(4))
ANY = REP | DIS | MEN | UNR
LABEL = {"repeats": REP, "disputes": DIS, "mentions": MEN, "unrelated": UNR}
TRAIN_PAIRS = Path(__file__).with_name("train") / "pairs-train.jsonl"
TRAIN_PAIRS_2 = Path(__file__).with_name("train") / "pairs-train-2.jsonl"
# Each source's share of the total weight (1 unless listed). `team-train` (the lead's
# pairs) is 0: the lead builds the head, so those pairs are only printed as a check.
# `team-train-2` (a second writer's 635 pairs, split in FOLDS folds by claim) is the one
# source written as pages are; `--cv` fits without each fold in turn and prints the
# held-out curve. The news halves (the only realistic negatives) weigh 4 and 2.
# Measured 2026-12-08 (bench/README.md, "Fifth session"): a head refitted with these
# shares reads better on the held-out folds than the shipped head, but worse on the
# report set and the report-half news, so verify_head.json was not rewritten.
SHARE = {"team-train": 0.0, "team-train-2": 2.0, "news": 4.0, "news-10k": 2.0}
FIT_SETTINGS = Settings()
# Generated sentences: another claim whose wording they cover this much is left out
# (the shipped claims have close siblings, "clinical trials prove kratom works" and
# "kratom is a proven treatment for opioid withdrawal"), not called unrelated.
SIBLING = 0.75

# Our own frames around a claim's wording (s: the sentence, l: it lower-cased at
# the start, q: without its final stop).
TEMPLATES: list[tuple[int, str]] = [
    (REP, "{s}"),
    (REP, "Honestly, {l}"),
    (REP, "Here is the truth: {l}"),
    (REP, "I can tell you from experience that {l}"),
    (REP, "{s} Everyone should know this."),
    (REP, "Trust me, {l}"),
    (REP, "The media calls it fake, but {l}"),
    (REP, "Ignore the so-called myth busters: {l}"),
    (REP, "Call it a hoax if you like: {l}"),
    (REP, "{q}, and that is why so many people swear by it."),
    (REP, "After years of research, {l}"),
    (REP, "As our customers keep finding, {l}"),
    (REP, "Unlike what the pharmacy sells you, {l}"),
    (REP, "Big Pharma labels it misinformation, but {l}"),
    (DIS, "It is not true that {l}"),
    (DIS, "There is no evidence that {l}"),
    (DIS, "The idea that {q} is a myth."),
    (DIS, "It's a misconception that {l}"),
    (DIS, "Stories saying that {q} have been debunked."),
    (DIS, "Despite what you read online, it is false that {l}"),
    (MEN, "Some people are convinced that {l}"),
    (MEN, "According to a post going around, {l}"),
    (MEN, "My neighbour keeps telling me that {l}"),
    (MEN, "Is it true that {q}?"),
    (MEN, "Sellers claim that {l}"),
    (MEN, "You may have heard that {l}"),
    (MEN, "A reader asked us whether {q}."),
    (MEN, "{q}? We looked into it."),
    (MEN, "People on the forum say that {l}"),
]
COUNTER_TEMPLATES = ["{s}", "In fact, {l}", "The evidence is clear: {l}", "Remember that {l}"]


_AUX = re.compile(r"\b(is|are|can|will|was|were|has|have|does|do|did|should|must)\b", re.I)
_NEG = re.compile(r"\s*\b(not|never)\b|n't\b", re.I)


def negate(text: str) -> str:
    """The claim's wording turned around by its negation alone: a negation removed
    ("is not addictive" → "is addictive"), or added after the first auxiliary verb
    ("is safe" → "is not safe"), or else the whole framed as not the case."""
    if _NEG.search(text):
        return _NEG.sub("", text, count=1)
    if _AUX.search(text):
        return _AUX.sub(lambda m: m.group(1) + " not", text, count=1)
    f = frames(text)
    return f"It is not the case that {f['q']}."


def drop_word(text: str, rng: random.Random) -> str:
    """The text less one of its longer words (not the first)."""
    words = text.split()
    long = [i for i, w in enumerate(words) if i and len(w.strip(".,;:!?")) >= 4]
    if not long:
        return text
    drop = rng.choice(long)
    return " ".join(w for i, w in enumerate(words) if i != drop)


def noise(rng: random.Random) -> str:
    """A few tokens no claim uses: "XK-4821 qv7"."""
    letters = "bcdfghjkmnpqrstvwxz"
    return " ".join(
        "".join(rng.choice(letters) for _ in range(2)) + str(rng.randint(10, 9999))
        for _ in range(rng.randint(1, 3))
    )


def heading(text: str) -> str:
    """A heading that names a claim's topic and asserts nothing: "Kratom and addiction"."""
    words = [w.strip(".,;:!?\"'()") for w in text.split()]
    words = [w for w in words if w]
    return f"{words[0]} and {words[-1]}" if len(words) > 1 else text


def says(text: str) -> int:
    """A text labelled as carrying its claim, with no stance: it spreads the claim,
    unless a debunking word leaves the stance open (tweets and transcripts that
    carry a misconception mostly spread it)."""
    words = tuple(w.casefold().strip(".,:;!?\"'") for w in text.split())
    return REP | DIS if debunks(words) else REP


def frames(text: str) -> dict[str, str]:
    s = " ".join(text.split())
    if not s.endswith((".", "!", "?")):
        s += "."
    lower = s[0].lower() + s[1:] if len(s) > 1 and not s[1].isupper() else s
    return {"s": s, "l": lower, "q": lower.rstrip(".!?")}


def rows_for(index: Index, items: list[tuple[str, dict[str, int], int]], skip_whole: bool = False):
    """(x, allowed, source) rows: items are (text, {claim id: allowed classes},
    default allowed for any other claim retrieval offers)."""
    out = []
    for n, (text, labels, other) in enumerate(items):
        for _, cand in verified(index, [{"id": str(n), "text": text}], FIT_SETTINGS):
            mine = index.ids[cand.claim] in labels
            if not mine and skip_whole and cand.features.coverage >= SIBLING:
                continue  # another claim said nearly whole: a sibling, maybe said too
            allowed = labels.get(index.ids[cand.claim], other)
            if allowed:
                out.append((cand.x, allowed))
    return out


def generated(index: Index, claims: list[dict], rng: random.Random, counters: bool = True) -> list:
    items = []
    for c in claims:
        for text in [c["text"], *c["phrasings"]]:
            f = frames(text)
            for label, t in rng.sample(TEMPLATES, 6):
                items.append((t.format(**f), {c["id"]: label}, UNR))
            items.append((heading(text), {c["id"]: UNR | MEN}, UNR))
            # Pages carry words no claim uses (names, codes, labels) around a claim.
            items.append((f"{noise(rng)} {frames(text)['s']} {noise(rng)}", {c["id"]: REP}, UNR))
            # Rewordings rarely say every word: the wording less one word still says it.
            for label, t in rng.sample([x for x in TEMPLATES if x[0] != DIS], 2):
                items.append((t.format(**frames(drop_word(text, rng))), {c["id"]: label}, UNR))
            turned = frames(negate(text))
            for _, t in rng.sample([x for x in TEMPLATES if x[0] == REP], 2):
                items.append((t.format(**turned), {c["id"]: DIS}, UNR))
            # Turned twice: the other side called a myth says the claim.
            for _, t in rng.sample([x for x in TEMPLATES if x[0] == DIS], 1):
                items.append((t.format(**turned), {c["id"]: REP}, UNR))
        # Without counter statements a positive statement of the other side cannot
        # be told from another claim: only the phrasings' frames teach that regime.
        for text in c.get("counter_statements", []) if counters else []:
            f = frames(text)
            for t in rng.sample(COUNTER_TEMPLATES, 2):
                items.append((t.format(**f), {c["id"]: DIS}, UNR))
            for _, t in rng.sample([x for x in TEMPLATES if x[0] == DIS], 1):
                items.append((t.format(**f), {c["id"]: REP}, UNR))
    return rows_for(index, items)


def team_rows(index: Index, pairs: list[dict]) -> list:
    """Team-written training pairs: the sentence against every candidate retrieval
    offers, its labelled claim with its label, siblings left out."""
    items = [(r["text"], {r["claim_id"]: LABEL[r["label"]]}, UNR) for r in pairs]
    return rows_for(index, items, skip_whole=True)


FOLDS = 5


def team_sources(index: Index) -> dict[str, list]:
    """The lead's pairs (only checked: the lead fits the head), and the second
    writer's in FOLDS folds by claim (`--cv` holds each out in turn)."""
    out = {"team-train": team_rows(index, read_team_pairs(TRAIN_PAIRS))}
    rows = read_team_pairs(TRAIN_PAIRS_2)
    for k in range(FOLDS):
        part = [r for r in rows if hashlib.sha256(r["claim_id"].encode()).digest()[0] % FOLDS == k]
        out[f"team-train-2/{k}"] = team_rows(index, part)
    for name, got in out.items():
        log(f"{name}: {len(got)} pairs")
    return out


def news_items(path: Path) -> list[str]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            a = json.loads(line)
            if half_of(f"news:{a['id']}") != "fit":
                continue
            for p in a["paragraphs"]:
                if p.strip():
                    items.append(p)
    return items


def news_rows(index: Index, paragraphs: list[str], all_false: bool = False) -> list:
    """Pairs from news paragraphs; `all_false`: every claim is read as false (an
    imported feed, as `healthflags import` with verdict false)."""
    out = []
    for i in range(0, len(paragraphs), 40):
        segs = [{"id": str(j), "text": t} for j, t in enumerate(paragraphs[i : i + 40])]
        for _, cand in verified(index, segs, FIT_SETTINGS):
            v = "false" if all_false else index.verdicts[cand.claim]
            allowed = ANY & ~REP if v in ("false", "misleading") else ANY
            if v == "supported":
                allowed = ANY & ~DIS
            out.append((cand.x, allowed))
    return out


def seed_index() -> tuple[Index, list[dict], dict]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        db = dbm.open_db(Path(tmp) / "seed.db")
        store.seed_if_new(db)
        claims, aliases = store.index_rows(db)
        db.close()
    return build_index(claims, aliases=aliases), claims, aliases


def collect(args) -> dict[str, list]:
    rng = random.Random(7)
    index, claims, aliases = seed_index()
    sources: dict[str, list] = {"generated": generated(index, claims, rng)}
    log(f"generated: {len(sources['generated'])} pairs")
    sources.update(team_sources(index))
    # The same claims as an import would hold them, with no counter statements.
    bare = [{**c, "counter_statements": []} for c in claims]
    bare_index = build_index(bare, aliases=aliases)
    sources["generated-no-counter"] = generated(bare_index, claims, rng, counters=False)
    log(f"generated without counter statements: {len(sources['generated-no-counter'])} pairs")
    d = args.data
    news = news_items(d / "health-news-dev" / "articles.jsonl")
    sources["news"] = news_rows(index, news)
    log(f"news (fit half, shipped claims): {len(sources['news'])} pairs")
    c = d / "clef2020-task2"
    data = Labelled(
        c / "verified_claims.docs.tsv",
        c / "train/tweets.queries.tsv",
        c / "train/tweet-vclaim-pairs.qrels",
    )
    clef = data.index()
    members: dict[str, set[str]] = {}
    for cid, g in data.group.items():
        members.setdefault(g, set()).add(cid)
    items = []
    for q, text in data.queries:
        want = {cid for g in data.relevant_groups[q] for cid in members[g]}
        items.append((text, dict.fromkeys(want, says(text)), UNR))
    sources["clef-train"] = rows_for(clef, items)
    log(f"clef train: {len(sources['clef-train'])} pairs")
    big = news_rows(clef, news, all_false=True)
    sources["news-10k"] = big
    log(f"news (fit half, CLEF claims): {len(big)} pairs")
    sources["fullfact"] = fullfact_rows(d / "fullfact-health" / "pairs.csv")
    log(f"fullfact (fit half): {len(sources['fullfact'])} pairs")
    return sources


def fullfact_rows(path: Path) -> list:
    """The fit half of the Full Fact rows against the health claims of every row
    (`ff-N` in order of first appearance, as bench/flags.py numbers them)."""
    rows = [r for r in load_pairs(path) if r["input_text"].strip() and r["output_text"].strip()]
    not_health = ("not medical", "not a claim")
    ids: dict[str, str] = {}
    health: set[str] = set()
    for r in rows:
        t = " ".join(r["output_text"].split())
        ids.setdefault(t, f"ff-{len(ids) + 1}")
        if r.get("type_of_claim") not in not_health and r.get("type_of_medical_claim") not in (
            not_health
        ):
            health.add(t)
    claims = [
        {"id": cid, "text": t[:500], "verdict": "unproven", "phrasings": []}
        for t, cid in ids.items()
        if t in health
    ]
    index = build_index(claims)
    items = []
    for r in rows:
        if half_of("fullfact:" + " ".join(r["input_text"].split())) != "fit":
            continue
        t = " ".join(r["output_text"].split())
        items.append((r["input_text"], {ids[t]: says(r["input_text"])} if t in health else {}, UNR))
    return rows_for(index, items)


def fit(sources: dict[str, list], l2: float, share: dict[str, float] = SHARE) -> Head:
    """The head minimising the partial-label loss (-log of the probability of the
    allowed classes) plus an L2 penalty; each source's share spread over its pairs."""
    xs, masks, ws = [], [], []
    shares = {name: share.get(name, 1.0) for name, rows in sources.items() if rows}
    for name, rows in sources.items():
        if not rows:
            continue
        for x, allowed in rows:
            xs.append(x)
            masks.append([bool(allowed >> k & 1) for k in range(len(CLASSES))])
            ws.append(shares[name] / len(rows))
    x, m, w = np.array(xs), np.array(masks), np.array(ws) * len(xs) / sum(shares.values())
    k, d = len(CLASSES), x.shape[1]

    def loss(flat):
        weights = flat.reshape(k, d)
        z = x @ weights.T
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        ok = np.maximum((p * m).sum(axis=1), 1e-12)
        q = p * m / ok[:, None]
        value = -(w * np.log(ok)).sum() + l2 * (weights[:, 1:] ** 2).sum()
        grad = ((p - q) * w[:, None]).T @ x
        grad[:, 1:] += 2 * l2 * weights[:, 1:]
        return value, grad.ravel()

    res = minimize(loss, np.zeros(k * d), jac=True, method="L-BFGS-B")
    weights = res.x.reshape(k, d)
    return Head(weights - weights[CLASSES.index("unrelated")])  # unrelated: the reference


def curve(sources: dict[str, list], head: Head) -> None:
    """Per source, flags at each threshold: right / wrong (a flag is right when its
    stance is allowed; a mention flag counts neither way)."""
    print("source threshold flags right wrong precision")
    for name, rows in sources.items():
        verdicts = [(judge(x, head), allowed) for x, allowed in rows]
        for t in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98):
            right = wrong = 0
            for v, allowed in verdicts:
                if v.score < t or v.stance == "unclear":
                    continue
                k = CLASSES.index(v.stance)
                ok = bool(allowed >> k & 1)
                if name.startswith("news") and ok:
                    continue  # news: only a red flag on correct prose is judged
                right += ok
                wrong += not ok
            prec = right / (right + wrong) if right + wrong else float("nan")
            print(f"{name} {t:.2f} {right + wrong} {right} {wrong} {prec:.3f}")


def cross_validate(sources: dict[str, list], l2: float, share: dict[str, float]) -> None:
    """The second writer's pairs held out a fold at a time (by claim): precision and
    recall of the flags the head would raise on sentences it was not fitted on."""
    held: list[tuple] = []
    folds = [n for n in sources if n.startswith("team-train-2/")]
    for name in folds:
        head = fit(sources, l2, {**share, name: 0.0})
        held += [(judge(x, head), allowed) for x, allowed in sources[name]]
    said = sum(1 for _, a in held if a in (REP, DIS))
    print(f"held out: {len(held)} pairs, {said} that say their claim (repeats or disputes)")
    print("threshold flags right wrong precision recall")
    for t in np.arange(0.40, 0.96, 0.05):
        got = [(v, a) for v, a in held if v.score >= t and v.stance != "unclear"]
        right = sum(1 for v, a in got if a >> CLASSES.index(v.stance) & 1)
        found = sum(1 for v, a in got if a in (REP, DIS) and a >> CLASSES.index(v.stance) & 1)
        prec = right / len(got) if got else float("nan")
        print(f"{t:.2f} {len(got)} {right} {len(got) - right} {prec:.3f} {found / said:.3f}")


def save_rows(path: Path, sources: dict[str, list]) -> None:
    """The pairs of every source, to refit without recomputing their features."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for name, rows in sources.items():
        arrays[f"x:{name}"] = np.array([x for x, _ in rows]).reshape(len(rows), len(FEATURES))
        arrays[f"a:{name}"] = np.array([a for _, a in rows], dtype=np.int64)
    np.savez_compressed(path, **arrays)


def load_rows(path: Path) -> dict[str, list]:
    with np.load(path) as data:
        names = [k[2:] for k in data.files if k.startswith("x:")]
        return {n: list(zip(data[f"x:{n}"], data[f"a:{n}"].tolist(), strict=True)) for n in names}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--l2", type=float, default=1.0)
    p.add_argument("--write", action="store_true", help=f"write {HEAD_FILE.name}")
    p.add_argument("--cache", type=Path, default=Path("bench/.cache/verify-rows.npz"))
    p.add_argument("--reuse", action="store_true", help="read the pairs from --cache")
    p.add_argument(
        "--share", nargs="*", default=[], metavar="SOURCE=W", help="a source's share (default 1)"
    )
    p.add_argument("--cv", action="store_true", help="cross-validate on the second writer's pairs")
    args = p.parse_args(argv)
    share = {**SHARE, **{k: float(v) for k, v in (a.split("=") for a in args.share)}}
    # A share given for "team-train-2" is split evenly over its folds.
    whole = share.pop("team-train-2")
    share.update({f"team-train-2/{k}": whole / FOLDS for k in range(FOLDS)})
    if args.reuse:
        sources = load_rows(args.cache)
    else:
        sources = collect(args)
        save_rows(args.cache, sources)
    if args.cv:
        cross_validate(sources, args.l2, share)
        return
    head = fit(sources, args.l2, share)
    curve(sources, head)
    out = {
        "features": list(FEATURES),
        "classes": list(CLASSES),
        "weights": [[round(float(v), 4) for v in row] for row in head.weights],
        "fitted_by": "python bench/fit_verify.py --data ../shared/data --write",
        "pairs": {k: len(v) for k, v in sources.items()},
        "shares": {k: share.get(k, 1.0) for k in sources},
    }
    print(json.dumps(out, indent=1))
    if args.write:
        HEAD_FILE.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        log(f"wrote {HEAD_FILE}")


if __name__ == "__main__":
    main()
