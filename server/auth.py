"""Moderator accounts: passwords (argon2id), server-side sessions, CSRF, login
throttling, roles and API keys.

A session is a random token in a cookie; the database keeps only its SHA-256, so
a stolen database file opens no session, and deleting the row (logout, password
change, disabled account) ends it for good: a replayed cookie finds nothing.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Response, abort, current_app, g, redirect, request, url_for
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from . import store
from .db import write

ROLES = ("contributor", "reviewer", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; this only bounds the work a request can ask for
SESSION_COOKIE = "hf_session"
CSRF_COOKIE = "hf_csrf"  # before login only: binds the login form's token to this browser
COOKIE_PATH = "/moderate"
TOUCH_SECONDS = 60  # last_seen_at is written at most this often per session
API_KEY_PREFIX = "hf_"

F = TypeVar("F", bound=Callable[..., Any])


# --- passwords ------------------------------------------------------------------


def hasher(cheap: bool = False) -> PasswordHasher:
    # Tests use cheap parameters; the library's defaults (argon2id) everywhere else.
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if cheap else PasswordHasher()


def hash_password(password: str, cheap: bool = False) -> str:
    return hasher(cheap).hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified when the email is unknown, so an unknown account costs as much time as
# a wrong password and response times do not reveal who has an account.
_DUMMY_HASHES: dict[bool, str] = {}


def _dummy_hash(cheap: bool) -> str:
    if cheap not in _DUMMY_HASHES:
        _DUMMY_HASHES[cheap] = hash_password(secrets.token_hex(16), cheap)
    return _DUMMY_HASHES[cheap]


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"a password can have at most {MAX_PASSWORD} characters")


def generate_password() -> str:
    """A temporary password an admin hands over (about 96 random bits)."""
    return secrets.token_urlsafe(12)


# --- users ------------------------------------------------------------------------


def add_user(
    db: sqlite_utils.Database, email: str, password: str, role: str, actor: str, cheap: bool = False
) -> dict:
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise ValueError("that is not an email address")
    check_new_password(password)
    password_hash = hash_password(password, cheap)  # slow: hashed before the write lock
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
            raise ValueError(f"{email} already has an account")
        user_id = db.execute(
            "INSERT INTO users (email, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            [email, password_hash, role, store.now()],
        ).lastrowid
        store.audit(
            db, actor, "user.create", "user", str(user_id), None, {"email": email, "role": role}
        )
    return {"id": user_id, "email": email, "role": role}


def get_user(db: sqlite_utils.Database, user_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def list_users(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query(
            "SELECT u.id, u.email, u.role, u.disabled, u.created_at, u.password_changed_at, "
            "(SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > ?) "
            "AS sessions FROM users u ORDER BY u.email",
            [store.now()],
        )
    )


def _public(user: dict) -> dict:
    return {"email": user["email"], "role": user["role"], "disabled": bool(user["disabled"])}


def _change_user(
    db: sqlite_utils.Database,
    user_id: int,
    actor: str,
    action: str,
    updates: dict,
    *,
    end_sessions: bool = False,
) -> dict:
    """Update a user's row, end their sessions when asked, and audit, in one transaction."""
    with write(db):
        user = get_user(db, user_id)
        if user is None:
            raise store.NotFound(str(user_id))
        if updates:
            sets = ", ".join(f"{k} = ?" for k in updates)
            db.execute(f"UPDATE users SET {sets} WHERE id = ?", [*updates.values(), user_id])
        if end_sessions:
            db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
        after = get_user(db, user_id)
        store.audit(db, actor, action, "user", str(user_id), _public(user), _public(after))
        return after


def set_role(db: sqlite_utils.Database, user_id: int, role: str, actor: dict) -> dict:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if user_id == actor["id"] and role != "admin":
        raise ValueError("you cannot take away your own admin role")
    return _change_user(db, user_id, actor["email"], "user.role", {"role": role})


def set_disabled(db: sqlite_utils.Database, user_id: int, disabled: bool, actor: dict) -> dict:
    if user_id == actor["id"] and disabled:
        raise ValueError("you cannot disable your own account")
    action = "user.disable" if disabled else "user.enable"
    return _change_user(
        db, user_id, actor["email"], action, {"disabled": int(disabled)}, end_sessions=disabled
    )


def reset_password(
    db: sqlite_utils.Database, user_id: int, password: str, actor: dict, cheap: bool = False
) -> dict:
    """An admin sets a new password; the user's sessions end."""
    check_new_password(password)
    updates = {"password_hash": hash_password(password, cheap), "password_changed_at": store.now()}
    return _change_user(
        db, user_id, actor["email"], "user.password_reset", updates, end_sessions=True
    )


def change_password(
    db: sqlite_utils.Database,
    user: dict,
    current: str,
    new: str,
    cheap: bool = False,
) -> dict:
    """The user changes their own password; every session of theirs ends (the
    caller logs the current browser in again)."""
    row = get_user(db, user["id"])
    if row is None or not check_password(row["password_hash"], current):
        raise ValueError("the current password is not right")
    check_new_password(new)
    if new == current:
        raise ValueError("the new password is the same as the current one")
    updates = {"password_hash": hash_password(new, cheap), "password_changed_at": store.now()}
    return _change_user(
        db, user["id"], user["email"], "user.password_change", updates, end_sessions=True
    )


