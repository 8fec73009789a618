"""The browser extension, in real headless Chromium, against the real server.

Debian's /usr/bin/chromium loads the unpacked `extension/` folder (branded Chrome ignores
--load-extension); Playwright drives it. The server is the real Flask app on 127.0.0.1
(`live_server` from conftest) and the pages are served by a small HTTP server here.
Nothing waits with sleeps: every wait is on an event or a condition.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, FDA_KRATOM, sample_claims, skip_without_semantic

from server import store

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the fixtures below
    sync_playwright = None

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "extension"
PAGES = Path(__file__).resolve().parent / "pages"
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
    "evidence": [
        {
            "url": "https://nida.nih.gov/es/publicaciones/drugfacts/kratom",
            "title": "Kratom",
            "publisher": "National Institute on Drug Abuse",
            "source_type": "public_health_agency",
            "year": 2024,
        },
    ],
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


# --- local HTTP servers: the fixture pages, a counting proxy, a callback listener -------


class _QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


def _serve(handler: type) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def long_page(words: int = 10_500) -> str:
    """A long article of ordinary sentences with three checked claims spread through it."""
    rng = random.Random(4)
    vocabulary = [
        "garden",
        "river",
        "morning",
        "window",
        "walk",
        "bread",
        "market",
        "autumn",
        "letter",
        "music",
        "bicycle",
        "village",
        "kitchen",
        "table",
        "harbour",
        "train",
        "evening",
        "lantern",
        "meadow",
        "bridge",
        "story",
        "painting",
        "coffee",
        "orchard",
        "island",
        "weather",
        "shelf",
        "notebook",
        "museum",
        "festival",
        "ladder",
        "basket",
        "pebble",
    ]
    verbs = [
        "sees",
        "finds",
        "keeps",
        "paints",
        "carries",
        "builds",
        "opens",
        "follows",
        "remembers",
        "visits",
    ]
    claims = [
        "Kratom is a safe and natural way to get off opioids.",
        "The MMR jab causes autism.",
        "People on methadone are less likely to die of an overdose.",
    ]
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            n = rng.randint(8, 16)
            chosen = [rng.choice(vocabulary) for _ in range(n)]
            chosen.insert(2, rng.choice(verbs))
            sentences.append(("The " + " ".join(chosen)).capitalize() + ".")
            count += n + 2
        paragraphs.append(" ".join(sentences))
    for i, claim in enumerate(claims):
        at = (i + 1) * len(paragraphs) // (len(claims) + 1)
        paragraphs[at] += " " + claim
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Long read</title>'
        "<style>body{font:16px/1.5 serif;max-width:760px;margin:0 auto;padding:24px}</style>"
        f"</head><body><h1>A long read</h1>{body}</body></html>"
    )


class _PageHandler(_QuietHandler):
    def do_GET(self):
        path = self.path.split("?")[0].lstrip("/")
        # /csp/<page>: the same page under the strictest Content-Security-Policy.
        strict = path.startswith("csp/")
        path = path.removeprefix("csp/")
        if path == "long.html":
            body = long_page().encode()
        elif path.startswith("app/"):  # single-page app routes: the same document
            body = (PAGES / "living.html").read_bytes()
        else:
            file = PAGES / path
            if not path or not file.is_file() or PAGES not in file.resolve().parents:
                self.send_error(404)
                return
            body = file.read_bytes()
        self.send_response(200)
        if strict:
            self.send_header("Content-Security-Policy", "default-src 'none'")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Recorded:
    method: str
    path: str
    body: bytes


@dataclass
class CountingProxy:
    """Forwards to the live server and records every request that reached it."""

    url: str
    requests: list[Recorded] = field(default_factory=list)

    def paths(self, prefix: str = "/v1/") -> list[str]:
        return [r.path for r in self.requests if r.path.startswith(prefix)]


def start_proxy(target: str, rewrite=None) -> tuple[CountingProxy, http.server.ThreadingHTTPServer]:
    """`rewrite(path, request_body, answer_body) -> answer_body` may change what the server
    answered (to stand in for another server version)."""
    proxy = CountingProxy(url="")

    class Handler(_QuietHandler):
        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            proxy.requests.append(Recorded(self.command, self.path, body))
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower()
                in (
                    "content-type",
                    "origin",
                    "access-control-request-method",
                    "access-control-request-headers",
                )
            }
            request = urllib.request.Request(
                target + self.path, data=body or None, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, answer_headers, payload = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as failure:
                status, answer_headers, payload = failure.code, failure.headers, failure.read()
            if rewrite:
                payload = rewrite(self.path, body, payload)
            self.send_response(status)
            for key, value in answer_headers.items():
                if key.lower() not in (
                    "content-length",
                    "connection",
                    "transfer-encoding",
                    "server",
                    "date",
                ):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_OPTIONS = _forward

    server = _serve(Handler)
    proxy.url = f"http://127.0.0.1:{server.server_port}"
    return proxy, server


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
    server = _serve(_PageHandler)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def listener():
    """Counts callbacks from script that should never have run."""
    hits: list[str] = []
    arrived = threading.Event()

    class Handler(_QuietHandler):
        def _hit(self):
            hits.append(self.path)
            arrived.set()
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()

        do_GET = do_POST = do_OPTIONS = _hit

    server = _serve(Handler)
    yield f"http://127.0.0.1:{server.server_port}", hits, arrived
    server.shutdown()


def closed_port_url() -> str:
    """An address on this machine where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


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


