"""The local HTTP servers the browser tests use: the test pages (tests/pages/, a long
generated article, single-page-app routes, the same pages under a strict CSP) and a
proxy that counts every request the extension sends to the real server."""

from __future__ import annotations

import http.server
import random
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from conftest import free_port

PAGES = Path(__file__).resolve().parent / "pages"


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


def serve(handler: type) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def long_page(words: int = 10_500) -> str:
    """A long article of ordinary sentences with three checked claims spread through it."""
    rng = random.Random(4)
    vocabulary = [
        "garden",
        "river",
        "morning",
        "window",
        "walk",
        "bread",
        "market",
        "autumn",
        "letter",
        "music",
        "bicycle",
        "village",
        "kitchen",
        "table",
        "harbour",
        "train",
        "evening",
        "lantern",
        "meadow",
        "bridge",
        "story",
        "painting",
        "coffee",
        "orchard",
        "island",
        "weather",
        "shelf",
        "notebook",
        "museum",
        "festival",
        "ladder",
        "basket",
        "pebble",
    ]
    verbs = [
        "sees",
        "finds",
        "keeps",
        "paints",
        "carries",
        "builds",
        "opens",
        "follows",
        "remembers",
        "visits",
    ]
    claims = [
        "Kratom is a safe and natural way to get off opioids.",
        "The MMR jab causes autism.",
        "People on methadone are less likely to die of an overdose.",
    ]
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            n = rng.randint(8, 16)
            chosen = [rng.choice(vocabulary) for _ in range(n)]
            chosen.insert(2, rng.choice(verbs))
            sentences.append(("The " + " ".join(chosen)).capitalize() + ".")
            count += n + 2
        paragraphs.append(" ".join(sentences))
    for i, claim in enumerate(claims):
        at = (i + 1) * len(paragraphs) // (len(claims) + 1)
        paragraphs[at] += " " + claim
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Long read</title>'
        "<style>body{font:16px/1.5 serif;max-width:760px;margin:0 auto;padding:24px}</style>"
        f"</head><body><h1>A long read</h1>{body}</body></html>"
    )


class PageHandler(QuietHandler):
    def do_GET(self):
        path = self.path.split("?")[0].lstrip("/")
        # /csp/<page>: the same page under the strictest Content-Security-Policy.
        strict = path.startswith("csp/")
        path = path.removeprefix("csp/")
        if path == "long.html":
            body = long_page().encode()
        elif path.startswith("app/"):  # single-page app routes: the same document
            body = (PAGES / "living.html").read_bytes()
        else:
            file = PAGES / path
            if not path or not file.is_file() or PAGES not in file.resolve().parents:
                self.send_error(404)
                return
            body = file.read_bytes()
        self.send_response(200)
        if strict:
            self.send_header("Content-Security-Policy", "default-src 'none'")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Recorded:
    method: str
    path: str
    body: bytes


@dataclass
class CountingProxy:
    """Forwards to the live server and records every request that reached it."""

    url: str
    requests: list[Recorded] = field(default_factory=list)

    def paths(self, prefix: str = "/v1/") -> list[str]:
        return [r.path for r in self.requests if r.path.startswith(prefix)]


def start_proxy(target: str, rewrite=None) -> tuple[CountingProxy, http.server.ThreadingHTTPServer]:
    """`rewrite(path, request_body, answer_body) -> answer_body` may change what the server
    answered (to stand in for another server version)."""
    proxy = CountingProxy(url="")

    class Handler(QuietHandler):
        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            proxy.requests.append(Recorded(self.command, self.path, body))
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower()
                in (
                    "content-type",
                    "origin",
                    "access-control-request-method",
                    "access-control-request-headers",
                )
            }
            request = urllib.request.Request(
                target + self.path, data=body or None, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, answer_headers, payload = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as failure:
                status, answer_headers, payload = failure.code, failure.headers, failure.read()
            if rewrite:
                payload = rewrite(self.path, body, payload)
            self.send_response(status)
            for key, value in answer_headers.items():
                if key.lower() not in (
                    "content-length",
                    "connection",
                    "transfer-encoding",
                    "server",
                    "date",
                ):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_OPTIONS = _forward

    server = serve(Handler)
    proxy.url = f"http://127.0.0.1:{server.server_port}"
    return proxy, server


def closed_port_url() -> str:
    """An address on this machine where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"
