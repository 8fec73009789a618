"""Moderator accounts: argon2id passwords, server-side sessions that really end,
cookie flags, CSRF, login throttling, password change and reset, API keys."""

from __future__ import annotations

import hashlib
import re

import pytest
from click.testing import CliRunner

from server import auth, cli, store
from server import db as dbm

PASSWORD = "correct horse battery staple"


# --- helpers shared by the workspace tests -------------------------------------------


def make_user(app, email: str, role: str, password: str = PASSWORD) -> dict:
    db = dbm.open_db(app.config["DATABASE"])
    try:
        return auth.add_user(db, email, password, role, "test", cheap=True)
    finally:
        db.close()


def csrf_of(response) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert found, "the page carries no CSRF token"
    return found.group(1)


def csrf(client, path: str = "/moderate/") -> str:
    return csrf_of(client.get(path))


def login(client, email: str, password: str = PASSWORD, **extra):
    token = csrf(client, "/moderate/login")
    return client.post(
        "/moderate/login",
        data={"email": email, "password": password, "csrf_token": token},
        **extra,
    )


def logged_in(app, role: str, email: str | None = None):
    """A test client logged in as a new user of `role`."""
    email = email or f"{role}@example.org"
    make_user(app, email, role)
    client = app.test_client()
    assert login(client, email).status_code == 303
    return client


def session_cookie(client) -> str | None:
    cookie = client.get_cookie(auth.SESSION_COOKIE, path="/moderate")
    return cookie.value if cookie else None


def audit_count(app) -> int:
    db = dbm.open_db(app.config["DATABASE"])
    try:
        return store.audit_count(db)
    finally:
        db.close()


def query(app, sql: str, params: list | None = None) -> list[tuple]:
    db = dbm.open_db(app.config["DATABASE"])
    try:
        return db.execute(sql, params or []).fetchall()
    finally:
        db.close()


@pytest.fixture(autouse=True)
def cheap_hashes(app):
    # Hashes made through the web (password change, reset, new users) stay fast in tests.
    app.config["PASSWORD_HASH_CHEAP"] = True