class Card:
    """The tooltip card, inside its closed shadow root. The page's scripts can't reach it;
    the tests do what DevTools does: the Chrome DevTools Protocol hands out closed roots.
    Every read waits, in the page, until `predicate` holds (or a generous deadline)."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _root(self) -> str | None:
        host = self.cdp.send(
            "Runtime.evaluate", {"expression": "document.querySelector('healthflags-tooltip')"}
        )["result"]
        if "objectId" not in host:
            return None
        node = self.cdp.send(
            "DOM.describeNode", {"objectId": host["objectId"], "depth": 0, "pierce": True}
        )["node"]
        roots = node.get("shadowRoots") or []
        if not roots:
            return None
        assert roots[0]["shadowRootType"] == "closed"
        return self.cdp.send("DOM.resolveNode", {"backendNodeId": roots[0]["backendNodeId"]})[
            "object"
        ]["objectId"]

    def eval(self, function: str, *args):
        """`function(root, ...args)` in the page, with the card's shadow root."""
        root = self.wait_visible()
        answer = self.cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": root,
                "functionDeclaration": f"function (...a) {{ return ({function})(this, ...a); }}",
                "arguments": [{"value": a} for a in args],
                "returnByValue": True,
                "awaitPromise": True,
            },
        )
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    def wait_visible(self) -> str:
        self.page.wait_for_function("""() => {
          const host = document.querySelector('healthflags-tooltip');
          return host && getComputedStyle(host).display === 'block'
            && getComputedStyle(host).visibility === 'visible';
        }""")
        root = self._root()
        assert root, "the card has no shadow root"
        return root

    def wait_for(self, predicate: str, *args):
        """Until `predicate(root, ...args)` is truthy in the page; returns its value."""
        value = self.eval(
            f"""(root, ...args) => new Promise((resolve) => {{
              const deadline = Date.now() + {WAIT_MS};
              const poll = () => {{
                let value = null;
                try {{ value = ({predicate})(root, ...args); }} catch {{ value = null; }}
                if (value || Date.now() > deadline) resolve(value);
                else requestAnimationFrame(poll);
              }};
              poll();
            }})""",
            *args,
        )
        assert value, f"the card never satisfied {predicate} {args}"
        return value

    def text(self, selector: str = ".card") -> str:
        return self.wait_for("(root, s) => root.querySelector(s)?.textContent", selector)

    def expect_text(self, selector: str, contains: str) -> str:
        return self.wait_for(
            "(root, s, t) => root.querySelector(s)?.textContent.includes(t) "
            "&& root.querySelector(s).textContent",
            selector,
            contains,
        )

    def count(self, selector: str) -> int:
        return self.eval("(root, s) => root.querySelectorAll(s).length", selector)

    def attributes(self, selector: str, *names: str) -> list[list]:
        return self.eval(
            "(root, s, names) => [...root.querySelectorAll(s)]"
            ".map((e) => names.map((n) => e.getAttribute(n)))",
            selector,
            list(names),
        )

    def click(self, selector: str) -> None:
        """A real click (trusted, from the browser's input) in the middle of the element."""
        box = self.wait_for(
            """(root, s) => {
              const r = root.querySelector(s)?.getClientRects()[0]; // a link may wrap
              return r && r.width > 0 ? {x: r.left + r.width / 2, y: r.top + r.height / 2} : null;
            }""",
            selector,
        )
        self.page.mouse.click(box["x"], box["y"])


# --- the tests ------------------------------------------------------------------------


def test_nothing_is_sent_before_the_reader_agrees(launch, live_server, proxy_to, site):
    server = live_server(CLAIMS)
    proxy = proxy_to(server.url)
    browser = launch()
    # First run opens the consent page by itself.
    consent = wait_for_page(browser.context, lambda url: url.endswith("/consent.html"))
    expect(consent.locator("h1")).to_contain_text("Before healthflags reads any page")
    consent.close()

    browser.save_settings(serverUrl=proxy.url)
    page = browser.open("kratom-shop.html")
    popup = browser.popup(page)
    expect(popup.locator("#status")).to_have_attribute("data-status", "needs-consent")
    expect(popup.locator("#check-page")).to_be_disabled()
    # The keyboard shortcut and the context menu call the same function: it refuses too.
    refused = browser.worker.evaluate("(id) => checkTab(id)", browser.tab_id(page))
    assert refused["status"] == "needs-consent"
    assert (
        browser.worker.evaluate(
            "(id) => sendReport({kind: 'missed_claim', passage: 'x'}, {})", browser.tab_id(page)
        )["ok"]
        is False
    )
    assert proxy.requests == [], "a request reached the server before consent"
    assert page.evaluate(HIGHLIGHT_SIZES) == dict.fromkeys(CATEGORIES, 0)

    # After agreeing, the same click checks the page: the counter can see requests.
    browser.agree(proxy.url)
    popup.close()
    browser.check(page)
    assert "/v1/match" in proxy.paths()
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 2


