"""What the extension owes its reader, in real headless Chromium against the real server:
the page cannot act in the reader's name, consent follows the server address, only text
the reader can see leaves the browser, and long runs are cut between characters.

Recording proxies (test_extension.start_proxy) stand between the extension and the real
server: what they did not record was not sent.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from extension_browser import (
    CATEGORIES,
    CLAIMS,
    EXTENSION,
    HIGHLIGHT_SIZES,
    HIGHLIGHTED_IN,
    hover_over,
    report_page,
    save_screenshot,
    wait_for_page,
)
from page_servers import PAGES
from playwright.sync_api import expect
from tooltip_card import Card


def sent_segments(proxy) -> list[dict]:
    return [
        segment
        for r in proxy.requests
        if r.path == "/v1/match"
        for segment in json.loads(r.body)["segments"]
    ]


def wait_for_probes(page, rounds: int = 10) -> dict:
    """Let the page's own script try `rounds` more times, then say what it found."""
    start = page.evaluate("findings().rounds")
    page.wait_for_function(f"findings().rounds >= {start + rounds}")
    return page.evaluate("findings()")


# --- 1. the page cannot act in the reader's name ----------------------------------------


def trusting_copy(tmp_path: Path) -> Path:
    """The extension with an open shadow root and handlers that take any event."""
    copy = tmp_path / "trusting-extension"
    shutil.copytree(EXTENSION, copy)
    for name, safe, unsafe in [
        ("tooltip.js", 'attachShadow({ mode: "closed" })', 'attachShadow({ mode: "open" })'),
        ("tooltip.js", "if (event.isTrusted) handler(event);", "handler(event);"),
        ("content.js", "if (event.isTrusted) handler(event);", "handler(event);"),
    ]:
        source = (copy / name).read_text()
        assert safe in source, f"{name} changed: update this test ({safe})"
        (copy / name).write_text(source.replace(safe, unsafe))
    return copy


@pytest.mark.parametrize("build", ["real", "deliberately-trusting"])
def test_a_hostile_page_can_neither_send_a_report_nor_read_the_form(
    build,
    launch,
    live_server,
    proxy_to,
    tmp_path,
):
    server = live_server(CLAIMS)
    proxy = proxy_to(server.url)
    browser = launch(EXTENSION if build == "real" else trusting_copy(tmp_path))
    browser.agree(proxy.url)
    page = browser.context.new_page()
    page.goto(f"{browser.site}/hostile.html#chrome-extension://{browser.id}")
    browser.check(page)
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 1

    if build == "deliberately-trusting":
        # Proof that the page's probes would reach an open, trusting card: its own click
        # opens the card, it reads the card and presses "This flag is wrong".
        page.wait_for_function("findings().pressed.includes('action report-open')")
        assert "Kratom acts on opioid receptors" in " ".join(page.evaluate("findings().cardText"))
        wait_for_page(browser.context, lambda url: "/report.html?draft=" in url)
        return

    # Its own clicks and pointer moves over the flag open nothing: they are not trusted.
    found = wait_for_probes(page)
    assert page.evaluate("document.querySelector('healthflags-tooltip')") is None
    assert found["hostSeen"] is False

    # The reader's hover does open the card; the page sees its host element and nothing in it.
    hover_over(page, "#claim", "natural way to get off opioids")
    card = Card(page)
    assert card.text(".verdict") == "✕False"
    found = wait_for_probes(page)
    assert found["hostSeen"] is True
    assert found["ownRootSeen"] is True  # the probe does find shadow roots it may reach...
    assert found["cardRoots"] == [] and found["cardText"] == [] and found["pressed"] == []
    # ...and its hook on attachShadow saw only its own: ours was attached in the isolated world.
    assert found["attachShadowSeen"] == ["DIV"]
    # No way to the extension itself: no messaging API, its pages neither framed nor fetched.
    assert set(found["runtime"]) == {"TypeError"}
    assert not any("Send" in str(text) for text in found["framesRead"]), found["framesRead"]
    assert 200 not in found["fetched"], found["fetched"]
    # The page's pointerleave, clicks and Enter on the host changed nothing.
    card.wait_visible()
    assert not [p for p in browser.context.pages if "report.html" in p.url]
    assert proxy.paths("/v1/reports") == []

    # The reader's own click opens the form in the extension's page, out of the page's reach.
    report = report_page(browser, lambda: card.click("button.report-open"))
    report.locator("#comment").press_sequentially("READER-TYPED-4e1a")
    expect(report.locator("#comment")).to_have_value("READER-TYPED-4e1a")
    page.bring_to_front()
    found = wait_for_probes(page)
    assert found["typed"] == []
    assert "READER-TYPED" not in json.dumps(found)
    assert proxy.paths("/v1/reports") == []  # nothing is sent before the reader presses Send

    report.bring_to_front()
    report.click("#send")
    expect(report.locator("#result")).to_have_text(
        "Thank you: your report was sent to the moderators."
    )
    assert proxy.paths("/v1/reports") == ["/v1/reports"]
    sent = json.loads(proxy.requests[-1].body)
    assert sent == {
        "kind": "wrong_flag",
        "passage": "Kratom is a safe and natural way to get off opioids.",
        "claim_id": "kratom-safe-opioid-treatment",
        "comment": "READER-TYPED-4e1a",
    }


