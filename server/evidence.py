"""The evidence bar: which links count as strong, and what a claim still lacks.

Pure rules, no Flask or database: the seed tests, the workspace's checklist and
anything else that judges evidence call these, so the bar is decided in one place.

A link is *strong* when its type is one of `STRONG_TYPES` and the page is the
original: not on a copy host (document-sharing sites, web archives, press-release
relays, newsletters, repositories of author copies), a fact-check from an
established fact-checker, a regulator's or agency's page on that body's own site,
and not older than the horizon unless the entry says why it is still current.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from urllib.parse import urlsplit

HORIZON_YEARS = 10  # evidence older than this must say why it still stands
MIN_STRONG = 2
MIN_PHRASINGS = 3

STRONG_TYPES = {
    "regulator": "a regulator's own decision, warning or rule",
    "public_health_agency": "a public-health agency's own guidance",
    "systematic_review": "a systematic review or meta-analysis",
    "rct": "a major randomised trial",
    "guideline": "a clinical guideline from a professional body or task force",
    "fact_check": "a fact-check by an established fact-checker",
}

# Hosts whose pages are copies, relays, archives, newsletters or repositories of
# someone else's page: they never count as strong, whatever type an entry claims.
COPY_HOSTS = {
    "123docz.net": "document-sharing site (uploaded copies)",
    "abcdocz.com": "document-sharing site (uploaded copies)",
    "docslib.org": "document-sharing site (uploaded copies)",
    "readkong.com": "document-sharing site (uploaded copies)",
    "scribd.com": "document-sharing site (uploaded copies)",
    "metajournal.com": "aggregator of abstracts copied from journals",
    "researchgate.net": "author-uploaded copies of papers",
    "ouci.dntb.gov.ua": "citation index reproducing abstracts",
    "scilit.com": "citation index reproducing abstracts",
    "zendy.io": "aggregator of journal content",
    "altmetric.com": "attention tracker for a paper, not the paper",
    "proquest.com": "database copy of a published work",
    "katalog.lib.cas.cz": "library catalogue record",
    "moreblossom.com": "reposted copy of a paper",
    "betacellsindiabetes.org": "site summarising other people's papers",
    "drugsandalcohol.ie": "library repository of other publishers' documents",
    "hsdl.org": "library repository of other publishers' documents",
    "medbox.org": "library repository of other publishers' documents",
    "inchem.org": "collection of copies of IPCS/WHO documents",
    "digitalmedia.hhs.gov": "HHS syndication copies of agency pages",
    "openrepository.com": "institutional repository records (copies)",
    "espace.library.uq.edu.au": "institutional repository (author copies)",
    "ore.exeter.ac.uk": "institutional repository (author copies)",
    "strathprints.strath.ac.uk": "institutional repository (author copies)",
    "spiral.imperial.ac.uk": "institutional repository (author copies)",
    "publicatt.unicatt.it": "institutional repository (author copies)",
    "ucviden.dk": "institutional repository (author copies)",
    "lup.lub.lu.se": "institutional repository (author copies)",
    "scholars.northwestern.edu": "university research profile (copied abstract)",
    "vivo.weill.cornell.edu": "university research profile (copied abstract)",
    "scholarworks.boisestate.edu": "institutional repository (author copies)",
    "digital.library.adelaide.edu.au": "institutional repository (author copies)",
    "archive.org": "web archive",
    "archive.ph": "web archive",
    "webarchive.library.unt.edu": "web archive",
    "cybercemetery.unt.edu": "web archive",
    "webharvest.gov": "web archive",
    "pagefreezer.com": "web archive",
    "archive.cdc.gov": "CDC's archive of retired pages",
    "webarchive.nationalarchives.gov.uk": "web archive",
    "govdelivery.com": "e-mail bulletin relay",
    "prnewswire.com": "press-release relay",
    "einpresswire.com": "press-release relay",
    "eurekalert.org": "press-release relay",
    "biospace.com": "press-release relay",
    "finanznachrichten.de": "press-release relay",
    "scienceblog.com": "press-release relay",
    "thefederalregister.org": "unofficial copy of the Federal Register",
    "casewatch.net": "copies of regulators' documents",
    "blogspot.com": "personal blog (reposts)",
    "news.yahoo.com": "syndicated copies of other outlets' articles",
    "yahoo.com": "syndicated copies of other outlets' articles",
    "parallelparliament.co.uk": "copies of parliamentary records",
    "medicalxpress.com": "press-release relay",
}
# URL shapes that mark a newsletter or bulletin rather than the source itself.
NEWSLETTER = re.compile(r"newsletter|/the_scoop|/bulletins?/|/e-?news/", re.I)

# Addresses that reach a page's content but are not the page a reader opens: say why.
ADDRESS_PROBLEMS = (
    (re.compile(r"^api\."), "an API address, not the page a reader opens"),
    (re.compile(r"(^|\.)amp\.|/amp(/|$)"), "an AMP copy; link the publisher's own page"),
    (re.compile(r"[?&]ifcn_misinformation="), "an entry in Poynter's database, not the check"),
    (re.compile(r"/highwire/markup/|[?&]iframe=true"), "a fragment of a page, not the article"),
    (
        re.compile(r"[?&](autologincheck|term|s|ref|source|from)=", re.I),
        "carries a parameter of someone's visit; drop it",
    ),
    (
        re.compile(r"/zh_HAN[ST]$|/(full|information|abstract)/[a-z]{2}$"),
        "a language variant of the page; link the page itself",
    ),
)

# Established fact-checkers: signatories of the IFCN code of principles, or health
# fact-checkers of that standing. A host maps to the reason it is on the list.
FACT_CHECKERS = {
    "healthfeedback.org": "Health Feedback (Science Feedback), IFCN signatory, health-only",
    "sciencefeedback.co": "Science Feedback, IFCN signatory",
    "science.feedback.org": "Science Feedback, IFCN signatory",
    "fullfact.org": "Full Fact (UK), IFCN signatory",
    "factcheck.org": "FactCheck.org (Annenberg), IFCN signatory, runs SciCheck",
    "politifact.com": "PolitiFact (Poynter), IFCN signatory",
    "snopes.com": "Snopes, long-standing fact-checker, former IFCN signatory",
    "reuters.com": "Reuters Fact Check, IFCN signatory (fact-check pages only)",
    "apnews.com": "AP Fact Check, IFCN signatory",
    "factcheck.afp.com": "AFP Fact Check, IFCN signatory",
    "leadstories.com": "Lead Stories, IFCN signatory",
    "usatoday.com": "USA TODAY fact-check desk, IFCN signatory (fact-check pages only)",
    "logicallyfacts.com": "Logically Facts, IFCN signatory",
    "logically.ai": "Logically Facts (earlier address), IFCN signatory",
    "aap.com.au": "AAP FactCheck (Australia), IFCN signatory",
    "aapnews.com.au": "AAP FactCheck (Australia), IFCN signatory",
    "africacheck.org": "Africa Check, IFCN signatory",
    "boomlive.in": "BOOM (India), IFCN signatory",
    "factly.in": "Factly (India), IFCN signatory",
    "newsmeter.in": "NewsMeter fact-check (India), IFCN signatory",
    "newsmobile.in": "NewsMobile fact-check (India), IFCN signatory",
    "factcrescendo.com": "Fact Crescendo, IFCN signatory",
    "rappler.com": "Rappler fact-check (Philippines), IFCN signatory",
    "verafiles.org": "VERA Files (Philippines), IFCN signatory",
    "larepublica.pe": "Verificador de La República (Peru), IFCN signatory",
    "thejournal.ie": "The Journal FactCheck (Ireland), IFCN signatory",
    "thedispatch.com": "The Dispatch Fact Check, IFCN signatory",
    "blackdotresearch.sg": "Black Dot Research (Singapore), IFCN signatory",
    "wfaa.com": "VERIFY (TEGNA stations), IFCN signatory (fact-check pages only)",
    "wcnc.com": "VERIFY (TEGNA stations), IFCN signatory (fact-check pages only)",
    "13newsnow.com": "VERIFY (TEGNA stations), IFCN signatory (fact-check pages only)",
    "fox43.com": "VERIFY (TEGNA stations), IFCN signatory (fact-check pages only)",
    "myfoxzone.com": "VERIFY (TEGNA stations), IFCN signatory (fact-check pages only)",
    "thequint.com": "The Quint's WebQoof desk (India), IFCN signatory (fact-check pages only)",
    "poynter.org": "IFCN's CoronaVirusFacts database: each entry records a signatory's fact-check",
    "misbar.com": "Misbar (Arabic and English), IFCN signatory",
    "checkyourfact.com": "Check Your Fact, IFCN signatory",
    "indiatoday.in": "India Today Fact Check, IFCN signatory (fact-check pages only)",
}
# Hosts that publish much besides fact-checks: only pages under these paths count.
FACT_CHECK_PATHS = {
    "reuters.com": re.compile(r"fact-?check", re.I),
    "usatoday.com": re.compile(r"factcheck|fact-check", re.I),
    "wfaa.com": re.compile(r"verify", re.I),
    "wcnc.com": re.compile(r"verify", re.I),
    "13newsnow.com": re.compile(r"verify", re.I),
    "fox43.com": re.compile(r"verify", re.I),
    "myfoxzone.com": re.compile(r"verify", re.I),
    "thequint.com": re.compile(r"webqoof", re.I),
    "indiatoday.in": re.compile(r"fact-?check", re.I),
    "poynter.org": re.compile(r"ifcn_misinformation=", re.I),
}

# A regulator's or agency's page lives on that body's own site: a government
# domain, or one of these official bodies on another domain.
OFFICIAL_SUFFIX = re.compile(
    r"((^|\.)(gov|govt|gob|gouv)(\.[a-z]{2}){0,2}|\.mil|\.gc\.ca|(^|\.)nhs\.uk|(^|\.)nhs\.scot"
    r"|\.europa\.eu|(^|\.)who\.int)$"
)
OFFICIAL_HOSTS = {
    "who.int": "World Health Organization",
    "canada.ca": "Government of Canada (Health Canada, PHAC)",
    "gov.uk": "UK government (MHRA, UKHSA, Department of Health)",
    "gov.wales": "Welsh Government",
    "gov.scot": "Scottish Government",
    "publichealthscotland.scot": "Public Health Scotland",
    "hse.ie": "Ireland's Health Service Executive",
    "nhsinform.scot": "NHS Scotland's national health information service",
    "fao.org": "Food and Agriculture Organization of the UN",
    "unaids.org": "UNAIDS",
    "unaids.org.vn": "UNAIDS country office",
    "anses.fr": "ANSES, France's food and health-safety agency",
    "fanc.be": "Belgium's Federal Agency for Nuclear Control",
    "aifa.gov.it": "Italy's medicines agency",
    "hpra.ie": "Ireland's Health Products Regulatory Authority",
    "famhp.be": "Belgium's Federal Agency for Medicines and Health Products",
    "hsa.ky": "Cayman Islands Health Services Authority",
    "nhmrc.gov.au": "Australia's National Health and Medical Research Council",
    "iarc.fr": "International Agency for Research on Cancer (WHO), its earlier domain",
    "opss.org": "U.S. Department of Defense's Operation Supplement Safety",
    "rivm.openrepository.com": "RIVM, the Dutch public-health institute, publishes reports here",
}
# Hosts that carry much besides the official body's pages: only these paths count.
OFFICIAL_PATHS: dict[str, re.Pattern] = {}


def host(url: str) -> str:
    name = (urlsplit(url).hostname or "").lower().rstrip(".")  # "fullfact.org." is fullfact.org
    return name[4:] if name.startswith("www.") else name


def _listed(name: str, table: dict[str, str]) -> str | None:
    """The table's entry for the host or any domain above it."""
    parts = name.split(".")
    for i in range(len(parts) - 1):
        if ".".join(parts[i:]) in table:
            return ".".join(parts[i:])
    return None


