"""A claim the page reports looks different from one it asserts (issue 16), in real
headless Chromium with the real extension against the real server: its own highlight
(a double slate underline, never the misinformation paint), only the reported words
highlighted (not "a stallholder told us that"), and a card that says "This page
reports the claim" and who says it, where an asserted claim's card says what the
passage does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from extension_browser import ARTIFACTS, CLAIMS, HIGHLIGHTED_IN, hover_over, save_screenshot
from playwright.sync_api import expect
from tooltip_card import Card

DOCS = Path(__file__).resolve().parent.parent / "docs" / "after"
VIEWPORT = {"width": 1280, "height": 800}

# A highlight's paint, from the page's style sheet.
HIGHLIGHT_PAINT = """
(name) => {
  const style = getComputedStyle(document.body, `::highlight(${name})`);
  return [style.textDecorationStyle, style.textDecorationColor, style.backgroundColor];
}
"""
SAID = "Kratom is a safe and natural way to get off opioids."
REPORTED = "kratom is a safe and natural way to get off opioids"


def card_for(page, selector: str, text: str) -> Card:
    page.keyboard.press("Escape")
    hover_over(page, selector, text)
    card = Card(page)
    card.expect_text(".card .claim", "Kratom is a safe, natural treatment for opioid addiction.")
    return card


def test_a_reported_claim_is_highlighted_and_explained_apart_from_an_asserted_one(
    launch,  # noqa: F811
    live_server,
):
    server = live_server(CLAIMS)
    browser = launch()
    browser.agree(server.url)
    page = browser.context.new_page()
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{browser.site}/reported.html")
    popup = browser.check(page)

    # The page's own sentence: painted as misinformation. The reported one: its own
    # highlight, on what is reported only.
    assert page.evaluate(HIGHLIGHTED_IN, "#said") == [["healthflags-misinformation", SAID]]
    assert page.evaluate(HIGHLIGHTED_IN, "#reported") == [["healthflags-reported", REPORTED]]
    # One sentence, two claims: the leaflet's (reported) and the writer's own second
    # clause (asserted), each on its own words.
    assert sorted(page.evaluate(HIGHLIGHTED_IN, "#both")) == [
        ["healthflags-misinformation", "the jabs cause autism."],
        ["healthflags-reported", "kratom is a proven cure for depression"],
    ]

    said_paint = page.evaluate(HIGHLIGHT_PAINT, "healthflags-misinformation")
    reported_paint = page.evaluate(HIGHLIGHT_PAINT, "healthflags-reported")
    assert said_paint[0] == "wavy" and reported_paint[0] == "double"
    assert reported_paint[1] == "rgb(62, 71, 132)" and reported_paint[2] == "rgba(0, 0, 0, 0)"
    assert reported_paint != said_paint

    # The asserted claim's card says what the passage does.
    card = card_for(page, "#said", "natural way")
    assert card.attributes(".head .headline", "data-category") == [["misinformation"]]
    assert card.text(".explain").startswith("This passage repeats a claim checked as false")

    # The reported one's: the page reports it, who says it, not in the page's voice.
    card = card_for(page, "#reported", "natural way")
    assert card.attributes(".head .headline", "data-category") == [["reported"]]
    assert card.text(".head .title") == "❝This page reports the claim"
    assert card.count(".possible-tag") == 0
    assert card.text(".explain") == (
        "This page reports the claim: “Kratom is a safe, natural treatment for opioid "
        "addiction”, according to a stallholder at the market. It does not make the claim "
        "in its own voice. The claim was checked as false."
    )
    shot = save_screenshot(page, "extension-card-reported.png")
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, DOCS / "card-reported.png")
    assert shot.parent == ARTIFACTS

    # The popup lists each under its own words, in page order.
    expect(popup.locator("#flags > li .flag-show .headline")).to_have_text(
        [
            "✕Goes against the evidence",
            "❝Reported: the page says someone else makes this claim",
            "❝Reported: the page says someone else makes this claim",
            "✕Goes against the evidence",
        ]
    )
