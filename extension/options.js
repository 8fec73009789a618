// Options: server address, when to check, sites never to check, verdicts to show and the
// highlight style. Every change is saved at once through the background, which validates it.

const api = globalThis.browser ?? chrome;
const V = globalThis.healthflagsVerdicts;

const MSG_GET_SETTINGS = "get-settings";
const MSG_SAVE_SETTINGS = "save-settings";
const MSG_TEST_SERVER = "test-server";
const MSG_WITHDRAW_CONSENT = "withdraw-consent";

const $ = (id) => document.getElementById(id);
const lines = (text) => text.split(/\s*[\n,]\s*/).map((s) => s.trim()).filter(Boolean);

let defaults = null;

async function main() {
  for (const [verdict, info] of Object.entries(V.VERDICTS)) {
    const label = document.createElement("label");
    label.className = `choice verdict-${verdict}`;
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = verdict;
    box.name = "verdict";
    const symbol = document.createElement("span");
    symbol.className = "symbol";
    symbol.setAttribute("aria-hidden", "true");
    symbol.textContent = info.symbol;
    label.append(box, " ", symbol, info.label);
    $("verdicts").append(label);
  }
  paintPreview();
  await load();

  $("save-server").addEventListener("click", saveServer);
  $("test-server").addEventListener("click", testServer);
  for (const radio of document.querySelectorAll("input[name=mode]")) radio.addEventListener("change", saveMode);
  $("allowed-sites").addEventListener("change", () => {
    requestSiteAccess();
    save({ allowedSites: lines($("allowed-sites").value) });
  });
  $("never-sites").addEventListener("change", () => save({ neverSites: lines($("never-sites").value) }));
  $("restore-never").addEventListener("click", () => save({ neverSites: defaults.neverSites }).then(load));
  for (const box of document.querySelectorAll("input[name=verdict]")) {
    box.addEventListener("change", () => save({
      verdicts: [...document.querySelectorAll("input[name=verdict]:checked")].map((b) => b.value),
    }));
  }
  for (const radio of document.querySelectorAll("input[name=style]")) {
    radio.addEventListener("change", () => {
      $("preview-style").disabled = radio.value !== "tinted";
      save({ highlightStyle: radio.value });
    });
  }
  $("show-possible").addEventListener("change", () => save({ showPossible: $("show-possible").checked }));
  $("consent-button").addEventListener("click", toggleConsent);
  // Agreeing happens on the consent page: show it here as soon as it is stored.
  api.storage.onChanged.addListener(async (changes, area) => {
    if (area !== "local" || !changes.consent) return;
    const { settings, consent } = await api.runtime.sendMessage({ type: MSG_GET_SETTINGS });
    showConsent(consent, settings);
  });
}

async function load() {
  const answer = await api.runtime.sendMessage({ type: MSG_GET_SETTINGS });
  const { settings, consent } = answer;
  defaults = answer.defaults;
  $("server-url").value = settings.serverUrl;
  for (const radio of document.querySelectorAll("input[name=mode]")) radio.checked = radio.value === settings.mode;
  $("allowed-sites").value = settings.allowedSites.join("\n");
  $("never-sites").value = settings.neverSites.join("\n");
  for (const box of document.querySelectorAll("input[name=verdict]")) box.checked = settings.verdicts.includes(box.value);
  for (const radio of document.querySelectorAll("input[name=style]")) radio.checked = radio.value === settings.highlightStyle;
  $("preview-style").disabled = settings.highlightStyle !== "tinted";
  $("show-possible").checked = settings.showPossible;
  showConsent(consent, settings);
}

function showConsent(consent, settings) {
  $("consent-state").textContent = consentText(consent, settings);
  $("consent-button").textContent = consent.given ? "Withdraw my consent" : "Read what is sent, and agree";
  $("consent-button").dataset.given = String(consent.given);
}

// The address consented to is shown, not the one configured: they differ after a change.
function consentText(consent, settings) {
  const on = (at) => new Date(at).toLocaleDateString();
  if (consent.given) return `You agreed on ${on(consent.at)} to send the text of pages you check to ${consent.serverUrl}.`;
  if (consent.serverChanged) {
    return `You agreed on ${on(consent.at)} to send the text of pages you check to `
      + `${consent.consentedServerUrl}, not to ${settings.serverUrl}: nothing is sent until you `
      + "agree to the new address.";
  }
  return "You have not agreed to send page text, so healthflags checks nothing.";
}

async function save(change) {
  const answer = await api.runtime.sendMessage({ type: MSG_SAVE_SETTINGS, settings: change });
  $("saved").className = answer.ok ? "note" : "error";
  $("saved").textContent = answer.ok ? "Saved." : answer.error.message;
  return answer;
}

function saveMode(event) {
  const mode = event.target.value;
  // Checking by itself needs access to the sites: ask inside the click.
  if (mode === "everywhere") api.permissions.request({ origins: ["*://*/*"] }).catch(() => false);
  if (mode === "allowed") requestSiteAccess();
  save({ mode });
}

// Access to the allowed sites (and their subdomains), asked while the reader acts.
function requestSiteAccess() {
  const origins = lines($("allowed-sites").value)
    .map((site) => site.replace(/^\*\./, ""))
    .filter((site) => /^[a-z0-9.-]+$/i.test(site))
    .flatMap((site) => [`*://${site}/*`, `*://*.${site}/*`]);
  if (origins.length) api.permissions.request({ origins }).catch(() => false);
}

function saveServer() {
  const address = $("server-url").value.trim();
  let pattern = null;
  try {
    const url = new URL(address);
    if (url.protocol === "http:" || url.protocol === "https:") pattern = `${url.protocol}//${url.hostname}/*`;
  } catch {
    // reported by the background below
  }
  if (pattern) api.permissions.request({ origins: [pattern] }).catch(() => false);
  save({ serverUrl: address }).then(async (answer) => {
    if (!answer.ok) return;
    $("server-url").value = answer.settings.serverUrl;
    await load();
    // A new address is asked about again, on the consent page, before anything goes to it.
    const { consent } = await api.runtime.sendMessage({ type: MSG_GET_SETTINGS });
    if (consent.serverChanged) api.tabs.create({ url: api.runtime.getURL("consent.html") });
  });
}

async function testServer() {
  const out = $("server-result");
  out.className = "note";
  out.textContent = "Asking the server…";
  const answer = await api.runtime.sendMessage({ type: MSG_TEST_SERVER, serverUrl: $("server-url").value.trim() });
  out.className = answer.ok ? "success" : "error";
  out.textContent = answer.ok
    ? `Connected: the server knows ${answer.claims} checked claims (database version ${answer.dbVersion}).`
    : answer.error.message;
}

async function toggleConsent() {
  if ($("consent-button").dataset.given === "true") {
    await api.runtime.sendMessage({ type: MSG_WITHDRAW_CONSENT });
    await load();
  } else {
    api.tabs.create({ url: api.runtime.getURL("consent.html") });
  }
}

// The preview uses the same highlight styles as pages do.
function paintPreview() {
  if (!globalThis.CSS?.highlights) return;
  for (const sample of document.querySelectorAll(".sample")) {
    const range = document.createRange();
    range.selectNodeContents(sample);
    const name = `healthflags-${sample.dataset.category}`;
    const highlight = CSS.highlights.get(name) ?? new Highlight();
    highlight.add(range);
    CSS.highlights.set(name, highlight);
  }
}

main();
