"""What a claim is: validation and normalisation of one claim record.

A record is a plain dict in the seed-file shape (see `seed/FORMAT.md`). Every way
into the store (seed, import, workspace form) goes through `clean_claim`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

VERDICTS = {"false": 1, "misleading": 2, "unproven": 3, "needs_context": 4, "supported": 5}
VERDICT_LABELS = {
    "false": "False",
    "misleading": "Misleading",
    "unproven": "Unproven",
    "needs_context": "Needs context",
    "supported": "Supported",
}
SOURCE_LABELS = {
    "systematic_review": "Systematic review",
    "rct": "Randomised trial",
    "observational": "Observational study",
    "guideline": "Guideline",
    "regulator": "Regulator",
    "public_health_agency": "Public-health agency",
    "fact_check": "Fact-check",
    "other": "Other source",
}
HARMS = ("low", "medium", "high")
SOURCE_TYPES = (
    "systematic_review",
    "rct",
    "observational",
    "guideline",
    "regulator",
    "public_health_agency",
    "fact_check",
    "other",
)
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOPIC = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# Query parameters that only track who clicked: an address carrying one is refused.
_TRACKING = re.compile(
    r"utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|twclid|"
    r"_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|_ga|_gl",
    re.I,
)


def tracking_params(url: str) -> list[str]:
    """The tracking parameters in an address's query, by name."""
    query = urlsplit(url).query
    return [k for k, _ in parse_qsl(query, keep_blank_values=True) if _TRACKING.fullmatch(k)]


