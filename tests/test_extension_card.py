"""The reader's card (extension/tooltip.js, verdicts.js) and the highlights' look, in real
headless Chromium against the real server: the card is headed by what the reader should
conclude about the passage, possible matches are styled by that conclusion, the card's
actions stay in sight and never cover the passage, the legend explains the styles, and
the keyboard moves between flags.
"""

from __future__ import annotations

import json

from extension_browser import (
    CATEGORIES,
    CLAIMS,
    HIGHLIGHT_SIZES,
    HIGHLIGHTED_IN,
    hover_over,
    save_screenshot,
)
from playwright.sync_api import expect
from tooltip_card import Card

from server import store

# A published claim of the shipped seed with four sources (its links are the seed's).
FOUR_SOURCES = next(r for r in store.seed_records() if r["id"] == "5g-emf-5g-causes-covid")
assert len(FOUR_SOURCES["evidence"]) == 4
CARD_CLAIMS = [*CLAIMS, FOUR_SOURCES]
VIEWPORT = {"width": 1280, "height": 800}

# Where the card is and what the reader can reach in it without scrolling, with the
# flagged passage (the highlight `name` holding `text`): does the card cover any of its
# lines? Run with the card's closed shadow root (Card.eval).
CARD_LAYOUT = """
(root, name, text) => {
  const card = root.querySelector('.card').getBoundingClientRect();
  const range = [...CSS.highlights.get(name)].find((r) => r.toString().includes(text));
  const overlaps = [...range.getClientRects()].some((l) => l.left < card.right
    && l.right > card.left && l.top < card.bottom && l.bottom > card.top);
  const body = root.querySelector('.body');
  const controls = [...root.querySelectorAll('.actions a, .actions button')].map((e) => {
    const r = e.getBoundingClientRect();
    const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {
      text: e.textContent,
      inView: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth,
      inCard: r.top >= card.top && r.bottom <= card.bottom,
      onTop: hit === e || e.contains(hit),
    };
  });
  return {overlaps, innerScroll: body.scrollHeight > body.clientHeight + 1, controls,
          cardInView: card.top >= 0 && card.bottom <= innerHeight,
          box: [card.top, card.bottom, body.scrollHeight, body.clientHeight]};
}
"""

# A highlight's paint, from the page's style sheet.
HIGHLIGHT_PAINT = """
(name) => {
  const style = getComputedStyle(document.body, `::highlight(${name})`);
  return [style.textDecorationStyle, style.textDecorationColor, style.backgroundColor,
          style.textDecorationThickness];
}
"""

# The legend's sample for each category, painted by the card's own styles.
LEGEND_PAINT = """
(root) => Object.fromEntries([...root.querySelectorAll('.legend .swatch')].map((s) => {
  const style = getComputedStyle(s);
  const category = [...s.classList].find((c) => c.startsWith('swatch-')).slice(7);
  return [category, [style.textDecorationStyle, style.textDecorationColor,
                     style.backgroundColor, style.textDecorationThickness,
                     s.closest('dt').nextElementSibling.textContent]];
}))
"""


def open_card_page(browser):
    page = browser.context.new_page()
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{browser.site}/card.html")
    popup = browser.check(page)
    return page, popup


def card_for(page, selector: str, text: str, expect_in_card: str) -> Card:
    """Close any open card, hover over `text` and wait for its card."""
    page.keyboard.press("Escape")
    hover_over(page, selector, text)
    card = Card(page)
    card.expect_text(".card .claim", expect_in_card)
    return card