def authenticate(
    db: sqlite_utils.Database, email: str, password: str, cheap: bool = False
) -> dict | None:
    """The active user with this email and password, or None. Takes about as long
    whether or not the account exists."""
    email = email.strip().lower()
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email]))
    user = rows[0] if rows else None
    if user is None or len(password) > MAX_PASSWORD:
        check_password(_dummy_hash(cheap), password[:MAX_PASSWORD])
        return None
    if not check_password(user["password_hash"], password) or user["disabled"]:
        return None
    if hasher(cheap).check_needs_rehash(user["password_hash"]):
        # Parameters changed since this hash was made: upgrade it while we hold the password.
        with write(db):
            db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                [hash_password(password, cheap), user["id"]],
            )
    return user


# --- sessions ---------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def create_session(db: sqlite_utils.Database, user: dict, lifetime: int) -> str:
    """Start a session; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    moment = datetime.now(UTC)
    with write(db):
        # Housekeeping: expired rows are useless and only ever deleted here.
        db.execute("DELETE FROM sessions WHERE expires_at <= ?", [_stamp(moment)])
        db.execute(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                token_hash(token),
                user["id"],
                _stamp(moment),
                _stamp(moment + timedelta(seconds=lifetime)),
                _stamp(moment),
            ],
        )
        store.audit(db, user["email"], "user.login", "user", str(user["id"]))
    return token


def session_user(db: sqlite_utils.Database, token: str, idle_timeout: int) -> dict | None:
    """The user of a live session, or None when it ended, expired, idled out or its
    account was disabled."""
    row = db.execute(
        "SELECT s.id_hash, s.expires_at, s.last_seen_at, u.id, u.email, u.role, u.disabled "
        "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?",
        [token_hash(token)],
    ).fetchone()
    if row is None:
        return None
    id_hash, expires_at, last_seen_at, user_id, email, role, disabled = row
    moment = datetime.now(UTC)
    last_seen = _parse(last_seen_at)
    if disabled or _parse(expires_at) <= moment:
        return None
    if (moment - last_seen).total_seconds() >= idle_timeout:
        return None
    if (moment - last_seen).total_seconds() >= TOUCH_SECONDS:
        with write(db):
            db.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", [_stamp(moment), id_hash]
            )
    return {"id": user_id, "email": email, "role": role, "session_hash": id_hash}


def end_session(db: sqlite_utils.Database, user: dict) -> None:
    with write(db):
        db.execute("DELETE FROM sessions WHERE id_hash = ?", [user["session_hash"]])
        store.audit(db, user["email"], "user.logout", "user", str(user["id"]))


def end_other_sessions(db: sqlite_utils.Database, user: dict) -> int:
    with write(db):
        ended = db.execute(
            "DELETE FROM sessions WHERE user_id = ? AND id_hash != ?",
            [user["id"], user["session_hash"]],
        ).rowcount
        store.audit(
            db, user["email"], "user.end_sessions", "user", str(user["id"]), None, {"ended": ended}
        )
    return ended


# --- API keys -----------------------------------------------------------------------


def create_api_key(db: sqlite_utils.Database, name: str, actor: dict) -> tuple[dict, str]:
    """A new key: (its row, the key itself). The key is shown once and stored only
    as a SHA-256 hash: with 256 random bits a plain hash cannot be guessed back."""
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ValueError("give the key a name (up to 100 characters) that says what uses it")
    token = API_KEY_PREFIX + secrets.token_urlsafe(32)
    with write(db):
        key_id = db.execute(
            "INSERT INTO api_keys (user_id, name, prefix, key_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [actor["id"], name, token[:11], token_hash(token), store.now()],
        ).lastrowid
        row = next(db.query("SELECT * FROM api_keys WHERE id = ?", [key_id]))
        store.audit(
            db,
            actor["email"],
            "api_key.create",
            "api_key",
            str(key_id),
            None,
            {"name": name, "prefix": row["prefix"]},
        )
    return row, token


def list_api_keys(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query(
            "SELECT k.id, k.name, k.prefix, k.created_at, k.last_used_at, k.use_count, "
            "k.revoked_at, "
            "u.email AS owner FROM api_keys k LEFT JOIN users u ON u.id = k.user_id "
            "ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC"
        )
    )


def revoke_api_key(db: sqlite_utils.Database, key_id: int, actor: dict) -> dict:
    with write(db):
        rows = list(db.query("SELECT * FROM api_keys WHERE id = ?", [key_id]))
        if not rows:
            raise store.NotFound(str(key_id))
        if rows[0]["revoked_at"]:
            raise ValueError("that key is already revoked")
        stamp = store.now()
        db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", [stamp, key_id])
        store.audit(
            db,
            actor["email"],
            "api_key.revoke",
            "api_key",
            str(key_id),
            {"name": rows[0]["name"], "revoked_at": None},
            {"name": rows[0]["name"], "revoked_at": stamp},
        )
    return {**rows[0], "revoked_at": stamp}


def presented_api_key() -> str | None:
    """The key a request presents: `Authorization: Bearer hf_…` or `X-API-Key: hf_…`."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("X-API-Key") or None


