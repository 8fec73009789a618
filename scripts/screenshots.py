"""Screenshots of the main workspace screens for docs/, taken in real Chromium.

    .venv/bin/python scripts/screenshots.py docs/after
    PYTHONPATH=/tmp/old-tree .venv/bin/python scripts/screenshots.py docs/before

The second form shoots an older tree (a `git archive` of an earlier commit) with
the same steps, for before/after pairs. It runs the app on a fresh database with
the curated claims, two moderators, a claim in review and a reader's report.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from server import auth, create_app, store
from server import db as dbm

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a long enough password"
BENCH_TEXT = "\r\n\r\n".join(
    [
        "Our shop sells kratom. Kratom is a safe, natural treatment for opioid addiction.",
        "Opening hours are nine to five on weekdays.",
        "Some parents ask whether vaccines cause autism.",
        "Drink plenty of water when it is hot.",
    ]
)


def prepare(folder: Path) -> str:
    """A served app over a fresh, seeded database; returns its address."""
    path = folder / "shots.db"
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "shots", "PASSWORD_HASH_CHEAP": True})
    db = dbm.open_db(path)
    store.seed_if_new(db)
    auth.add_user(db, "ana@example.org", PASSWORD, "admin", "setup", cheap=True)
    auth.add_user(db, "carl@example.org", PASSWORD, "contributor", "setup", cheap=True)
    record = {
        "id": "turmeric-cures-diabetes",
        "text": "Turmeric shots cure type 2 diabetes.",
        "verdict": "false",
        "summary": "No trial shows turmeric or curcumin cures type 2 diabetes.",
        "topic": "diabetes",
        "phrasings": ["A daily turmeric shot reverses diabetes."],
        "evidence": [],
    }
    store.save_claim(db, record, "carl@example.org")
    store.submit_claim(db, record["id"], "carl@example.org")
    store.create_report(
        db,
        kind="missed_claim",
        claim_id=None,
        passage="Cinnamon capsules let you stop taking insulin.",
        url="https://shop.example/cinnamon-insulin-freedom",
        comment="Saw this on a shop page.",
    )
    db.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def shoot(url: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, width, height in (("narrow", 390, 760), ("wide", 1100, 900)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("dialog", lambda d: d.accept())
            page.goto(url + "/moderate/login")
            page.fill("input[name=email]", "ana@example.org")
            page.fill("input[name=password]", PASSWORD)
            page.click("button:has-text('Log in')")
            if name == "narrow":
                page.goto(url + "/moderate/claims")
                page.screenshot(path=out / "claims-390px.png")
                page.goto(url + "/moderate/users")
                page.screenshot(path=out / "users-390px.png")
                continue
            page.goto(url + "/moderate/claims/turmeric-cures-diabetes")
            page.screenshot(path=out / "claim-in-review.png")
            page.goto(url + "/moderate/bench")
            page.fill("textarea[name=text]", BENCH_TEXT)
            page.click("button:has-text('Check')")
            page.locator("#published-results").screenshot(path=out / "bench.png")
            page.goto(url + "/moderate/")
            page.locator("section.card:has(h2:has-text('Recent changes'))").screenshot(
                path=out / "recent-changes.png"
            )
        browser.close()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/after")
    with tempfile.TemporaryDirectory() as tmp:
        shoot(prepare(Path(tmp)), target)
    for png in sorted(target.glob("*.png")):
        print(f"{png}: {png.stat().st_size // 1024} kB")