def test_a_debunk_is_headed_in_line_with_the_evidence_and_the_actions_stay_in_sight(
    launch,
    live_server,
):
    server = live_server(CARD_CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page, popup = open_card_page(browser)
    assert [n for n, _ in page.evaluate(HIGHLIGHTED_IN, "#debunk")] == ["healthflags-consistent"]

    # "It is a myth that the MMR jab causes autism": the header says what the passage does
    # (green, in line); the claim's False verdict is the detail, not a red header.
    card = card_for(page, "#debunk", "myth that the MMR", "Vaccines cause autism.")
    assert card.text(".head .title") == "✓In line with the evidence"
    assert card.attributes(".head .headline", "data-category") == [["consistent"]]
    assert (
        card.eval("(root) => getComputedStyle(root.querySelector('.head .symbol')).backgroundColor")
        == "rgb(6, 118, 71)"
    )
    assert card.count(".head .verdict, .head .verdict-false") == 0
    assert card.text(".claim") == "Checked claim: Vaccines cause autism. — rated ✕False"
    assert card.text(".explain") == (
        "This passage argues against a claim checked as false: "
        "what it says is in line with the evidence."
    )
    save_screenshot(page, "extension-card-debunk.png")
    # The popup's list says the same, in the same order.
    first = popup.locator("#flags > li").first
    expect(first.locator(".flag-show .headline")).to_have_text("✓In line with the evidence")
    expect(first.locator(".flag-rated")).to_have_text("claim rated False")

    # A question: we can't tell which way it leans (the server may call it a possible
    # match), and the card says so in those words, not as if the science were unsettled.
    card = card_for(page, "#question", "vaccines cause autism", "Vaccines cause autism.")
    assert card.attributes(".head .headline", "data-category")[0][0].endswith("unclear")
    explain = card.text(".explain")
    assert "we can't tell whether it agrees with the claim or argues against it" in explain
    assert "settle" not in card.text(".card")

    # Four sources at 1280×800: two shown, the rest behind a toggle; every action on
    # screen, on top, inside the card, with no inner scrolling; the passage uncovered.
    card = card_for(page, "#fiveg", "5G networks cause", FOUR_SOURCES["text"])
    assert card.text(".head .title") == "✕Goes against the evidence"
    assert card.count("ul.evidence li") == 4
    assert card.count("ul.evidence li:not([hidden])") == 2
    assert card.text("button.more-sources") == "2 more sources"
    layout = card.eval(CARD_LAYOUT, "healthflags-misinformation", "5G networks")
    assert [c["text"] for c in layout["controls"]] == [
        "Full review",
        "This flag is wrong",
        "What the highlights mean",
    ]
    assert all(c["inView"] and c["inCard"] and c["onTop"] for c in layout["controls"]), layout
    assert not layout["innerScroll"], layout["box"]
    assert layout["cardInView"] and not layout["overlaps"], layout["box"]
    save_screenshot(page, "extension-card-four-sources.png")

    # All four on request; the actions are still in sight (the body scrolls, not they).
    card.click("button.more-sources")
    card.wait_for("(root) => root.querySelectorAll('ul.evidence li:not([hidden])').length === 4")
    assert card.attributes("button.more-sources", "aria-expanded") == [["true"]]
    layout = card.eval(CARD_LAYOUT, "healthflags-misinformation", "5G networks")
    assert all(c["inView"] and c["onTop"] for c in layout["controls"]), layout
    assert not layout["overlaps"], layout

    # A passage near the bottom of the window: the card goes above it, not over it.
    card = card_for(page, "#low", "natural way", "Kratom is a safe, natural treatment")
    layout = card.eval(CARD_LAYOUT, "healthflags-misinformation", "natural way")
    assert not layout["overlaps"] and layout["cardInView"], layout
    assert all(c["inView"] and c["onTop"] for c in layout["controls"]), layout


def test_the_legend_is_reachable_from_the_card_and_the_popup_and_matches_the_highlights(
    launch,
    live_server,
):
    server = live_server(CARD_CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page, popup = open_card_page(browser)
    card = card_for(page, "#fiveg", "5G networks cause", FOUR_SOURCES["text"])
    assert card.eval("(root) => root.querySelector('.legend').hidden") is True
    card.click("button.legend-toggle")
    card.wait_for("(root) => !root.querySelector('.legend').hidden")
    assert card.attributes("button.legend-toggle", "aria-expanded") == [["true"]]
    legend = card.eval(LEGEND_PAINT)
    assert sorted(legend) == sorted(CATEGORIES)
    # Each sample is painted exactly like the highlight on the page, and says what it is.
    for category in CATEGORIES:
        paint = page.evaluate(HIGHLIGHT_PAINT, f"healthflags-{category}")
        assert legend[category][:4] == paint, category
    assert legend["misinformation"][4] == "Goes against the evidence"
    assert legend["possible-consistent"][4] == "Possible match: may be in line with the evidence"
    # Seven styles (with issue 16's "reported"), seven different looks (style, colour,
    # tint): never two alike.
    assert len({tuple(v[:3]) for v in legend.values()}) == len(CATEGORIES) == 7
    card.expect_text(".legend", "Alt+Shift+N")
    layout = card.eval(CARD_LAYOUT, "healthflags-misinformation", "5G networks")
    assert all(c["inView"] and c["onTop"] for c in layout["controls"]), layout
    save_screenshot(page, "extension-card-legend.png")

    popup.bring_to_front()
    popup.locator("#legend summary").click()
    expect(popup.locator("#legend .swatch")).to_have_count(len(CATEGORIES))
    popup.locator("#legend").scroll_into_view_if_needed()
    expect(popup.locator("#legend")).to_contain_text("Possible match: may go against the evidence")
    expect(popup.locator("#keys-hint")).to_contain_text("Alt+Shift+N")
    save_screenshot(popup, "extension-popup-legend.png")


def every_match_possible(path: str, request: bytes, answer: bytes) -> bytes:
    """Stands in for a server that finds these passages only loosely (semantic tier)."""
    if not path.startswith("/v1/match"):
        return answer
    data = json.loads(answer)
    for match in data.get("matches", []):
        match["tier"] = "possible"
    return json.dumps(data).encode()


def test_possible_matches_are_styled_and_worded_by_what_the_reader_should_conclude(
    launch,
    live_server,
    proxy_to,
):
    server = live_server(CARD_CLAIMS)
    proxy = proxy_to(server.url, every_match_possible)
    browser = launch()
    browser.agree(proxy.url)
    page, popup = open_card_page(browser)

    def names(selector):
        return [n for n, _ in page.evaluate(HIGHLIGHTED_IN, selector)]

    assert names("#debunk") == ["healthflags-possible-consistent"]
    assert names("#question") == ["healthflags-possible-unclear"]
    assert names("#low") == ["healthflags-possible-misinformation"]
    assert names("#methadone") == ["healthflags-possible-consistent"]
    sizes = page.evaluate(HIGHLIGHT_SIZES)
    assert sum(sizes[c] for c in CATEGORIES if not c.startswith("possible-")) == 0

    # Dotted (never a link's solid line), in the colour of the conclusion: three looks.
    paints = {
        c: page.evaluate(HIGHLIGHT_PAINT, f"healthflags-{c}")
        for c in ("possible-misinformation", "possible-unclear", "possible-consistent")
    }
    assert {p[0] for p in paints.values()} == {"dotted"}
    assert len({p[1] for p in paints.values()}) == 3
    assert (
        paints["possible-misinformation"][1]
        == page.evaluate(HIGHLIGHT_PAINT, "healthflags-misinformation")[1]
    )
    link = page.evaluate(
        "getComputedStyle(document.getElementById('first-link')).textDecorationStyle"
    )
    assert link != "dotted"

    # The wording is a possibility throughout: no "possibly… This passage repeats".
    card = card_for(page, "#low", "natural way", "Kratom is a safe, natural treatment")
    assert card.text(".possible-tag") == "Possible match, less certain"
    assert card.text(".headline") == "✕May go against the evidence"
    assert card.text(".explain") == (
        "This passage may repeat a claim checked as false; "
        "if it does, what it says goes against the evidence."
    )
    save_screenshot(page, "extension-card-possible.png")
    card = card_for(page, "#debunk", "myth that the MMR", "Vaccines cause autism.")
    assert card.text(".explain") == (
        "This passage may argue against a claim checked as false; "
        "if it does, what it says is in line with the evidence."
    )
    card = card_for(page, "#question", "vaccines cause autism", "Vaccines cause autism.")
    assert card.text(".explain").startswith("This passage may be about a claim checked as false")

    classes = popup.locator("#flags > li").evaluate_all("(items) => items.map((i) => i.className)")
    assert "flag category-possible-misinformation" in classes
    assert "flag category-possible-unclear" in classes
    assert "flag category-possible-consistent" in classes


# The flag the card shows, read from the focus highlight and the card's claim line.
FOCUSED_TEXT = "() => [...CSS.highlights.get('healthflags-focus')].map((r) => r.toString())"


def test_the_keyboard_moves_between_flags_and_opens_their_card(
    launch,
    live_server,
):
    server = live_server(CARD_CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page, _ = open_card_page(browser)
    browser.wait_for_flags(page, 5)
    page.bring_to_front()
    card = Card(page)

    def focused_flag():
        page.wait_for_function("CSS.highlights.get('healthflags-focus')?.size === 1")
        return page.evaluate(FOCUSED_TEXT)[0]

    # From the top: the first flag in page order, its card open with the focus in it.
    page.keyboard.press("Alt+Shift+N")
    card.expect_text(".claim", "Vaccines cause autism.")
    assert focused_flag() == "It is a myth that the MMR jab causes autism."
    page.wait_for_function("document.activeElement?.localName === 'healthflags-tooltip'")
    page.keyboard.press("Alt+Shift+N")
    card.expect_text(".explain", "we can't tell")
    assert focused_flag() == "Do vaccines cause autism?"
    page.keyboard.press("Alt+Shift+P")
    card.expect_text(".explain", "argues against")
    assert focused_flag() == "It is a myth that the MMR jab causes autism."

    # Backwards from the first: the last flag, far down the page, scrolled into view.
    page.keyboard.press("Alt+Shift+P")
    card.expect_text(".claim", "Methadone and buprenorphine")
    assert focused_flag() == "People on methadone are less likely to die of an overdose."
    page.wait_for_function("""() => {
      const r = [...CSS.highlights.get('healthflags-focus')][0].getBoundingClientRect();
      return scrollY > 0 && r.top >= 0 && r.bottom <= innerHeight;
    }""")
    layout = card.eval(CARD_LAYOUT, "healthflags-consistent", "methadone")
    assert not layout["overlaps"], layout

    # Tab reaches the card's links and buttons; Escape closes it and gives the focus back.
    page.keyboard.press("Tab")
    card.wait_for("(root) => root.activeElement?.matches('.card a, .card button')")
    page.keyboard.press("Escape")
    page.wait_for_function(
        "getComputedStyle(document.querySelector('healthflags-tooltip')).display === 'none'"
    )
    assert page.evaluate("document.activeElement.localName") == "body"

    # Typing in the page's own field: the keys are the reader's, not ours.
    page.focus("#search")
    page.keyboard.press("Alt+Shift+N")
    page.keyboard.type("kratom")
    expect(page.locator("#search")).to_have_value("kratom")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('healthflags-tooltip')).display")
        == "none"
    )


# Every combination the server can send (and a stance it may add later), read by the
# extension's own verdicts.js in one of its pages.
WORDING = """
() => {
  const V = globalThis.healthflagsVerdicts;
  const rows = [];
  for (const tier of ["confident", "possible"])
    for (const stance of ["repeats", "disputes", "unclear", "mentions", "some-new-stance"])
      for (const assessment of ["contradicts_evidence", "consistent_with_evidence", "unclear"])
        for (const verdict of Object.keys(V.VERDICTS)) {
          const flag = {tier, stance, assessment};
          rows.push({tier, stance, assessment, verdict, head: V.headline(flag),
                     explain: V.explain(flag, {verdict})});
        }
  return rows;
}
"""


CONCLUSION_OF = {
    "contradicts_evidence": "misinformation",
    "consistent_with_evidence": "consistent",
    "unclear": "unclear",
}


def test_every_tier_stance_and_assessment_reads_consistently(launch):
    browser = launch()
    page = browser.context.new_page()
    page.goto(browser.url("popup.html"))
    rows = page.evaluate(WORDING)
    assert len(rows) == 2 * 5 * 3 * 5
    for row in rows:
        head, explain = row["head"], row["explain"]
        # The header follows the assessment (and the tier) only; the verdict never changes it.
        conclusion = CONCLUSION_OF[row["assessment"]]
        possible = row["tier"] == "possible"
        assert head["category"] == (f"possible-{conclusion}" if possible else conclusion), row
        assert "settle" not in explain and "Possibly" not in explain, row
        if possible:
            # A possibility from start to end: "may …; if it does, …".
            assert explain.startswith("This passage may "), row
            assert "This passage repeats" not in explain, row
        else:
            assert " may " not in explain, row
        if row["assessment"] == "contradicts_evidence":
            assert explain.endswith("goes against the evidence."), row
        if row["assessment"] == "consistent_with_evidence":
            assert explain.endswith("is in line with the evidence."), row
    # A stance the server may add later reads as "is about" until it has its own words.
    new = next(r for r in rows if r["stance"] == "some-new-stance" and r["tier"] == "confident")
    assert new["explain"].startswith("This passage is about a claim checked as")
    mentions = next(r for r in rows if r["stance"] == "mentions" and r["tier"] == "confident")
    assert mentions["explain"].startswith("This passage mentions a claim checked as")
