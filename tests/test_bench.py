"""The benchmark scripts run end to end on tiny generated data (real runs, no mocks).
Their figures are not checked here beyond their shape: timings come from the
scripts themselves, never from assertions."""

from __future__ import annotations

import csv
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
from metrics import average_precision, summary  # noqa: E402

FIGURES = re.compile(
    r"^MAP@5=\d\.\d{3} Hit@1=\d\.\d{3} Hit@5=\d\.\d{3} MRR=\d\.\d{3} n=\d+ ms_per_query=\d+\.\d$"
)


def run(*args: str, timeout: float = 180) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def clef_layout(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A CLEF-2020 Task 2 layout: 40 generated claims, 10 reworded as queries."""
    tmp = tmp_path_factory.mktemp("clef")
    rng = random.Random(5)
    vocab = corpus.Vocabulary(rng, size=2000)
    rows = corpus.claims(40, seed=9)
    claims, queries, qrels = tmp / "claims.tsv", tmp / "queries.tsv", tmp / "qrels"
    with claims.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["", "vclaim", "title"])
        for i, r in enumerate(rows):
            w.writerow([100 + i, r["text"], corpus.reword(rng, r["text"], vocab)])
    with queries.open("w", newline="", encoding="utf-8") as fh, qrels.open("w") as qh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["", "tweet_content"])
        for q, i in enumerate(range(0, 40, 4)):
            w.writerow([q, corpus.reword(rng, rows[i]["text"], vocab) + " https://t.co/x #Health"])
            qh.write(f"{q}\t0\t{100 + i}\t1\n")
    return claims, queries, qrels


def test_quality_ends_with_one_line_of_figures(clef_layout):
    claims, queries, qrels = clef_layout
    out = run(
        "bench/quality.py",
        "--claims",
        str(claims),
        "--queries",
        str(queries),
        "--qrels",
        str(qrels),
    )
    last = out.strip().splitlines()[-1]
    assert FIGURES.match(last), last
    assert "n=10 " in last
    assert float(last.split()[0].split("=")[1]) > 0.5  # rewordings of claims are found


def test_quality_pairs_mode(tmp_path):
    rows = corpus.claims(12, seed=3)
    rng = random.Random(1)
    vocab = corpus.Vocabulary(rng, size=2000)
    path = tmp_path / "pairs.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(
            fh, ["output_text", "input_text", "type_of_claim", "type_of_medical_claim"]
        )
        w.writeheader()
        for i, r in enumerate(rows):
            w.writerow(
                {
                    "output_text": r["text"],
                    "input_text": corpus.reword(rng, r["text"], vocab),
                    "type_of_claim": "not a claim" if i < 3 else "statement of fact",
                    "type_of_medical_claim": "treatment/cure",
                }
            )
    out = run("bench/quality.py", "--pairs", str(path)).strip().splitlines()
    assert re.match(r"^Hit@1=\d\.\d{3} Hit@5=\d\.\d{3} n=12 ms_per_query=", out[-1])
    assert any("not-medical/not-a-claim rows=3" in line for line in out)


def test_fit_and_calibrate_print_weights_and_thresholds(clef_layout):
    claims, queries, qrels = clef_layout
    args = ["--claims", str(claims), "--queries", str(queries), "--qrels", str(qrels)]
    fitted = run("bench/fit.py", *args, "--folds", "2", "--neutral", "80")
    assert "RANKING = Weights(" in fitted and "Weights() defaults = Weights(" in fitted
    curve = run("bench/calibrate.py", *args, "--neutral", "80").strip().splitlines()
    assert curve[0].startswith("threshold recall precision")
    assert re.match(
        r"^confident=\d\.\d\d precision=\d\.\d{3} recall=\d\.\d{3} possible=", curve[-1]
    )


def test_speed_prints_one_line_per_size():
    out = (
        run(
            "bench/speed.py",
            "--claims",
            "200,400",
            "--runs",
            "1",
            "--pages",
            "2",
            "--brute-pages",
            "1",
        )
        .strip()
        .splitlines()
    )
    assert len(out) == 2
    for line, n in zip(out, (200, 400), strict=True):
        assert re.match(
            rf"^claims={n} page_ms=\d+\.\d\d brute_ms=\d+ ratio=\d+\.\d{{4}} "
            r"index_mb=\d+\.\d build_s=\d+\.\d\d$",
            line,
        ), line


def test_speed_http_mode_loads_a_real_server_and_stops_it():
    out = (
        run(
            "bench/speed.py",
            "--http",
            "--http-claims",
            "150",
            "--seconds",
            "2",
            "--requests",
            "40",
            "--threads",
            "2",
            timeout=240,
        )
        .strip()
        .splitlines()
    )
    assert re.match(
        r"^http claims=150 workers=2 threads=2 requests=\d+ pages_per_s=\d+ p50_ms=", out[-1]
    ), out[-1]


def test_map_at_5_follows_the_clef_scorer():
    # Two relevant documents, found at ranks 2 and 6: only the first counts at depth 5,
    # and the sum is divided by both relevant documents (trectools' get_map).
    assert average_precision(["x", "a", "y", "z", "w", "b"], {"a", "b"}, 5) == pytest.approx(0.25)
    assert average_precision(["a", "b"], {"a", "b"}, 5) == 1.0
    s = summary({"q1": ["a"], "q2": ["x", "b"]}, {"q1": {"a"}, "q2": {"b"}, "q3": {"c"}})
    assert s["n"] == 3 and s["Hit@1"] == pytest.approx(1 / 3) and s["Hit@5"] == pytest.approx(2 / 3)
    assert s["MRR"] == pytest.approx((1 + 0.5) / 3)


def test_hostile_prints_a_line_per_family_and_the_worst_ratio_last():
    out = run("bench/hostile.py", "--runs", "1", "--kb", "20", timeout=600).strip().splitlines()
    families = [line for line in out if line.startswith("family=")]
    assert len(families) == 16 and families[0].startswith("family=ordinary page text ")
    assert all(re.search(r" status=(200|413) .* ratio=\d+\.\d\d$", line) for line in families)
    assert re.fullmatch(r"worst_ratio=\d+\.\d\d family=.+", out[-1])


# --- bench/flags.py: the flags a reader sees -------------------------------------------

import datasets  # noqa: E402
import scoring  # noqa: E402
from scoring import Doc, Flag, Span  # noqa: E402

from server import db as dbm  # noqa: E402
from server import store  # noqa: E402

MICRO = "alternative-misc-microwaving-food-causes-cancer"  # seed claims, verdict false
ABX = "antibiotics-cure-colds-flu"
LAST = re.compile(
    r"^flags: precision_confident=(\S+) recall_confident=(\S+) precision_possible=(\S+) "
    r"recall_possible=(\S+) stance_acc=(\S+) news_wrong_flag_share=(\S+) "
    r"news_wrong_flag_share_10k=(\S+)$"
)


def flag(claim: str, stance: str = "repeats", tier: str = "confident", start: int = 0, end=5):
    assessment = {"repeats": "contradicts_evidence", "disputes": "consistent_with_evidence"}
    return Flag(
        0,
        start,
        end,
        claim,
        claim,
        tier,
        stance,
        assessment.get(stance, "unclear"),
        0.99 if tier == "confident" else 0.5,
        "lexical",
        "",
    )


def test_a_flag_is_right_only_with_the_labelled_claim_and_stance():
    labels = {"a": "repeats", "b": "disputes", "m": "mentions", "u": "unrelated", "s": "says"}
    assert scoring.judge_in(flag("a"), labels) == "right"
    assert scoring.judge_in(flag("a", "disputes"), labels) == "opposite stance"
    assert scoring.judge_in(flag("b", "disputes"), labels) == "right"
    assert scoring.judge_in(flag("b", "unclear"), labels) == "stance unclear"
    assert scoring.judge_in(flag("m", "unclear"), labels) == "tolerated"
    assert scoring.judge_in(flag("m"), labels) == "mention as said"
    assert scoring.judge_in(flag("u", "unclear"), labels) == "unrelated"
    assert scoring.judge_in(flag("s", "disputes"), labels) == "right"
    assert scoring.judge_in(flag("x"), labels) == "other claim"
    assert scoring.judge_in(flag("x"), {}) == "nothing to flag"
    assert scoring.judge_in(flag("x"), None) == "unjudged"  # its claim is not in the database


def test_page_check_names_the_false_claims_missed_and_the_harmless_sentences_flagged():
    spans = [
        Span(0, 0, 9, {"f1": "repeats"}),
        Span(0, 10, 19, {"f2": "repeats"}),
        Span(0, 20, 29, {}),
        Span(0, 30, 39, None),
        Span(0, 40, 49, {"t": "repeats"}),
    ]
    doc = Doc("page", ["x" * 49], spans)
    flags = [
        flag("f1", end=9),
        flag("f2", "disputes", start=10, end=19),
        flag("z", "unclear", tier="possible", start=20, end=29),
        flag("y", start=30, end=39),
    ]
    verdicts = {"f1": "false", "f2": "misleading", "t": "supported"}
    check = scoring.page_check(doc, flags, verdicts, {})
    assert check == {
        "said": ["f1", "f2"],
        "missed": ["f2"],
        "harmless": 1,
        "harmless_possible": 1,
        "harmless_confident": 0,
    }
    t = scoring.tally(doc, flags, {}, None)
    assert t.flags["confident"]["unjudged"] == 1 and t.precision("confident") == (1, 2)
    assert [(s.start, c) for s, c, _ in scoring.missed(doc, flags, {})] == [(10, "f2"), (40, "t")]


def test_tally_counts_precision_recall_and_stance_per_tier():
    # Two sentences: "a" repeated in the first, nothing in the second.
    doc = Doc(
        "d", ["one. two."], [Span(0, 0, 4, {"a": "repeats", "m": "mentions"}), Span(0, 5, 9, {})]
    )
    flags = [
        flag("a", tier="possible", start=0, end=4),  # right, but only possible
        flag("m", "repeats", start=0, end=4),  # a mention said as a repeat: wrong
        flag("z", tier="possible", start=5, end=9),  # a harmless sentence flagged
    ]
    t = scoring.tally(doc, flags, {}, None)
    assert t.precision("confident") == (0, 1) and t.precision("possible") == (1, 3)
    assert t.recall("confident") == (0, 1) and t.recall("possible") == (1, 1)
    assert +t.named == {"possible": 1}  # the claim flagged at all, whatever its stance
    assert t.flags["possible"]["nothing to flag"] == 1
    assert t.stance == {("repeats", "repeats"): 1, ("unclear", "repeats"): 1}
    assert t.paint[("confident", "contradicts_evidence")] == 1
    # Claims that read the same count as one: a flag of a near copy of "a" finds "a".
    match = {"claim_id": "a2", "start": 0, "end": 4, "tier": "confident", "stance": "repeats"}
    match |= {"assessment": "contradicts_evidence", "score": 0.99, "exact": "one."}
    copy = Flag.from_match(match | {"prefix": "", "suffix": ""}, 0, 0, {"a2": "a"})
    assert scoring.tally(doc, [copy], {"a2": "a"}, None).recall("confident") == (1, 1)
    # News has no labels: its flags are counted, never judged.
    news = scoring.tally(Doc("n", ["x"], None), [flag("a")], {}, None)
    assert news.flags["confident"] == {"unlabelled": 1} and news.precision("confident") == (0, 0)


def test_wilson_interval():
    lo, hi = scoring.wilson(8, 10)
    assert lo == pytest.approx(0.490, abs=1e-3) and hi == pytest.approx(0.943, abs=1e-3)
    assert scoring.share(0, 0) == "n/a 0/0"


def test_halves_are_fixed_disjoint_and_about_even(tmp_path):
    keys = [f"news:article-{i}" for i in range(2000)]
    fit = [k for k in keys if datasets.half_of(k) == "fit"]
    assert 900 < len(fit) < 1100
    assert [datasets.half_of(k) for k in keys] == [datasets.half_of(k) for k in keys]
    # The split is part of the benchmark: changing the salt moves every figure.
    assert [datasets.half_of(f"news:{i}") for i in ("a", "b", "c", "d")] == [
        "report",
        "fit",
        "fit",
        "report",
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"n{i}", "title": "", "paragraphs": ["x"]}) + "\n" for i in range(50)
        )
    )
    halves = [{a["id"] for a in datasets.news_articles(path, h)} for h in ("fit", "report")]
    assert not halves[0] & halves[1] and len(halves[0] | halves[1]) == 50
    with pytest.raises(ValueError):
        datasets.news_articles(path, "test")


def test_team_files_with_a_bad_label_are_refused(tmp_path):
    (tmp_path / "pairs.jsonl").write_text(
        json.dumps({"id": "1", "text": "x", "claim_id": "c", "label": "agrees"}) + "\n"
    )
    with pytest.raises(ValueError, match="pairs.jsonl:1"):
        datasets.read_team_pairs(tmp_path / "pairs.jsonl")


def write_clef(folder: Path, prefix: str, rows: list[dict], splits: dict[str, range]) -> None:
    """A CLEF layout: the claims, and per split tweets that say a claim word for word."""
    folder.mkdir(parents=True)
    with (folder / "verified_claims.docs.tsv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["", "vclaim", "title"])
        for i, r in enumerate(rows):
            w.writerow([f"{prefix}{i}", r["text"], ""])
    for split, which in splits.items():
        (folder / split).mkdir()
        with (
            (folder / split / "tweets.queries.tsv").open("w", newline="") as fh,
            (folder / split / "tweet-vclaim-pairs.qrels").open("w") as qh,
        ):
            w = csv.writer(fh, delimiter="\t")
            w.writerow(["id", "tweet_content"])
            for i in which:
                w.writerow([f"t{i}", rows[i]["text"] + " https://t.co/x"])
                qh.write(f"t{i} 0 {prefix}{i} 1\n")


@pytest.fixture(scope="module")
def flags_data(tmp_path_factory) -> dict:
    """Every data set flags.py reads, tiny and generated; the team set names seed claims."""
    root = tmp_path_factory.mktemp("flags")
    data, team = root / "data", root / "team"
    seed = {r["id"]: r for r in store.seed_records()}
    neutral = corpus.neutral_sentences(300, seed=4)
    articles = []
    for i in range(24):
        paragraphs = [" ".join(neutral[i * 9 + j * 3 : i * 9 + j * 3 + 3]) for j in range(3)]
        if i % 3 == 0:  # a false claim of the seed, word for word, in every third article
            paragraphs.insert(1, f"{neutral[250 + i]} {seed[MICRO]['text']}")
        articles.append({"id": f"art{i}", "title": f"Article {i}", "paragraphs": paragraphs})
    (data / "health-news-dev").mkdir(parents=True)
    (data / "health-news-dev" / "articles.jsonl").write_text(
        "".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8"
    )
    generated = corpus.claims(60, seed=11)
    (data / "fullfact-health").mkdir()
    with (data / "fullfact-health" / "pairs.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(
            fh, ["output_text", "input_text", "type_of_claim", "type_of_medical_claim"]
        )
        w.writeheader()
        for i, r in enumerate(generated[:16]):
            w.writerow(
                {
                    "output_text": r["text"],
                    "input_text": r["text"],
                    "type_of_claim": "not a claim" if i < 4 else "statement of fact",
                    "type_of_medical_claim": "treatment/cure",
                }
            )
    write_clef(
        data / "clef2020-task2", "", generated[16:46], {"train": range(0, 8), "dev": range(8, 16)}
    )
    write_clef(data / "clef2022-task2a", "vclaim-sno-", generated[30:60], {"dev-test": range(6)})
    (team / "pages").mkdir(parents=True)
    pairs = [
        (seed[MICRO]["text"], MICRO, "repeats"),
        (seed[ABX]["text"], ABX, "repeats"),
        ("The weather in Bergen was mild and dry all week.", MICRO, "unrelated"),
        ("The weather in Bergen was mild and dry all week.", ABX, "unrelated"),
        ("We will talk about it at dinner.", ABX, "repeats"),  # a label no engine can meet
    ]
    (team / "pairs.jsonl").write_text(
        "".join(
            json.dumps({"id": f"p{i}", "text": t, "claim_id": c, "label": lab, "pattern": "plain"})
            + "\n"
            for i, (t, c, lab) in enumerate(pairs)
        )
    )

    def sentence(text: str, *claims: str) -> dict:
        return {"text": text, "claims": [{"claim_id": c, "label": "repeats"} for c in claims]}

    page = {
        "id": "pg1",
        "kind": "blog",
        "topic": "alternative-misc",
        "title": "Kitchen myths",
        "paragraphs": [
            [sentence(neutral[280]), sentence(seed[MICRO]["text"], MICRO)],
            [sentence(neutral[281]), sentence(neutral[282])],
        ],
    }
    (team / "pages" / "pg1.json").write_text(json.dumps(page), encoding="utf-8")
    report = [a for a in articles if datasets.half_of(f"news:{a['id']}") == "report"]
    said = [a for a in report if seed[MICRO]["text"] in " ".join(a["paragraphs"])]
    assert said and len(said) < len(report)  # the split gives the test something to see
    return {
        "data": data,
        "team": team,
        "cache": root / "cache",
        "out": root / "news.txt",
        "share": len(said) / len(report),
        "said": said,
    }


def run_flags(d: dict, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [
            sys.executable,
            "bench/flags.py",
            "--data",
            str(d["data"]),
            "--team",
            str(d["team"]),
            "--cache",
            str(d["cache"]),
            "--out",
            str(d["out"]),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_flags_runs_every_data_set_through_the_real_app(flags_data):
    done = run_flags(flags_data)
    out = done.stdout.strip().splitlines()
    m = LAST.match(out[-1])
    assert m, out[-1]
    for name in (
        "team-pairs",
        "team-pages",
        "fullfact",
        "clef2020-dev",
        "clef2022-dev-test",
        "news",
        "news-10k",
    ):
        assert any(line.startswith(f"{name}: ") for line in out), name
    assert not any(line.startswith("clef2020-train") for line in out)  # fit-only
    # Three claims said word for word (two pairs, one page) are found, the fourth is not.
    assert m.group(2) == "0.750"
    assert "team-pairs: 4 documents" in done.stdout  # one text, two claims: one document
    missed = (flags_data["cache"] / "labelled-flags-report-words.txt").read_text()
    assert (
        "[team-pairs] missed repeats | p4 plain\n  text:  We will talk about it at dinner."
        in missed
    )
    assert re.search(
        r"page pg1 \(blog, alternative-misc\): false claims repeated 1, flagged "
        r"confident 1; harmless sentences 3, flagged possible 0, confident 0",
        done.stdout,
    )
    # Every report-half article with the false claim, and only those, is painted red.
    assert m.group(6) == f"{flags_data['share']:.3f}"
    written = flags_data["out"].read_text()
    red = {
        line.split("| ")[1].split()[0]
        for line in written.splitlines()
        if line.startswith("[news] confident repeats contradicts_evidence")
    }
    assert red == {a["id"] for a in flags_data["said"]}
    assert "built database seed" in done.stderr


def test_flags_reuses_its_databases_and_runs_the_fit_half(flags_data):
    run_flags(flags_data, "--only", "news")  # builds, if the test above did not run first
    done = run_flags(flags_data, "--half", "fit")
    assert "built database seed" not in done.stderr  # the cached database, unchanged inputs
    names = {line.split(":")[0] for line in done.stdout.splitlines() if ": " in line}
    assert {"clef2020-train", "fullfact", "news"} <= names
    assert not names & {"team-pairs", "team-pages", "clef2020-dev", "clef2022-dev-test"}
    assert LAST.match(done.stdout.strip().splitlines()[-1])


def test_flags_with_the_semantic_stage_embeds_once_and_shares_the_vectors(flags_data, tmp_path):
    from conftest import skip_without_semantic

    skip_without_semantic()
    d = {**flags_data, "cache": tmp_path / "cache", "out": tmp_path / "news.txt"}
    first = run_flags(d, "--semantic", "--only", "team-pages", "news")
    assert LAST.match(first.stdout.strip().splitlines()[-1])
    assert "team-pages: 1 documents" in first.stdout
    seed = dbm.open_db(next(d["cache"].glob("flags-seed-*.db")))
    texts = len(store.published_texts(seed))
    seed.close()
    assert f"{texts} published texts: 0 stored, 0 from the pool, {texts} embedded" in first.stderr
    # A rebuilt database takes every vector from the pool and embeds nothing.
    again = run_flags(d, "--semantic", "--only", "news", "--rebuild")
    assert f"{texts} published texts: 0 stored, {texts} from the pool, 0 embedded" in again.stderr


def test_pages_become_segments_and_requests_as_the_extension_makes_them():
    from itertools import accumulate

    import documents

    text = " ".join(f"word{i}" for i in range(1500))  # ~12,900 characters
    pieces = documents.segments_of(text)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 4000 and (p.endswith(" ") or b + len(p) == len(text)) for b, p in pieces)
    assert len(pieces) == 4 and [b for b, _ in pieces] == [
        0,
        *accumulate(len(p) for _, p in pieces[:-1]),
    ]
    short = [{"id": str(i), "text": "x" * 10} for i in range(130)]
    assert [len(b) for b in documents.batches(short)] == [60, 60, 10]
    long = [{"id": str(i), "text": "x" * 3900} for i in range(12)]
    assert [len(b) for b in documents.batches(long)] == [10, 2]  # at most 40,000 characters
