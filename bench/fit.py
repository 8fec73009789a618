"""Fit the weights of the engine's two scores on a training split, and print them.

    python bench/fit.py --claims ../shared/data/clef2020-task2/verified_claims.docs.tsv \
        --queries ../shared/data/clef2020-task2/train/tweets.queries.tsv \
        --qrels ../shared/data/clef2020-task2/train/tweet-vclaim-pairs.qrels

Both fits use the engine's own features (`candidate_features`, `rank_features`),
numpy and scipy's optimiser. A claim counts as relevant when it is a query's claim or reads the
same after normalisation (`datasets.same_claim_groups`).

- RANKING (`rank`): for every query, the claims with the best BM25 form a pool. The
  direction is the conditional-logit (softmax over the pool) fit that ranks the
  relevant claims first; scale and bias come from a logistic fit of that score over
  the pools.
- Weights() defaults (`find_matches`): every (sentence, candidate claim) pair that
  `find_matches` scores on the queries and on generated ordinary sentences, with
  nothing pruned, over coverage, evidence and precision. A pair is positive when
  the claim is relevant and the sentence is the query's best for it (the query's
  other sentences are left out: they need not carry the claim); every other pair
  is negative.

Use the training split only: the development split is for reporting.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from corpus import neutral_sentences
from datasets import Labelled
from metrics import summary
from scipy.optimize import minimize
from scipy.special import expit, log_softmax, softmax

from server.matching import (
    Index,
    Semantic,
    Settings,
    Weights,
    candidate_features,
    rank_features,
)
from server.matching.decide import FEATURES

POOL = 50
# Flags weigh coverage, evidence and precision. The rapidfuzz ratios and bm25 were
# tried too: the ratios added nothing, and bm25 only took a negative weight against
# its near twin, precision; the subject is always present in find_matches' pairs.
DECISION = ("coverage", "evidence", "precision")
# With the semantic stage, the sentence's closeness in meaning joins them.
DECISION_SEMANTIC = ("cosine", "margin")
TARGET = 0.80  # precision of flags at `possible`, as calibrate.py chose it for words


def pools(
    data: Labelled, index: Index, semantic: Semantic | None = None
) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(query id, candidate claims, feature rows, labels) per query: the claims `rank`
    considers (the best BM25, and the closest vectors with `semantic`), with the
    features it computes."""
    position = {cid: i for i, cid in enumerate(index.ids)}
    out = []
    for qid, text in data.queries:
        cands = rank_features(index, text, pool=POOL, semantic=semantic)
        if not cands:
            continue
        want = data.relevant_groups[qid]
        top = np.array([position[c] for c, _ in cands])
        rows = np.array([f.vector() for _, f in cands], dtype=float)
        labels = np.array([data.group[c] in want for c, _ in cands], dtype=float)
        out.append((qid, top, rows, labels))
    return out


def fit_listwise(pools_, l2: float = 1e-2) -> np.ndarray:
    """Weights maximising the mean log-softmax probability of each pool's relevant
    claims (conditional logit; L2 keeps it finite), by scipy's Newton-CG."""
    sets = [(x, y / y.sum()) for _, _, x, y in pools_ if y.any()]
    d = sets[0][0].shape[1]

    def loss(w):
        value, grad = 0.5 * l2 * w @ w, l2 * w
        for x, y in sets:
            s = x @ w
            value -= y @ log_softmax(s)
            grad = grad + (softmax(s) - y) @ x
        return value, grad

    def hess(w):
        h = l2 * np.eye(d)
        for x, _ in sets:
            p = softmax(x @ w)
            xc = x - p @ x
            h += (xc * p[:, None]).T @ xc
        return h

    return _minimize(loss, hess, d)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression of y on x with a bias (last, not penalised)."""
    xb = np.column_stack([x, np.ones(len(x))])
    penalty = np.full(xb.shape[1], l2)
    penalty[-1] = 0.0

    def loss(w):
        z = xb @ w
        value = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * penalty @ (w * w)
        return value, xb.T @ (expit(z) - y) + penalty * w

    def hess(w):
        p = expit(xb @ w)
        return (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty)

    return _minimize(loss, hess, xb.shape[1])


def _minimize(loss, hess, d: int) -> np.ndarray:
    """scipy's Newton-CG from zero. At the optimum the loss stops changing in float
    precision and scipy may report "precision loss"; the gradient says whether the
    fit got there."""
    found = minimize(
        loss, np.zeros(d), jac=True, hess=hess, method="Newton-CG", options={"xtol": 1e-10}
    )
    if np.abs(found.jac).max() > 1e-4:
        raise RuntimeError(f"the fit did not converge: {found.message}")
    return found.x


def fit_ranking(pools_) -> Weights:
    direction = fit_listwise(pools_)
    s = np.concatenate([x @ direction for _, _, x, _ in pools_])
    y = np.concatenate([lab for _, _, _, lab in pools_])
    a, b = fit_logistic(s[:, None], y)
    w = {name: round(float(a * v), 4) for name, v in zip(FEATURES, direction, strict=True)}
    return Weights(**w, bias=round(float(b), 4))


def rerank_map(pools_, weights: Weights, index: Index, data: Labelled) -> float:
    w = np.array([getattr(weights, f) for f in FEATURES])
    runs = {}
    for qid, top, x, _ in pools_:
        order = np.lexsort((top, -(x @ w)))
        runs[qid] = [index.ids[top[i]] for i in order]
    return summary(runs, {q: data.relevant[q] for q in runs})["MAP@5"]


def decision_pairs(
    data: Labelled, index: Index, neutral: int, semantic: Semantic | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows (all FEATURES) and labels of every pair `find_matches` scores."""
    everything = Settings(floor=0.0, min_coverage=0.0, top_k=10_000)
    x: list[list[float]] = []
    y: list[float] = []
    for qid, text in data.queries:
        want = data.relevant_groups[qid]
        pairs = candidate_features(
            index, [{"id": qid, "text": text}], everything, semantic, Settings().words_flag
        )
        best: dict[str, tuple[float, int]] = {}
        for i, (*_, claim, f) in enumerate(pairs):
            g = data.group[claim]
            if g in want and f.coverage > best.get(g, (-1.0, -1))[0]:
                best[g] = (f.coverage, i)
        chosen = {i for _, i in best.values()}
        for i, (*_, claim, f) in enumerate(pairs):
            if data.group[claim] in want and i not in chosen:
                continue
            x.append(f.vector())
            y.append(float(i in chosen))
    sentences = neutral_sentences(neutral, seed=11)  # calibrate.py draws another seed
    for i in range(0, len(sentences), 80):
        segs = [{"id": str(j), "text": t} for j, t in enumerate(sentences[i : i + 80])]
        for *_, f in candidate_features(index, segs, everything, semantic, Settings().words_flag):
            x.append(f.vector())
            y.append(0.0)
    return np.array(x), np.array(y)


