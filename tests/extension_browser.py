"""The shared set-up of every browser test of the extension (tests/test_extension*.py).

Debian's /usr/bin/chromium loads the unpacked `extension/` folder (branded Chrome ignores
--load-extension) in a persistent profile; Playwright drives it. The server is the real
Flask app on 127.0.0.1 (`live_server` from conftest) and the pages are served by a small
HTTP server here. Nothing waits with sleeps: every wait is on an event or a condition.

Fixtures (registered for every test by conftest's `pytest_plugins`): `playwright`,
`launch` (a fresh profile with an extension folder loaded), `browser` (one launched),
`agreed` (a live server and a browser that agreed to use it), `site` (the test pages,
served by page_servers.py), `proxy_to` (a counting proxy to a server), `listener`
(callbacks from script that must never run). Helpers: `ExtensionBrowser` (a reader's
steps), page and report helpers; the tooltip card is read with tooltip_card.Card.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, sample_claims
from page_servers import CountingProxy, PageHandler, QuietHandler, serve, start_proxy

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the fixtures below
    sync_playwright = PlaywrightError = expect = None

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "extension"
ARTIFACTS = ROOT / "test-artifacts"
IN_CI = os.environ.get("CI") == "true"
CATEGORIES = (
    "misinformation",
    "unclear",
    "consistent",
    "possible-misinformation",
    "possible-unclear",
    "possible-consistent",
    "reported",  # a claim the page reports (issue 16)
)
WAIT_MS = 20_000  # generous: the machine is shared and timings double under load
if sync_playwright is not None:
    expect.set_options(timeout=WAIT_MS)  # Playwright's own default is 5 s


def require(ok: bool, reason: str) -> None:
    """Skip when a tool is missing on a developer's machine; in CI, fail instead."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)")
    pytest.skip(reason)


# --- claims the server holds for these tests (seed format, server/seed/FORMAT.md) -----

# The shared sample claims (tests/conftest.py) plus one the extension tests need.
KRATOM_DEPRESSION = {
    "id": "kratom-cures-depression",
    "text": "Kratom cures depression.",
    "verdict": "false",
    "summary": "No trial shows that kratom treats depression, and regular use can lead to "
    "dependence and withdrawal.",
    "topic": "kratom",
    "harm": "high",
    "phrasings": [
        "Kratom is a proven cure for depression.",
        "Taking kratom every day heals anxiety and depression for good.",
        "Kratom leaves work better than antidepressants.",
    ],
    "required_terms": ["kratom"],
    "evidence": sample_claims()[1]["evidence"],  # NIDA's page, as kratom-not-addictive
}


def _claims() -> list[dict]:
    by_id = {c["id"]: c for c in sample_claims()}
    return [
        by_id["kratom-safe-opioid-treatment"],
        KRATOM_DEPRESSION,
        by_id["vaccines-cause-autism"],
        by_id["opioid-agonists-cut-overdose-deaths"],
    ]


CLAIMS = _claims()


@pytest.fixture
def proxy_to():
    servers = []

    def start(target: str, rewrite=None) -> CountingProxy:
        proxy, server = start_proxy(target, rewrite)
        servers.append(server)
        return proxy

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def site():
    server = serve(PageHandler)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def listener():
    """Counts callbacks from script that should never have run."""
    hits: list[str] = []
    arrived = threading.Event()

    class Handler(QuietHandler):
        def _hit(self):
            hits.append(self.path)
            arrived.set()
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()

        do_GET = do_POST = do_OPTIONS = _hit

    server = serve(Handler)
    yield f"http://127.0.0.1:{server.server_port}", hits, arrived
    server.shutdown()


# --- the browser ----------------------------------------------------------------------

