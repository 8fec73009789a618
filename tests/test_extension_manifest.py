"""The extension folder keeps its rules: Firefox's linter (web-ext) finds no error,
and the manifest and sources keep to what the design allows. No browser needed."""

from __future__ import annotations

import json
import subprocess

from extension_browser import EXTENSION, ROOT, require


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