def fit_decision(x: np.ndarray, y: np.ndarray, features=DECISION) -> Weights:
    cols = [FEATURES.index(f) for f in features]
    w = fit_logistic(x[:, cols], y)
    kw = {name: 0.0 for name in FEATURES}
    kw.update({name: round(float(v), 4) for name, v in zip(features, w[:-1], strict=True)})
    return Weights(**kw, bias=round(float(w[-1]), 4))


def fit_semantic(x: np.ndarray, y: np.ndarray) -> Weights:
    """The semantic stage's weights, fitted on the pairs it decides: those of embedded
    sentences (cosine set) that the lexical weights do not flag. Its bias is then
    moved so that `possible` falls where those flags reach TARGET precision on the
    training data, as the lexical threshold does."""
    lexical, settings = Weights(), Settings()
    z = x @ np.array([getattr(lexical, f) for f in FEATURES]) + lexical.bias
    floor = np.log(settings.words_flag / (1 - settings.words_flag))
    closest = z >= np.log(settings.embed_floor / (1 - settings.embed_floor))
    print(
        f"embed_floor={settings.embed_floor}: keeps {int(y[closest].sum())} of "
        f"{int(y.sum())} positive pairs, {int((~closest).sum())} of {len(y)} pairs left out",
        file=sys.stderr,
    )
    left = (x[:, FEATURES.index("cosine")] != 0) & (z < floor)
    xs, ys = x[left], y[left]
    w = fit_decision(xs, ys, DECISION_SEMANTIC)
    s = xs @ np.array([getattr(w, f) for f in FEATURES]) + w.bias
    order = np.argsort(-s)
    hits = np.cumsum(ys[order])
    precision = hits / np.arange(1, len(s) + 1)
    # The lowest score whose flags (it and all above) reach TARGET, with 10 at least.
    ok = np.flatnonzero((precision >= TARGET) & (np.arange(1, len(s) + 1) >= 10))
    cut = s[order][ok[-1]] if len(ok) else s[order][0]
    n = int(ok[-1]) + 1 if len(ok) else 0
    print(
        f"semantic pairs={len(ys)} positive={int(ys.sum())}; at possible: {n} flags, "
        f"precision {precision[n - 1] if n else 0:.3f}, "
        f"recall {hits[n - 1] / max(1, ys.sum()) if n else 0:.3f}",
        file=sys.stderr,
    )
    bias = round(float(w.bias + floor - cut), 4)
    return Weights(**{**{f: getattr(w, f) for f in FEATURES}, "bias": bias})


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--claims", required=True)
    p.add_argument("--queries", required=True, help="the TRAINING split's queries")
    p.add_argument("--qrels", required=True, help="the TRAINING split's qrels")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds to report")
    p.add_argument("--neutral", type=int, default=4000, help="generated ordinary sentences")
    p.add_argument(
        "--semantic", action="store_true", help="fit SEMANTIC and SEMANTIC_RANKING instead"
    )
    args = p.parse_args(argv)
    data = Labelled(args.claims, args.queries, args.qrels)
    index = data.index()
    semantic = None
    if args.semantic:
        from vectors import semantic_for

        semantic = semantic_for(index, data.claims)
    pools_ = pools(data, index, semantic)
    print(f"queries={len(pools_)} pool={POOL} features={','.join(FEATURES)}", file=sys.stderr)
    if args.folds > 1:
        got = 0.0
        for k in range(args.folds):
            train = [d for i, d in enumerate(pools_) if i % args.folds != k]
            test = [d for i, d in enumerate(pools_) if i % args.folds == k]
            got += rerank_map(test, fit_ranking(train), index, data) * len(test)
        print(f"ranking: cross-validated MAP@5 on the pools {got / len(pools_):.4f}")
    ranking = fit_ranking(pools_)
    print(f"ranking: in-sample MAP@5 on the pools {rerank_map(pools_, ranking, index, data):.4f}")
    name = "SEMANTIC_RANKING" if semantic else "RANKING"
    print(f"{name} = {ranking}")
    x, y = decision_pairs(data, index, args.neutral, semantic)
    print(f"flags: pairs={len(y)} positive={int(y.sum())}", file=sys.stderr)
    if semantic:
        print(f"SEMANTIC = {fit_semantic(x, y)}")
    else:
        print(f"Weights() defaults = {fit_decision(x, y)}")


if __name__ == "__main__":
    main()
