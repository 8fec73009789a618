"""Claim data that tries to run script stays text, in real headless Chromium against a
server whose published claims were poisoned; a deliberately unsafe build proves the
test catches it. Set-up: tests/extension_browser.py."""

from __future__ import annotations

import shutil
import sqlite3
import urllib.request
from pathlib import Path

import pytest
from extension_browser import CLAIMS, EXTENSION, WAIT_MS, expect, hover_over
from tooltip_card import Card


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