# --- passwords and login ------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(app):
    make_user(app, "ann@example.org", "admin")
    [(stored,)] = query(app, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_page_is_the_workspace_front_door(client):
    page = client.get("/moderate/")
    assert page.status_code == 200
    assert 'name="password"' in page.get_data(as_text=True)


def test_login_then_the_dashboard(app, client):
    make_user(app, "ann@example.org", "reviewer")
    res = login(client, "ann@example.org")
    assert res.status_code == 303 and res.headers["Location"] == "/moderate/"
    page = client.get("/moderate/").get_data(as_text=True)
    assert "Dashboard" in page and "ann@example.org" in page


def test_wrong_password_and_unknown_account_get_the_same_answer(app, client):
    make_user(app, "ann@example.org", "reviewer")
    wrong = login(client, "ann@example.org", "not the password at all")
    unknown = login(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an active account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert session_cookie(client) is None


def test_disabled_account_cannot_log_in(app, client):
    user = make_user(app, "ann@example.org", "reviewer")
    query_db = dbm.open_db(app.config["DATABASE"])
    query_db.execute("UPDATE users SET disabled = 1 WHERE id = ?", [user["id"]])
    query_db.close()
    assert login(client, "ann@example.org").status_code == 401


def test_login_only_redirects_inside_the_workspace(app, client):
    make_user(app, "ann@example.org", "reviewer")
    token = csrf(client)
    for target, expected in [
        ("/moderate/claims?status=draft", "/moderate/claims?status=draft"),
        ("https://evil.example/", "/moderate/"),
        ("//evil.example/moderate", "/moderate/"),
        ("/v1/health", "/moderate/"),
    ]:
        res = client.post(
            "/moderate/login",
            data={
                "email": "ann@example.org",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
        )
        assert res.headers["Location"] == expected, target
        client.post("/moderate/logout", data={"csrf_token": csrf(client, "/moderate/account")})
        token = csrf(client)


# --- sessions ----------------------------------------------------------------------------


def test_session_cookie_is_httponly_samesite_lax_and_scoped_to_the_workspace(app, client):
    make_user(app, "ann@example.org", "reviewer")
    res = login(client, "ann@example.org")
    [cookie] = [c for c in res.headers.getlist("Set-Cookie") if c.startswith("hf_session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/moderate" in cookie
    # Plain http on a loopback name is local development: no Secure, or the browser drops it.
    assert "Secure" not in cookie


@pytest.mark.parametrize(
    ("base_url", "setting", "secure"),
    [
        ("http://mods.example.org", None, True),
        ("https://localhost", None, True),
        ("http://127.0.0.1:8765", None, False),
        ("http://127.0.0.1:8765", True, True),
        ("http://mods.example.org", False, False),
    ],
)
def test_session_cookie_is_secure_except_on_plain_http_loopback(app, base_url, setting, secure):
    app.config["MODERATE_COOKIE_SECURE"] = setting
    make_user(app, "ann@example.org", "reviewer")
    client = app.test_client()
    page = client.get("/moderate/login", base_url=base_url)
    res = client.post(
        "/moderate/login",
        base_url=base_url,
        data={"email": "ann@example.org", "password": PASSWORD, "csrf_token": csrf_of(page)},
    )
    assert res.status_code == 303
    [cookie] = [c for c in res.headers.getlist("Set-Cookie") if c.startswith("hf_session=")]
    assert ("; Secure" in cookie) is secure


def test_the_database_keeps_only_a_hash_of_the_session_token(app, client):
    make_user(app, "ann@example.org", "reviewer")
    login(client, "ann@example.org")
    token = session_cookie(client)
    assert token and len(token) >= 40
    [(stored,)] = query(app, "SELECT id_hash FROM sessions")
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored


def test_a_cookie_replayed_after_logout_opens_nothing(app):
    client = logged_in(app, "admin")
    token = session_cookie(client)
    form_token = csrf(client, "/moderate/account")
    assert client.post("/moderate/logout", data={"csrf_token": form_token}).status_code == 303
    assert query(app, "SELECT count(*) FROM sessions") == [(0,)]

    thief = app.test_client()
    thief.set_cookie(auth.SESSION_COOKIE, token, path="/moderate")
    res = thief.get("/moderate/claims")
    assert res.status_code == 302 and res.headers["Location"].startswith("/moderate/login")
    before = audit_count(app)
    res = thief.post(
        "/moderate/users",
        data={"email": "mallory@example.org", "role": "admin", "csrf_token": form_token},
    )
    assert res.status_code in (401, 403)
    assert audit_count(app) == before
    assert query(app, "SELECT count(*) FROM users WHERE email = 'mallory@example.org'") == [(0,)]


def test_logout_needs_a_post_with_the_csrf_token(app):
    client = logged_in(app, "reviewer")
    assert client.get("/moderate/logout").status_code == 405
    assert client.post("/moderate/logout").status_code == 400
    assert client.get("/moderate/claims").status_code == 200  # still logged in


def test_sessions_expire_after_their_lifetime(app):
    client = logged_in(app, "reviewer")
    db = dbm.open_db(app.config["DATABASE"])
    db.execute("UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z'")
    db.close()
    assert client.get("/moderate/claims").status_code == 302


def test_sessions_end_after_idling(app):
    client = logged_in(app, "reviewer")
    db = dbm.open_db(app.config["DATABASE"])
    db.execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z'")
    db.close()
    assert client.get("/moderate/claims").status_code == 302


def test_session_lifetime_comes_from_config(app):
    app.config["SESSION_LIFETIME"] = 120
    client = logged_in(app, "reviewer")
    [(created, expires)] = query(app, "SELECT created_at, expires_at FROM sessions")
    from datetime import datetime

    span = datetime.fromisoformat(expires) - datetime.fromisoformat(created)
    assert span.total_seconds() == 120
    assert client.get("/moderate/claims").status_code == 200


def test_disabling_an_account_ends_its_sessions_at_once(app):
    victim = logged_in(app, "reviewer", "rita@example.org")
    admin = logged_in(app, "admin")
    [(rita_id,)] = query(app, "SELECT id FROM users WHERE email = 'rita@example.org'")
    res = admin.post(
        f"/moderate/users/{rita_id}/disable", data={"csrf_token": csrf(admin, "/moderate/users")}
    )
    assert res.status_code == 303
    assert victim.get("/moderate/claims").status_code == 302
    assert login(app.test_client(), "rita@example.org").status_code == 401


def test_admins_cannot_lock_themselves_out(app):
    admin = logged_in(app, "admin")
    [(admin_id,)] = query(app, "SELECT id FROM users WHERE role = 'admin'")
    token = csrf(admin, "/moderate/users")
    assert (
        admin.post(f"/moderate/users/{admin_id}/disable", data={"csrf_token": token}).status_code
        == 422
    )
    res = admin.post(
        f"/moderate/users/{admin_id}/role", data={"csrf_token": token, "role": "contributor"}
    )
    assert res.status_code == 422
    assert query(app, "SELECT role, disabled FROM users") == [("admin", 0)]


# --- CSRF ------------------------------------------------------------------------------------


def test_login_form_needs_its_csrf_token(app, client):
    make_user(app, "ann@example.org", "reviewer")
    data = {"email": "ann@example.org", "password": PASSWORD}
    assert client.post("/moderate/login", data=data).status_code == 400
    client.get("/moderate/")  # sets the pre-login cookie
    res = client.post("/moderate/login", data={**data, "csrf_token": "0" * 64})
    assert res.status_code == 403
    assert session_cookie(client) is None


def test_a_login_token_from_another_browser_is_refused(app):
    make_user(app, "ann@example.org", "reviewer")
    theirs = csrf(app.test_client())
    mine = app.test_client()
    mine.get("/moderate/")
    res = mine.post(
        "/moderate/login",
        data={"email": "ann@example.org", "password": PASSWORD, "csrf_token": theirs},
    )
    assert res.status_code == 403


def test_state_changes_without_a_valid_csrf_token_are_refused(app):
    admin = logged_in(app, "admin")
    other = logged_in(app, "reviewer")
    claim_page = admin.get("/moderate/claims/vaccines-cause-autism").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', claim_page).group(1)
    before = audit_count(app)
    url = "/moderate/claims/vaccines-cause-autism/retire"
    assert admin.post(url, data={"version": version}).status_code == 400
    assert admin.post(url, data={"version": version, "csrf_token": "x" * 64}).status_code == 403
    # A token is bound to its session: another moderator's does not work here.
    stolen = csrf(other, "/moderate/account")
    assert admin.post(url, data={"version": version, "csrf_token": stolen}).status_code == 403
    assert audit_count(app) == before
    assert query(app, "SELECT status FROM claims WHERE id = 'vaccines-cause-autism'") == [
        ("published",)
    ]


def test_cross_site_posts_are_refused_even_with_a_token(app):
    admin = logged_in(app, "admin")
    token = csrf(admin, "/moderate/account")
    res = admin.post(
        "/moderate/api-keys",
        data={"name": "sneaky", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert res.status_code == 403
    res = admin.post(
        "/moderate/api-keys",
        data={"name": "sneaky", "csrf_token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert res.status_code == 403
    assert query(app, "SELECT count(*) FROM api_keys") == [(0,)]


def test_the_token_can_also_travel_in_a_header(app):
    admin = logged_in(app, "admin")
    res = admin.post(
        "/moderate/api-keys",
        data={"name": "via header"},
        headers={"X-CSRF-Token": csrf(admin, "/moderate/account")},
    )
    assert res.status_code == 200


# --- throttling -----------------------------------------------------------------------------


def test_failed_logins_are_throttled_per_account(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make_user(app, "ann@example.org", "reviewer")
    attacker = app.test_client()
    for _ in range(3):
        assert login(attacker, "ann@example.org", "guess guess guess").status_code == 401
    # Over the limit even the right password is not checked, from any address.
    blocked = login(attacker, "ann@example.org")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    elsewhere = app.test_client()
    res = login(elsewhere, "ann@example.org", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert res.status_code == 429
    assert session_cookie(attacker) is None


def test_failed_logins_are_throttled_per_address(app):
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "3 per minute"
    make_user(app, "ann@example.org", "reviewer")
    make_user(app, "bob@example.org", "reviewer")
    sprayer = app.test_client()
    for n in range(3):
        assert login(sprayer, f"user{n}@example.org", "guess guess guess").status_code == 401
    assert login(sprayer, "ann@example.org").status_code == 429
    # Another client is not affected.
    other = app.test_client()
    assert (
        login(other, "bob@example.org", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 303
    )


def test_a_stranger_cannot_lock_anyone_else_out(app):
    """Issue 12, point 4: five wrong passwords from anywhere locked the account for
    everyone, and every other account from the same address; thirty locked it for an
    hour. Now a stranger's failures count against the stranger's address and against
    browsers the account never used; its owner's browser and other people log in."""
    app.config["LOGIN_RATE_LIMIT"] = "5 per minute;30 per hour"
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "10 per minute;100 per hour"
    make_user(app, "ann@example.org", "reviewer")
    make_user(app, "bob@example.org", "reviewer")
    ann = app.test_client()  # her usual browser: she logged in here before
    here = {"environ_base": {"REMOTE_ADDR": "10.0.0.7"}}
    assert login(ann, "ann@example.org", **here).status_code == 303
    assert ann.get_cookie(auth.DEVICE_COOKIE, path="/moderate") is not None
    ann.post("/moderate/logout", data={"csrf_token": csrf(ann)})

    strangers = [app.test_client() for _ in range(4)]
    for n in range(40):  # from four addresses, 40 guesses at ann's password
        who = {"environ_base": {"REMOTE_ADDR": f"10.0.9.{n % 4}"}}
        assert login(
            strangers[n % 4], "ann@example.org", "guess guess guess", **who
        ).status_code in (
            401,
            429,
        )
    # A new browser must wait: guessing stays throttled per account...
    fresh = login(app.test_client(), "ann@example.org", environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert fresh.status_code == 429
    # ...but her own browser logs in at once, and so does bob from his address.
    assert login(ann, "ann@example.org", **here).status_code == 303
    bob = app.test_client()
    assert (
        login(bob, "bob@example.org", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303
    )
    # Her browser's own mistakes are still limited (the device cookie is no free pass).
    ann.post("/moderate/logout", data={"csrf_token": csrf(ann)})
    codes = [
        login(ann, "ann@example.org", "wrong wrong wrong", **here).status_code for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]


def test_a_forged_device_cookie_counts_for_nothing(app):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    make_user(app, "ann@example.org", "reviewer")
    stranger = app.test_client()
    for _ in range(2):
        login(stranger, "ann@example.org", "guess guess guess")
    forged = app.test_client()
    forged.set_cookie(auth.DEVICE_COOKIE, "0" * 64, path="/moderate")
    other = {"environ_base": {"REMOTE_ADDR": "10.0.0.5"}}
    assert login(forged, "ann@example.org", **other).status_code == 429


def test_successful_logins_are_not_throttled(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make_user(app, "ann@example.org", "reviewer")
    for _ in range(6):
        client = app.test_client()
        assert login(client, "ann@example.org").status_code == 303


# --- passwords: change and reset --------------------------------------------------------------


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(app):
    laptop = logged_in(app, "reviewer", "ann@example.org")
    phone = app.test_client()
    login(phone, "ann@example.org")
    new = "a much longer new passphrase"
    token = csrf(laptop, "/moderate/account")
    res = laptop.post(
        "/moderate/account/password",
        data={
            "csrf_token": token,
            "current_password": "wrong wrong wrong",
            "new_password": new,
            "confirm_password": new,
        },
    )
    assert res.status_code == 422
    res = laptop.post(
        "/moderate/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": new,
            "confirm_password": new,
        },
    )
    assert res.status_code == 303
    assert laptop.get("/moderate/claims").status_code == 200  # this browser stays in
    assert phone.get("/moderate/claims").status_code == 302  # the other session ended
    assert login(app.test_client(), "ann@example.org").status_code == 401
    assert login(app.test_client(), "ann@example.org", new).status_code == 303
    actions = [r[0] for r in query(app, "SELECT action FROM audit_events")]
    assert "user.password_change" in actions


def test_short_passwords_are_refused(app):
    client = logged_in(app, "reviewer")
    res = client.post(
        "/moderate/account/password",
        data={
            "csrf_token": csrf(client, "/moderate/account"),
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
        },
    )
    assert res.status_code == 422 and "12 characters" in res.get_data(as_text=True)


def test_an_admin_resets_a_password_shown_once_and_ends_their_sessions(app):
    rita = logged_in(app, "contributor", "rita@example.org")
    admin = logged_in(app, "admin")
    [(rita_id,)] = query(app, "SELECT id FROM users WHERE email = 'rita@example.org'")
    res = admin.post(
        f"/moderate/users/{rita_id}/password", data={"csrf_token": csrf(admin, "/moderate/users")}
    )
    assert res.status_code == 200
    temporary = re.search(r"data-copy-source>([^<]+)<", res.get_data(as_text=True)).group(1)
    assert rita.get("/moderate/claims").status_code == 302
    assert login(app.test_client(), "rita@example.org").status_code == 401
    assert login(app.test_client(), "rita@example.org", temporary).status_code == 303
    [(stored,)] = query(app, "SELECT password_hash FROM users WHERE id = ?", [rita_id])
    assert temporary not in stored
    # Shown once: the users page does not show it again.
    assert temporary not in admin.get("/moderate/users").get_data(as_text=True)


def test_an_admin_adds_a_moderator(app):
    admin = logged_in(app, "admin")
    res = admin.post(
        "/moderate/users",
        data={
            "csrf_token": csrf(admin, "/moderate/users"),
            "email": "New.Person@Example.org",
            "role": "contributor",
            "password": "a perfectly fine password",
        },
    )
    assert res.status_code == 200
    assert query(app, "SELECT role FROM users WHERE email = 'new.person@example.org'") == [
        ("contributor",)
    ]
    assert (
        login(app.test_client(), "new.person@example.org", "a perfectly fine password").status_code
        == 303
    )


def test_add_moderator_command_makes_the_first_admin(app, db_path, monkeypatch):
    # _app() in the CLI sets HEALTHFLAGS_DATABASE; monkeypatch puts it back afterwards.
    monkeypatch.setenv("HEALTHFLAGS_DATABASE", str(db_path))
    result = CliRunner().invoke(
        cli.main,
        ["add-moderator", "first@example.org", "--role", "admin", "--db", str(db_path)],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added first@example.org as admin." in result.output
    client = app.test_client()
    assert login(client, "first@example.org").status_code == 303
    assert client.get("/moderate/users").status_code == 200


# --- API keys --------------------------------------------------------------------------------


def test_api_keys_are_random_shown_once_stored_hashed_and_revocable(app):
    admin = logged_in(app, "admin")
    res = admin.post(
        "/moderate/api-keys",
        data={"csrf_token": csrf(admin, "/moderate/api-keys"), "name": "evaluation scripts"},
    )
    assert res.status_code == 200
    token = re.search(r"data-copy-source>(hf_[^<]+)<", res.get_data(as_text=True)).group(1)
    assert len(token) - len("hf_") >= 43  # token_urlsafe(32): 256 random bits
    with open(app.config["DATABASE"], "rb") as fh:
        assert token.encode() not in fh.read()
    rows = query(app, "SELECT key_hash, prefix FROM api_keys")
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), token[:11])]
    assert token not in admin.get("/moderate/api-keys").get_data(as_text=True)

    db = dbm.open_db(app.config["DATABASE"])
    assert auth.check_api_key(db, token) is not None
    assert auth.check_api_key(db, token[:-1] + "x") is None
    [(key_id,)] = query(app, "SELECT id FROM api_keys")
    res = admin.post(
        f"/moderate/api-keys/{key_id}/revoke",
        data={"csrf_token": csrf(admin, "/moderate/api-keys")},
    )
    assert res.status_code == 303
    assert auth.check_api_key(db, token) is None
    db.close()
    actions = [
        r[0] for r in query(app, "SELECT action FROM audit_events WHERE object_type = 'api_key'")
    ]
    assert actions == ["api_key.create", "api_key.revoke"]


def test_two_api_keys_are_never_the_same(app):
    db = dbm.open_db(app.config["DATABASE"])
    admin = make_user(app, "ann@example.org", "admin")
    tokens = {auth.create_api_key(db, f"key {n}", admin)[1] for n in range(20)}
    db.close()
    assert len(tokens) == 20


def test_an_api_key_gets_its_own_match_limit_and_its_use_is_shown(app):
    """Issue 12, point 8: keys could be made but no route took them. On /v1/match a
    key is counted against its own limit, wherever it calls from, and the key list
    shows how often and when it was last used."""
    app.config.update(
        RATELIMIT_MATCH="2 per minute",
        RATELIMIT_API_KEY="5 per minute",
        API_KEY_USES_FLUSH_SECONDS=0,
    )
    db = dbm.open_db(app.config["DATABASE"])
    admin_user = make_user(app, "keys@example.org", "admin")
    _, token = auth.create_api_key(db, "partner", admin_user)
    reader = app.test_client()
    body = {"segments": [{"id": "s1", "text": "Vaccines cause autism."}]}
    plain = [reader.post("/v1/match", json=body).status_code for _ in range(3)]
    assert plain == [200, 200, 429]
    # The same address with the key: the key's own counter, in either header.
    bearer = {"Authorization": f"Bearer {token}"}
    keyed = [reader.post("/v1/match", json=body, headers=bearer).status_code for _ in range(3)]
    keyed += [reader.post("/v1/match", json=body, headers={"X-API-Key": token}).status_code]
    keyed += [
        reader.post(
            "/v1/match", json=body, headers=bearer, environ_base={"REMOTE_ADDR": "10.1.1.1"}
        ).status_code
        for _ in range(2)
    ]
    assert keyed == [200, 200, 200, 200, 200, 429]
    wrong = reader.post("/v1/match", json=body, headers={"Authorization": "Bearer hf_nope"})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_api_key"

    [(uses, last)] = query(app, "SELECT use_count, last_used_at FROM api_keys")
    assert uses == 5 and last
    admin = app.test_client()
    assert login(admin, "keys@example.org").status_code == 303
    page = admin.get("/moderate/api-keys").get_data(as_text=True)
    # The last use as a <time> the page's script shows in the reader's own time zone.
    assert re.search(
        r'<td class="num">5</td><td class="small"><time datetime="' + re.escape(last), page
    )

    [(key_id,)] = query(app, "SELECT id FROM api_keys")
    auth.revoke_api_key(db, key_id, admin_user)
    revoked = reader.post("/v1/match", json=body, headers=bearer)
    assert revoked.status_code == 401
    db.close()