class InvalidClaim(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def slugify(text: str, limit: int = 80) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug[:limit].rstrip("-") or "claim"


def is_https_url(url: Any) -> bool:
    if not isinstance(url, str) or len(url) > 2000 or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and "." in parts.hostname


def clean_claim(raw: Any) -> dict:
    """The record, trimmed and checked; raises InvalidClaim listing every problem."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise InvalidClaim(["a claim must be an object"])
    text = _text(raw, "text", 500, problems)
    claim_id = raw.get("id") or (slugify(text) if text else "")
    if not isinstance(claim_id, str) or not _ID.fullmatch(claim_id) or len(claim_id) > 80:
        problems.append("id must be a lowercase slug of letters, digits and hyphens")
    verdict = raw.get("verdict")
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        problems.append(f"verdict must be one of {', '.join(VERDICTS)}")
    summary = _text(raw, "summary", 600, problems)
    topic = _text(raw, "topic", 60, problems) or "general"
    if topic and not _TOPIC.fullmatch(topic):
        problems.append("topic must be a lowercase slug")
    harm = raw.get("harm", "medium")
    if not isinstance(harm, str) or harm not in HARMS:
        problems.append(f"harm must be one of {', '.join(HARMS)}")
    phrasings = _string_list(raw.get("phrasings", []), "phrasings", 500, problems)
    seen = {text.casefold()}
    phrasings = [p for p in phrasings if not (p.casefold() in seen or seen.add(p.casefold()))]
    required = _string_list(raw.get("required_terms", []), "required_terms", 60, problems)
    counter = _string_list(raw.get("counter_statements", []), "counter_statements", 500, problems)
    reviewed_at = _date(raw.get("reviewed_at"), "reviewed_at", problems)
    item_reviewed = _item_reviewed(raw, problems)
    aliases = _aliases(raw.get("aliases") or {}, problems)
    evidence = _evidence_list(raw.get("evidence", []), problems)
    if problems:
        raise InvalidClaim(problems)
    return {
        "id": claim_id,
        "text": text,
        "verdict": verdict,
        "rating_value": VERDICTS[verdict],
        "summary": summary,
        "topic": topic,
        "harm": harm,
        "phrasings": phrasings,
        "aliases": aliases,
        "required_terms": [r.lower() for r in required],
        "counter_statements": counter,
        "evidence": evidence,
        "reviewed_at": reviewed_at,
        **item_reviewed,
    }


def _text(raw: dict, name: str, limit: int, problems: list[str], required: bool = True) -> str:
    """A text field with its spacing folded; "" when missing or not a string."""
    value = raw.get(name)
    if value is None or value == "":
        if required:
            problems.append(f"{name} is required")
        return ""
    if not isinstance(value, str):
        problems.append(f"{name} must be a string")
        return ""
    value = " ".join(value.split())
    if len(value) > limit:
        problems.append(f"{name} is longer than {limit} characters")
    return value


def _item_reviewed(raw: dict, problems: list[str]) -> dict:
    """Who made the claim, when and where (ClaimReview's itemReviewed): all optional,
    and only those given are kept."""
    claimant = _text(raw, "claimant", 200, problems, required=False)
    claim_date = _date(raw.get("claim_date"), "claim_date", problems)
    appearance = _text(raw, "appearance", 2000, problems, required=False)
    if appearance and urlsplit(appearance).scheme not in ("http", "https"):
        problems.append("appearance must be the http:// or https:// address where it appeared")
    elif appearance and tracking_params(appearance):
        problems.append(
            "appearance: remove the tracking parameters "
            f"({', '.join(tracking_params(appearance))}) from the address"
        )
    found = {"claimant": claimant, "claim_date": claim_date, "appearance": appearance}
    return {k: v for k, v in found.items() if v}


def _aliases(raw_aliases: Any, problems: list[str]) -> dict[str, list[str]]:
    if not isinstance(raw_aliases, dict):
        problems.append("aliases must map a term to a list of names")
        return {}
    aliases: dict[str, list[str]] = {}
    for term, names in raw_aliases.items():
        term = " ".join(str(term).split()).lower()
        cleaned = _string_list(names, f"aliases of {term}", 80, problems)
        if term and cleaned:
            aliases[term] = sorted({n.lower() for n in cleaned} - {term})
    return aliases


def _evidence_list(raw_evidence: Any, problems: list[str]) -> list[dict]:
    if not isinstance(raw_evidence, list):
        problems.append("evidence must be a list")
        return []
    return [_clean_evidence(ev, i, problems) for i, ev in enumerate(raw_evidence, 1)]


def _date(value: Any, name: str, problems: list[str]) -> str | None:
    """An ISO date (YYYY-MM-DD); a full timestamp keeps only its date."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        problems.append(f"{name} must be a date written as YYYY-MM-DD")
        return None


def _string_list(value: Any, name: str, limit: int, problems: list[str]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{name} must be a list of strings")
        return []
    out = [" ".join(v.split()) for v in value if v.strip()]
    if any(len(v) > limit for v in out):
        problems.append(f"each of {name} must be at most {limit} characters")
    return out


def _clean_evidence(ev: Any, i: int, problems: list[str]) -> dict:
    if not isinstance(ev, dict):
        problems.append(f"evidence {i} must be an object")
        return {}
    url = ev.get("url")
    if not is_https_url(url):
        problems.append(f"evidence {i}: url must be an https:// address")
    elif tracking_params(url):
        problems.append(
            f"evidence {i}: remove the tracking parameters ({', '.join(tracking_params(url))}) "
            "from the address"
        )
    title = " ".join(str(ev.get("title") or "").split())
    publisher = " ".join(str(ev.get("publisher") or "").split())
    if not title or not publisher:
        problems.append(f"evidence {i}: title and publisher are required")
    source_type = ev.get("source_type", "other")
    if not isinstance(source_type, str) or source_type not in SOURCE_TYPES:
        problems.append(f"evidence {i}: source_type must be one of {', '.join(SOURCE_TYPES)}")
    year = ev.get("year")
    if year in ("", None):
        year = None
    else:
        try:
            year = int(year)
            if not 1800 <= year <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"evidence {i}: year must be a year")
            year = None
    out = {
        "url": url,
        "title": title,
        "publisher": publisher,
        "source_type": source_type,
        "year": year,
    }
    for key in ("doi", "pmid"):
        if ev.get(key):
            out[key] = str(ev[key]).strip()
    # Why a source older than the evidence horizon still stands (see server/evidence.py).
    reason = " ".join(str(ev.get("current_reason") or "").split())
    if len(reason) > 300:
        problems.append(f"evidence {i}: current_reason is longer than 300 characters")
    if reason:
        out["current_reason"] = reason
    return out
