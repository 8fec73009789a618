"""The evidence bar's rules, one by one."""

from __future__ import annotations

from datetime import date

from server import evidence
from server.evidence import (
    address_problem,
    checklist,
    copy_reason,
    fact_checker,
    is_official,
    is_strong,
    shared_sets,
    type_problem,
    unexplained_shared_sets,
)

TODAY = date(2026, 12, 7)


def link(url: str, kind: str = "systematic_review", year: int = 2023, **extra) -> dict:
    return {"url": url, "title": "t", "publisher": "p", "source_type": kind, "year": year, **extra}


def claim(*links: dict, **extra) -> dict:
    return {
        "id": "c",
        "summary": "What the evidence says.",
        "phrasings": ["one way", "another way", "a third way"],
        "evidence": list(links),
        **extra,
    }


CDC = link("https://www.cdc.gov/page", "public_health_agency")
COCHRANE = link("https://www.cochranelibrary.com/cdsr/doi/10.1002/x/full")


def test_copy_hosts_never_count_whatever_the_entry_says():
    for url in (
        "https://www.researchgate.net/publication/1_x",
        "https://www.drugsandalcohol.ie/123/",
        "https://www.hsdl.org/?abstract&did=1",
        "https://metajournal.com/articles/1",
        "https://someone.blogspot.com/2020/01/x.html",
        "https://content.govdelivery.com/accounts/X/bulletins/1",
        "https://www.scribd.com/document/1",
        "https://web.archive.org/web/2010/https://www.cdc.gov/x",
        "https://cybercemetery.unt.edu/archive/x",
        "https://www.prnewswire.com/news-releases/x.html",
    ):
        assert copy_reason(url), url
        assert not is_strong(link(url, "regulator"), TODAY), url
        assert "not the original page" in type_problem(link(url, "regulator")), url
    assert copy_reason("https://www.cdc.gov/vaccines/index.html") is None
    assert copy_reason("https://pubmed.ncbi.nlm.nih.gov/123/") is None


def test_newsletters_are_not_sources():
    assert copy_reason("https://ods.od.nih.gov/News/The_Scoop_-_July_2015.aspx")
    assert copy_reason("https://example.org/staff-newsletter/quitting")
    assert copy_reason("https://ods.od.nih.gov/factsheets/WeightLoss-Consumer/") is None


def test_a_host_matches_its_own_subdomains_only():
    assert copy_reason("https://sub.scribd.com/x")
    assert copy_reason("https://notscribd.com/x") is None
    assert fact_checker("https://factcheck.afp.com/doc.afp.com.123")
    assert fact_checker("https://afp.com.evil.example/x") is None


def test_fact_checks_count_only_from_established_fact_checkers():
    assert fact_checker("https://www.healthfeedback.org/claimreview/x/")
    assert fact_checker("https://fullfact.org/health/x/")
    assert fact_checker("https://www.factcheck.org/2021/01/x/")
    assert fact_checker("https://www.snopes.com/fact-check/x/")
    assert fact_checker("https://www.someblog.example/fact-check/x") is None
    assert "not an established fact-checker" in type_problem(
        link("https://www.someblog.example/fact-check/x", "fact_check")
    )


def test_outlets_that_publish_more_than_fact_checks_count_only_for_their_fact_checks():
    assert fact_checker("https://www.reuters.com/article/factcheck-x-idUSL1N2")
    assert fact_checker("https://www.reuters.com/fact-check/x-2023-01-01/")
    assert fact_checker("https://www.reuters.com/business/healthcare/x") is None
    assert fact_checker("https://www.usatoday.com/story/news/factcheck/2021/x/")
    assert fact_checker("https://www.usatoday.com/story/news/health/2021/x/") is None


def test_regulators_and_agencies_count_on_their_own_sites():
    for url in (
        "https://www.fda.gov/x",
        "https://www.gov.uk/x",
        "https://tga.gov.au/x",
        "https://www.canada.ca/x",
        "https://www.who.int/x",
        "https://www.efsa.europa.eu/x",
        "https://111.wales.nhs.uk/x",
        "https://nhs.uk/medicines/x",  # the bare domain too
        "https://www.hpra.ie/x",
    ):
        assert is_official(url), url
    for url in ("https://suntimesnews.com/cdc", "https://gov.evil.example/x", "https://govt.com/x"):
        assert not is_official(url), url
        assert "own site" in type_problem(link(url, "public_health_agency"))
    # Other strong types live on journals' and databases' sites: no host rule.
    assert type_problem(link("https://www.thelancet.com/x", "systematic_review")) is None


