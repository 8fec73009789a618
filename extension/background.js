// healthflags background: the one module that talks to the healthflags server.
//
// Why everything network-related lives here: a content script's fetch is bound by the
// page's CORS and CSP, and one caller means consent, the never-check list and private
// windows are enforced in one place. The MV3 worker (Chromium) is stopped when idle, so
// nothing is kept in globals: settings and consent live in storage.local, per-tab results
// and the answer cache in storage.session (memory only, gone when the browser closes).

const api = globalThis.browser ?? chrome;

// Message types. One switch (handleMessage) serves them and throws on anything else.
const MSG = Object.freeze({
  // from the content script
  MATCH_SEGMENTS: "match-segments",
  FLAGS_CHANGED: "flags-changed",
  // from the content script (the card's "this flag is wrong") or the popup
  OPEN_REPORT: "open-report",
  // from extension pages (popup, options, consent, report)
  SEND_REPORT: "send-report",
  GET_TAB_STATE: "get-tab-state",
  CHECK_TAB: "check-tab",
  SHOW_FLAG: "show-flag",
  SET_SITE_AUTO: "set-site-auto",
  GET_SETTINGS: "get-settings",
  SAVE_SETTINGS: "save-settings",
  GIVE_CONSENT: "give-consent",
  WITHDRAW_CONSENT: "withdraw-consent",
  TEST_SERVER: "test-server",
  GET_REPORT_DRAFT: "get-report-draft",
});

// Sent by this module to the content script (handled in content.js).
const TO_CONTENT = Object.freeze({
  START_CHECK: "start-check",
  RESEND_FLAGS: "resend-flags",
  SHOW_FLAG: "show-flag",
});

// Why a page was not checked (see refusal()).
const REFUSALS = ["needs-consent", "private", "unsupported", "never-check"];
const VERDICTS = ["false", "misleading", "unproven", "needs_context", "supported"];
const MODES = ["click", "allowed", "everywhere"];
const HIGHLIGHT_STYLES = ["tinted", "underline"];
// The shared highlight sheet, then the tints the "tinted" style adds to it.
const HIGHLIGHT_SHEETS = ["highlights.css", "highlights-tinted.css"];
const sheetsFor = (style) => (style === "tinted" ? HIGHLIGHT_SHEETS : HIGHLIGHT_SHEETS.slice(0, 1));

// Sites whose pages are private by nature: webmail, banking, health portals, intranets.
// A pattern is a host name (matching its subdomains too) and may use * for any run of
// host characters ("mychart.*" matches mychart.example.org).
const DEFAULT_NEVER_SITES = [
  // webmail
  "mail.google.com", "outlook.live.com", "outlook.office.com", "outlook.office365.com",
  "mail.yahoo.com", "mail.proton.me", "mail.aol.com", "app.fastmail.com", "icloud.com",
  "mail.zoho.com", "gmx.net", "web.de", "mail.ru",
  // banking and payments
  "paypal.com", "chase.com", "bankofamerica.com", "wellsfargo.com", "citi.com",
  "capitalone.com", "usbank.com", "hsbc.com", "barclays.co.uk", "santander.co.uk",
  "lloydsbank.co.uk", "natwest.com", "ing.com", "revolut.com", "wise.com",
  // health portals and patient records
  "mychart.*", "*.mychart.com", "myhealth.va.gov", "healow.com", "followmyhealth.com",
  "patient.athenahealth.com", "nhsapp.service.nhs.uk", "my.kp.org", "portal.kp.org",
  // intranets
  "*.local", "*.internal", "*.intranet", "*.corp", "*.lan", "*.home.arpa",
];

const DEFAULT_SETTINGS = Object.freeze({
  serverUrl: "http://127.0.0.1:8765",
  mode: "click",
  allowedSites: [],
  neverSites: DEFAULT_NEVER_SITES,
  verdicts: VERDICTS,
  showPossible: true,
  highlightStyle: "tinted",
});

const FETCH_TIMEOUT_MS = 15000;
const CACHE_TTL_MS = 30 * 60 * 1000;
const CACHE_MAX_ENTRIES = 3000;
const MAX_REPORT_PASSAGE = 2000;
const MAX_REPORT_COMMENT = 2000;

