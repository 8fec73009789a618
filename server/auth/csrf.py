"""CSRF: a token bound to the session (before login, to a random cookie of this
browser), and no cross-site origin, on every state-changing request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, request

from .access import current_user
from .cookies import CSRF_COOKIE, set_cookie


def sign(binding: str) -> str:
    """An HMAC of `binding` under the app's secret key: the CSRF tokens here, and the
    device cookies of throttle.py."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"csrf|" + binding.encode(), hashlib.sha256).hexdigest()


def _csrf_binding() -> str:
    """What the token is bound to: the session, or before login a random cookie."""
    user = current_user()
    if user is not None:
        return "session|" + user["session_hash"]
    seed = g.get("csrf_seed") or request.cookies.get(CSRF_COOKIE)
    if not seed or len(seed) > 100:
        seed = g.csrf_seed = secrets.token_urlsafe(24)
    return "anon|" + seed


def csrf_token() -> str:
    return sign(_csrf_binding())


def save_csrf_seed(response: Response) -> Response:
    """After a workspace request: keep the pre-login CSRF seed in its cookie."""
    seed = g.get("csrf_seed")
    if seed:
        set_cookie(response, CSRF_COOKIE, seed, None)
    return response


def check_csrf() -> None:
    """Every state-changing request: a token bound to this session (or browser),
    and no cross-site origin. Missing token: 400; wrong or cross-site: 403."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("Origin")
    # Hosts, not schemes: behind a TLS proxy the app may see http while the browser says
    # https. "null" (sent under a no-referrer policy) is left to the token check.
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(403, "This form was sent from another site.")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403, "This form was sent from another site.")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
    if not sent:
        abort(400, "The form is missing its security token. Reload the page and try again.")
    if not hmac.compare_digest(sent.encode(), csrf_token().encode()):
        abort(403, "The form's security token is out of date. Reload the page and try again.")
