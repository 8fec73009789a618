"""A reader reports a wrong flag from the card and from the popup, in real headless
Chromium against the real server: the report page, what it sends, what is stored.
Set-up: tests/extension_browser.py."""

from __future__ import annotations

import sqlite3

from extension_browser import expect, hover_over, report_page, save_screenshot
from tooltip_card import Card


def test_this_flag_is_wrong_creates_a_report_on_the_server(agreed):
    server, browser = agreed
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
