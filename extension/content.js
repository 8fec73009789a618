// healthflags content script: reads the page's visible text, asks the background for
// matches, paints them with the CSS Custom Highlight API (which adds no DOM nodes and so
// can't break the page's layout or scripts) and keeps them in place as the page changes.
//
// Injected on demand (the reader's click, or a site they allowed) together with
// verdicts.js, text-anchoring.js and tooltip.js. It never talks to the server itself.

(() => {
  // Injected again on a second "check this page": the first copy is already listening.
  if (globalThis.healthflagsContentLoaded) return;
  globalThis.healthflagsContentLoaded = true;

  const api = globalThis.browser ?? chrome;
  const A = globalThis.healthflagsAnchoring;
  const V = globalThis.healthflagsVerdicts;

  // Messages to the background (see background.js for the full list).
  const MSG_MATCH_SEGMENTS = "match-segments";
  const MSG_FLAGS_CHANGED = "flags-changed";
  const MSG_OPEN_REPORT = "open-report";
  // Messages from the background.
  const MSG_START_CHECK = "start-check";
  const MSG_RESEND_FLAGS = "resend-flags";
  const MSG_SHOW_FLAG = "show-flag";

  const MAX_BATCH_SEGMENTS = 60;
  const MAX_BATCH_CHARS = 40000;
  const MUTATION_DELAY_MS = 400;
  const MUTATION_MAX_WAIT_MS = 2000;
  // A block that keeps changing (a clock, a ticker) is not sent again after this many changes.
  const MAX_CHANGES_PER_BLOCK = 5;
  const HOVER_DELAY_MS = 150;
  const HIDE_DELAY_MS = 300;

  const highlights = new Map(V.CATEGORIES.map((c) => [c, new Highlight()]));
  highlights.get("misinformation").priority = 3;
  highlights.get("unclear").priority = 2;
  highlights.get("consistent").priority = 1;
  const focusHighlight = new Highlight(); // the flag chosen in the popup or by keyboard
  focusHighlight.priority = 4;

  // This document's state; a content script lives exactly as long as its page.
  const page = {
    url: location.href,
    display: null, // {verdicts, showPossible}, set when a check starts
    generation: 0, // bumped by a full check so that late answers are dropped
    blocks: new Map(), // block element -> {text last sent, changes}
    flags: new Map(), // flag id -> flag
    claims: {},
    serverOrigin: "",
    problem: null,
    pending: new Set(),
    firstPendingAt: 0,
    timer: 0,
    observer: null,
    nextSegment: 0,
    nextFlag: 0,
    registered: false,
    busy: 0, // checks running
  };

  // ------------------------------------------------------------------------------
  // Talking to the background

  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== api.runtime.id) return false;
    switch (message?.type) {
      case MSG_START_CHECK:
        page.display = message.display;
        fullCheck();
        sendResponse({ ok: true });
        return false;
      case MSG_RESEND_FLAGS:
        if (page.display && location.href !== page.url) fullCheck();
        else if (page.display) reportFlags();
        sendResponse({ ok: true });
        return false;
      case MSG_SHOW_FLAG:
        showFlag(message.flagId).then(sendResponse);
        return true;
      default:
        throw new Error(`unknown message type: ${JSON.stringify(message?.type)}`);
    }
  });

  async function send(message) {
    try {
      return await api.runtime.sendMessage(message);
    } catch (error) {
      // The extension was reloaded or removed: this copy can do nothing more.
      page.observer?.disconnect();
      return { ok: false, error: { code: "disconnected", message: String(error.message ?? error) } };
    }
  }

  // complete: no check is running, so the list is final for now.
  function orderedFlags() {
    return [...page.flags.values()]
      .sort((a, b) => a.range.compareBoundaryPoints(Range.START_TO_START, b.range));
  }

  function reportFlags() {
    const flags = orderedFlags();
    const claims = {};
    for (const f of flags) claims[f.claimId] = page.claims[f.claimId];
    return send({
      type: MSG_FLAGS_CHANGED,
      complete: page.busy === 0,
      problem: page.problem,
      claims,
      flags: flags.map((f) => ({
        id: f.id, claimId: f.claimId, verdict: f.verdict, assessment: f.assessment,
        tier: f.tier, stance: f.stance, exact: f.exact, attributed: f.attributed,
      })),
    });
  }

  // ------------------------------------------------------------------------------
  // Checking

  async function fullCheck() {
    const generation = ++page.generation;
    page.busy++;
    try {
      clearFlags();
      page.url = location.href;
      page.blocks.clear();
      page.problem = null;
      await reportFlags(); // a new check (or a new SPA page): the old count goes
      const blocks = await A.collectBlocks(document.body);
      if (generation !== page.generation) return;
      await checkBlocks(blocks, generation);
      if (generation === page.generation) watchMutations();
    } finally {
      page.busy--;
    }
    if (generation === page.generation) await reportFlags();
  }

  async function checkBlocks(blocks, generation) {
    for (const block of blocks) {
      const known = page.blocks.get(block.element);
      page.blocks.set(block.element, { text: block.text, changes: known ? known.changes + 1 : 0 });
    }
    const segments = blocks.flatMap((block) => A.segmentsOf(block, () => `s${++page.nextSegment}`));
    for (const batch of batches(segments)) {
      const answer = await send({
        type: MSG_MATCH_SEGMENTS,
        lang: document.documentElement.lang,
        // A lone surrogate (a page can hold one) becomes U+FFFD: same length, so the
        // offsets hold, and the server gets text it can read.
        segments: batch.map((s) => ({ id: s.id, text: s.text.toWellFormed() })),
      });
      if (generation !== page.generation) return;
      if (!answer?.ok) {
        page.problem = answer?.error ?? { code: "error", message: "No answer." };
        return;
      }
      page.problem = null;
      page.serverOrigin = answer.serverOrigin;
      Object.assign(page.claims, answer.claims);
      await applyMatches(batch, answer.matches);
      if (generation !== page.generation) return;
      await reportFlags();
    }
  }

  function* batches(segments) {
    let batch = [];
    let chars = 0;
    for (const segment of segments) {
      if (batch.length && (batch.length >= MAX_BATCH_SEGMENTS || chars + segment.text.length > MAX_BATCH_CHARS)) {
        yield batch;
        batch = [];
        chars = 0;
      }
      batch.push(segment);
      chars += segment.text.length;
    }
    if (batch.length) yield batch;
  }

  function isShown(match, claim) {
    const display = page.display ?? { verdicts: Object.keys(V.VERDICTS), showPossible: true };
    if (!display.verdicts.includes(claim.verdict)) return false;
    return match.tier !== "possible" || display.showPossible;
  }

  async function applyMatches(batch, matches) {
    const segmentsById = new Map(batch.map((s) => [s.id, s]));
    // The answer replaces whatever was flagged in these segments before.
    for (const segment of batch) {
      removeFlags((f) => f.element === segment.block.element
        && f.start >= segment.base && f.start < segment.base + segment.text.length);
    }
    for (const match of matches) {
      const segment = segmentsById.get(match.segment_id);
      const claim = page.claims[match.claim_id];
      if (!segment || !claim || !isShown(match, claim)) continue;
      const quote = {
        exact: match.exact || segment.text.slice(match.start, match.end),
        prefix: match.prefix, suffix: match.suffix,
      };
      const anchored = await anchor(segment.block, segment.base + match.start, quote);
      if (!anchored) continue;
      addFlag({
        id: `f${++page.nextFlag}`,
        claimId: match.claim_id, verdict: claim.verdict, assessment: match.assessment,
        tier: match.tier, stance: match.stance, category: V.categoryOf(match),
        attributed: match.attributed === true, attribution: match.attribution ?? null,
        ...quote, element: segment.block.element, start: anchored.start, range: anchored.range,
      });
    }
  }

  // A Range for the quote: at the server's offsets when the text there is still the
  // quote, else found again by the quote in the block as it is now.
  async function anchor(block, start, quote) {
    const end = start + quote.exact.length;
    if (block.text.slice(start, end) === quote.exact) {
      const range = A.rangeFromOffsets(block, start, end);
      if (A.rangeShowsQuote(range, quote.exact)) return { range, start };
    }
    const now = await freshBlock(block.element) ?? block;
    const found = A.findQuote(now.text, { ...quote, hint: start });
    if (!found) return null;
    const range = A.rangeFromOffsets(now, found.start, found.end);
    return range && !range.collapsed ? { range, start: found.start } : null;
  }

  async function freshBlock(element) {
    if (!element.isConnected) return null;
    const blocks = await A.collectBlocks(element);
    return blocks.find((b) => b.element === element) ?? null;
  }

  // ------------------------------------------------------------------------------
  // Painting

  function addFlag(flag) {
    page.flags.set(flag.id, flag);
    highlights.get(flag.category).add(flag.range);
    if (!page.registered) {
      // Registered with the first flag only: a page we found nothing on stays untouched.
      for (const [category, highlight] of highlights) CSS.highlights.set(`healthflags-${category}`, highlight);
      CSS.highlights.set("healthflags-focus", focusHighlight);
      page.registered = true;
      listenForPointer();
    }
  }

  function removeFlags(predicate) {
    for (const flag of [...page.flags.values()]) {
      if (!predicate(flag)) continue;
      page.flags.delete(flag.id);
      highlights.get(flag.category).delete(flag.range);
      focusHighlight.delete(flag.range);
      if (tooltip?.flag === flag) hideTooltip();
    }
  }

  function clearFlags() {
    page.flags.clear();
    for (const highlight of highlights.values()) highlight.clear();
    focusHighlight.clear();
    hideTooltip();
  }

  function replaceRange(flag, range, start) {
    highlights.get(flag.category).delete(flag.range);
    const focused = focusHighlight.delete(flag.range);
    flag.range = range;
    flag.start = start;
    highlights.get(flag.category).add(range);
    if (focused) focusHighlight.add(range);
  }

  // ------------------------------------------------------------------------------
  // Living pages: text that arrives later is checked; flags follow their text.

  function watchMutations() {
    if (page.observer) return;
    page.observer = new MutationObserver((records) => {
      // Only note what changed here; the work happens once the page has settled.
      for (const record of records) {
        if (record.type === "characterData") {
          page.pending.add(record.target);
          continue;
        }
        for (const node of record.addedNodes) page.pending.add(node);
        // A removed block takes its flags with it (swept later); removed text or inline
        // elements change the text of the block they were in.
        if ([...record.removedNodes].some((n) => !A.isBlockElement(n))) page.pending.add(record.target);
      }
      schedule();
    });
    page.observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    addEventListener("popstate", schedule);
  }

  function schedule() {
    const now = performance.now();
    if (!page.firstPendingAt) page.firstPendingAt = now;
    clearTimeout(page.timer);
    const wait = Math.min(MUTATION_DELAY_MS, page.firstPendingAt + MUTATION_MAX_WAIT_MS - now);
    page.timer = setTimeout(processChanges, Math.max(0, wait));
  }

  async function processChanges() {
    const touched = [...page.pending];
    page.pending.clear();
    page.firstPendingAt = 0;
    if (location.href !== page.url) return fullCheck(); // single-page app: a new page
    const generation = page.generation;
    page.busy++;
    try {
      await recheck(touched, generation);
    } finally {
      page.busy--;
    }
    if (generation === page.generation) await reportFlags();
  }

  async function recheck(touched, generation) {
    // The blocks to read again: an added block element is read whole; added text or
    // inline elements mean their block's text changed.
    const roots = new Set();
    for (const node of touched) {
      if (node.isConnected && !A.isInsideSkipped(node)) roots.add(A.blockElementFor(node));
    }
    const outermost = [...roots].filter((element) => {
      for (let up = element.parentElement; up; up = up.parentElement) if (roots.has(up)) return false;
      return true;
    });
    const blocks = [];
    for (const root of outermost) blocks.push(...await A.collectBlocks(root));
    if (generation !== page.generation) return;

    const changed = [];
    for (const block of blocks) {
      const known = page.blocks.get(block.element);
      reanchorFlagsIn(block);
      if (known?.text === block.text) continue;
      if (known && known.changes >= MAX_CHANGES_PER_BLOCK) continue;
      changed.push(block);
    }

    // Flags whose text went away (or could not be found again) are dropped.
    removeFlags((f) => !f.element.isConnected || !A.rangeShowsQuote(f.range, f.exact));
    for (const element of page.blocks.keys()) {
      if (!element.isConnected) page.blocks.delete(element);
    }
    if (changed.length) await checkBlocks(changed, generation);
  }

  // Live Ranges follow most edits by themselves; when one no longer shows its quote,
  // find the quote again in its block (same offsets first, then by the quote).
  function reanchorFlagsIn(block) {
    for (const flag of page.flags.values()) {
      if (flag.element !== block.element || A.rangeShowsQuote(flag.range, flag.exact)) continue;
      const end = flag.start + flag.exact.length;
      let found = block.text.slice(flag.start, end) === flag.exact ? { start: flag.start, end } : null;
      found ??= A.findQuote(block.text, { exact: flag.exact, prefix: flag.prefix, suffix: flag.suffix, hint: flag.start });
      const range = found && A.rangeFromOffsets(block, found.start, found.end);
      if (range) replaceRange(flag, range, found.start);
    }
  }

  // ------------------------------------------------------------------------------
  // Tooltip: on hover or click over a flag

  let tooltip = null;
  const timers = { hover: 0, hide: 0 };
  const keyboard = { last: null, returnTo: null }; // the flag reached by keyboard, and where from
  let pointer = null;
  let framePending = false;

  function getTooltip() {
    tooltip ??= globalThis.healthflagsTooltip.createTooltip({
      // The report form is the extension's own page, out of this page's reach: the card
      // only asks the background to open it for this flag.
      onReport: (flag) => send({ type: MSG_OPEN_REPORT, flagId: flag.id }),
      onClose: hideTooltip,
      onPointerEnter: () => clearTimeout(timers.hide),
      onPointerLeave: () => { if (!tooltip?.pinned) scheduleHide(); },
    });
    return tooltip;
  }

  function openTooltip(flag, rect, pinned) {
    const claim = page.claims[flag.claimId];
    if (!claim) return;
    clearTimeout(timers.hide);
    getTooltip().show(flag, claim, rect, { pinned, serverOrigin: page.serverOrigin });
  }

  function hideTooltip() {
    clearTimeout(timers.hover);
    clearTimeout(timers.hide);
    if (tooltip?.flag) {
      const hadFocus = document.activeElement === tooltip.host;
      tooltip.hide();
      focusHighlight.clear();
      // The keyboard's place on the page is where the reader left it.
      if (hadFocus && keyboard.returnTo?.isConnected) keyboard.returnTo.focus?.({ preventScroll: true });
    }
  }

  function scheduleHide() {
    clearTimeout(timers.hide);
    timers.hide = setTimeout(hideTooltip, HIDE_DELAY_MS);
  }

  // The page's scripts can dispatch events too: only the reader's own (trusted) ones count.
  function listenForPointer() {
    const trusted = (handler) => (event) => { if (event.isTrusted) handler(event); };
    addEventListener("pointermove", trusted(onPointerMove), { passive: true, capture: true });
    addEventListener("click", trusted(onClick), { capture: true });
    addEventListener("keydown", trusted(onKeyDown), { capture: true });
    addEventListener("scroll", trusted(onScroll), { passive: true, capture: true });
  }

  // Alt+Shift+N / Alt+Shift+P move to the next / previous flag on the page and open its
  // card with the focus in it (Tab reaches its links, Escape closes it and gives the
  // focus back). Never while the reader types in a field.
  function onKeyDown(event) {
    if (event.key === "Escape") {
      hideTooltip();
      return;
    }
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
    const step = { KeyN: 1, KeyP: -1 }[event.code];
    if (!step || page.flags.size === 0 || isTyping(event.composedPath()[0])) return;
    event.preventDefault();
    moveToFlag(step);
  }

  function isTyping(target) {
    return target instanceof Element
      && (target.isContentEditable || target.closest("input, textarea, select") !== null);
  }

  async function moveToFlag(step) {
    const flags = orderedFlags().filter((f) => A.rangeShowsQuote(f.range, f.exact));
    if (!flags.length) return;
    const at = flags.indexOf(tooltip?.flag ?? keyboard.last);
    const next = at === -1 ? (step > 0 ? 0 : flags.length - 1) : (at + step + flags.length) % flags.length;
    if (!(tooltip?.flag && document.activeElement === tooltip.host)) keyboard.returnTo = document.activeElement;
    keyboard.last = flags[next];
    await showFlag(flags[next].id);
    tooltip?.focus();
  }

  function onPointerMove(event) {
    if (tooltip?.flag && tooltip.contains(event)) {
      clearTimeout(timers.hide);
      return;
    }
    pointer = { x: event.clientX, y: event.clientY };
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(() => {
      framePending = false;
      const hit = flagAt(pointer.x, pointer.y);
      if (hit) {
        clearTimeout(timers.hide);
        if (tooltip?.flag === hit.flag) return;
        clearTimeout(timers.hover);
        timers.hover = setTimeout(() => openTooltip(hit.flag, passageRect(hit.flag), false), HOVER_DELAY_MS);
      } else {
        clearTimeout(timers.hover);
        if (tooltip?.flag && !tooltip.pinned) scheduleHide();
      }
    });
  }

  function onClick(event) {
    // A click inside the tooltip keeps it open (the reader is using it).
    if (tooltip?.flag && tooltip.contains(event)) {
      tooltip.pin();
      return;
    }
    const hit = flagAt(event.clientX, event.clientY);
    if (hit) openTooltip(hit.flag, passageRect(hit.flag), true);
    else if (tooltip?.flag) hideTooltip();
  }

  function onScroll() {
    if (!tooltip?.flag) return;
    if (tooltip.pinned) tooltip.reposition(passageRect(tooltip.flag));
    else hideTooltip();
  }

  function flagAt(x, y) {
    // Quick answer for the common case, pointer over no highlight at all.
    if (CSS.highlights.highlightsFromPoint && CSS.highlights.highlightsFromPoint(x, y).length === 0) return null;
    for (const flag of page.flags.values()) {
      for (const rect of flag.range.getClientRects()) {
        if (x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) return { flag, rect };
      }
    }
    return null;
  }

  function firstRect(range) {
    return range.getClientRects()[0] ?? range.getBoundingClientRect();
  }

  // All the passage's lines: the card is placed so that it covers none of them.
  function passageRect(flag) {
    return flag.range.getBoundingClientRect();
  }

  // From the popup: bring a flag into view and open its tooltip (keyboard users reach
  // every flag this way).
  async function showFlag(flagId) {
    const flag = page.flags.get(flagId);
    if (!flag || !A.rangeShowsQuote(flag.range, flag.exact)) return { ok: false };
    hideTooltip();
    focusHighlight.add(flag.range);
    const rect = firstRect(flag.range);
    if (rect.top < 0 || rect.bottom > innerHeight) {
      const smooth = !matchMedia("(prefers-reduced-motion: reduce)").matches;
      const settled = scrollSettled();
      flag.range.startContainer.parentElement?.scrollIntoView({
        block: "center", behavior: smooth ? "smooth" : "instant",
      });
      await settled;
      const after = firstRect(flag.range);
      if (after.top < 0 || after.bottom > innerHeight) scrollBy({ top: after.top - innerHeight / 3, behavior: "instant" });
    }
    openTooltip(flag, passageRect(flag), true);
    focusHighlight.add(flag.range);
    return { ok: true };
  }

  function scrollSettled() {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        removeEventListener("scrollend", done, true);
        resolve();
      };
      const timer = setTimeout(done, 1000);
      addEventListener("scrollend", done, true);
    });
  }
})();
