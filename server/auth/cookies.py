"""The workspace's cookies: scoped to /moderate, HttpOnly, SameSite=Lax, and Secure
everywhere but plain http on a loopback address."""

from __future__ import annotations

import ipaddress

from flask import Response, current_app, request

SESSION_COOKIE = "hf_session"
CSRF_COOKIE = "hf_csrf"  # before login only: binds the login form's token to this browser
COOKIE_PATH = "/moderate"


def cookie_secure() -> bool:
    """Secure cookies everywhere except plain http on a loopback address (local
    development and tests), unless MODERATE_COOKIE_SECURE says otherwise."""
    setting = current_app.config.get("MODERATE_COOKIE_SECURE")
    if setting is not None:
        return bool(setting)
    if request.is_secure:
        return True
    host = (request.host or "").rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def set_cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=cookie_secure(),
        httponly=True,
        samesite="Lax",
    )


def set_session_cookie(response: Response, token: str) -> None:
    set_cookie(response, SESSION_COOKIE, token, current_app.config["SESSION_LIFETIME"])


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, secure=cookie_secure(), httponly=True, samesite="Lax"
    )