def test_a_state_county_or_council_page_is_not_a_national_agency():
    """A state, province, county or council speaks for its area, and a local NHS trust
    for its hospitals: readers need the national or international body."""
    for url in (
        "https://www.dshs.texas.gov/x",
        "https://health.maryland.gov/x",
        "https://www.cdph.ca.gov/x",
        "https://www.health.ny.gov/x",
        "https://www.yakimacounty.us/x",
        "https://www2.gov.bc.ca/x",
        "https://www.betterhealth.vic.gov.au/x",
        "https://www.walthamforest.gov.uk/x",
        "https://www.cddft.nhs.uk/x",
        "https://srhd.org/x",
    ):
        assert not is_official(url), url
        assert "own site" in type_problem(link(url, "public_health_agency")), url
    for url in ("https://cas.mhra.gov.uk/x", "https://www.hfea.gov.uk/x", "https://www.cdc.gov/x"):
        assert is_official(url), url


def test_an_address_that_is_not_the_page_itself_does_not_count():
    for url in (
        "https://api.politifact.com/article/2025/sep/23/x",
        "https://amp.cnn.com/cnn/2021/08/26/health/x",
        "https://boomlive.in/amp/buzz/x",
        "https://www.poynter.org/?ifcn_misinformation=wearing-face-masks",
        "https://www.ccjm.org/highwire/markup/1381/expansion?height=500&iframe=true",
        "https://publications.aap.org/pediatrics/article/1/2/x?autologincheck=redirected",
        "https://www.cochranelibrary.com/cdsr/doi/10.1002/14651858.CD1.pub2/full/zh_HANS",
        "https://archive.cdc.gov/www_cdc_gov/flu/avianflu/treatment.htm",
    ):
        problem = type_problem(link(url, "fact_check"))
        assert problem and "not the original page" in problem, url
    ok = "https://www.cochranelibrary.com/cdsr/doi/10.1002/14651858.CD1.pub2/full"
    assert address_problem(ok) is None
    assert address_problem("https://journals.plos.org/plosone/article?id=10.1371/x") is None


def test_weak_types_are_never_strong_and_never_a_type_problem():
    for kind in ("observational", "other"):
        ev = link("https://www.researchgate.net/x", kind)
        assert type_problem(ev) is None and not is_strong(ev, TODAY)


def test_old_evidence_counts_only_with_a_reason_it_is_still_current():
    old = link("https://www.cdc.gov/x", "public_health_agency", year=2015)
    assert evidence.HORIZON_YEARS == 10
    assert not is_strong(old, TODAY)
    assert is_strong({**old, "current_reason": "Still the agency's standing advice."}, TODAY)
    assert not is_strong({**old, "current_reason": "   "}, TODAY)
    assert is_strong(link("https://www.cdc.gov/x", "public_health_agency", year=2016), TODAY)
    assert is_strong(old, TODAY, horizon=15)


def test_checklist_is_empty_for_a_claim_that_meets_the_bar():
    assert checklist(claim(CDC, COCHRANE), TODAY) == []


def test_checklist_names_each_problem_in_words():
    old = link("https://pubmed.ncbi.nlm.nih.gov/1/", year=2001)
    copy = link("https://www.researchgate.net/publication/1", "rct")
    problems = checklist(claim(CDC, old, copy, summary="", phrasings=["only one"]), TODAY)
    text = "\n".join(problems)
    assert "No summary" in text
    assert "Fewer than 3 phrasings (1)" in text
    assert "Link 2 is from 2001, older than 10 years" in text
    assert "Link 3 is typed rct but researchgate.net is not the original page" in text
    assert "Fewer than 2 strong links to original pages (1)" in text
    assert len(problems) == 5


def test_checklist_copes_with_a_claim_without_evidence():
    assert any("strong links" in p for p in checklist({"id": "x"}, TODAY))


def test_shared_evidence_sets_need_a_recorded_reason():
    a = claim(CDC, COCHRANE, id="a")
    b = claim(COCHRANE, CDC, id="b")  # same set, other order
    c = claim(CDC, id="c")
    assert shared_sets([a, b, c]) == [["a", "b"]]
    assert unexplained_shared_sets([a, b, c], []) == [["a", "b"]]
    assert unexplained_shared_sets([a, b, c], [{"claims": ["a", "b"], "reason": " "}]) == [
        ["a", "b"]
    ]
    reasons = [{"claims": ["a", "b", "z"], "reason": "Two sides of one question."}]
    assert unexplained_shared_sets([a, b, c], reasons) == []


def test_every_listed_host_says_why():
    for table in (evidence.COPY_HOSTS, evidence.FACT_CHECKERS, evidence.OFFICIAL_HOSTS):
        assert all(isinstance(v, str) and len(v) > 5 for v in table.values())


def test_a_host_written_with_a_trailing_dot_is_the_same_host():
    assert fact_checker("https://fullfact.org./health/x") == fact_checker("https://fullfact.org/x")
