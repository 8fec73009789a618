"""Login throttling: failed logins counted per address and per account, with device
cookies so that strangers' guesses never lock an account's owner out (issue 12)."""

from __future__ import annotations

import hmac
import time

from flask import Response, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..db import get_db
from .cookies import set_cookie
from .csrf import sign
from .users import get_user

DEVICE_COOKIE = "hf_device"
DEVICE_DAYS = 180


class LoginThrottle:
    """Counts failed logins; over a limit, the password is not even checked.

    Three counters, so that nobody can lock someone else out (issue 12):
    - per address (`LOGIN_RATE_LIMIT_ADDRESS`): only that address's own failures;
    - per account, for browsers the account has never logged in from
      (`LOGIN_RATE_LIMIT`): the windows are the growing waits a guesser meets;
    - per account, for browsers holding the account's device cookie (set at each
      login, as in OWASP's "device cookies"): strangers' failures never reach it, so
      the account's owner logs in from her usual browser however many guesses others
      make, and her own mistakes are still limited.

    Storage is in memory per worker unless LOGIN_RATE_LIMIT_STORAGE (or
    RATELIMIT_STORAGE_URI) names a shared one (redis://…), so with N workers and
    memory storage a guesser gets up to N times each limit."""

    def __init__(self, account_spec: str, address_spec: str, storage_uri: str):
        self.account = parse_many(account_spec)
        self.address = parse_many(address_spec)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def _items(self, key: str) -> list[RateLimitItem]:
        return self.address if key.startswith("address:") else self.account

    def retry_after(self, keys: list[str]) -> int | None:
        """Seconds until another try is allowed, or None if it is allowed now."""
        waits = []
        for key in keys:
            for item in self._items(key):
                if not self.limiter.test(item, "login", key):
                    stats = self.limiter.get_window_stats(item, "login", key)
                    waits.append(max(1, int(stats.reset_time - time.time()) + 1))
        return max(waits) if waits else None

    def failed(self, keys: list[str]) -> None:
        for key in keys:
            for item in self._items(key):
                self.limiter.hit(item, "login", key)

    def succeeded(self, account_key: str) -> None:
        # Only the account's count: a success must not clear an address's failures.
        for item in self.account:
            self.limiter.clear(item, "login", account_key)


def throttle() -> LoginThrottle:
    app = current_app
    found = app.extensions.get("healthflags_login_throttle")
    if found is None:
        storage = app.config.get("LOGIN_RATE_LIMIT_STORAGE") or app.config.get(
            "RATELIMIT_STORAGE_URI", "memory://"
        )
        found = app.extensions["healthflags_login_throttle"] = LoginThrottle(
            app.config["LOGIN_RATE_LIMIT"], app.config["LOGIN_RATE_LIMIT_ADDRESS"], storage
        )
    return found


def _device_token(user: dict) -> str:
    """Proof that this browser once logged in to this account; changes with the
    password, so a new password also retires old devices' proofs."""
    return sign("device|" + user["email"] + "|" + user["password_hash"])


def throttle_keys(email: str) -> tuple[str, list[str]]:
    """(the account's key, every key this attempt counts against)."""
    email = email.strip().lower()[:254]
    account = "account:" + email
    sent = request.cookies.get(DEVICE_COOKIE)
    if sent and len(sent) < 200:
        rows = list(get_db().query("SELECT * FROM users WHERE email = ?", [email]))
        if rows and hmac.compare_digest(sent.encode(), _device_token(rows[0]).encode()):
            account = "known:" + email
    return account, [account, "address:" + (request.remote_addr or "unknown")]


def set_device_cookie(response: Response, user: dict) -> None:
    """After a login: this browser is the account's from now on (see LoginThrottle)."""
    row = get_user(get_db(), user["id"])
    if row is not None:
        set_cookie(response, DEVICE_COOKIE, _device_token(row), DEVICE_DAYS * 86400)