def test_only_the_extension_s_own_pages_may_send_a_report(launch):
    """The background refuses a report from a content script (what runs in a web page)."""
    refused = launch().worker.evaluate("""
      handleMessage({type: 'send-report', passage: 'forged'},
                    {id: chrome.runtime.id, tab: {id: 1}, url: 'https://news.example/'})
        .then(() => 'sent', (error) => error.message)""")
    assert refused == "this message is only accepted from an extension page"


# --- 2. consent follows the server address ----------------------------------------------


def test_a_new_server_address_is_asked_about_before_anything_goes_to_it(
    launch,
    live_server,
    proxy_to,
):
    server = live_server(CLAIMS)
    first, second = proxy_to(server.url), proxy_to(server.url)
    browser = launch()
    browser.agree(first.url)
    page = browser.open("living.html")
    browser.check(page)
    assert first.paths("/v1/match")
    sent_to_first = len(first.requests)

    options = browser.context.new_page()
    options.goto(browser.url("options.html"))
    expect(options.locator("#consent-state")).to_contain_text(
        f"to send the text of pages you check to {first.url}."
    )
    # A new address: the consent page opens by itself and asks again.
    options.fill("#server-url", second.url)
    with browser.context.expect_page() as opened:
        options.click("#save-server")
    consent = opened.value
    consent.wait_for_url(browser.url("consent.html"))
    expect(consent.locator("#server-changed")).to_contain_text(
        f"You agreed to send page text to {first.url}; the address is now {second.url}."
    )
    expect(consent.locator("#server-url")).to_have_value(second.url)
    save_screenshot(consent, "extension-consent-new-address.png")
    expect(options.locator("#consent-state")).to_contain_text(
        f"to {first.url}, not to {second.url}: nothing is sent"
    )

    # Text arriving on the page checked before is sent nowhere; the popup says why.
    since = browser.worker.evaluate("Date.now()")
    page.evaluate("appendStory('The MMR jab causes autism.')")
    browser.wait_for_status(page, "needs-consent", since=since)
    popup = browser.popup(page)
    expect(popup.locator("#status")).to_have_attribute("data-status", "needs-consent")
    expect(popup.locator("#status")).to_contain_text(
        f"you agreed to sending page text to {first.url}"
    )
    expect(popup.locator("#check-page")).to_be_disabled()
    # The keyboard shortcut, the context menu and reports meet the same refusal.
    assert browser.worker.evaluate("(id) => checkTab(id)", browser.tab_id(page))["status"] == (
        "needs-consent"
    )
    assert browser.worker.evaluate("sendReport({passage: 'x'})")["ok"] is False
    assert second.requests == []
    assert len(first.requests) == sent_to_first

    # Agreeing there: Options shows the new address and the next check goes to it.
    consent.click("#agree")
    expect(consent.locator("#result")).to_contain_text(f"will send page text to {second.url}")
    expect(options.locator("#consent-state")).to_contain_text(
        f"to send the text of pages you check to {second.url}."
    )
    popup.close()
    browser.check(page)
    assert second.paths("/v1/match")
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 2
    assert len(first.requests) == sent_to_first


# --- 3. only what the reader can see -----------------------------------------------------

CANARIES = re.findall(
    r"(?:HIDDEN|VISIBLE)-[A-Z-]+-[0-9a-f]{4}", (PAGES / "hidden.html").read_text()
)


