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

  // Which highlight a flag is painted with. Only a confident match whose assessment is
  // contradicts_evidence is painted as misinformation.
  function categoryOf(match) {
    if (match.tier === "possible") return "possible";
    if (match.assessment === "contradicts_evidence") return "misinformation";
    if (match.assessment === "consistent_with_evidence") return "consistent";
    return "unclear";
  }

  const CATEGORY_LABELS = {
    misinformation: "Goes against the evidence",
    consistent: "In line with the evidence",
    unclear: "Not settled",
    possible: "Possible match",
  };

  function verdictInfo(verdict) {
    return VERDICTS[verdict] ?? { label: "Checked", symbol: "•" };
  }

  // One sentence telling the reader what this passage does with the checked claim.
  function explain(flag, claim) {
    const verdict = verdictInfo(claim?.verdict).label.toLowerCase();
    const prefix = flag.tier === "possible" ? "Possibly about a checked claim. " : "";
    if (flag.assessment === "contradicts_evidence") {
      return prefix + (flag.stance === "disputes"
        ? "This passage argues against a claim that the evidence supports."
        : `This passage repeats a claim checked as ${verdict}: the evidence goes against it.`);
    }
    if (flag.assessment === "consistent_with_evidence") {
      return prefix + (flag.stance === "disputes"
        ? `This passage argues against a claim checked as ${verdict}, in line with the evidence.`
        : "This passage repeats a claim that the evidence supports.");
    }
    return prefix + `This passage touches a claim checked as ${verdict}; the evidence does not settle what it says.`;
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

  return { VERDICTS, CATEGORY_LABELS, categoryOf, verdictInfo, explain, sourceTypeLabel,
           safeHttpsUrl, safeReviewUrl };
})();
