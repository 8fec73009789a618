"""API keys: random, shown once, stored hashed, revocable, and limited on /v1/match."""

from __future__ import annotations

import hashlib
import re

import pytest
from test_auth import csrf, logged_in, login, make_user, query

from server import auth
from server import db as dbm

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: fast hashing


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