def test_kratom_page_is_flagged_with_tooltip_badge_and_evidence(launch, live_server, proxy_to):
    server = live_server(CLAIMS)
    proxy = proxy_to(server.url)
    browser = launch()
    browser.agree(proxy.url)
    # Evidence pages stand in for the real sites (no network here): record who asks.
    evidence_requests = []

    def evidence(route):
        evidence_requests.append(route.request)
        route.fulfill(
            status=200,
            content_type="text/html",
            body="<title>FDA statement on kratom</title><h1>FDA statement on kratom</h1>",
        )

    browser.context.route("https://fda.gov/**", evidence)

    page = browser.open("kratom-shop.html")
    page.evaluate("""() => {
      window.layoutShift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.layoutShift += entry.value;
      }).observe({type: "layout-shift", buffered: false});
    }""")
    text_before = page.evaluate("document.body.innerText")
    popup = browser.check(page)

    sizes = page.evaluate(HIGHLIGHT_SIZES)
    assert sizes == {**dict.fromkeys(CATEGORIES, 0), "misinformation": 2}
    assert [n for n, _ in page.evaluate(HIGHLIGHTED_IN, "#claim-safe")] == [
        "healthflags-misinformation"
    ]
    assert [n for n, _ in page.evaluate(HIGHLIGHTED_IN, "#claim-depression")] == [
        "healthflags-misinformation"
    ]
    # Hidden text, contenteditable text and form fields are never read, so never flagged.
    for selector in ("#hidden-claim", "#editable", "#newsletter"):
        assert page.evaluate(HIGHLIGHTED_IN, selector) == [], selector
    sent = b"".join(r.body for r in proxy.requests)
    assert b"PAGE-CANARY-2b9c" in sent
    assert b"FORM-CANARY-7f3a" not in sent and b"reader@example.org" not in sent
    assert b"die of an overdose" not in sent and b"MMR jab" not in sent

    # Badge = number of flags = the popup's list.
    assert browser.badge(page) == "2"
    expect(popup.locator("#flags > li")).to_have_count(2)
    expect(popup.locator("#status")).to_have_text("2 checked claims on this page.")
    expect(popup.locator("#flags > li").first).to_contain_text("False")

    # Hover: the tooltip in a shadow root says the verdict in words and gives the evidence.
    hover_over(page, "#claim-safe", "natural way to get off opioids")
    card = Card(page)
    assert card.text(".verdict") == "✕False"
    card.expect_text(".card", "Goes against the evidence")
    card.expect_text(".card", "Kratom acts on opioid receptors")
    links = card.attributes("ul.evidence a", "href", "rel", "target")
    assert len(links) == 2
    for href, rel, target in links:
        assert href.startswith("https://")
        assert rel == "noopener noreferrer"
        assert target == "_blank"
    card.expect_text("ul.evidence li", "U.S. Food and Drug Administration · Regulator · 2018")
    # The claim's reviewed_at, 2026-11-30, beside the evidence's heading.
    card.expect_text(".evidence-heading .checked", "checked on")
    checked = card.text(".evidence-heading .checked")
    assert "2026" in checked and "30" in checked
    save_screenshot(page, "extension-kratom-tooltip.png")

    # The evidence link works: it opens the source in a new tab, with no referrer or opener.
    with browser.context.expect_page() as opened:
        card.click("ul.evidence a")
    evidence_page = opened.value
    evidence_page.wait_for_load_state()
    assert evidence_page.url == FDA_KRATOM
    expect(evidence_page.locator("h1")).to_have_text("FDA statement on kratom")
    assert evidence_page.evaluate("window.opener") is None
    assert "referer" not in {k.lower() for k in evidence_requests[0].headers}

    # The page itself is as it was: same text, no layout shift, no node of ours in the body.
    page.bring_to_front()
    assert page.evaluate("document.body.innerText") == text_before
    assert page.evaluate("window.layoutShift") == 0
    assert (
        page.evaluate(
            "document.body.querySelectorAll('[class*=healthflags], healthflags-tooltip').length"
        )
        == 0
    )