// ---------------------------------------------------------------------------------
// Messages

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only our own pages and content scripts may ask anything of this module.
  if (sender.id !== api.runtime.id) return false;
  handleMessage(message, sender).then(sendResponse, (error) => {
    console.error("healthflags:", error);
    sendResponse({ ok: false, error: { code: "internal", message: String(error.message ?? error) } });
  });
  return true; // the answer is sent asynchronously
});

async function handleMessage(message, sender) {
  const type = message?.type;
  switch (type) {
    case MSG.MATCH_SEGMENTS:
      requireContentScript(sender);
      return matchSegments(message.segments, message.lang, sender);
    case MSG.FLAGS_CHANGED:
      requireContentScript(sender);
      return recordFlags(sender.tab.id, sender.url, message);
    case MSG.OPEN_REPORT:
      return openReport(message, sender);
    case MSG.SEND_REPORT:
      // Never from a content script: whatever runs in a web page can't send in the reader's name.
      requireExtensionPage(sender);
      return sendReport(message);
    case MSG.GET_TAB_STATE:
      requireExtensionPage(sender);
      return getTabState(message.tabId);
    case MSG.CHECK_TAB:
      requireExtensionPage(sender);
      return checkTab(message.tabId);
    case MSG.SHOW_FLAG:
      requireExtensionPage(sender);
      return showFlag(message.tabId, message.flagId);
    case MSG.SET_SITE_AUTO:
      requireExtensionPage(sender);
      return setSiteAuto(message.tabId, message.enabled === true);
    case MSG.GET_SETTINGS:
      requireExtensionPage(sender);
      return { ok: true, settings: await getSettings(), consent: await getConsent(),
               defaults: DEFAULT_SETTINGS };
    case MSG.SAVE_SETTINGS:
      requireExtensionPage(sender);
      return saveSettings(message.settings);
    case MSG.GIVE_CONSENT:
      requireExtensionPage(sender);
      return giveConsent(message.serverUrl);
    case MSG.WITHDRAW_CONSENT:
      requireExtensionPage(sender);
      await api.storage.local.set({ consent: { given: false } });
      return { ok: true };
    case MSG.TEST_SERVER:
      requireExtensionPage(sender);
      return testServer(message.serverUrl);
    case MSG.GET_REPORT_DRAFT:
      requireExtensionPage(sender);
      return getReportDraft(message.draftId);
    default:
      throw new Error(`unknown message type: ${JSON.stringify(type)}`);
  }
}

function requireContentScript(sender) {
  if (!sender.tab || typeof sender.tab.id !== "number") {
    throw new Error("this message is only accepted from a content script");
  }
}

// Settings and consent can only be changed from the extension's own pages, never from a
// content script running inside a web page.
function requireExtensionPage(sender) {
  if (sender.tab && !String(sender.url ?? "").startsWith(api.runtime.getURL(""))) {
    throw new Error("this message is only accepted from an extension page");
  }
}

// ---------------------------------------------------------------------------------
// Settings and consent

async function getSettings() {
  const { settings } = await api.storage.local.get("settings");
  return { ...DEFAULT_SETTINGS, ...(settings ?? {}) };
}

// Consent is given for one server address: it holds only while that is still the
// configured address. A new address is asked about again, on the consent page.
async function getConsent() {
  const [{ consent }, settings] = await Promise.all([api.storage.local.get("consent"), getSettings()]);
  if (consent?.given !== true) return { given: false };
  if (consent.serverUrl !== settings.serverUrl) {
    return { given: false, serverChanged: true, consentedServerUrl: consent.serverUrl, at: consent.at };
  }
  return consent;
}

// The address page text may go to now, or null: the only way callers get one.
async function consentedServer() {
  const consent = await getConsent();
  return consent.given ? consent.serverUrl : null;
}

