"""schema.org ClaimReview (https://schema.org/ClaimReview): our claims out, anyone's in."""

from __future__ import annotations

from ..claims import VERDICT_LABELS, VERDICTS, slugify
from .rows import describe


def claim_review(claim: dict, url: str | None = None) -> dict:
    """A claim as ClaimReview JSON-LD (https://schema.org/ClaimReview)."""
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": claim["id"],
        "url": url or claim.get("review_url"),
        "claimReviewed": claim["text"],
        "reviewBody": claim.get("summary", ""),
        "keywords": claim.get("topic", ""),
        # When the evidence was last checked, which is what a reader of the review wants.
        "dateModified": claim.get("reviewed_at") or claim.get("updated_at"),
        "author": {"@type": "Organization", "name": "healthflags"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": VERDICTS[claim["verdict"]],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": VERDICT_LABELS[claim["verdict"]],
        },
        "itemReviewed": _item_reviewed(claim),
        "citation": [
            {
                "@type": "CreativeWork",
                "url": ev["url"],
                "name": ev["title"],
                "publisher": {"@type": "Organization", "name": ev["publisher"]},
                "genre": ev.get("source_type", "other"),
                **({"datePublished": str(ev["year"])} if ev.get("year") else {}),
            }
            for ev in claim.get("evidence", [])
        ],
    }
    return {k: v for k, v in review.items() if v not in (None, "")}


def _item_reviewed(claim: dict) -> dict:
    item = {"@type": "Claim", "alternateName": claim.get("phrasings", [])}
    if claim.get("claimant"):
        name = claim["claimant"]
        # A web address or a dotted name is a site, so an organisation; else a person.
        kind = "Organization" if "." in name or "/" in name else "Person"
        item["author"] = {"@type": kind, "name": name}
    if claim.get("claim_date"):
        item["datePublished"] = claim["claim_date"]
    if claim.get("appearance"):
        item["appearance"] = {"@type": "CreativeWork", "url": claim["appearance"]}
    return item


def _origin(reviewed: dict, string) -> dict:
    """Claimant, claim date and where it appeared, from itemReviewed."""
    author = reviewed.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    name = author.get("name") if isinstance(author, dict) else author
    appearance = reviewed.get("appearance") or reviewed.get("firstAppearance")
    if isinstance(appearance, list):
        appearance = appearance[0] if appearance else None
    where = appearance.get("url") if isinstance(appearance, dict) else appearance
    return {
        "claimant": string(name, "itemReviewed.author.name") or None,
        "claim_date": string(reviewed.get("datePublished"), "itemReviewed.datePublished")[:10]
        or None,
        "appearance": string(where, "itemReviewed.appearance.url") or None,
    }


def is_review(item: dict) -> bool:
    return item.get("@type") in ("ClaimReview", ["ClaimReview"])


_WORDS_TO_VERDICT = (
    ("mostly false", "misleading"),
    ("partly false", "misleading"),
    ("half true", "misleading"),
    ("misleading", "misleading"),
    ("exaggerat", "misleading"),
    ("missing context", "needs_context"),
    ("needs context", "needs_context"),
    ("mixture", "needs_context"),
    ("unproven", "unproven"),
    ("unsupported", "unproven"),
    ("no evidence", "unproven"),
    ("unverified", "unproven"),
    ("pants on fire", "false"),
    ("false", "false"),
    ("fake", "false"),
    ("incorrect", "false"),
    ("wrong", "false"),
    ("mostly true", "needs_context"),
    ("true", "supported"),
    ("correct", "supported"),
    ("accurate", "supported"),
    ("supported", "supported"),
)


def _verdict_of(rating: dict) -> str | None:
    name = str(rating.get("alternateName") or "").casefold()
    for words, verdict in _WORDS_TO_VERDICT:
        if words in name:
            return verdict
    try:
        value = float(rating["ratingValue"])
        best, worst = float(rating.get("bestRating", 5)), float(rating.get("worstRating", 1))
        share = (value - worst) / (best - worst)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return ["false", "misleading", "unproven", "needs_context", "supported"][
        min(4, max(0, round(share * 4)))
    ]