def test_claims_in_links_table_cells_list_items_and_after_emoji_are_anchored(launch, live_server):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page = browser.open("structures.html")
    browser.check(page)

    def flagged(selector):
        return [
            (name, " ".join(text.split())) for name, text in page.evaluate(HIGHLIGHTED_IN, selector)
        ]

    # Across <b>, <a>, <br> and <i>: one range over several text nodes.
    spread = flagged("#spread")
    assert len(spread) == 1 and spread[0][0] == "healthflags-misinformation"
    assert spread[0][1].endswith("Kratom is a safe and natural wayto get off opioids."), spread
    assert page.evaluate("""() => {
      const range = [...CSS.highlights.get('healthflags-misinformation')]
        .find((r) => document.getElementById('spread').contains(r.startContainer));
      return ['b', 'a', 'br', 'i']
        .every((tag) => range.intersectsNode(document.querySelector(`#spread ${tag}`)));
    }""")
    assert flagged("#cell") == [("healthflags-misinformation", "The MMR jab causes autism.")]
    assert flagged("#item") == [
        ("healthflags-misinformation", "Kratom is a proven cure for depression.")
    ]
    # Three emoji (two UTF-16 code units each) before the match: the range starts exactly
    # at the sentence, and the server's offsets slice the text the way JavaScript does.
    emoji = flagged("#emoji")
    assert len(emoji) == 1 and emoji[0][0] == "healthflags-misinformation"
    # (No "say kratom fans" any more: a claim the page attributes to others is only possible.)
    assert emoji[0][1].startswith("Switching to 𝒦ratom is a risk-free way to quit heroin"), emoji
    offsets = page.evaluate(
        """async (server) => {
      const text = document.getElementById('emoji').textContent;
      const answer = await fetch(server + '/v1/match', {method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({segments: [{id: 'e', text}]})}).then((r) => r.json());
      return answer.matches.map((m) => ({exact: m.exact, sliced: text.slice(m.start, m.end)}));
    }""",
        server.url,
    )
    assert len(offsets) == 1 and offsets[0]["sliced"] == offsets[0]["exact"], offsets
    assert browser.badge(page) == "4"


# The paint of a highlight, read the way the browser computes it.
HIGHLIGHT_PAINT = """
([selector, name]) => {
  const style = getComputedStyle(document.querySelector(selector), `::highlight(${name})`);
  return [style.backgroundColor, style.textDecorationLine, style.textDecorationStyle];
}
"""


def test_highlight_style_option_and_pages_under_strict_csp(launch, live_server):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    # A page that allows nothing at all (no styles, no scripts, no connections).
    page = browser.open("csp/structures.html")
    browser.check(page)
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 4
    paint = page.evaluate(HIGHLIGHT_PAINT, ["#item", "healthflags-misinformation"])
    assert paint[0] != "rgba(0, 0, 0, 0)" and paint[1:] == ["underline", "wavy"]
    hover_over(page, "#item", "proven cure")
    card = Card(page)
    # The tooltip's own styles apply despite the page's CSP.
    assert (
        card.eval("(root) => getComputedStyle(root.querySelector('.card')).borderTopLeftRadius")
        == "10px"
    )
    save_screenshot(page, "extension-strict-csp-page.png")

    # "Underline only": checking again repaints without the tint, and adds nothing twice.
    browser.save_settings(highlightStyle="underline")
    browser.check(page)
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 4
    paint = page.evaluate(HIGHLIGHT_PAINT, ["#item", "healthflags-misinformation"])
    assert paint == ["rgba(0, 0, 0, 0)", "underline", "wavy"]
    assert browser.badge(page) == "4"


def test_debunking_page_is_not_painted_as_misinformation(launch, live_server):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page = browser.open("debunk.html")
    popup = browser.check(page)
    sizes = page.evaluate(HIGHLIGHT_SIZES)
    assert sizes["misinformation"] == 0
    # It was checked and matched: the debunking sentences are shown for what they are.
    assert sizes["consistent"] >= 2
    assert [n for n, _ in page.evaluate(HIGHLIGHTED_IN, "#myth")] == ["healthflags-consistent"]
    expect(popup.locator("#flags > li").first).to_contain_text("In line with the evidence")
    save_screenshot(page, "extension-debunking-page.png")


