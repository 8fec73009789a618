// Words, symbols and categories for verdicts, shared by the tooltip (content script) and
// the popup. A verdict is always shown as a symbol and a word, never by colour alone.

globalThis.healthflagsVerdicts ??= (() => {
  const VERDICTS = {
    false: { label: "False", symbol: "✕" },
    misleading: { label: "Misleading", symbol: "!" },
    unproven: { label: "Unproven", symbol: "?" },
    needs_context: { label: "Needs context", symbol: "i" },
    supported: { label: "Supported", symbol: "✓" },
  };

  const SOURCE_TYPES = {
    systematic_review: "Systematic review",
    rct: "Randomised trial",
    observational: "Observational study",
    guideline: "Clinical guideline",
    regulator: "Regulator",
    public_health_agency: "Public health agency",
    fact_check: "Fact check",
    other: "Other source",
  };

  // What the reader should conclude about the passage, from the server's `assessment`:
  // the card's header, the highlight's colour and the popup's list all follow it.
  const CONCLUSIONS = {
    contradicts_evidence: { key: "misinformation", symbol: "✕", label: "Goes against the evidence" },
    consistent_with_evidence: { key: "consistent", symbol: "✓", label: "In line with the evidence" },
    unclear: { key: "unclear", symbol: "?", label: "Not clearly for or against the evidence" },
  };

  function conclusionOf(match) {
    return CONCLUSIONS[match.assessment] ?? CONCLUSIONS.unclear;
  }

  // Which highlight a flag is painted with: its conclusion, and whether the match is a
  // possible one (a looser match, drawn softer). Only a confident match whose assessment
  // is contradicts_evidence is painted as misinformation.
  // A claim the page reports (the server's `attributed`: "a viral post claims…") has
  // its own look, whatever the claim's verdict: the page does not say it.
  function categoryOf(match) {
    if (match.attributed === true) return "reported";
    const key = conclusionOf(match).key;
    return match.tier === "possible" ? `possible-${key}` : key;
  }

  const CATEGORIES = ["misinformation", "unclear", "consistent",
    "possible-misinformation", "possible-unclear", "possible-consistent", "reported"];

  // Short labels (the popup's list, the legend), for every category.
  const CATEGORY_LABELS = {
    misinformation: CONCLUSIONS.contradicts_evidence.label,
    consistent: CONCLUSIONS.consistent_with_evidence.label,
    unclear: CONCLUSIONS.unclear.label,
    "possible-misinformation": "Possible match: may go against the evidence",
    "possible-consistent": "Possible match: may be in line with the evidence",
    "possible-unclear": "Possible match: which way it leans is unclear",
    reported: "Reported: the page says someone else makes this claim",
  };
  const REPORTED = { symbol: "❝", short: "This page reports the claim" };

  // What a passage does with the claim, by the server's `stance`: [as a fact, as a
  // possibility]. A new stance needs only a line here; unknown ones read as "is about".
  const STANCES = {
    repeats: ["repeats", "repeat"],
    disputes: ["argues against", "argue against"],
    mentions: ["mentions", "mention"],
    unclear: ["is about", "be about"],
  };

  function verdictInfo(verdict) {
    return VERDICTS[verdict] ?? { label: "Checked", symbol: "•" };
  }

  // The card's header under its "possible match" tag, for a possible match.
  const POSSIBLE_HEADLINES = {
    misinformation: "May go against the evidence",
    consistent: "May be in line with the evidence",
    unclear: "Which way it leans is unclear",
  };

  // The card's header: what matters to the reader, whether this passage is in line with
  // the evidence. The claim's own verdict is the detail underneath.
  function headline(flag) {
    if (categoryOf(flag) === "reported") {
      return { category: "reported", symbol: REPORTED.symbol, possible: false,
        label: CATEGORY_LABELS.reported, short: REPORTED.short };
    }
    const conclusion = conclusionOf(flag);
    const possible = flag.tier === "possible";
    return { category: categoryOf(flag), symbol: conclusion.symbol, possible,
      label: CATEGORY_LABELS[categoryOf(flag)],
      short: possible ? POSSIBLE_HEADLINES[conclusion.key] : conclusion.label };
  }

  // One sentence telling the reader what this passage does with the checked claim. A
  // possible match is told as a possibility throughout ("may repeat…; if it does, …").
  function explain(flag, claim) {
    const verdict = verdictInfo(claim?.verdict).label.toLowerCase();
    if (categoryOf(flag) === "reported") return explainReported(flag, claim, verdict);
    const possible = flag.tier === "possible";
    const [does, may] = STANCES[flag.stance] ?? STANCES.unclear;
    const subject = `This passage ${possible ? `may ${may}` : does} a claim checked as ${verdict}`;
    const then = possible ? "; if it does, what it says" : ": what it says";
    if (flag.assessment === "contradicts_evidence") return `${subject}${then} goes against the evidence.`;
    if (flag.assessment === "consistent_with_evidence") return `${subject}${then} is in line with the evidence.`;
    // Unclear is about this passage, not the science: the claim's verdict (unproven,
    // needs context) is neither true nor false, or we can't tell which way the passage leans.
    if (["unproven", "needs_context"].includes(claim?.verdict)) {
      return `${subject}. That verdict says neither that the claim is true nor that it is false, `
        + "so this passage is neither clearly for nor against the evidence; the summary says why.";
    }
    return `${subject}, but we can't tell whether it agrees with the claim or argues against it.`;
  }

  // "This page reports the claim: “…”, according to …": who says it, and that the page
  // does not say it in its own voice. The reported speaker's lean is told only when the
  // server is sure of it.
  const ARTICLES = /^(A|An|The|Some|Many|Its|Their|His|Her|My|Our|Your|This|That|These|Those|One|Other|Others)\b/;

  function explainReported(flag, claim, verdict) {
    let source = typeof flag.attribution?.source === "string" ? flag.attribution.source.trim() : "";
    source = source.replace(ARTICLES, (word) => word.toLowerCase());
    const text = String(claim?.text ?? "").replace(/[.\s]+$/, "");
    let who = ", as someone else's words";
    if (source && flag.attribution?.stance === "disputes") who = `; ${source} argues against it`;
    else if (source) who = `, according to ${source}`;
    return `This page reports the claim: “${text}”${who}. It does not make the claim in its own`
      + ` voice. The claim was checked as ${verdict}.`;
  }

  function sourceTypeLabel(type) {
    return SOURCE_TYPES[type] ?? SOURCE_TYPES.other;
  }

  // Links to outside pages are followed only when they are https.
  function safeHttpsUrl(value) {
    try {
      const url = new URL(value);
      return url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  // The claim's review page lives on the configured server, which may be plain http
  // on this computer; any other origin must be https.
  function safeReviewUrl(value, serverOrigin) {
    try {
      const url = new URL(value);
      if (url.protocol === "https:") return url.href;
      return url.protocol === "http:" && url.origin === serverOrigin ? url.href : null;
    } catch {
      return null;
    }
  }

  return { VERDICTS, CATEGORIES, CATEGORY_LABELS, STANCES, categoryOf, conclusionOf, headline,
           verdictInfo, explain, sourceTypeLabel, safeHttpsUrl, safeReviewUrl };
})();
