"""The workspace in real headless Chromium (Playwright) against a real HTTP server:
log in, create a claim, submit, approve, see it on the bench, see /v1/match find
it, retire it; and two moderators colliding on one claim."""

from __future__ import annotations

import json

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from test_auth import PASSWORD

from server import auth
from server import db as dbm

SENTENCE = "Giving kids chlorine dioxide heals their autism."


@pytest.fixture(scope="module")
def browser(playwright):  # extension_browser.py: one Playwright, a clear skip (CI: failure)
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def server(live_server):
    running = live_server(PASSWORD_HASH_CHEAP=True)
    db = dbm.open_db(running.db_path)
    auth.add_user(db, "ada@example.org", PASSWORD, "admin", "test", cheap=True)
    auth.add_user(db, "carl@example.org", PASSWORD, "contributor", "test", cheap=True)
    db.close()
    return running


def open_page(browser, problems: list[str]):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())

    # Console errors include CSP violations and script errors: there must be none.
    # A failed load is reported by URL instead (the browser's own favicon probe aside).
    def on_console(msg) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(msg.text)

    def on_response(res) -> None:
        probe = res.url.endswith("/favicon.ico")
        if res.status >= 400 and res.request.resource_type != "document" and not probe:
            problems.append(f"{res.status} {res.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return page


def log_in(page, url: str, email: str) -> None:
    page.goto(url + "/moderate/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_selector("h1:has-text('Dashboard')")


def v1_match(page, url: str) -> list[str]:
    res = page.request.post(
        url + "/v1/match",
        data=json.dumps({"segments": [{"id": "s1", "text": SENTENCE}]}),
        headers={"Content-Type": "application/json"},
    )
    assert res.ok
    return [m["claim_id"] for m in res.json()["matches"]]


def test_a_claim_goes_from_draft_to_published_to_retired_in_the_browser(browser, server):
    from playwright.sync_api import expect

    problems: list[str] = []
    page = open_page(browser, problems)
    log_in(page, server.url, "ada@example.org")

    # Create a draft with a phrasing, an alias and two evidence rows (the second
    # row comes from the "Add another source" button, which needs the script).
    page.click("nav >> text=Claims")
    page.click("text=New claim")
    page.fill("input[name=id]", "mms-autism")
    page.fill("textarea[name=text]", "Chlorine dioxide cures autism in children.")
    page.select_option("select[name=verdict]", "false")
    page.fill("input[name=topic]", "Autism cures")
    page.fill("textarea[name=summary]", "Chlorine dioxide is bleach; it harms children.")
    page.fill("textarea[name=phrasings]", f"MMS cures autism.\n{SENTENCE}")
    page.fill("textarea[name=aliases]", "chlorine dioxide: mms; miracle mineral solution")
    rows = page.locator("[data-evidence-row]")
    rows.nth(0).locator("input[name=ev_url]").fill("https://www.fda.gov/chlorine-dioxide")
    rows.nth(0).locator("input[name=ev_title]").fill("Do not drink chlorine dioxide")
    rows.nth(0).locator("input[name=ev_publisher]").fill("FDA")
    rows.nth(0).locator("select[name=ev_source_type]").select_option("regulator")
    page.click("button:has-text('Add another source')")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("input[name=ev_url]").fill("https://www.cdc.gov/autism/treatment")
    rows.nth(1).locator("input[name=ev_title]").fill("Treatment and intervention for autism")
    rows.nth(1).locator("input[name=ev_publisher]").fill("CDC")
    page.click("button:has-text('Create draft')")
    expect(page.locator(".flash")).to_have_text("Draft created.")
    expect(page.locator(".meta .status").first).to_have_text("Draft")
    expect(page.locator("ul.evidence li")).to_have_count(2)

    # Submit; on the bench the claim flags the sentence only "as if published".
    page.click("button:has-text('Submit for review')")
    expect(page.locator(".meta .status").first).to_have_text("In review")
    page.click("text=Try on the test bench")
    page.fill("textarea[name=text]", f"An ordinary paragraph.\n\n{SENTENCE}")
    page.click("button:has-text('Check')")
    expect(page.locator("#published-results")).to_contain_text("Nothing would be flagged.")
    expect(page.locator("#draft-results tr.tried")).to_contain_text(SENTENCE)
    assert v1_match(page, server.url) == []

    # Ada wrote it and is the only reviewer: she approves it only by saying so (the
    # box is required), then confirms the publish; the set flags it, so does /v1/match.
    page.goto(server.url + "/moderate/claims/mms-autism")
    expect(page.locator(".review")).to_contain_text("Send back with note")
    page.check("input[name=self_approve]")
    page.click("button:has-text('Approve and publish')")
    expect(page.locator(".flash")).to_contain_text("Approved and published")
    expect(page.locator(".meta .status").first).to_have_text("Published")
    page.click("text=Try on the test bench")
    page.fill("textarea[name=text]", SENTENCE)
    page.click("button:has-text('Check')")
    found = page.locator("#published-results tbody tr")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Chlorine dioxide cures autism in children.")
    expect(found).to_contain_text("confident")
    expect(found).to_contain_text("contradicts the evidence")
    assert v1_match(page, server.url) == ["mms-autism"]

    # Retire it (the confirm dialog is accepted); matching drops it at once.
    page.goto(server.url + "/moderate/claims/mms-autism")
    page.click("summary:has-text('Retire, merge')")
    page.click("button:has-text('Retire')")
    expect(page.locator(".meta .status").first).to_have_text("Retired")
    assert v1_match(page, server.url) == []

    # The history says who changed what, in words.
    page.click("a.button:has-text('History')")
    log = page.locator("table.log")
    for action in ("created the claim", "sent it for review", "published it", "retired it"):
        expect(log).to_contain_text(action)
    expect(log).to_contain_text("ada@example.org")

    # Logging out ends it: the workspace asks for a login again.
    page.click("button:has-text('Log out')")
    expect(page.locator(".flash")).to_have_text("You are logged out.")
    page.goto(server.url + "/moderate/claims")
    expect(page.locator("input[name=password]")).to_be_visible()
    assert problems == []


def test_two_moderators_editing_one_claim_get_a_conflict_page(browser, server):
    from playwright.sync_api import expect

    problems: list[str] = []
    ada = open_page(browser, problems)
    carl = open_page(browser, problems)
    log_in(ada, server.url, "ada@example.org")
    log_in(carl, server.url, "carl@example.org")
    edit = server.url + "/moderate/claims/vaccines-cause-autism/edit"
    ada.goto(edit)
    carl.goto(edit)

    ada.fill("textarea[name=summary]", "Ada's summary, saved first.")
    ada.click("button:has-text('Save')")
    expect(ada.locator(".flash")).to_contain_text("pending edit")

    carl.fill("textarea[name=summary]", "Carl's summary, saved second.")
    carl.click("button:has-text('Save')")
    expect(carl.locator("h1")).to_contain_text("Someone else changed this claim")
    expect(carl.locator("body")).to_contain_text("Ada's summary, saved first.")
    expect(carl.locator("body")).to_contain_text("Carl's summary, saved second.")

    # Carl keeps his version knowingly; the history then holds both.
    carl.click("button:has-text('Save my version over theirs')")
    expect(carl.locator(".flash")).to_contain_text("pending edit")
    carl.click("text=History")
    expect(carl.locator(".revision")).to_have_count(3)
    assert problems == []


# --- narrow screens ------------------------------------------------------------------------


def scroll_overflow(page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it does not)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/moderate/",
        "/moderate/claims",
        "/moderate/claims/vaccines-cause-autism",
        "/moderate/claims/vaccines-cause-autism/history",
        "/moderate/claims/new",
        "/moderate/reports",
        "/moderate/users",
        "/moderate/audit",
        "/moderate/api-keys",
        "/moderate/import",
        "/moderate/bench",
    ],
)
def test_no_workspace_page_scrolls_sideways_at_390_px(browser, server, path):
    from playwright.sync_api import expect

    db = dbm.open_db(server.db_path)
    from server import store

    store.create_report(
        db,
        kind="missed_claim",
        claim_id="vaccines-cause-autism",
        passage="A long passage without spaces " + "x" * 120,
        url="https://example.org/" + "a-very-long-path-segment/" * 8,
        comment="A reader's comment.",
    )
    db.close()
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, server.url, "ada@example.org")
    page.goto(server.url + path)
    expect(page.locator("main h1").first).to_be_visible()
    assert scroll_overflow(page) <= 0, f"{path} scrolls sideways"
    if path == "/moderate/bench":
        page.fill("textarea[name=text]", "Vaccines cause autism.\n\nDrink water when it is hot.")
        page.click("button:has-text('Check')")
        expect(page.locator("#published-results")).to_be_visible()
        assert scroll_overflow(page) <= 0, "the bench results scroll sideways"
    if path == "/moderate/users":
        # Every account's buttons can be reached: inside the table's own scroll box.
        button = page.locator("button:has-text('Reset password')").first
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport()
    assert problems == []
    context.close()