def test_text_added_later_is_checked_and_flags_follow_their_text(launch, live_server):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page = browser.open("living.html")
    browser.check(page)
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 1

    # Infinite scroll: two stories arrive; one carries a claim.
    page.evaluate("appendStory('Local bakery wins a prize for its rye bread.')")
    page.evaluate("appendStory('The MMR jab causes autism.')")
    page.wait_for_function("CSS.highlights.get('healthflags-misinformation').size === 2")
    browser.wait_for_flags(page, 2)
    assert browser.badge(page) == "2"

    # Text inserted before the claim in the same text node: the flag follows its text.
    # It is found again by its quote at once, then the changed paragraph is checked
    # again and the sentence, which now starts with "Update:", is flagged whole. Wait
    # for that settled state: the quote alone lasts only until the answer comes.
    page.evaluate("prependToFirst('Update: ')")
    page.wait_for_function("""() => [...CSS.highlights.get('healthflags-misinformation')]
        .some((r) => r.toString() === 'Update: Kratom is a safe and natural way to get off opioids.'
                     && document.getElementById('first').contains(r.startContainer))""")
    browser.wait_for_flags(page, 2)

    # The paragraph is re-rendered (new nodes, same text): the flag is anchored again.
    page.evaluate("rerenderFirst()")
    page.wait_for_function("""() => [...CSS.highlights.get('healthflags-misinformation')]
        .some((r) => r.toString() === 'Kratom is a safe and natural way to get off opioids.'
                     && document.getElementById('first').contains(r.startContainer))""")
    browser.wait_for_flags(page, 2)
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 2
    assert browser.badge(page) == "2"

    # A single-page app moves to another page: old flags go, the new page is checked.
    page.evaluate(
        "navigateTo('/app/second', 'People on methadone are less likely to die of an overdose.')"
    )
    page.wait_for_function("CSS.highlights.get('healthflags-consistent')?.size === 1")
    browser.wait_for_flags(page, 1)
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 0
    assert browser.badge(page) == "1"

    # A real navigation resets the badge and the popup.
    page.goto(f"{browser.site}/debunk.html")
    popup = browser.popup(page)
    expect(popup.locator("#status")).to_have_attribute("data-status", "idle")
    expect(popup.locator("#flags > li")).to_have_count(0)
    assert browser.badge(page) == ""
    assert page.evaluate("CSS.highlights.size") == 0


def test_long_page_main_thread_cost(launch, live_server):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page = browser.open("long.html")
    words = page.evaluate("document.body.innerText.split(/\\s+/).length")
    assert words >= 10_000
    page.evaluate("""() => {
      window.longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.longTasks.push(entry.duration);
      }).observe({type: "longtask"});
    }""")
    cdp = browser.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def metrics():
        return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

    before = metrics()
    started = time.perf_counter()
    assert browser.worker.evaluate("(id) => checkTab(id)", browser.tab_id(page))["ok"]
    browser.wait_for_status(page, "done")
    elapsed = time.perf_counter() - started
    after = metrics()

    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 2
    assert page.evaluate(HIGHLIGHT_SIZES)["consistent"] == 1
    script_ms = (after["ScriptDuration"] - before["ScriptDuration"]) * 1000
    task_ms = (after["TaskDuration"] - before["TaskDuration"]) * 1000
    layout_ms = (after["LayoutDuration"] - before["LayoutDuration"]) * 1000
    long_tasks = page.evaluate("window.longTasks")
    print(
        f"\n[main-thread cost] {words} words: script {script_ms:.1f} ms, all main-thread tasks "
        f"{task_ms:.1f} ms (layout {layout_ms:.1f} ms), long tasks (>50 ms): {len(long_tasks)}"
        f"{f' max {max(long_tasks):.0f} ms' if long_tasks else ''}; "
        f"check finished in {elapsed * 1000:.0f} ms wall time"
    )


def test_popup_lists_flags_and_scrolls_to_the_chosen_one(launch, live_server):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page = browser.open("long.html")
    popup = browser.check(page)
    items = popup.locator("#flags > li")
    expect(items).to_have_count(3)
    assert browser.badge(page) == "3"
    # In page order, each with its verdict in words.
    expect(items.nth(0)).to_contain_text("False")
    expect(items.nth(2)).to_contain_text("Supported")
    assert page.evaluate("scrollY") == 0

    # Keyboard: focus the last flag's button and press Enter.
    popup.locator("#flags > li .flag-show").nth(2).focus()
    popup.keyboard.press("Enter")
    page.bring_to_front()
    page.wait_for_function("""() => {
      const r = [...CSS.highlights.get('healthflags-consistent')][0].getBoundingClientRect();
      return scrollY > 0 && r.top >= 0 && r.bottom <= innerHeight;
    }""")
    Card(page).expect_text(".verdict", "Supported")
    page.wait_for_function("CSS.highlights.get('healthflags-focus').size === 1")
    save_screenshot(page, "extension-popup-scroll-to-flag.png")
    save_screenshot(popup, "extension-popup.png")


def report_page(browser, opening):
    """Run `opening` (a reader's click) and return the report page it opened."""
    with browser.context.expect_page() as opened:
        opening()
    report = opened.value
    report.wait_for_load_state()
    assert report.url.startswith(browser.url("report.html?draft="))
    return report


