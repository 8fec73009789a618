"""The extension's settings and refusals, in real headless Chromium: an unreachable
server, never-check sites, the verdict filter, sites checked automatically, the
options page, and messages the background refuses. Set-up: tests/extension_browser.py."""

from __future__ import annotations

import pytest
from extension_browser import (
    CATEGORIES,
    CLAIMS,
    HIGHLIGHT_SIZES,
    WAIT_MS,
    PlaywrightError,
    expect,
    save_screenshot,
)
from page_servers import closed_port_url


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


def test_allowed_site_is_checked_automatically(agreed):
    server, browser = agreed
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
