"""Moderator accounts and what guards the workspace and the API keys.

Views and commands use one surface (`from server import auth`; `auth.require(...)`).
What lives where:
  passwords  argon2id hashes and the rules for a new password
  users      accounts: add, roles, disable, password change and reset, login check
  sessions   server-side sessions, kept only as a hash of the cookie's token
  cookies    the workspace's cookie flags
  csrf       tokens bound to the session, and the cross-site check
  throttle   failed-login limits per address and per account, and device cookies
  access     the request's user, roles and the `require` decorator
  api_keys   keys for /v1: made, revoked, presented, and their uses counted
"""

from .access import RANK, current_user, has_role, load_user, require
from .api_keys import (
    API_KEY_PREFIX,
    KeyUses,
    check_api_key,
    create_api_key,
    key_uses,
    list_api_keys,
    presented_api_key,
    request_api_key,
    revoke_api_key,
)
from .cookies import (
    COOKIE_PATH,
    CSRF_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    cookie_secure,
    set_session_cookie,
)
from .csrf import check_csrf, csrf_token, save_csrf_seed
from .passwords import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    check_new_password,
    check_password,
    generate_password,
    hash_password,
    hasher,
)
from .sessions import (
    TOUCH_SECONDS,
    create_session,
    end_other_sessions,
    end_session,
    session_user,
    token_hash,
)
from .throttle import (
    DEVICE_COOKIE,
    DEVICE_DAYS,
    LoginThrottle,
    set_device_cookie,
    throttle,
    throttle_keys,
)
from .users import (
    ROLES,
    add_user,
    authenticate,
    change_password,
    get_user,
    list_users,
    reset_password,
    set_disabled,
    set_role,
)

__all__ = [
    "API_KEY_PREFIX",
    "COOKIE_PATH",
    "CSRF_COOKIE",
    "DEVICE_COOKIE",
    "DEVICE_DAYS",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "RANK",
    "ROLES",
    "SESSION_COOKIE",
    "TOUCH_SECONDS",
    "KeyUses",
    "LoginThrottle",
    "add_user",
    "authenticate",
    "change_password",
    "check_api_key",
    "check_csrf",
    "check_new_password",
    "check_password",
    "clear_session_cookie",
    "cookie_secure",
    "create_api_key",
    "create_session",
    "csrf_token",
    "current_user",
    "end_other_sessions",
    "end_session",
    "generate_password",
    "get_user",
    "has_role",
    "hash_password",
    "hasher",
    "key_uses",
    "list_api_keys",
    "list_users",
    "load_user",
    "presented_api_key",
    "request_api_key",
    "require",
    "reset_password",
    "revoke_api_key",
    "save_csrf_seed",
    "session_user",
    "set_device_cookie",
    "set_disabled",
    "set_role",
    "set_session_cookie",
    "throttle",
    "throttle_keys",
    "token_hash",
]