def test_this_flag_is_wrong_creates_a_report_on_the_server(launch, live_server):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page = browser.open("kratom-shop.html")
    browser.check(page)
    hover_over(page, "#claim-depression", "proven cure")
    card = Card(page)
    # The card only opens the extension's own report page; the form is there.
    assert card.count("textarea, input") == 0
    report = report_page(browser, lambda: card.click("button.report-open"))
    card.expect_text(".status", "nothing is sent until you press Send")
    expect(report.locator("h1")).to_have_text("This flag is wrong")
    expect(report.locator("#flag")).to_contain_text("False")
    expect(report.locator("#flag-claim")).to_have_text("Kratom cures depression.")
    expect(report.locator("#page-url")).to_contain_text(page.url)
    # Prefilled with the flagged passage, which the reader may shorten.
    expect(report.locator("#passage")).to_have_value("Kratom is a proven cure for depression.")
    report.fill("#passage", "Kratom is a proven cure")
    report.check("#include-url")
    report.fill("#comment", "Testing: the passage is an advert.")
    save_screenshot(report, "extension-report-page.png")
    report.click("#send")
    expect(report.locator("#result")).to_have_text(
        "Thank you: your report was sent to the moderators."
    )
    expect(report.locator("#send")).to_be_disabled()

    # The same from the popup, without the address this time.
    popup = browser.popup(page)
    item = popup.locator("#flags > li").first
    item.locator("summary").click()
    report = report_page(browser, lambda: item.locator("button.report-open").click())
    expect(report.locator("#passage")).to_have_value(
        "Kratom is a safe and natural way to get off opioids."
    )
    report.click("#send")
    expect(report.locator("#result")).to_contain_text("Thank you")
    # Sent once: the draft is gone, so pressing Send again sends nothing more.
    assert (
        browser.worker.evaluate(
            "(id) => sendReport({draftId: id, passage: 'again'})",
            report.url.split("draft=")[1],
        )["ok"]
        is False
    )

    with sqlite3.connect(server.db_path) as db:
        rows = db.execute(
            "SELECT kind, claim_id, passage, url, comment FROM reports ORDER BY id"
        ).fetchall()
    assert len(rows) == 2
    assert rows[0] == (
        "wrong_flag",
        "kratom-cures-depression",
        "Kratom is a proven cure",
        page.url,
        "Testing: the passage is an advert.",
    )
    assert rows[1][:2] == ("wrong_flag", "kratom-safe-opioid-treatment")
    assert "Kratom is a safe and natural way to get off opioids" in rows[1][2]
    assert rows[1][3] is None


def test_unreachable_server_is_reported_and_the_page_is_left_alone(launch):
    browser = launch()
    dead = closed_port_url()
    browser.agree(dead)
    page = browser.open("kratom-shop.html")
    html_before = page.evaluate("document.documentElement.outerHTML")
    popup = browser.popup(page)
    popup.click("#check-page")
    expect(popup.locator("#status")).to_have_attribute(
        "data-status", "unreachable", timeout=WAIT_MS
    )
    expect(popup.locator("#status")).to_contain_text(f"{dead} can't be reached")
    expect(popup.locator("#status")).to_contain_text("Nothing on the page was changed")
    assert page.evaluate("CSS.highlights.size") == 0
    assert page.evaluate("document.documentElement.outerHTML") == html_before
    assert page.evaluate("document.querySelectorAll('healthflags-tooltip').length") == 0
    assert browser.badge(page) == ""
    save_screenshot(popup, "extension-popup-unreachable.png")


def test_never_check_sites_and_verdict_filter_are_respected(launch, live_server, proxy_to):
    server = live_server(CLAIMS)
    proxy = proxy_to(server.url)
    browser = launch()
    browser.agree(proxy.url)
    defaults = browser.worker.evaluate("DEFAULT_SETTINGS.neverSites")
    assert {"mail.google.com", "paypal.com", "mychart.*", "*.internal"} <= set(defaults)
    assert browser.worker.evaluate("siteMatches('mychart.example-health.org', 'mychart.*')")
    assert not browser.worker.evaluate("siteMatches('example.org', 'mychart.*')")

    browser.save_settings(neverSites=[*defaults, "127.0.0.1"])
    page = browser.open("kratom-shop.html")
    popup = browser.popup(page)
    expect(popup.locator("#status")).to_have_attribute("data-status", "never-check")
    expect(popup.locator("#check-page")).to_be_disabled()
    assert (
        browser.worker.evaluate("(id) => checkTab(id)", browser.tab_id(page))["status"]
        == "never-check"
    )
    assert proxy.paths("/v1/match") == []

    # Off the list again, with only "supported" verdicts shown: the false claims stay unpainted.
    browser.save_settings(neverSites=defaults, verdicts=["supported"])
    popup.reload()
    popup.click("#check-page")
    expect(popup.locator("#status")).to_have_attribute("data-status", "done", timeout=WAIT_MS)
    assert proxy.paths("/v1/match")
    assert page.evaluate(HIGHLIGHT_SIZES) == dict.fromkeys(CATEGORIES, 0)
    assert browser.badge(page) == ""