# Evaluated in the extension's service worker: resolve when this tab's status is one of
# `wanted` (the background writes it to storage.session) and was written at or after
# `since` (the worker's clock). It waits on the check's state, not on a clock: every
# step of the check (a batch answered, its flags recorded) is written there too and
# starts the wait afresh, so a long page on a busy machine is waited for as long as it
# moves; only a check that stalls for `stallMs` (longer than the extension's own 15 s
# limit on one request to the server) fails, or one that runs past `capMs` in all.
WAIT_FOR_STATUS = """
async ([tabId, wanted, since, stallMs, capMs]) => {
  const key = `tab:${tabId}:status`, flagsKey = `tab:${tabId}:flags`;
  const fits = (value) => value && wanted.includes(value.status) && value.at >= since;
  return new Promise((resolve, reject) => {
    let stalled = 0, steps = 0;
    const fail = async (why) => {
      const last = (await chrome.storage.session.get(key))[key];
      finish(reject, new Error(`status still not ${wanted} ${why}, after ${steps} steps `
        + `(last: ${JSON.stringify(last)})`));
    };
    const cap = setTimeout(() => fail(`after ${capMs} ms`), capMs);
    const moved = () => {
      clearTimeout(stalled);
      stalled = setTimeout(() => fail(`: no step for ${stallMs} ms`), stallMs);
    };
    const finish = (settle, value) => {
      clearTimeout(stalled);
      clearTimeout(cap);
      chrome.storage.onChanged.removeListener(listener);
      settle(value);
    };
    const listener = (changes, area) => {
      if (area !== "session" || !(key in changes || flagsKey in changes)) return;
      steps++;
      if (fits(changes[key]?.newValue)) finish(resolve, changes[key].newValue.status);
      else moved();
    };
    chrome.storage.onChanged.addListener(listener);
    moved();
    chrome.storage.session.get(key).then((got) => {
      if (fits(got[key])) finish(resolve, got[key].status);
    });
  });
}
"""

# Resolve when this tab's check is finished and the background holds `count` flags.
WAIT_FOR_FLAGS = """
async ([tabId, count, timeoutMs]) => {
  const statusKey = `tab:${tabId}:status`, flagsKey = `tab:${tabId}:flags`;
  const settled = async () => {
    const got = await chrome.storage.session.get([statusKey, flagsKey]);
    return got[statusKey]?.status === "done" && (got[flagsKey]?.flags.length ?? 0) === count;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never ${count} flags`)), timeoutMs);
    const check = async () => {
      if (!(await settled())) return;
      clearTimeout(timer);
      chrome.storage.onChanged.removeListener(check);
      resolve(true);
    };
    chrome.storage.onChanged.addListener(check);
    check();
  });
}
"""

HIGHLIGHT_SIZES = """
() => Object.fromEntries(CATEGORIES.map(
  (c) => [c, CSS.highlights.get(`healthflags-${c}`)?.size ?? 0]))
""".replace("CATEGORIES", json.dumps(list(CATEGORIES)))

# The highlighted text inside one element, per highlight name.
HIGHLIGHTED_IN = """
(selector) => {
  const element = document.querySelector(selector);
  const found = [];
  for (const [name, highlight] of CSS.highlights) {
    for (const range of highlight) {
      if (element.contains(range.commonAncestorContainer)) found.push([name, range.toString()]);
    }
  }
  return found;
}
"""