def request_api_key() -> dict | None:
    """This request's live API key row (looked up once per request), None when it
    presents none; a key that is unknown, revoked or malformed is refused with 401."""
    if "api_key" not in g:
        token = presented_api_key()
        key = None
        if token is not None:
            from .api import BadRequest
            from .db import get_db

            key = check_api_key(get_db(), token)
            if key is None:
                raise BadRequest(401, "invalid_api_key", "That API key is not valid.")
        g.api_key = key
    return g.api_key


class KeyUses:
    """Uses of each API key, summed in memory and written in batches (at most every
    `flush_seconds`), so that a request with a key does not wait for a write."""

    def __init__(self, flush_seconds: float):
        self.flush_seconds = flush_seconds
        self.counts: dict[int, int] = {}
        self.last: dict[int, str] = {}
        self.flushed_at = time.monotonic()
        self.lock = threading.Lock()

    def add(self, db: sqlite_utils.Database, key_id: int) -> None:
        with self.lock:
            self.counts[key_id] = self.counts.get(key_id, 0) + 1
            self.last[key_id] = store.now()
            if time.monotonic() - self.flushed_at < self.flush_seconds:
                return
            counts, last = self.counts, self.last
            self.counts, self.last = {}, {}
            self.flushed_at = time.monotonic()
        with write(db):
            db.conn.executemany(
                "UPDATE api_keys SET use_count = use_count + ?, "
                "last_used_at = max(coalesce(last_used_at, ''), ?) WHERE id = ?",
                [(n, last[k], k) for k, n in counts.items()],
            )


def key_uses(app) -> KeyUses:
    found = app.extensions.get("healthflags_key_uses")
    if found is None:
        found = app.extensions["healthflags_key_uses"] = KeyUses(
            float(app.config["API_KEY_USES_FLUSH_SECONDS"])
        )
    return found


def check_api_key(db: sqlite_utils.Database, token: str) -> dict | None:
    """The live key row for a presented key, or None (revoked, unknown, or its
    owner's account disabled)."""
    if not token.startswith(API_KEY_PREFIX) or len(token) > 200:
        return None
    rows = list(
        db.query(
            "SELECT k.* FROM api_keys k LEFT JOIN users u ON u.id = k.user_id "
            "WHERE k.key_hash = ? AND k.revoked_at IS NULL AND coalesce(u.disabled, 0) = 0",
            [token_hash(token)],
        )
    )
    return rows[0] if rows else None


# --- login throttling -----------------------------------------------------------------


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

    def _items(self, key: str):
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


DEVICE_COOKIE = "hf_device"
DEVICE_DAYS = 180


def _device_token(user: dict) -> str:
    """Proof that this browser once logged in to this account; changes with the
    password, so a new password also retires old devices' proofs."""
    return _sign("device|" + user["email"] + "|" + user["password_hash"])


def throttle_keys(email: str) -> tuple[str, list[str]]:
    """(the account's key, every key this attempt counts against)."""
    email = email.strip().lower()[:254]
    account = "account:" + email
    sent = request.cookies.get(DEVICE_COOKIE)
    if sent and len(sent) < 200:
        from .db import get_db

        rows = list(get_db().query("SELECT * FROM users WHERE email = ?", [email]))
        if rows and hmac.compare_digest(sent.encode(), _device_token(rows[0]).encode()):
            account = "known:" + email
    return account, [account, "address:" + (request.remote_addr or "unknown")]


def set_device_cookie(response: Response, user: dict) -> None:
    """After a login: this browser is the account's from now on (see LoginThrottle)."""
    from .db import get_db

    row = get_user(get_db(), user["id"])
    if row is not None:
        _set_cookie(response, DEVICE_COOKIE, _device_token(row), DEVICE_DAYS * 86400)


# --- the request: current user, cookies, CSRF, roles ---------------------------------


def load_user() -> None:
    """Before each workspace request: who is asking (g.user, or None)."""
    token = request.cookies.get(SESSION_COOKIE)
    g.user = None
    if token and len(token) < 200:
        from .db import get_db

        g.user = session_user(get_db(), token, current_app.config["SESSION_IDLE_TIMEOUT"])


def current_user() -> dict | None:
    return g.get("user")


def has_role(user: dict | None, role: str) -> bool:
    return user is not None and RANK[user["role"]] >= RANK[role]


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


def _set_cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
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
    _set_cookie(response, SESSION_COOKIE, token, current_app.config["SESSION_LIFETIME"])


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, secure=cookie_secure(), httponly=True, samesite="Lax"
    )


def _sign(binding: str) -> str:
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
    return _sign(_csrf_binding())


def save_csrf_seed(response: Response) -> Response:
    """After a workspace request: keep the pre-login CSRF seed in its cookie."""
    seed = g.get("csrf_seed")
    if seed:
        _set_cookie(response, CSRF_COOKIE, seed, None)
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
