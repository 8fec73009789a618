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

  // The legend's samples repeat the highlights' paint (highlights.css, highlights-tinted.css); a test
  // compares the two.
  const STYLES = `
    :host { all: initial; }
    .card {
      box-sizing: border-box; width: min(420px, calc(100vw - 16px)); max-height: min(560px, calc(100vh - 16px));
      display: flex; flex-direction: column; padding: 12px 14px; border-radius: 10px; border: 1px solid #d0d5dd;
      background: #ffffff; color: #1d2939; box-shadow: 0 8px 24px rgba(16, 24, 40, 0.18);
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; text-align: left;
    }
    .card:focus { outline: none; }
    .card:focus-visible { outline: 2px solid #175cd3; outline-offset: 2px; }
    .body { flex: 1 1 auto; min-height: 0; overflow: auto; }
    .footer { flex: none; border-top: 1px solid #eaecf0; margin-top: 10px; padding-top: 8px; }
    .head { display: flex; align-items: flex-start; gap: 8px; }
    .headline { display: flex; align-items: center; gap: 8px; font-weight: 700; font-size: 15px; }
    .possible-tag { display: block; font-size: 12px; font-weight: 600; color: #475467; }
    .symbol {
      display: inline-grid; place-items: center; flex: none; width: 20px; height: 20px; border-radius: 50%;
      color: #fff; font-size: 12px; font-weight: 700; line-height: 1; box-sizing: border-box;
    }
    .tone-misinformation { color: #b42318; }
    .tone-consistent { color: #067647; }
    .tone-unclear { color: #b54708; }
    .headline.tone-misinformation .symbol { background: #b42318; }
    .headline.tone-consistent .symbol { background: #067647; }
    .headline.tone-unclear .symbol { background: #b54708; }
    .tone-reported { color: #3e4784; }
    .headline.tone-reported .symbol { background: #3e4784; }
    .headline.possible .symbol { background: transparent; color: inherit; border: 2px dotted currentColor; }
    .verdict { display: inline-flex; align-items: center; gap: 4px; font-weight: 600; white-space: nowrap; }
    .verdict .symbol { width: 16px; height: 16px; font-size: 10px; }
    .verdict-false .symbol { background: #b42318; }
    .verdict-misleading .symbol { background: #b54708; }
    .verdict-unproven .symbol { background: #6941c6; }
    .verdict-needs_context .symbol { background: #026aa2; }
    .verdict-supported .symbol { background: #067647; }
    .category { font-size: 12px; padding: 1px 8px; border-radius: 999px; border: 1px solid currentColor; }
    .close {
      margin-left: auto; border: 0; background: transparent; font: inherit; font-size: 18px; line-height: 1;
      color: #475467; cursor: pointer; padding: 2px 6px; border-radius: 6px;
    }
    .card p { margin: 8px 0 0; }
    .claim { color: #344054; }
    .label { font-weight: 600; }
    .card h2 { font-size: 13px; margin: 10px 0 2px; text-transform: uppercase; letter-spacing: 0.04em; color: #475467; }
    .card h2 .checked { text-transform: none; letter-spacing: normal; font-weight: 400; margin: 0; }
    .card ul { margin: 0; padding: 0 0 0 18px; }
    .card li { margin: 3px 0; }
    .card li[hidden] { display: none; }
    .card a { color: #175cd3; }
    .meta { display: block; font-size: 12px; color: #475467; }
    .checked { font-size: 12px; color: #475467; margin: 6px 0 0; }
    .withheld { font-size: 12px; color: #b42318; }
    .actions { display: flex; gap: 8px 12px; align-items: center; flex-wrap: wrap; }
    .card button.action, .card button.link {
      font: inherit; font-size: 13px; padding: 4px 10px; border-radius: 6px; cursor: pointer;
      border: 1px solid #d0d5dd; background: #fff; color: #1d2939;
    }
    .card button.link { border: 0; padding: 2px 0; background: transparent; color: #175cd3; text-decoration: underline; }
    .card :is(button, a):focus-visible {
      outline: 2px solid #175cd3; outline-offset: 2px;
    }
    .card .status:empty { display: none; }
    .card .status { font-size: 13px; font-weight: 600; }
    .card .status.error { color: #b42318; }
    .legend { margin-top: 8px; }
    .legend[hidden] { display: none; }
    .legend dl { margin: 4px 0 0; display: grid; grid-template-columns: max-content 1fr; gap: 6px 10px; align-items: baseline; }
    .legend dt { margin: 0; }
    .legend dd { margin: 0; font-size: 13px; }
    .legend .note { font-size: 12px; color: #475467; margin: 8px 0 0; }
    .swatch { padding: 0 2px; text-decoration-line: underline; text-decoration-thickness: 2px; color: inherit; }
    .swatch-misinformation { background-color: rgba(217, 45, 32, 0.2); text-decoration-style: wavy; text-decoration-color: #b42318; }
    .swatch-unclear { background-color: rgba(247, 144, 9, 0.18); text-decoration-style: dashed; text-decoration-color: #b54708; }
    .swatch-consistent { background-color: rgba(18, 183, 106, 0.15); text-decoration-style: solid; text-decoration-color: #067647; }
    .swatch-possible-misinformation { text-decoration-style: dotted; text-decoration-color: #b42318; }
    .swatch-possible-unclear { text-decoration-style: dotted; text-decoration-color: #b54708; }
    .swatch-possible-consistent { text-decoration-style: dotted; text-decoration-color: #067647; }
    .swatch-reported { text-decoration-style: double; text-decoration-color: #3e4784; }
    kbd { font: 12px ui-monospace, monospace; border: 1px solid #d0d5dd; border-radius: 4px; padding: 0 3px; }
    @media (prefers-color-scheme: dark) {
      .card { background: #1d2939; color: #f2f4f7; border-color: #475467; }
      .footer { border-color: #475467; }
      .claim, .meta, .checked, .card h2, .close, .possible-tag, .legend .note { color: #d0d5dd; }
      .tone-misinformation { color: #fda29b; }
      .tone-consistent { color: #75e0a7; }
      .tone-unclear { color: #fec84b; }
      .headline .symbol { color: #1d2939; }
      .headline.tone-misinformation .symbol { background: #fda29b; }
      .headline.tone-consistent .symbol { background: #75e0a7; }
      .headline.tone-unclear .symbol { background: #fec84b; }
      .tone-reported { color: #b3b8db; }
      .headline.tone-reported .symbol { background: #b3b8db; }
      .headline.possible .symbol { background: transparent; color: inherit; }
      .card a, .card button.link { color: #84caff; }
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

  // Sources shown before "N more sources": enough to judge, short enough that the
  // card's actions stay in sight.
  const SOURCES_SHOWN = 2;
  // The keyboard shortcuts content.js listens for (moving between flags on the page).
  const SHORTCUTS = { next: "Alt+Shift+N", previous: "Alt+Shift+P" };
  let legends = 0;

  function symbolOf(text) {
    const symbol = el("span", "symbol", text);
    symbol.setAttribute("aria-hidden", "true");
    return symbol;
  }

  // The passage's conclusion, with its symbol: the card's header (`short`: under the
  // card's "possible match" tag) and the popup's lines.
  function renderHeadline(flag, { short = false } = {}) {
    const head = V.headline(flag);
    const tone = head.category.replace(/^possible-/, "");
    const line = el("span", `headline tone-${tone}${head.possible ? " possible" : ""}`);
    line.dataset.category = head.category;
    line.append(symbolOf(head.symbol), el("span", "word", short ? head.short : head.label));
    return line;
  }

  // "Checked claim: “…” — rated ✕ False": the claim's own verdict, as the detail.
  function renderClaimLine(claim) {
    const verdict = V.verdictInfo(claim.verdict);
    const badge = el("span", `verdict verdict-${claim.verdict}`);
    badge.append(symbolOf(verdict.symbol), el("span", "word", verdict.label));
    const quote = el("q");
    quote.textContent = claim.text;
    const line = el("p", "claim");
    line.append(el("span", "label", "Checked claim: "), quote, " — rated ", badge);
    return line;
  }

  // What each highlight style means, with a sample painted like the highlight.
  function renderLegend() {
    const legend = el("div", "legend");
    const list = el("dl");
    for (const category of V.CATEGORIES) {
      const term = el("dt");
      term.append(el("span", `swatch swatch-${category}`, "passage"));
      list.append(term, el("dd", null, V.CATEGORY_LABELS[category]));
    }
    const keys = el("p", "note");
    keys.append("Keyboard: ", el("kbd", null, SHORTCUTS.next), " next flag, ", el("kbd", null, SHORTCUTS.previous),
      " previous, ", el("kbd", null, "Esc"), " closes the card.");
    legend.append(list,
      el("p", "note", "A wavy, dashed or solid underline is a close match; a dotted one is a possible "
        + "match, less certain; a double one, a claim the page only reports. With the “underline only” "
        + "style there is no tint."), keys);
    return legend;
  }

  // A date with no time: read it as UTC so no time zone moves it a day.
  function dayOf(date) {
    return new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, {
      year: "numeric", month: "long", day: "numeric", timeZone: "UTC",
    });
  }

  function renderEvidence(evidence, checked, onResize) {
    const list = el("ul", "evidence");
    evidence.forEach((item, index) => {
      const entry = el("li");
      entry.hidden = index >= SOURCES_SHOWN;
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
      const meta = [item.publisher, V.sourceTypeLabel(item.source_type), item.year].filter(Boolean).join(" · ");
      entry.append(el("span", "meta", meta));
      list.append(entry);
    });
    const heading = el("h2", "evidence-heading", "Evidence");
    if (checked) heading.append(checked);
    const parts = [heading, list];
    const more = evidence.length - SOURCES_SHOWN;
    if (more > 0) {
      const label = `${more} more source${more === 1 ? "" : "s"}`;
      const toggle = el("button", "link more-sources", label);
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      toggle.addEventListener("click", trusted(() => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        toggle.textContent = open ? "Fewer sources" : label;
        [...list.children].forEach((entry, index) => { entry.hidden = !open && index >= SOURCES_SHOWN; });
        onResize();
      }));
      parts.push(toggle);
    }
    return parts;
  }

  // Full review, This flag is wrong and the legend's toggle: out of the scrolling body,
  // so they stay in sight.
  function renderFooter(flag, claim, { serverOrigin, onReport, onResize, legend, body }) {
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
    const key = el("button", "link legend-toggle", "What the highlights mean");
    key.type = "button";
    key.setAttribute("aria-expanded", "false");
    key.setAttribute("aria-controls", legend.id);
    key.addEventListener("click", trusted(() => {
      legend.hidden = !legend.hidden;
      key.setAttribute("aria-expanded", String(!legend.hidden));
      onResize(); // the card grows first, then its body shows the legend
      // Scrolled by hand: scrollIntoView could scroll the page under a fixed card.
      if (!legend.hidden) body.scrollTop = legend.offsetTop - body.offsetTop;
    }));
    actions.append(wrong, key);

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
    const footer = el("div", "footer");
    footer.append(actions, status);
    return footer;
  }

  // Fill `card` with what is known about a flag. Used by the tooltip and by the popup.
  // options: serverOrigin, onReport(flag) -> Promise<{ok, error}> (opens the report
  // page), onClose (a close button is shown only when given), onResize (the card grew
  // or shrank). The header says what the reader should conclude about this passage;
  // the actions sit in a footer that stays in sight whatever the body holds.
  function renderCard(card, flag, claim, { serverOrigin = "", onReport, onClose = null, onResize = () => {} }) {
    const head = el("div", "head");
    const title = el("div", "title");
    if (flag.tier === "possible" && V.categoryOf(flag) !== "reported") {
      title.append(el("span", "possible-tag", "Possible match, less certain"));
    }
    title.append(renderHeadline(flag, { short: true }));
    head.append(title);
    if (onClose) {
      const close = el("button", "close", "×");
      close.type = "button";
      close.setAttribute("aria-label", "Close");
      close.addEventListener("click", trusted(() => onClose()));
      head.append(close);
    }

    const body = el("div", "body");
    body.append(el("p", "explain", V.explain(flag, claim)), renderClaimLine(claim));
    if (claim.summary) body.append(el("p", "summary", claim.summary));
    // When the evidence was last checked goes beside its heading (one line less).
    const checked = claim.reviewed_at ? el("span", "checked", ` · checked on ${dayOf(claim.reviewed_at)}`) : null;
    if (claim.evidence.length) body.append(...renderEvidence(claim.evidence, checked, onResize));
    else if (checked) body.append(el("p", "checked", `Evidence checked on ${dayOf(claim.reviewed_at)}`));
    const legend = renderLegend();
    legend.hidden = true;
    legend.id = `healthflags-legend-${++legends}`;
    body.append(legend);

    const footer = renderFooter(flag, claim, { serverOrigin, onReport, onResize, legend, body });
    card.replaceChildren(head, body, footer);
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
    card.tabIndex = -1;
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

    // Never over the passage (`rect`, all its lines): below it when the card fits there,
    // else above, else beside it; failing all three, on the roomier side above or below
    // with the card shortened to fit (its body scrolls, its actions stay in sight).
    function place(rect) {
      const margin = 8;
      host.style.setProperty("visibility", "hidden", "important");
      host.style.setProperty("display", "block", "important");
      card.style.removeProperty("max-height");
      const { width, height } = card.getBoundingClientRect();
      const clamp = (value, low, high) => Math.max(low, Math.min(value, high));
      const below = innerHeight - rect.bottom - 2 * margin;
      const above = rect.top - 2 * margin;
      let left = clamp(rect.left, margin, innerWidth - width - margin);
      let top;
      if (height <= below) top = rect.bottom + margin;
      else if (height <= above) top = rect.top - margin - height;
      else if (innerWidth - rect.right - 2 * margin >= width || rect.left - 2 * margin >= width) {
        left = innerWidth - rect.right - 2 * margin >= width ? rect.right + margin : rect.left - margin - width;
        top = clamp(rect.top, margin, innerHeight - height - margin);
      } else {
        const room = Math.max(below, above, 160);
        card.style.setProperty("max-height", `${room}px`);
        top = below >= above ? rect.bottom + margin : rect.top - margin - Math.min(height, room);
      }
      // A pinned card whose passage was scrolled away stays on screen (it covers nothing then).
      top = clamp(top, margin, Math.max(margin, innerHeight - card.getBoundingClientRect().height - margin));
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
      // The card itself takes focus (a screen reader reads its header); Tab goes on to its
      // links and buttons. preventScroll: the card is fixed, the page stays where it is.
      focus() { card.focus({ preventScroll: true }); },
      remove() { host.remove(); },
    };
  }

  return { createTooltip, renderCard, renderHeadline, renderClaimLine, renderLegend, SHORTCUTS, STYLES };
})();
