"""Logging in and out, and a moderator's own account: password and sessions."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from .. import auth
from ..db import get_db
from . import bp
from .common import cheap_hashes, moderator, sentence
from .dashboard import dashboard


def _safe_next(target: str | None) -> str:
    """Only a path inside the workspace: never an open redirect."""
    if target:
        parts = urlsplit(target)
        path = parts.path
        if (
            not parts.scheme
            and not parts.netloc
            and path.startswith("/moderate")
            and "\\" not in target
            and not target.startswith("//")
        ):
            return path + (f"?{parts.query}" if parts.query else "")
    return url_for("moderate.index")


@bp.get("/")
def index() -> ResponseReturnValue:
    if g.user is None:
        return _login_page()
    return dashboard()


@bp.get("/login")
def login() -> ResponseReturnValue:
    if g.user is not None:
        return redirect(_safe_next(request.args.get("next")), 303)
    return _login_page()


def _login_page(error: str | None = None, status: int = 200, email: str = "") -> tuple[str, int]:
    page = render_template(
        "moderate/login.html", error=error, email=email, next=request.args.get("next", "")
    )
    return page, status


@bp.post("/login")
def login_submit() -> ResponseReturnValue:
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")
    account, keys = auth.throttle_keys(email)
    throttle = auth.throttle()
    wait = throttle.retry_after(keys)
    if wait:
        minutes = max(1, round(wait / 60))
        page, status = _login_page(
            f"Too many failed attempts. Try again in about {minutes} minute"
            f"{'s' if minutes != 1 else ''}.",
            429,
            email,
        )
        return page, status, {"Retry-After": str(wait)}
    db = get_db()
    found = auth.authenticate(db, email, password, cheap_hashes())
    if found is None:
        throttle.failed(keys)
        current_app.logger.warning("failed moderator login from %s", request.remote_addr)
        return _login_page("That email and password do not match an active account.", 401, email)
    throttle.succeeded(account)
    if g.user is not None:
        auth.end_session(db, g.user)  # a new login replaces the old session, never adds to it
    token = auth.create_session(db, found, current_app.config["SESSION_LIFETIME"])
    response = redirect(_safe_next(request.form.get("next")), 303)
    auth.set_session_cookie(response, token)
    auth.set_device_cookie(response, found)
    response.delete_cookie(auth.CSRF_COOKIE, path=auth.COOKIE_PATH)
    g.csrf_seed = None
    return response


@bp.post("/logout")
@auth.require("contributor")
def logout() -> ResponseReturnValue:
    auth.end_session(get_db(), moderator())
    response = redirect(url_for("moderate.index", done="logged_out"), 303)
    auth.clear_session_cookie(response)
    return response


@bp.get("/account")
@auth.require("contributor")
def account(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("moderate/account.html", error=error), status


@bp.post("/account/password")
@auth.require("contributor")
def account_password() -> ResponseReturnValue:
    form = request.form
    if form.get("new_password", "") != form.get("confirm_password", ""):
        return account("The two new passwords differ.", 422)
    db = get_db()
    try:
        auth.change_password(
            db,
            moderator(),
            form.get("current_password", ""),
            form.get("new_password", ""),
            cheap_hashes(),
        )
    except ValueError as exc:
        return account(sentence(exc), 422)
    # Every session ended with the change; this browser gets a fresh one.
    token = auth.create_session(db, moderator(), current_app.config["SESSION_LIFETIME"])
    response = redirect(url_for("moderate.account", done="password_changed"), 303)
    auth.set_session_cookie(response, token)
    return response


@bp.post("/account/sessions")
@auth.require("contributor")
def account_sessions() -> ResponseReturnValue:
    auth.end_other_sessions(get_db(), moderator())
    return redirect(url_for("moderate.account", done="sessions_ended"), 303)
