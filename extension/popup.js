// The toolbar popup: this tab's flags, "check this page" and the switch for this site.
// It talks only to the background; `popup.html?tab=ID` shows a given tab (used when the
// popup is opened as a page, e.g. by the tests).

const api = globalThis.browser ?? chrome;
const V = globalThis.healthflagsVerdicts;
const { renderCard, STYLES } = globalThis.healthflagsTooltip;

const MSG_GET_TAB_STATE = "get-tab-state";
const MSG_CHECK_TAB = "check-tab";
const MSG_SHOW_FLAG = "show-flag";
const MSG_SET_SITE_AUTO = "set-site-auto";
const MSG_OPEN_REPORT = "open-report";

const $ = (id) => document.getElementById(id);

const STATUS_TEXT = {
  idle: () => "This page has not been checked. Nothing is sent until you ask.",
  checking: () => "Checking this page…",
  unreachable: (s) => `The healthflags server at ${s.serverUrl} can't be reached, so this page `
    + "was not checked. Nothing on the page was changed. Is the server running? "
    + "You can change its address in Options.",
  error: (s) => `The server could not check this page: ${s.message || "unknown error"}`,
  "needs-consent": (s) => (s.consentedServerUrl
    ? `The server address is now ${s.serverUrl}; you agreed to sending page text to `
      + `${s.consentedServerUrl}. Nothing is sent to the new address until you agree to it.`
    : "healthflags sends nothing until you have read what it sends and agreed."),
  "never-check": (s) => `${s.host} is on your never-check list, so its pages are not read or sent.`,
  private: () => "healthflags does not run in private windows.",
  unsupported: () => "This kind of page can't be checked (browser pages, files, the extension store).",
};

let tabId = null;
let currentSite = null; // {host, pattern}

async function main() {
  const param = new URLSearchParams(location.search).get("tab");
  if (param) {
    tabId = Number(param);
    document.body.classList.add("in-tab");
  } else {
    const [tab] = await api.tabs.query({ active: true, currentWindow: true });
    tabId = tab?.id ?? null;
  }
  // The claim card looks the same here as in the page's tooltip.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLES);
  document.adoptedStyleSheets = [sheet];

  $("check-page").addEventListener("click", checkPage);
  $("site-switch").addEventListener("change", switchSite);
  $("allow-site").addEventListener("click", () => {
    if (currentSite) api.permissions.request({ origins: [currentSite.pattern] }).then(refresh, refresh);
  });
  $("consent-link").addEventListener("click", (event) => {
    event.preventDefault();
    api.tabs.create({ url: api.runtime.getURL("consent.html") });
  });
  $("options-link").addEventListener("click", (event) => {
    event.preventDefault();
    api.runtime.openOptionsPage();
  });
  // The background records results in storage.session; redraw when this tab's change.
  api.storage.onChanged.addListener((changes, area) => {
    if (area === "session" && Object.keys(changes).some((k) => k.startsWith(`tab:${tabId}:`))) refresh();
    if (area === "local") refresh();
  });
  await refresh();
}

async function refresh() {
  if (tabId === null) {
    render({ status: "unsupported", flags: [], claims: {} });
    return;
  }
  const state = await api.runtime.sendMessage({ type: MSG_GET_TAB_STATE, tabId });
  render(state);
}

function render(state) {
  const status = state.status;

  const statusEl = $("status");
  statusEl.className = status === "unreachable" || status === "error" ? "error" : "";
  statusEl.dataset.status = status;
  if (status === "done") {
    const n = state.flags.length;
    statusEl.textContent = n === 0 ? "No checked claims were found on this page."
      : `${n} checked claim${n === 1 ? "" : "s"} on this page.`;
  } else {
    statusEl.textContent = (STATUS_TEXT[status] ?? STATUS_TEXT.idle)(state);
  }

  $("consent-box").hidden = state.consent;
  const blocked = ["needs-consent", "private", "unsupported", "never-check"].includes(status);
  $("check-page").disabled = blocked || status === "checking";
  $("check-page").textContent = status === "done" ? "Check this page again" : "Check this page";

  currentSite = state.host ? { host: state.host, pattern: state.sitePattern } : null;
  const siteSwitch = $("site-switch");
  $("site-switch-label").hidden = !state.host || !state.consent || state.incognito;
  siteSwitch.checked = state.auto === true;
  siteSwitch.disabled = state.never;
  $("site-switch-text").textContent = `Check ${state.host ?? "this site"} automatically`;
  // Checking by itself needs the browser's access to the site (a click grants it once).
  $("site-note").hidden = !(state.consent && state.auto && !state.siteAccess);
  $("site-note-text").textContent = `healthflags has no access to ${state.host} yet, so it checks `
    + "this site only when you click.";

  renderFlags(state);
}