async function saveSettings(input) {
  const current = await getSettings();
  const next = { ...current };
  if (input.serverUrl !== undefined) {
    const serverUrl = normaliseServerUrl(input.serverUrl);
    if (!serverUrl) return { ok: false, error: { code: "bad_server_url",
      message: "The server address must start with http:// or https://." } };
    next.serverUrl = serverUrl;
  }
  if (input.mode !== undefined) {
    if (!MODES.includes(input.mode)) return badSetting("mode");
    next.mode = input.mode;
  }
  if (input.allowedSites !== undefined) next.allowedSites = cleanSiteList(input.allowedSites);
  if (input.neverSites !== undefined) next.neverSites = cleanSiteList(input.neverSites);
  if (input.verdicts !== undefined) {
    if (!Array.isArray(input.verdicts)) return badSetting("verdicts");
    next.verdicts = VERDICTS.filter((v) => input.verdicts.includes(v));
  }
  if (input.showPossible !== undefined) next.showPossible = input.showPossible === true;
  if (input.highlightStyle !== undefined) {
    if (!HIGHLIGHT_STYLES.includes(input.highlightStyle)) return badSetting("highlightStyle");
    next.highlightStyle = input.highlightStyle;
  }
  if (next.serverUrl !== current.serverUrl) await clearCache();
  await api.storage.local.set({ settings: next });
  return { ok: true, settings: next };
}

function badSetting(name) {
  return { ok: false, error: { code: "bad_setting", message: `Invalid value for ${name}.` } };
}