def test_text_hidden_from_the_reader_never_reaches_the_server(
    launch,
    live_server,
    proxy_to,
):
    """Each way of hiding text in hidden.html carries its own canary word."""
    server = live_server(CLAIMS)
    proxy = proxy_to(server.url)
    browser = launch()
    browser.agree(proxy.url)
    page = browser.open("hidden.html")
    browser.check(page)

    sent = " ".join(s["text"] for s in sent_segments(proxy))
    hidden = [c for c in CANARIES if c.startswith("HIDDEN")]
    visible = [c for c in CANARIES if c.startswith("VISIBLE")]
    assert len(hidden) == 15 and len(visible) == 6
    assert [c for c in hidden if c in sent] == []
    assert [c for c in visible if c not in sent] == []
    # What was seen is flagged; nothing hidden is.
    for selector in ("#shown", "#shown-child", "#aria-hidden"):
        assert [n for n, _ in page.evaluate(HIGHLIGHTED_IN, selector)] == [
            "healthflags-misinformation"
        ], selector
    assert page.evaluate(HIGHLIGHT_SIZES) == {
        **dict.fromkeys(CATEGORIES, 0),
        "misinformation": 3,
        "consistent": 1,  # further down, in a content-visibility: auto section
    }


# --- 4. long runs are cut between characters ---------------------------------------------

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"


def test_a_4000_character_run_ending_in_an_emoji_is_checked(
    launch,
    live_server,
    proxy_to,
):
    server = live_server(CLAIMS)
    proxy = proxy_to(server.url)
    browser = launch()
    browser.agree(proxy.url)
    page = browser.open("long-run.html")
    browser.check(page)

    # Both sentences of each block are flagged, on either side of the cut.
    def flagged(selector: str, *sentences: str) -> bool:
        ranges = [text for _, text in page.evaluate(HIGHLIGHTED_IN, selector)]
        return len(ranges) == len(sentences) and all(
            any(sentence in text for text in ranges) for sentence in sentences
        )

    safe = "Kratom is a safe and natural way to get off opioids."
    assert flagged("#emoji", safe, "The MMR jab causes autism.")
    assert flagged("#family", safe, "Kratom is a proven cure for depression.")
    assert [n for n, _ in page.evaluate(HIGHLIGHTED_IN, "#lone")] == ["healthflags-consistent"]

    segments = sent_segments(proxy)
    for segment in segments:
        segment["text"].encode("utf-8")  # raises on a lone surrogate
        assert len(segment["text"]) <= 4000
    emoji_block = page.evaluate("document.getElementById('emoji').textContent")
    texts = [s["text"] for s in segments]
    second = [t for t in texts if t.startswith("\U0001f600")]
    assert second == ["\U0001f600 The MMR jab causes autism."]
    first = emoji_block.removesuffix(second[0])
    assert len(first) == 3999 and first in texts
    # The family emoji is one grapheme: it travels whole, at the start of the second segment.
    assert [s["text"].startswith(FAMILY) for s in segments if FAMILY in s["text"]] == [True]
    # The page's lone surrogate is sent as U+FFFD (same length, so the offsets hold).
    assert [s["text"][:9] for s in segments if s["text"].startswith("Broken")] == ["Broken \ufffd "]


def test_segments_a_server_turns_down_are_skipped_and_asked_again(
    launch,
    live_server,
    proxy_to,
):
    """A newer server answers 200 with `rejected` for the segments it can't read and matches
    the rest; the extension shows the rest and keeps no answer for the rejected ones."""

    def reject_canary(path: str, request: bytes, answer: bytes) -> bytes:
        if path != "/v1/match":
            return answer
        body = json.loads(answer)
        body["rejected"] = [
            {"segment_id": s["id"], "code": "invalid_text", "message": "Not readable."}
            for s in json.loads(request)["segments"]
            if "PAGE-CANARY" in s["text"]
        ] + ["not an object", {"segment_id": "no-such-segment"}]
        return json.dumps(body).encode()

    server = live_server(CLAIMS)
    proxy = proxy_to(server.url, reject_canary)
    browser = launch()
    browser.agree(proxy.url)
    page = browser.open("kratom-shop.html")
    popup = browser.check(page)
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 2
    expect(popup.locator("#status")).to_have_text("2 checked claims on this page.")

    # Checking again: every other block's answer is cached; the rejected one is asked again.
    asked_before = len(sent_segments(proxy))
    browser.check(page)
    again = sent_segments(proxy)[asked_before:]
    assert [s["text"] for s in again] == [
        "Questions? Write to our friendly team any day of the week. PAGE-CANARY-2b9c"
    ]
    assert page.evaluate(HIGHLIGHT_SIZES)["misinformation"] == 2