def test_allowed_site_is_checked_automatically(launch, live_server):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page = browser.open("structures.html")
    popup = browser.popup(page)
    expect(popup.locator("#site-switch-text")).to_have_text("Check 127.0.0.1 automatically")
    popup.locator("#site-switch").check()
    expect(popup.locator("#site-switch")).to_be_checked()
    settings = browser.worker.evaluate("getSettings()")
    assert settings["mode"] == "allowed" and settings["allowedSites"] == ["127.0.0.1"]
    popup.close()

    # No click this time: loading a page of the site is enough.
    page.goto(f"{browser.site}/kratom-shop.html")
    page.wait_for_function("CSS.highlights.get('healthflags-misinformation')?.size === 2")
    browser.wait_for_flags(page, 2)
    assert browser.badge(page) == "2"


def test_options_page_saves_settings(launch):
    browser = launch()
    options = browser.context.new_page()
    options.goto(browser.url("options.html"))
    expect(options.locator("#server-url")).to_have_value("http://127.0.0.1:8765")
    expect(options.locator("input[name=mode][value=click]")).to_be_checked()
    assert "mail.google.com" in options.locator("#never-sites").input_value()
    expect(options.locator("input[name=verdict]")).to_have_count(5)
    options.fill("#server-url", "https://flags.example.org/")
    options.click("#save-server")
    expect(options.locator("#saved")).to_have_text("Saved.")
    options.locator("input[name=style][value=underline]").check()
    options.locator("input[name=verdict][value=supported]").uncheck()
    expect(options.locator("#saved")).to_have_text("Saved.")
    settings = browser.worker.evaluate("getSettings()")
    assert settings["serverUrl"] == "https://flags.example.org"
    assert settings["highlightStyle"] == "underline"
    assert "supported" not in settings["verdicts"]
    options.fill("#server-url", "javascript:alert(1)")
    options.click("#save-server")
    expect(options.locator("#saved")).to_contain_text("must start with http")
    save_screenshot(options, "extension-options.png")


def test_background_refuses_unknown_messages_and_foreign_senders(browser):
    with pytest.raises(PlaywrightError, match="unknown message type"):
        browser.worker.evaluate("handleMessage({type: 'no-such-thing'}, {id: chrome.runtime.id})")
    with pytest.raises(PlaywrightError, match="only accepted from an extension page"):
        browser.worker.evaluate(
            "handleMessage({type: 'save-settings', settings: {}}, "
            "{id: chrome.runtime.id, tab: {id: 1}, url: 'https://evil.example/'})"
        )
    with pytest.raises(PlaywrightError, match="only accepted from a content script"):
        browser.worker.evaluate(
            "handleMessage({type: 'match-segments', segments: []}, {id: chrome.runtime.id})"
        )


# --- claim data that tries to run script ----------------------------------------------


def poison_claims(db_path: Path, listener_url: str) -> None:
    """Write hostile claim data straight into the published tables, as a compromised
    database would hold it (the real importer refuses it), then publish a new version."""
    payload = f"<img src=x onerror=\"fetch('{listener_url}/%s')\">"
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA ignore_check_constraints = ON")  # evidence URLs must be https
    with db:
        db.execute(
            "UPDATE claims SET text = text || ' ' || ?, summary = ? "
            "WHERE id = 'kratom-safe-opioid-treatment'",
            [
                payload % "claim-text",
                payload % "summary" + f"<script>fetch('{listener_url}/script')</script>",
            ],
        )
        db.execute(
            "UPDATE evidence SET url = ?, title = ?, publisher = ? "
            "WHERE claim_id = 'kratom-safe-opioid-treatment'",
            [
                f"javascript:fetch('{listener_url}/evidence-url')",
                payload % "evidence-title",
                payload % "publisher",
            ],
        )
        version = int(
            db.execute("SELECT value FROM meta WHERE key = 'published_version'").fetchone()[0]
        )
        db.execute("UPDATE meta SET value = ? WHERE key = 'published_version'", [str(version + 1)])
    db.close()


def unsafe_copy(tmp_path: Path) -> Path:
    """The extension with its tooltip rendering claim data as HTML: must be caught."""
    copy = tmp_path / "unsafe-extension"
    shutil.copytree(EXTENSION, copy)
    tooltip = copy / "tooltip.js"
    source = tooltip.read_text()
    for safe, unsafe in [
        ("quote.textContent = claim.text;", "quote.innerHTML = claim.text;"),
        ("const href = V.safeHttpsUrl(item.url);", "const href = item.url;"),
    ]:
        assert safe in source, f"tooltip.js changed: update this test ({safe})"
        source = source.replace(safe, unsafe)
    tooltip.write_text(source)
    return copy


def show_poisoned_tooltip(browser, server_url: str):
    browser.agree(server_url)
    page = browser.open("xss.html")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    browser.check(page)
    hover_over(page, "#claim", "natural treatment for opioid")
    card = Card(page)
    # Click whatever stands for the evidence link, as a curious reader would.
    card.click("ul.evidence li :is(a, span)")
    return page, card, dialogs


