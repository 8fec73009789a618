"""Who is asking and what they may do: the request's user, roles, and the `require`
decorator views carry."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, url_for

from ..db import get_db
from .cookies import SESSION_COOKIE
from .sessions import session_user
from .users import ROLES

RANK = {role: i for i, role in enumerate(ROLES)}
F = TypeVar("F", bound=Callable[..., Any])


def load_user() -> None:
    """Before each workspace request: who is asking (g.user, or None)."""
    token = request.cookies.get(SESSION_COOKIE)
    g.user = None
    if token and len(token) < 200:
        g.user = session_user(get_db(), token, current_app.config["SESSION_IDLE_TIMEOUT"])


def current_user() -> dict | None:
    return g.get("user")


def has_role(user: dict | None, role: str) -> bool:
    return user is not None and RANK[user["role"]] >= RANK[role]


def require(role: str) -> Callable[[F], F]:
    """A view for moderators of at least `role`. Anonymous: to the login page (GET)
    or 401 (anything else, so no half-done form is silently lost); too low: 403."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if request.method == "GET":
                    return redirect(url_for("moderate.login", next=request.full_path))
                abort(401, "Your session has ended. Log in again.")
            if not has_role(user, role):
                abort(403, f"This needs the {role} role.")
            return view(*args, **kwargs)

        inner.required_role = role  # type: ignore[attr-defined]
        return inner  # type: ignore[return-value]

    return wrap
