"""The extension flags a page, in real headless Chromium against the real server:
consent first, highlights, tooltip and badge, anchoring in any structure, debunking
left unpainted, living pages, long pages, the popup's list, reworded claims.
Set-up: tests/extension_browser.py."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from conftest import FDA_KRATOM, skip_without_semantic
from extension_browser import (
    CATEGORIES,
    CLAIMS,
    HIGHLIGHT_SIZES,
    HIGHLIGHTED_IN,
    expect,
    hover_over,
    save_screenshot,
    wait_for_page,
)
from tooltip_card import Card

from server import store


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


def test_claims_in_links_table_cells_list_items_and_after_emoji_are_anchored(agreed):
    server, browser = agreed
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


def test_highlight_style_option_and_pages_under_strict_csp(agreed):
    server, browser = agreed
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


def test_debunking_page_is_not_painted_as_misinformation(agreed):
    server, browser = agreed
    page = browser.open("debunk.html")
    popup = browser.check(page)
    sizes = page.evaluate(HIGHLIGHT_SIZES)
    assert sizes["misinformation"] == 0
    # It was checked and matched: the debunking sentences are shown for what they are.
    assert sizes["consistent"] >= 2
    assert [n for n, _ in page.evaluate(HIGHLIGHTED_IN, "#myth")] == ["healthflags-consistent"]
    expect(popup.locator("#flags > li").first).to_contain_text("In line with the evidence")
    save_screenshot(page, "extension-debunking-page.png")


def test_text_added_later_is_checked_and_flags_follow_their_text(agreed):
    server, browser = agreed
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


def test_long_page_main_thread_cost(agreed):
    server, browser = agreed
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


def test_popup_lists_flags_and_scrolls_to_the_chosen_one(agreed):
    server, browser = agreed
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


def reworded_page(launch, live_server):
    """The reworded kratom page, checked with the semantic stage on over every
    published claim: (page, popup)."""
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
    return page, browser.check(page)


def test_claims_reworded_in_other_words_are_shown_as_possible(launch, live_server):
    """With semantic matching on, sentences that share little more than "kratom"
    with a claim's phrasings are highlighted as possible matches; the page's plain
    sentences are not (one of them: the strict xfail below)."""
    page, popup = reworded_page(launch, live_server)
    for selector in ("#deaths", "#gentle", "#stopping"):
        names = [n for n, _ in page.evaluate(HIGHLIGHTED_IN, selector)]
        assert len(names) == 1 and names[0].startswith("healthflags-possible-"), selector
    for selector in ("#origin", "#shipping"):
        assert page.evaluate(HIGHLIGHTED_IN, selector) == [], selector
    flagged = 3 + len(page.evaluate(HIGHLIGHTED_IN, "#storage"))
    expect(popup.locator("#flags > li")).to_have_count(flagged)
    save_screenshot(page, "extension-reworded-claims.png")


@pytest.mark.xfail(
    strict=True,
    reason="issue 15, open: with 727 published claims the semantic stage gives 'Store your "
    "kratom powder in a cool, dry place.' a dotted possible flag (kratom-completely-safe, "
    "0.445 against 0.40; cosine 0.70 with a margin of 0.09 over the next claim); it did not "
    "with 577. See the issue note.",
)
def test_a_plain_sentence_on_a_kratom_page_gets_no_meaning_only_flag(launch, live_server):
    page, popup = reworded_page(launch, live_server)
    expect(popup.locator("#flags > li").first).to_be_attached()
    assert page.evaluate(HIGHLIGHTED_IN, "#storage") == []