function renderFlags(state) {
  const list = $("flags");
  $("flags-section").hidden = state.flags.length === 0;
  $("flags-heading").textContent = `On this page (${state.flags.length})`;
  const serverOrigin = state.serverUrl ? new URL(state.serverUrl).origin : "";
  // Redrawing would close the open details: leave the list alone if nothing changed.
  const signature = JSON.stringify(state.flags.map((f) => [f.id, f.claimId, f.assessment, f.tier]));
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.dataset.flag));
  const items = state.flags.map((flag) => {
    const claim = state.claims[flag.claimId];
    if (!claim) return null;
    const category = V.categoryOf(flag);
    const verdict = V.verdictInfo(claim.verdict);
    const item = document.createElement("li");
    item.className = `flag category-${category}`;

    const show = document.createElement("button");
    show.type = "button";
    show.className = "flag-show";
    show.dataset.flag = flag.id;
    const line = document.createElement("span");
    line.className = "flag-line";
    const badge = document.createElement("span");
    badge.className = `verdict verdict-${claim.verdict}`;
    const symbol = document.createElement("span");
    symbol.className = "symbol";
    symbol.setAttribute("aria-hidden", "true");
    symbol.textContent = verdict.symbol;
    const word = document.createElement("span");
    word.textContent = verdict.label;
    badge.append(symbol, word);
    const label = document.createElement("span");
    label.className = `category category-${category}`;
    label.textContent = V.CATEGORY_LABELS[category];
    line.append(badge, label);
    const quote = document.createElement("span");
    quote.className = "flag-quote";
    quote.textContent = `“${shorten(flag.exact, 140)}”`;
    show.append(line, quote);
    show.setAttribute("aria-label", `${verdict.label}, ${V.CATEGORY_LABELS[category]}: ${flag.exact}. Show on page.`);
    show.addEventListener("click", () => api.runtime.sendMessage({ type: MSG_SHOW_FLAG, tabId, flagId: flag.id }));

    const details = document.createElement("details");
    details.dataset.flag = flag.id;
    details.open = open.has(flag.id);
    const summary = document.createElement("summary");
    summary.textContent = "Why, evidence and “this flag is wrong”";
    const card = document.createElement("div");
    card.className = "card";
    renderCard(card, flag, claim, {
      serverOrigin,
      onReport: (chosen) => api.runtime.sendMessage({ type: MSG_OPEN_REPORT, tabId, flagId: chosen.id }),
    });
    details.append(summary, card);
    item.append(show, details);
    return item;
  }).filter(Boolean);
  list.replaceChildren(...items);
}

function shorten(text, max) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

async function checkPage() {
  $("check-page").disabled = true;
  $("status").textContent = STATUS_TEXT.checking();
  const answer = await api.runtime.sendMessage({ type: MSG_CHECK_TAB, tabId });
  if (!answer?.ok) await refresh();
}

function switchSite(event) {
  const enabled = event.target.checked;
  if (!currentSite) return;
  const { pattern } = currentSite;
  // Ask for access to the site inside the click (browsers require a user gesture);
  // the setting is saved either way, and auto checks run only where access was given.
  const access = enabled
    ? api.permissions.request({ origins: [pattern] }).catch(() => false)
    : Promise.resolve(true);
  api.runtime.sendMessage({ type: MSG_SET_SITE_AUTO, tabId, enabled })
    .then(() => access)
    .then(refresh);
}

main();
