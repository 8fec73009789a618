"""Accounts and API keys, for admins: add, change role, reset a password,
disable or enable an account; make and revoke keys. Each change is audited by auth."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from .. import auth, store
from ..db import get_db
from . import bp
from .common import cheap_hashes, moderator, sentence


@bp.get("/users")
@auth.require("admin")
def users(error: str | None = None, status: int = 200, **extra: object) -> ResponseReturnValue:
    return (
        render_template(
            "moderate/users.html",
            users=auth.list_users(get_db()),
            roles=auth.ROLES,
            error=error,
            **extra,
        ),
        status,
    )


@bp.post("/users")
@auth.require("admin")
def user_create() -> ResponseReturnValue:
    form = request.form
    password = form.get("password", "") or auth.generate_password()
    try:
        made = auth.add_user(
            get_db(),
            form.get("email", ""),
            password,
            form.get("role", ""),
            actor=moderator()["email"],
            cheap=cheap_hashes(),
        )
    except ValueError as exc:
        return users(sentence(exc), 422)
    # Shown once, in this response only: the password is never stored in clear.
    shown = password if not form.get("password") else None
    return users(created=made, shown_password=shown)


def _user_or_404(user_id: int) -> dict:
    found = auth.get_user(get_db(), user_id)
    if found is None:
        abort(404, "No account has that number.")
    return found


@bp.post("/users/<int:user_id>/role")
@auth.require("admin")
def user_role(user_id: int) -> ResponseReturnValue:
    _user_or_404(user_id)
    try:
        auth.set_role(get_db(), user_id, request.form.get("role", ""), moderator())
    except ValueError as exc:
        return users(sentence(exc), 422)
    return redirect(url_for("moderate.users", done="user_updated"), 303)


@bp.post("/users/<int:user_id>/password")
@auth.require("admin")
def user_password(user_id: int) -> ResponseReturnValue:
    target = _user_or_404(user_id)
    typed = request.form.get("password", "")
    password = typed or auth.generate_password()
    try:
        auth.reset_password(get_db(), user_id, password, moderator(), cheap_hashes())
    except ValueError as exc:
        return users(sentence(exc), 422)
    return users(reset_for=target, shown_password=None if typed else password)


@bp.post("/users/<int:user_id>/disable")
@auth.require("admin")
def user_disable(user_id: int) -> ResponseReturnValue:
    return _set_disabled(user_id, True)


@bp.post("/users/<int:user_id>/enable")
@auth.require("admin")
def user_enable(user_id: int) -> ResponseReturnValue:
    return _set_disabled(user_id, False)


def _set_disabled(user_id: int, disabled: bool) -> ResponseReturnValue:
    _user_or_404(user_id)
    try:
        auth.set_disabled(get_db(), user_id, disabled, moderator())
    except ValueError as exc:
        return users(sentence(exc), 422)
    return redirect(url_for("moderate.users", done="user_updated"), 303)


@bp.get("/api-keys")
@auth.require("admin")
def api_keys(error: str | None = None, status: int = 200, **extra: object) -> ResponseReturnValue:
    return (
        render_template(
            "moderate/api_keys.html", keys=auth.list_api_keys(get_db()), error=error, **extra
        ),
        status,
    )


@bp.post("/api-keys")
@auth.require("admin")
def api_key_create() -> ResponseReturnValue:
    try:
        row, token = auth.create_api_key(get_db(), request.form.get("name", ""), moderator())
    except ValueError as exc:
        return api_keys(sentence(exc), 422)
    return api_keys(new_key=row, token=token)


@bp.post("/api-keys/<int:key_id>/revoke")
@auth.require("admin")
def api_key_revoke(key_id: int) -> ResponseReturnValue:
    try:
        auth.revoke_api_key(get_db(), key_id, moderator())
    except store.NotFound:
        abort(404, "No API key has that number.")
    except ValueError as exc:
        return api_keys(sentence(exc), 409)
    return redirect(url_for("moderate.api_keys", done="key_revoked"), 303)
