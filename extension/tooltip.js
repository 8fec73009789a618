// The tooltip shown over a flag: verdict, what the passage does with the claim, the
// summary, evidence links and "this flag is wrong".
//
// It lives in a closed shadow root on a <healthflags-tooltip> element fixed to the
// viewport: the page's styles don't reach it, it never moves the page's layout, and the
// page's scripts can neither read nor change it (nor click in it: every handler wants a
// trusted event). The report form is not here at all but in the extension's own
// report page, which "This flag is wrong" opens. Everything is built with
// createElement/textContent: claim data is never parsed as HTML, and links are followed
// only when they are https.

globalThis.healthflagsTooltip ??= (() => {
  const V = globalThis.healthflagsVerdicts;

  const STYLES = `
    :host { all: initial; }
    .card {
      box-sizing: border-box; width: min(380px, calc(100vw - 16px)); max-height: min(480px, calc(100vh - 16px));
      overflow: auto; padding: 12px 14px; border-radius: 10px; border: 1px solid #d0d5dd;
      background: #ffffff; color: #1d2939; box-shadow: 0 8px 24px rgba(16, 24, 40, 0.18);
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; text-align: left;
    }
    .head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
    .verdict { display: inline-flex; align-items: center; gap: 6px; font-weight: 700; }
    .symbol {
      display: inline-grid; place-items: center; width: 20px; height: 20px; border-radius: 50%;
      color: #fff; font-size: 12px; font-weight: 700; line-height: 1;
    }
    .verdict-false .symbol { background: #b42318; }
    .verdict-misleading .symbol { background: #b54708; }
    .verdict-unproven .symbol { background: #6941c6; }
    .verdict-needs_context .symbol { background: #026aa2; }
    .verdict-supported .symbol { background: #067647; }
    .category { font-size: 12px; padding: 1px 8px; border-radius: 999px; border: 1px solid currentColor; color: #475467; }
    .category-misinformation { color: #b42318; }
    .category-consistent { color: #067647; }
    .close {
      margin-left: auto; border: 0; background: transparent; font: inherit; font-size: 18px; line-height: 1;
      color: #475467; cursor: pointer; padding: 2px 6px; border-radius: 6px;
    }
    .card p { margin: 8px 0 0; }
    .claim { color: #344054; }
    .label { font-weight: 600; }
    .card h2 { font-size: 13px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: 0.04em; color: #475467; }
    .card ul { margin: 0; padding: 0 0 0 18px; }
    .card li { margin: 4px 0; }
    .card a { color: #175cd3; }
    .meta { display: block; font-size: 12px; color: #475467; }
    .checked { font-size: 12px; color: #475467; margin: 6px 0 0; }
    .withheld { font-size: 12px; color: #b42318; }
    .actions { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-top: 12px; }
    .card button.action {
      font: inherit; font-size: 13px; padding: 4px 10px; border-radius: 6px; cursor: pointer;
      border: 1px solid #d0d5dd; background: #fff; color: #1d2939;
    }
    .card :is(button, a):focus-visible {
      outline: 2px solid #175cd3; outline-offset: 2px;
    }
    .card .status:empty { display: none; }
    .card .status { font-size: 13px; font-weight: 600; }
    .card .status.error { color: #b42318; }
    @media (prefers-color-scheme: dark) {
      .card { background: #1d2939; color: #f2f4f7; border-color: #475467; }
      .claim, .meta, .checked, .card h2, .category, .close { color: #d0d5dd; }
      .card a { color: #84caff; }
      .card button.action { background: #344054; color: #f2f4f7; border-color: #667085; }
    }
  `;

  function el(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text != null) element.textContent = text;
    return element;
  }

  function applyStyles(shadow) {
    // A constructed sheet is not subject to the page's CSP; fall back to <style> where
    // the content script's sheet can't be adopted.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      shadow.append(el("style", null, STYLES));
    }
  }

  // Only what the reader did: a page's script can dispatch events but not trusted ones.
  function trusted(handler) {
    return (event) => {
      if (event.isTrusted) handler(event);
    };
  }

  // Fill `card` with what is known about a flag. Used by the tooltip and by the popup.
  // options: serverOrigin, onReport(flag) -> Promise<{ok, error}> (opens the report
  // page), onClose (a close button is shown only when given), onResize (the card grew
  // or shrank).
  function renderCard(card, flag, claim, { serverOrigin = "", onReport, onClose = null, onResize = () => {} }) {
    const verdict = V.verdictInfo(claim.verdict);
    const category = V.categoryOf(flag);

    const head = el("div", "head");
    const badge = el("span", `verdict verdict-${claim.verdict}`);
    const symbol = el("span", "symbol", verdict.symbol);
    symbol.setAttribute("aria-hidden", "true");
    badge.append(symbol, el("span", "word", verdict.label));
    head.append(badge, el("span", `category category-${category}`, V.CATEGORY_LABELS[category]));
    if (onClose) {
      const close = el("button", "close", "×");
      close.type = "button";
      close.setAttribute("aria-label", "Close");
      close.addEventListener("click", trusted(() => onClose()));
      head.append(close);
    }

    const claimLine = el("p", "claim");
    const quote = el("q");
    quote.textContent = claim.text;
    claimLine.append(el("span", "label", "Checked claim: "), quote);

    card.replaceChildren(head, el("p", "explain", V.explain(flag, claim)), claimLine);
    if (claim.summary) card.append(el("p", "summary", claim.summary));

    if (claim.evidence.length) {
      const list = el("ul", "evidence");
      for (const item of claim.evidence) {
        const entry = el("li");
        const href = V.safeHttpsUrl(item.url);
        if (href) {
          const link = el("a", null, item.title || new URL(href).hostname);
          link.href = href;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          entry.append(link);
        } else {
          entry.append(el("span", null, item.title || "Source"), " ",
            el("span", "withheld", "(link withheld: not a secure https address)"));
        }
        const meta = [item.publisher, V.sourceTypeLabel(item.source_type), item.year]
          .filter(Boolean).join(" · ");
        entry.append(el("span", "meta", meta));
        list.append(entry);
      }
      card.append(el("h2", null, "Evidence"), list);
    }
    if (claim.reviewed_at) {
      // A date with no time: read it as UTC so no time zone moves it a day.
      const day = new Date(`${claim.reviewed_at}T00:00:00Z`).toLocaleDateString(undefined, {
        year: "numeric", month: "long", day: "numeric", timeZone: "UTC",
      });
      card.append(el("p", "checked", `Evidence checked on ${day}`));
    }

    const actions = el("div", "actions");
    const reviewUrl = V.safeReviewUrl(claim.review_url, serverOrigin);
    if (reviewUrl) {
      const review = el("a", null, "Full review");
      review.href = reviewUrl;
      review.target = "_blank";
      review.rel = "noopener noreferrer";
      actions.append(review);
    }
    const wrong = el("button", "action report-open", "This flag is wrong");
    wrong.type = "button";
    actions.append(wrong);
    card.append(actions);

    const status = el("p", "status");
    status.setAttribute("role", "status");
    wrong.addEventListener("click", trusted(async () => {
      const result = await onReport(flag)
        .catch((error) => ({ ok: false, error: { message: String(error.message ?? error) } }));
      status.className = result?.ok ? "status" : "status error";
      status.textContent = result?.ok ? "The report form opened in a new tab: nothing is sent until you press Send there."
        : `The report form could not be opened: ${result?.error?.message ?? "unknown error"}`;
      onResize();
    }));
    card.append(status);
  }

  // callbacks: onReport(flag) -> Promise<{ok, error}>,
  // onClose(), onPointerEnter(), onPointerLeave()
  function createTooltip(callbacks) {
    const host = document.createElement("healthflags-tooltip");
    // Fixed and on top; the inline declarations win over any page rule for our element.
    for (const [name, value] of [["position", "fixed"], ["z-index", "2147483647"], ["top", "0"],
      ["left", "0"], ["display", "none"], ["margin", "0"], ["padding", "0"]]) {
      host.style.setProperty(name, value, "important");
    }
    const shadow = host.attachShadow({ mode: "closed" });
    applyStyles(shadow);
    const card = el("div", "card");
    card.setAttribute("role", "dialog");
    card.setAttribute("aria-label", "healthflags: checked claim");
    shadow.append(card);

    // Keys pressed in the card (Escape, Enter on a button) are not the page's shortcuts.
    for (const type of ["keydown", "keyup", "keypress"]) {
      shadow.addEventListener(type, (event) => {
        if (event.isTrusted && type === "keydown" && event.key === "Escape") callbacks.onClose();
        event.stopPropagation();
      });
    }
    host.addEventListener("pointerenter", trusted(() => callbacks.onPointerEnter()));
    host.addEventListener("pointerleave", trusted(() => callbacks.onPointerLeave()));

    let current = null; // {flag, pinned, rect}
    const render = (flag, claim, serverOrigin) => renderCard(card, flag, claim, {
      serverOrigin, onReport: callbacks.onReport, onClose: callbacks.onClose,
      onResize: () => { if (current) place(current.rect); },
    });

    // Beside the flag's line: below it when there is room, else above; inside the viewport.
    function place(rect) {
      const margin = 8;
      host.style.setProperty("visibility", "hidden", "important");
      host.style.setProperty("display", "block", "important");
      const { width, height } = card.getBoundingClientRect();
      let top = rect.bottom + margin;
      if (top + height > innerHeight - margin && rect.top - margin - height >= margin) {
        top = rect.top - margin - height;
      }
      top = Math.max(margin, Math.min(top, innerHeight - height - margin));
      const left = Math.max(margin, Math.min(rect.left, innerWidth - width - margin));
      host.style.setProperty("top", `${Math.round(top)}px`, "important");
      host.style.setProperty("left", `${Math.round(left)}px`, "important");
      host.style.setProperty("visibility", "visible", "important");
    }

    return {
      host,
      show(flag, claim, rect, { pinned = false, serverOrigin = "" } = {}) {
        if (!host.isConnected) document.documentElement.append(host);
        if (current?.flag !== flag) render(flag, claim, serverOrigin);
        current = { flag, rect, pinned: pinned || (current?.flag === flag && current.pinned) };
        place(rect);
      },
      reposition(rect) {
        if (!current) return;
        current.rect = rect;
        place(rect);
      },
      hide() {
        current = null;
        host.style.setProperty("display", "none", "important");
        card.replaceChildren();
      },
      pin() {
        if (current) current.pinned = true;
      },
      get flag() { return current?.flag ?? null; },
      get pinned() { return current?.pinned ?? false; },
      contains(event) { return event.composedPath().includes(host); },
      focus() { card.querySelector("button, a")?.focus(); },
      remove() { host.remove(); },
    };
  }

  return { createTooltip, renderCard, STYLES };
})();