class ExtensionBrowser:
    """One Chromium profile with the extension loaded, and the steps a reader takes."""

    def __init__(self, context, extension_id: str, worker, site: str):
        self.context = context
        self.id = extension_id
        self.worker = worker
        self.site = site

    def url(self, page: str) -> str:
        return f"chrome-extension://{self.id}/{page}"

    def agree(self, server_url: str) -> None:
        """Give consent the way a reader does, on the consent page."""
        page = self.context.new_page()
        page.goto(self.url("consent.html"))
        page.fill("#server-url", server_url)
        page.click("#agree")
        expect(page.locator("#result")).to_contain_text("Thank you", timeout=WAIT_MS)
        page.close()

    def save_settings(self, **settings) -> dict:
        answer = self.worker.evaluate("(s) => saveSettings(s)", settings)
        assert answer["ok"], answer
        return answer["settings"]

    def open(self, path: str):
        page = self.context.new_page()
        page.goto(f"{self.site}/{path}")
        return page

    def tab_id(self, page) -> int:
        tabs = self.worker.evaluate(
            "chrome.tabs.query({}).then((ts) => ts.map((t) => [t.id, t.url]))"
        )
        ids = [tab_id for tab_id, url in tabs if url == page.url]
        assert len(ids) == 1, (page.url, tabs)
        return ids[0]

    def popup(self, page):
        popup = self.context.new_page()
        popup.goto(self.url(f"popup.html?tab={self.tab_id(page)}"))
        expect(popup.locator("#status")).not_to_have_text("Loading…")
        return popup

    def check(self, page):
        """Click "Check this page" in the popup and wait until this check has finished."""
        popup = self.popup(page)
        since = self.worker.evaluate("Date.now()")
        popup.click("#check-page")
        self.wait_for_status(page, "done", since=since)
        expect(popup.locator("#status")).to_have_attribute("data-status", "done")
        page.bring_to_front()
        return popup

    def wait_for_status(self, page, *wanted: str, since: float = 0) -> str:
        return self.worker.evaluate(
            WAIT_FOR_STATUS, [self.tab_id(page), list(wanted), since, WAIT_MS, 10 * WAIT_MS]
        )

    def wait_for_flags(self, page, count: int) -> None:
        """Until the check is finished with `count` flags (the badge is set before that)."""
        self.worker.evaluate(WAIT_FOR_FLAGS, [self.tab_id(page), count, WAIT_MS])

    def tab_state(self, page) -> dict:
        return self.worker.evaluate("(id) => getTabState(id)", self.tab_id(page))

    def badge(self, page) -> str:
        return self.worker.evaluate(
            "(id) => chrome.action.getBadgeText({tabId: id})", self.tab_id(page)
        )


@pytest.fixture(scope="module")  # stopped at the module's end: one sync Playwright at a time
def playwright():
    require(sync_playwright is not None, "Playwright for Python is not installed")
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture
def launch(playwright, site, tmp_path):
    """Factory: a fresh Chromium profile with an unpacked extension folder loaded."""
    contexts = []

    def start(extension: Path = EXTENSION) -> ExtensionBrowser:
        profile = tmp_path / f"profile-{len(contexts)}"
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=[
                f"--disable-extensions-except={extension}",
                f"--load-extension={extension}",
                *CHROMIUM_ARGS,
            ],
        )
        contexts.append(context)
        context.set_default_timeout(WAIT_MS)
        worker = (context.service_workers or [None])[0] or context.wait_for_event("serviceworker")
        extension_id = worker.url.split("/")[2]
        return ExtensionBrowser(context, extension_id, worker, site)

    yield start
    for context in contexts:
        context.close()


@pytest.fixture
def browser(launch):
    return launch()


@pytest.fixture
def agreed(launch, live_server):
    """The usual start: a live server holding CLAIMS, and a fresh browser whose reader
    has agreed to send it pages. (server, browser)"""
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    return server, browser


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    return path


def wait_for_page(context, predicate, timeout_ms: int = WAIT_MS):
    """The first page (tab) of `context` whose URL satisfies `predicate`."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        for page in context.pages:
            if predicate(page.url):
                return page
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("no such page opened")
        with contextlib.suppress(PlaywrightError):  # none opened yet: look again
            context.wait_for_event("page", timeout=min(remaining, 1.0) * 1000)


def hover_over(page, selector: str, text: str):
    """Move the pointer over `text` inside `selector`, as a reader would."""
    box = page.evaluate(
        """([selector, text]) => {
          const element = document.querySelector(selector);
          const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(text);
            if (at === -1) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + text.length);
            const r = range.getClientRects()[0];
            return {x: r.left + r.width / 2, y: r.top + r.height / 2};
          }
          return null;
        }""",
        [selector, text],
    )
    assert box, f"{text!r} not found in {selector}"
    page.mouse.move(box["x"] - 40, box["y"] + 60)
    page.mouse.move(box["x"], box["y"], steps=4)


def report_page(browser, opening):
    """Run `opening` (a reader's click) and return the report page it opened."""
    with browser.context.expect_page() as opened:
        opening()
    report = opened.value
    report.wait_for_load_state()
    assert report.url.startswith(browser.url("report.html?draft="))
    return report