class _Reader:
    """Reads loose markup: a value of the wrong kind is a problem that names its
    property, and reads as empty."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def obj(self, value, path: str) -> dict:
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            self.problems.append(f"{path}: expected an object, found {describe(value)}")
            return {}
        return value

    def string(self, value, path: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problems.append(f"{path}: expected text, found {describe(value)}")
            return ""
        return str(value)


def from_claim_review(item: dict) -> tuple[dict, list[str]]:
    """A claim record from ClaimReview markup, ours or another fact-checker's, and the
    problems that name the property at fault (markup in the wild is often loose)."""
    read = _Reader()
    rating = read.obj(item.get("reviewRating"), "reviewRating")
    reviewed = read.obj(item.get("itemReviewed"), "itemReviewed")
    author = item.get("author")
    author_name = read.string(author.get("name"), "author.name") if isinstance(author, dict) else ""
    phrasings = _phrasings(reviewed, read)
    evidence = _citations(item, read)
    url = read.string(item.get("url"), "url")
    if author_name and author_name != "healthflags" and url:
        # Another fact-checker's review is itself the evidence.
        evidence.append(_fact_check(item, url, author_name, read))
    text = read.string(item.get("claimReviewed"), "claimReviewed")
    keywords = item.get("keywords")
    modified = read.string(item.get("dateModified"), "dateModified")
    record = {
        "id": read.string(item.get("identifier"), "identifier") or slugify(text),
        "text": text,
        "verdict": _verdict_of(rating),
        "summary": read.string(item.get("reviewBody") or item.get("description"), "reviewBody")
        or (f"Rated {rating.get('alternateName')} by {author_name}." if author_name else ""),
        "topic": slugify(keywords, 60) if isinstance(keywords, str) and keywords else "general",
        "phrasings": phrasings,
        "evidence": evidence,
        "reviewed_at": modified or None,
        **_origin(reviewed, read.string),
    }
    if record["verdict"] is None and rating:
        read.problems.append(
            "reviewRating: neither its alternateName nor its ratingValue gives a verdict"
        )
    return record, read.problems


def _phrasings(reviewed: dict, read: _Reader) -> list:
    phrasings = reviewed.get("alternateName") or []
    phrasings = [phrasings] if isinstance(phrasings, str) else phrasings
    if not isinstance(phrasings, list) or not all(isinstance(p, str) for p in phrasings):
        read.problems.append("itemReviewed.alternateName: expected a list of texts")
        return []
    return phrasings


def _citations(item: dict, read: _Reader) -> list[dict]:
    citations = item.get("citation") or []
    citations = [citations] if isinstance(citations, dict) else citations
    if not isinstance(citations, list):
        read.problems.append(f"citation: expected a list of sources, found {describe(citations)}")
        citations = []
    return [_citation(c, f"citation[{i}]", read) for i, c in enumerate(citations)]


def _fact_check(item: dict, url: str, author_name: str, read: _Reader) -> dict:
    return {
        "url": url,
        "title": read.string(item.get("name") or item.get("headline"), "name")
        or f"Fact check by {author_name}",
        "publisher": author_name,
        "source_type": "fact_check",
        "year": read.string(item.get("datePublished"), "datePublished")[:4] or None,
    }


def _citation(c, path: str, read: _Reader) -> dict:
    c = read.obj(c, path)
    string = read.string
    publisher = c.get("publisher")
    return {
        "url": string(c.get("url"), f"{path}.url"),
        "title": string(c.get("name") or c.get("headline"), f"{path}.name"),
        "publisher": string(publisher.get("name"), f"{path}.publisher.name")
        if isinstance(publisher, dict)
        else string(publisher, f"{path}.publisher"),
        "source_type": c.get("genre") if isinstance(c.get("genre"), str) else "other",
        "year": string(c.get("datePublished"), f"{path}.datePublished")[:4] or None,
    }