def copy_reason(url: str) -> str | None:
    """Why a link is a copy rather than the source, or None for an original page."""
    found = _listed(host(url), COPY_HOSTS)
    if found:
        return COPY_HOSTS[found]
    if NEWSLETTER.search(_where(url)):
        return "newsletter or bulletin"
    return None


def address_problem(url: str) -> str | None:
    """Why a link's address is not the page itself (an API, an AMP copy, a fragment,
    a visitor's parameters), or None."""
    name, where = host(url), _where(url)
    for pattern, reason in ADDRESS_PROBLEMS:
        if pattern.search(name) or pattern.search(where):
            return reason
    return None


def _where(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def fact_checker(url: str) -> str | None:
    """The established fact-checker behind a link, or None."""
    found = _listed(host(url), FACT_CHECKERS)
    if not found:
        return None
    path = FACT_CHECK_PATHS.get(found)
    if path and not path.search(_where(url)):
        return None
    return FACT_CHECKERS[found]


# A state, province, county, city or council speaks for its own area: readers need the
# national or international body (the regulator, the national public-health agency).
# US states use <state>.gov and .us; Australian states <state>.gov.au; Canadian
# provinces their own domains; English councils <council>.gov.uk; local NHS bodies
# <trust>.nhs.uk.
US_STATES = [
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa",
    "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
    "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
    "newhampshire", "newjersey", "newmexico", "newyork", "northcarolina", "northdakota",
    "ohio", "oklahoma", "oregon", "pennsylvania", "rhodeisland", "southcarolina",
    "southdakota", "tennessee", "texas", "utah", "vermont", "virginia", "washington",
    "westvirginia", "wisconsin", "wyoming", "mass", "ny", "nyc", "ca", "wa", "nj", "pa",
    "dc", "il", "mn", "ct", "ri", "nh", "nd", "sd", "nc", "sc", "wv",
]
SUB_NATIONAL = re.compile(
    r"(^|\.)(" + "|".join(US_STATES) + r")\.gov$"
    r"|(^|\.)state\.[a-z]{2}\.us$|\.us$"
    r"|(^|\.)(nsw|vic|qld|wa|sa|tas|act|nt)\.gov\.au$"
    r"|(^|\.)(gov\.bc|gov\.on|gov\.ab|gov\.sk|gov\.mb|gov\.ns|gov\.nb|gov\.nl|gov\.pe)\.ca$"
    r"|(^|\.)(ontario|alberta|quebec|manitoba|saskatchewan)\.ca$"
)
# Hosts under gov.uk and nhs.uk that are national bodies (Wales's NHS is its nation's);
# any other is a council or a local NHS trust.
NATIONAL_UK = {
    "food.gov.uk", "hse.gov.uk", "mhra.gov.uk", "hfea.gov.uk", "publishing.service.gov.uk",
    "england.nhs.uk", "digital.nhs.uk", "wales.nhs.uk", "api.nhs.uk",
}


def is_sub_national(url: str) -> bool:
    """Whether a link is on a state's, province's, county's or council's site."""
    name = host(url)
    for parent in ("gov.uk", "nhs.uk"):
        if name.endswith("." + parent):
            return not any(name == n or name.endswith("." + n) for n in NATIONAL_UK)
    return bool(SUB_NATIONAL.search(name))


def is_official(url: str) -> bool:
    name = host(url)
    if is_sub_national(url):
        return False
    if OFFICIAL_SUFFIX.search(name):
        return True
    found = _listed(name, OFFICIAL_HOSTS)
    path = OFFICIAL_PATHS.get(found or "")
    return found is not None and (path is None or bool(path.search(urlsplit(url).path)))


def type_problem(ev: dict) -> str | None:
    """Why an entry cannot carry the strong type it claims, or None."""
    kind, url = ev.get("source_type"), ev.get("url") or ""
    if kind not in STRONG_TYPES:
        return None
    reason = copy_reason(url) or address_problem(url)
    if reason:
        return f"{host(url)} is not the original page ({reason})"
    if kind == "fact_check" and not fact_checker(url):
        return f"{host(url)} is not an established fact-checker"
    if kind in ("regulator", "public_health_agency") and not is_official(url):
        return f"{host(url)} is not the regulator's or agency's own site"
    return None


def is_old(ev: dict, today: date | None = None, horizon: int = HORIZON_YEARS) -> bool:
    year = ev.get("year")
    return isinstance(year, int) and year < (today or date.today()).year - horizon


def is_strong(ev: dict, today: date | None = None, horizon: int = HORIZON_YEARS) -> bool:
    """A strong link to an original page, current or marked as still current."""
    if ev.get("source_type") not in STRONG_TYPES or type_problem(ev):
        return False
    return not is_old(ev, today, horizon) or bool((ev.get("current_reason") or "").strip())


def checklist(claim: dict, today: date | None = None, horizon: int = HORIZON_YEARS) -> list[str]:
    """What a claim still lacks before readers should see it, each in words."""
    problems = []
    if not (claim.get("summary") or "").strip():
        problems.append("No summary: say in a sentence or two what the evidence shows.")
    phrasings = claim.get("phrasings") or []
    if len(phrasings) < MIN_PHRASINGS:
        problems.append(
            f"Fewer than {MIN_PHRASINGS} phrasings ({len(phrasings)}): add the ways people "
            "actually word it."
        )
    evidence = claim.get("evidence") or []
    for i, ev in enumerate(evidence, 1):
        wrong = type_problem(ev)
        if wrong:
            problems.append(
                f"Link {i} is typed {ev['source_type'].replace('_', ' ')} but {wrong}: "
                "link the original or type it as other."
            )
        elif (
            ev.get("source_type") in STRONG_TYPES
            and is_old(ev, today, horizon)
            and not (ev.get("current_reason") or "").strip()
        ):
            problems.append(
                f"Link {i} is from {ev['year']}, older than {horizon} years: link a current "
                "source, or say why it is still current."
            )
    strong = sum(is_strong(ev, today, horizon) for ev in evidence)
    if strong < MIN_STRONG:
        problems.append(
            f"Fewer than {MIN_STRONG} strong links to original pages ({strong}): add a "
            "regulator, public-health agency, systematic review, major trial, guideline or "
            "established fact-checker."
        )
    return problems


def evidence_key(claim: dict) -> tuple[str, ...]:
    return tuple(sorted(ev.get("url", "") for ev in claim.get("evidence") or []))


def shared_sets(claims: list[dict]) -> list[list[str]]:
    """Groups of claim ids whose evidence sets are identical, word for word."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for c in claims:
        if c.get("evidence"):
            groups[evidence_key(c)].append(c["id"])
    return [sorted(ids) for ids in groups.values() if len(ids) > 1]


def unexplained_shared_sets(claims: list[dict], reasons: list[dict]) -> list[list[str]]:
    """Shared evidence sets with no recorded reason. `reasons` lists groups as
    {"claims": [ids], "reason": "..."}; a group is explained when a recorded group
    with a reason covers all of its claims."""
    covered = [set(r["claims"]) for r in reasons if (r.get("reason") or "").strip()]
    return [ids for ids in shared_sets(claims) if not any(set(ids) <= c for c in covered)]