function normaliseServerUrl(value) {
  try {
    const url = new URL(String(value).trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (url.username || url.password) return null;
    return (url.origin + url.pathname).replace(/\/+$/, "");
  } catch {
    return null;
  }
}

function cleanSiteList(list) {
  if (!Array.isArray(list)) return [];
  const seen = new Set();
  for (const raw of list) {
    const site = String(raw).trim().toLowerCase()
      .replace(/^[a-z]+:\/\//, "").replace(/[/:].*$/, "");
    if (site && /^[a-z0-9.*-]+$/.test(site)) seen.add(site);
  }
  return [...seen];
}

async function giveConsent(serverUrlInput) {
  const saved = await saveSettings({ serverUrl: serverUrlInput ?? (await getSettings()).serverUrl });
  if (!saved.ok) return saved;
  await api.storage.local.set({
    consent: { given: true, at: new Date().toISOString(), serverUrl: saved.settings.serverUrl },
  });
  return { ok: true, settings: saved.settings };
}

// "example.org" matches example.org and its subdomains; "*" stands for host characters.
function siteMatches(host, pattern) {
  if (!host || !pattern) return false;
  if (!pattern.includes("*")) return host === pattern || host.endsWith("." + pattern);
  const source = pattern.split("*").map((part) => part.replace(/[.\-]/g, "\\$&")).join("[a-z0-9.-]*");
  return new RegExp(`^(?:[a-z0-9.-]*\\.)?${source}$`).test(host);
}

function hostOf(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.hostname : null;
  } catch {
    return null;
  }
}

// The match pattern for a page's site: its scheme and host, any port and path.
function sitePattern(url) {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}/*`;
}

function isNeverSite(settings, host) {
  return settings.neverSites.some((pattern) => siteMatches(host, pattern));
}

function isAutoSite(settings, host) {
  if (isNeverSite(settings, host)) return false;
  if (settings.mode === "everywhere") return true;
  return settings.mode === "allowed" && settings.allowedSites.some((p) => siteMatches(host, p));
}

// Whether a page may be checked: {serverUrl} (the address consented to, the only one
// text may go to) or {refused} saying why not.
async function permission(url, incognito) {
  const serverUrl = await consentedServer();
  if (!serverUrl) return { refused: "needs-consent" };
  if (incognito) return { refused: "private" };
  const host = hostOf(url);
  if (!host) return { refused: "unsupported" };
  if (isNeverSite(await getSettings(), host)) return { refused: "never-check" };
  return { serverUrl };
}

// ---------------------------------------------------------------------------------
// Checking a tab

async function checkTab(tabId) {
  if (!Number.isInteger(tabId)) throw new Error("check-tab needs a tab id");
  const tab = await api.tabs.get(tabId);
  const settings = await getSettings();
  // tab.url is hidden when we have no access to the tab; the content script's own
  // messages are checked again against the frame's real URL.
  const { refused, serverUrl } = await permission(tab.url ?? "https://unknown.invalid/", tab.incognito);
  if (refused) return setStatus(tabId, refused);

  await setStatus(tabId, "checking");
  const health = await fetchHealth(serverUrl);
  // Unreachable: say so and leave the page exactly as it was (nothing injected).
  if (!health.ok) {
    return setStatus(tabId, health.error.code === "unreachable" ? "unreachable" : "error", health.error.message);
  }
  await noteDbVersion(serverUrl, health.dbVersion);

  try {
    // Every sheet is removed first so that checking again never stacks style sheets; the
    // tinted style is the shared sheet plus its tints.
    for (const file of HIGHLIGHT_SHEETS) {
      await api.scripting.removeCSS({ target: { tabId }, files: [file] }).catch(() => {});
    }
    for (const file of sheetsFor(settings.highlightStyle)) {
      await api.scripting.insertCSS({ target: { tabId }, files: [file] });
    }
    await api.scripting.executeScript({
      target: { tabId },
      files: ["verdicts.js", "text-anchoring.js", "tooltip.js", "content.js"],
    });
    await api.tabs.sendMessage(tabId, {
      type: TO_CONTENT.START_CHECK,
      display: { verdicts: settings.verdicts, showPossible: settings.showPossible },
    });
  } catch (error) {
    return setStatus(tabId, "unsupported", String(error.message ?? error));
  }
  return { ok: true, status: "checking" };
}

async function fetchHealth(serverUrl) {
  const answer = await callServer(serverUrl, "/v1/health", { method: "GET" });
  if (!answer.ok) return answer;
  return { ok: true, dbVersion: String(answer.body.db_version ?? ""), claims: answer.body.claims };
}

async function testServer(serverUrlInput) {
  const serverUrl = normaliseServerUrl(serverUrlInput ?? (await getSettings()).serverUrl);
  if (!serverUrl) return { ok: false, error: { code: "bad_server_url", message: "Not an http(s) address." } };
  return fetchHealth(serverUrl);
}

async function matchSegments(segments, lang, sender) {
  const tabId = sender.tab.id;
  const { refused, serverUrl } = await permission(sender.url, sender.tab.incognito);
  if (refused) {
    await setStatus(tabId, refused);
    return { ok: false, error: { code: refused, message: "This page may not be checked." } };
  }
  if (!Array.isArray(segments) || segments.length === 0) return { ok: true, matches: [], claims: {} };
  const clean = segments
    .filter((s) => typeof s?.id === "string" && typeof s?.text === "string" && s.text.trim())
    .map((s) => ({ id: s.id, text: s.text }));

  // The page's declared language lets the server skip languages it can't read; it is
  // part of the question, so part of the cache key.
  const language = typeof lang === "string" && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang) ? lang : "";
  const keys = await Promise.all(clean.map((s) => cacheKey(serverUrl, `${language}\u0000${s.text}`)));
  const cached = await api.storage.session.get([...keys, "cache-meta"]);
  const meta = cached["cache-meta"];
  const now = Date.now();

  const matches = [];
  const claims = {};
  const misses = [];
  clean.forEach((segment, i) => {
    const entry = cached[keys[i]];
    if (entry && meta && entry.v === meta.dbVersion && now - entry.at < CACHE_TTL_MS) {
      for (const m of entry.matches) matches.push({ ...m, segment_id: segment.id });
      Object.assign(claims, entry.claims);
    } else {
      misses.push({ segment, key: keys[i] });
    }
  });

  if (misses.length) {
    const body = { segments: misses.map((m) => m.segment) };
    if (language) body.lang = language;
    const answer = await callServer(serverUrl, "/v1/match", { method: "POST", body });
    if (!answer.ok) {
      await setStatus(tabId, answer.error.code === "unreachable" ? "unreachable" : "error",
        answer.error.message);
      return answer;
    }
    const result = validateMatchAnswer(answer.body, misses.map((m) => m.segment));
    await noteDbVersion(serverUrl, result.dbVersion);
    const entries = {};
    for (const { segment, key } of misses) {
      const own = result.matches.filter((m) => m.segment_id === segment.id);
      const ownClaims = {};
      for (const m of own) ownClaims[m.claim_id] = result.claims[m.claim_id];
      // A segment the server turned down has no answer to keep: it is asked again next time.
      if (!result.rejected.has(segment.id)) {
        entries[key] = { v: result.dbVersion, at: now, claims: ownClaims,
                         matches: own.map(({ segment_id, ...rest }) => rest) };
      }
      matches.push(...own);
      Object.assign(claims, ownClaims);
    }
    await api.storage.session.set(entries);
  }
  return { ok: true, matches, claims, serverOrigin: new URL(serverUrl).origin };
}

// The server is trusted to be honest, not to be safe: keep only well-formed matches and
// plain-string claim fields. (Rendering never interprets them as HTML either.) Segments
// it could not read are listed in `rejected` (newer servers; absent on older ones) while
// the others are matched: only their ids are used.
function validateMatchAnswer(body, sent) {
  const lengths = new Map(sent.map((s) => [s.id, s.text.length]));
  const claimsIn = body && typeof body.claims === "object" && body.claims ? body.claims : {};
  const claims = {};
  for (const [id, claim] of Object.entries(claimsIn)) {
    if (claim && typeof claim === "object") claims[id] = cleanClaim(id, claim);
  }
  const matches = (Array.isArray(body?.matches) ? body.matches : []).filter((m) =>
    m && lengths.has(m.segment_id) && Number.isInteger(m.start) && Number.isInteger(m.end)
      && m.start >= 0 && m.start < m.end && m.end <= lengths.get(m.segment_id)
      && typeof m.claim_id === "string" && claims[m.claim_id]
  ).map((m) => ({
    segment_id: m.segment_id, start: m.start, end: m.end,
    exact: str(m.exact), prefix: str(m.prefix), suffix: str(m.suffix),
    claim_id: m.claim_id, score: typeof m.score === "number" ? m.score : null,
    tier: m.tier === "possible" ? "possible" : "confident",
    stance: str(m.stance), assessment: str(m.assessment),
    // Issue 16: a claim the page reports, and who it puts it on (plain strings only).
    attributed: m.attributed === true,
    attribution: m.attributed === true && m.attribution && typeof m.attribution === "object"
      ? { source: str(m.attribution.source).slice(0, 200), stance: str(m.attribution.stance) } : null,
  }));
  const rejected = new Set((Array.isArray(body?.rejected) ? body.rejected : [])
    .map((r) => r?.segment_id).filter((id) => lengths.has(id)));
  return { dbVersion: str(body?.db_version), matches, claims, rejected };
}

function cleanClaim(id, claim) {
  return {
    id: str(claim.id) || id,
    text: str(claim.text),
    verdict: str(claim.verdict),
    rating_value: typeof claim.rating_value === "number" ? claim.rating_value : null,
    summary: str(claim.summary),
    evidence: (Array.isArray(claim.evidence) ? claim.evidence : []).slice(0, 20).map((e) => ({
      url: str(e?.url), title: str(e?.title), publisher: str(e?.publisher),
      source_type: str(e?.source_type), year: Number.isInteger(e?.year) ? e.year : null,
    })),
    review_url: str(claim.review_url),
    updated_at: str(claim.updated_at),
    // The day a moderator last checked the evidence; only a plain date is kept.
    reviewed_at: /^\d{4}-\d{2}-\d{2}$/.test(str(claim.reviewed_at)) ? str(claim.reviewed_at) : "",
    topic: str(claim.topic),
  };
}

function str(value) {
  return typeof value === "string" ? value : value == null ? "" : String(value);
}

async function callServer(serverUrl, path, { method, body }) {
  let response;
  try {
    response = await fetch(serverUrl + path, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: "omit",
      cache: "no-store",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    return { ok: false, error: { code: "unreachable",
      message: `The healthflags server at ${serverUrl} can't be reached.` } };
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    // not JSON: reported below
  }
  if (!response.ok || !json) {
    const error = json?.error;
    return { ok: false, status: response.status, error: {
      code: str(error?.code) || `http_${response.status}`,
      message: str(error?.message) || `The server answered ${response.status}.`,
    } };
  }
  return { ok: true, status: response.status, body: json };
}

// ---------------------------------------------------------------------------------
// Answer cache (per segment text hash; storage.session, never on disk)

async function cacheKey(serverUrl, text) {
  const bytes = new TextEncoder().encode(serverUrl + "\u0000" + text);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return "cache:" + [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// A new published version (or a full cache) invalidates every cached answer.
async function noteDbVersion(serverUrl, dbVersion) {
  const { "cache-meta": meta } = await api.storage.session.get("cache-meta");
  if (meta?.dbVersion === dbVersion && meta?.serverUrl === serverUrl) {
    if (++meta.writes % 50 === 0) {
      const all = await api.storage.session.get(null);
      if (Object.keys(all).filter((k) => k.startsWith("cache:")).length > CACHE_MAX_ENTRIES) {
        await clearCache();
        return;
      }
    }
    await api.storage.session.set({ "cache-meta": meta });
    return;
  }
  await clearCache();
  await api.storage.session.set({ "cache-meta": { serverUrl, dbVersion, writes: 0 } });
}

async function clearCache() {
  const all = await api.storage.session.get(null);
  const keys = Object.keys(all).filter((k) => k.startsWith("cache:") || k === "cache-meta");
  if (keys.length) await api.storage.session.remove(keys);
}

// ---------------------------------------------------------------------------------
// Per-tab state and the badge

const statusKey = (tabId) => `tab:${tabId}:status`;
const flagsKey = (tabId) => `tab:${tabId}:flags`;

async function setStatus(tabId, status, message = "") {
  await api.storage.session.set({ [statusKey(tabId)]: { status, message, at: Date.now() } });
  return { ok: status === "checking" || status === "done", status, message };
}

// The content script's list of what it painted: it drives the badge and the popup.
async function recordFlags(tabId, url, { flags: flagsIn, claims: claimsIn, complete, problem }) {
  const flags = (Array.isArray(flagsIn) ? flagsIn : []).slice(0, 500).map((f) => ({
    id: str(f.id), claimId: str(f.claimId), verdict: str(f.verdict),
    assessment: str(f.assessment), tier: str(f.tier), stance: str(f.stance),
    attributed: f.attributed === true,
    exact: str(f.exact).slice(0, 500),
  }));
  const claims = {};
  for (const f of flags) {
    const claim = claimsIn?.[f.claimId];
    if (claim && typeof claim === "object") claims[f.claimId] = cleanClaim(f.claimId, claim);
  }
  const status = problem ? ([...REFUSALS, "unreachable"].includes(problem.code) ? problem.code : "error")
    : complete === true ? "done" : "checking";
  // Badge first: whoever sees the stored list can rely on the badge already showing it.
  await setBadge(tabId, flags);
  await api.storage.session.set({
    [flagsKey(tabId)]: { url: str(url), flags, claims },
    [statusKey(tabId)]: { status, message: str(problem?.message), at: Date.now() },
  });
  return { ok: true };
}

async function setBadge(tabId, flags) {
  const count = flags.length;
  const misinformation = flags.some((f) => f.assessment === "contradicts_evidence" && f.tier === "confident");
  await api.action.setBadgeText({ tabId, text: count ? String(count) : "" });
  await api.action.setBadgeBackgroundColor({ tabId, color: misinformation ? "#b42318" : "#475467" });
  if (api.action.setBadgeTextColor) await api.action.setBadgeTextColor({ tabId, color: "#ffffff" });
  const title = count === 0 ? "healthflags"
    : `healthflags: ${count} checked claim${count === 1 ? "" : "s"} on this page`;
  await api.action.setTitle({ tabId, title });
}

async function clearTab(tabId) {
  await api.action.setBadgeText({ tabId, text: "" }).catch(() => {});
  await api.action.setTitle({ tabId, title: "healthflags" }).catch(() => {});
  await api.storage.session.remove([statusKey(tabId), flagsKey(tabId)]);
}

async function getTabState(tabId) {
  if (!Number.isInteger(tabId)) throw new Error("get-tab-state needs a tab id");
  const [settings, consent, tab, stored] = await Promise.all([
    getSettings(), getConsent(), api.tabs.get(tabId).catch(() => null),
    api.storage.session.get([statusKey(tabId), flagsKey(tabId)]),
  ]);
  const host = tab?.url ? hostOf(tab.url) : null;
  const flagsEntry = stored[flagsKey(tabId)];
  const never = host ? isNeverSite(settings, host) : false;
  // A refusal recorded earlier is decided again from the settings as they are now.
  let status = stored[statusKey(tabId)]?.status ?? "idle";
  if (REFUSALS.includes(status)) status = "idle";
  if (!consent.given) status = "needs-consent";
  else if (tab?.incognito) status = "private";
  else if (never) status = "never-check";
  else if (!host && status === "idle") status = "unsupported";
  return {
    ok: true,
    consent: consent.given,
    consentedServerUrl: consent.consentedServerUrl ?? null, // set when the address changed since
    serverUrl: settings.serverUrl,
    mode: settings.mode,
    host,
    sitePattern: host ? sitePattern(tab.url) : null,
    incognito: tab?.incognito === true,
    never,
    auto: host ? isAutoSite(settings, host) : false,
    siteAccess: host ? await api.permissions.contains({ origins: [sitePattern(tab.url)] }) : false,
    status,
    message: stored[statusKey(tabId)]?.message ?? "",
    flags: flagsEntry?.flags ?? [],
    claims: flagsEntry?.claims ?? {},
  };
}

async function showFlag(tabId, flagId) {
  await api.tabs.sendMessage(tabId, { type: TO_CONTENT.SHOW_FLAG, flagId: str(flagId) });
  return { ok: true };
}

// The popup's switch for this site. Turning it on lets the site be checked on every
// visit (so "only when I click" becomes "on sites I allow"); turning it off in
// "everywhere" mode puts the site on the never-check list.
async function setSiteAuto(tabId, enabled) {
  const tab = await api.tabs.get(tabId);
  const host = hostOf(tab.url ?? "");
  if (!host) return { ok: false, error: { code: "unsupported", message: "This page has no site." } };
  const settings = await getSettings();
  const allowed = settings.allowedSites.filter((p) => !siteMatches(host, p));
  if (enabled) {
    // A never-check site is taken off that list only in Options, where the reader sees it.
    if (isNeverSite(settings, host)) {
      return { ok: false, error: { code: "never-check", message: `${host} is on the never-check list.` } };
    }
    return saveSettings({
      allowedSites: [...allowed, host],
      mode: settings.mode === "click" ? "allowed" : settings.mode,
    });
  }
  return saveSettings({
    allowedSites: allowed,
    neverSites: settings.mode === "everywhere" ? [...settings.neverSites, host] : settings.neverSites,
  });
}

// ---------------------------------------------------------------------------------
// Reports ("this flag is wrong", "a claim was missed")

// The report form is the extension's own page (report.html), which no web page can
// reach. What it needs waits here as a draft (storage.session, memory only), so the
// passage never travels in a URL; the kind, the claim and the page address come from the
// draft, never from the form. The card and the popup only open the page.

const draftKey = (draftId) => `report-draft:${str(draftId)}`;

async function openReportPage(draft, openerTabId) {
  const draftId = crypto.randomUUID();
  await api.storage.session.set({ [draftKey(draftId)]: draft });
  await api.tabs.create({ url: api.runtime.getURL(`report.html?draft=${draftId}`), openerTabId });
  return { ok: true };
}

// "This flag is wrong", from the card in the page (a content script) or the popup. The
// flag is looked up in what this tab reported; the page address is the one the browser
// gave with that report.
async function openReport(message, sender) {
  const fromPage = sender.tab && !String(sender.url ?? "").startsWith(api.runtime.getURL(""));
  const tabId = fromPage ? sender.tab.id : message.tabId;
  if (!Number.isInteger(tabId)) throw new Error("open-report needs a tab");
  const entry = (await api.storage.session.get(flagsKey(tabId)))[flagsKey(tabId)];
  const flag = entry?.flags.find((f) => f.id === str(message.flagId));
  if (!flag) return { ok: false, error: { code: "not_found", message: "This flag is no longer on the page." } };
  const claim = entry.claims[flag.claimId];
  return openReportPage({
    kind: "wrong_flag", passage: flag.exact, claimId: flag.claimId,
    claim: claim ? { text: claim.text, verdict: claim.verdict } : null,
    url: hostOf(entry.url) ? entry.url : null,
  }, tabId);
}

async function getReportDraft(draftId) {
  const key = draftKey(draftId);
  return { ok: true, draft: (await api.storage.session.get(key))[key] ?? null };
}

// From the report page only. With a draft, its kind, claim and address are used; without
// one, the reader wrote a missed claim from scratch.
async function sendReport(message) {
  const draft = message.draftId ? (await getReportDraft(message.draftId)).draft : null;
  if (message.draftId && !draft) {
    return { ok: false, error: { code: "not_found", message: "This report was sent already." } };
  }
  const kind = draft?.kind ?? "missed_claim";
  const serverUrl = await consentedServer();
  if (!serverUrl) {
    return { ok: false, error: { code: "needs-consent",
      message: "Agree first (on the consent page) to send to this server." } };
  }
  const passage = str(message.passage).trim().slice(0, MAX_REPORT_PASSAGE);
  const body = { kind, passage };
  if (draft?.claimId) body.claim_id = str(draft.claimId);
  const comment = str(message.comment).trim().slice(0, MAX_REPORT_COMMENT);
  if (comment) body.comment = comment;
  if (message.includeUrl === true && hostOf(draft?.url ?? "")) body.url = draft.url;
  const answer = await callServer(serverUrl, "/v1/reports", { method: "POST", body });
  if (!answer.ok) return answer;
  if (message.draftId) await api.storage.session.remove(draftKey(message.draftId));
  return { ok: true, id: answer.body?.report?.id ?? null };
}

// ---------------------------------------------------------------------------------
// Browser events

api.runtime.onInstalled.addListener(async ({ reason }) => {
  await api.contextMenus.removeAll();
  api.contextMenus.create({ id: "healthflags-check-page", title: "Check this page with healthflags",
                            contexts: ["page", "selection", "link"] });
  api.contextMenus.create({ id: "healthflags-report-missed", title: "Report a missed health claim",
                            contexts: ["selection"] });
  if (reason === "install") await api.tabs.create({ url: api.runtime.getURL("consent.html") });
});

api.contextMenus.onClicked.addListener(async (info, tab) => {
  if (!tab?.id || tab.id < 0) return;
  if (info.menuItemId === "healthflags-check-page") {
    await checkTab(tab.id);
  } else if (info.menuItemId === "healthflags-report-missed") {
    await openReportPage({
      kind: "missed_claim", passage: str(info.selectionText).slice(0, MAX_REPORT_PASSAGE),
      claimId: null, claim: null, url: hostOf(tab.url ?? "") ? tab.url : null,
    }, tab.id);
  }
});

api.commands.onCommand.addListener(async (command, tab) => {
  if (command !== "check-page") return;
  const target = tab ?? (await api.tabs.query({ active: true, currentWindow: true }))[0];
  if (target?.id >= 0) await checkTab(target.id);
});

// A new document means new flags: forget the old ones as soon as the tab navigates.
// When the navigation stayed in the same document (single-page apps), the content
// script is still there and reports again on "complete".
api.tabs.onUpdated.addListener(async (tabId, changeInfo, tab) => {
  if (changeInfo.status === "loading") {
    await clearTab(tabId);
  } else if (changeInfo.status === "complete") {
    const resent = await api.tabs.sendMessage(tabId, { type: TO_CONTENT.RESEND_FLAGS })
      .then(() => true, () => false);
    if (resent || !tab.url) return;
    const settings = await getSettings();
    const host = hostOf(tab.url);
    if (!host || tab.incognito || !isAutoSite(settings, host)) return;
    if (!(await getConsent()).given) return;
    if (!(await api.permissions.contains({ origins: [sitePattern(tab.url)] }))) return;
    await checkTab(tabId);
  }
});

api.tabs.onRemoved.addListener((tabId) => {
  api.storage.session.remove([statusKey(tabId), flagsKey(tabId)]);
});