def test_the_first_tab_offers_to_skip_to_the_content(browser, server):
    problems: list[str] = []
    page = open_page(browser, problems)
    log_in(page, server.url, "ada@example.org")
    page.goto(server.url + "/moderate/claims")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to the content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate("() => !!document.activeElement.closest('main')")
    assert inside and problems == []


def test_times_show_in_the_readers_time_zone(browser, server):
    from playwright.sync_api import expect

    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, server.url, "ada@example.org")
    page.goto(server.url + "/moderate/claims/vaccines-cause-autism/history")
    first = page.locator("time.when").first
    expect(first).not_to_contain_text("UTC")  # rewritten by the script
    stamp = first.get_attribute("datetime")
    shown = first.text_content()
    expected = page.evaluate(
        "(s) => new Intl.DateTimeFormat(undefined, {day: 'numeric', month: 'short', "
        "year: 'numeric', hour: '2-digit', minute: '2-digit'}).format(new Date(s))",
        stamp,
    )
    assert shown == expected and "UTC" in first.get_attribute("title")
    context.close()


def test_a_near_duplicate_is_shown_before_it_is_made_and_can_still_be_made(browser, server):
    from playwright.sync_api import expect

    problems: list[str] = []
    page = open_page(browser, problems)
    log_in(page, server.url, "carl@example.org")
    page.goto(server.url + "/moderate/claims/new")
    page.fill("textarea[name=text]", "Can vaccines cause autism?")
    page.select_option("select[name=verdict]", "false")
    page.fill("input[name=topic]", "vaccines")
    page.fill("textarea[name=summary]", "Studies of millions of children find no link.")
    page.click("button:has-text('Create draft')")
    warning = page.locator(".duplicates")
    expect(warning).to_contain_text("looks like a claim we already have")
    expect(warning.locator("a")).to_have_text(["Vaccines cause autism."])
    page.click("button:has-text('create it anyway')")
    expect(page.locator(".flash")).to_have_text("Draft created.")
    expect(page.locator("h1")).to_contain_text("Can vaccines cause autism?")
    assert problems == []