@pytest.mark.parametrize("build", ["real", "deliberately-unsafe"])
def test_claim_data_never_runs_script(build, launch, live_server, listener, tmp_path):
    listener_url, hits, arrived = listener
    server = live_server(CLAIMS)
    poison_claims(server.db_path, listener_url)
    extension = EXTENSION if build == "real" else unsafe_copy(tmp_path)
    browser = launch(extension)
    page, card, dialogs = show_poisoned_tooltip(browser, server.url)

    if build == "deliberately-unsafe":
        # Proof that the listener catches script run from claim data.
        assert arrived.wait(WAIT_MS / 1000), "the unsafe build should have run the payload"
        assert any(hit.startswith("/claim-text") for hit in hits), hits
        return

    # The payload is shown as text, the javascript: link is not a link at all.
    card.expect_text("q", "<img src=x onerror=")
    card.expect_text(".card", "link withheld: not a secure https address")
    assert card.count("a[href^='javascript']") == 0
    assert card.count("img, script") == 0
    # The popup renders the same data: it must stay inert there too.
    popup = browser.popup(page)
    popup.locator("#flags > li summary").first.click()
    expect(popup.locator("#flags > li q").first).to_contain_text("<img src=x onerror=")
    assert popup.locator("#flags img").count() == 0
    # One round trip through the listener's own server: any earlier request has landed.
    urllib.request.urlopen(f"{listener_url}/marker", timeout=10).close()
    assert hits == ["/marker"], hits
    assert dialogs == []


# --- Firefox's verdict on the folder --------------------------------------------------


def test_web_ext_lint_finds_no_errors():
    web_ext = ROOT / "node_modules" / ".bin" / "web-ext"
    require(web_ext.exists(), "node_modules is missing: run `npm ci` for web-ext lint")
    result = subprocess.run(
        [
            str(web_ext),
            "lint",
            "--source-dir",
            str(EXTENSION),
            "--output",
            "json",
            "--no-config-discovery",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    # The one warning we accept: Firefox ignores background.service_worker (Chromium's key).
    codes = {w["code"] for w in report["warnings"]}
    assert codes <= {"BACKGROUND_SERVICE_WORKER_IGNORED"}, report["warnings"]


def test_manifest_and_sources_keep_the_rules():
    manifest = json.loads((EXTENSION / "manifest.json").read_text())
    assert manifest["manifest_version"] == 3
    assert manifest["background"]["service_worker"] == "background.js"
    assert manifest["background"]["scripts"] == ["background.js"]
    gecko = manifest["browser_specific_settings"]["gecko"]
    assert gecko["id"] and gecko["data_collection_permissions"]["required"] == ["websiteContent"]
    assert manifest["incognito"] == "not_allowed"  # never in private windows
    assert "check-page" in manifest["commands"]  # the keyboard shortcut
    assert "content_security_policy" not in manifest
    assert "externally_connectable" not in manifest
    assert "web_accessible_resources" not in manifest
    for source in EXTENSION.rglob("*.js"):
        text = source.read_text()
        for banned in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert banned not in text, f"{source.name} uses {banned}"
        assert "fetch(" not in text or source.name == "background.js", f"{source.name} fetches"
    for page in EXTENSION.glob("*.html"):
        html = page.read_text()
        assert "<script>" not in html and "http" not in html.split("<body>")[0], page.name
    for path in EXTENSION.rglob("*"):
        if path.suffix in {".js", ".css", ".html", ".png", ".py"}:  # kebab-case names
            assert path.name == path.name.lower() and "_" not in path.stem, path.name


def test_claims_reworded_in_other_words_are_shown_as_possible(launch, live_server):
    """With semantic matching on, sentences that share little more than "kratom"
    with a claim's phrasings are highlighted as possible matches; the page's plain
    sentences are not."""
    skip_without_semantic()
    published = [r for r in store.seed_records() if r.get("status") != "draft"]
    server = live_server(published, SEMANTIC=True)
    # The server's first semantic answer loads the model and embeds every claim (30 s on a
    # busy machine, past the extension's 15 s timeout): done here, before the reader clicks.
    warm = urllib.request.Request(
        server.url + "/v1/match",
        data=json.dumps({"segments": [{"id": "w", "text": "Kratom is a tree."}]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(warm, timeout=300).close()
    browser = launch()
    browser.agree(server.url)
    page = browser.open("kratom-reworded.html")
    popup = browser.check(page)
    for selector in ("#deaths", "#gentle", "#stopping"):
        names = [n for n, _ in page.evaluate(HIGHLIGHTED_IN, selector)]
        assert len(names) == 1 and names[0].startswith("healthflags-possible-"), selector
    for selector in ("#origin", "#shipping", "#storage"):
        assert page.evaluate(HIGHLIGHTED_IN, selector) == [], selector
    expect(popup.locator("#flags > li")).to_have_count(3)
    save_screenshot(page, "extension-reworded-claims.png")
