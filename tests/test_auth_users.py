"""Moderator accounts: the login check, disabling, roles, password change (and the
length a new password needs) and reset, new moderators from the workspace and the
command line."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from test_auth import PASSWORD, csrf, logged_in, login, make_user, query, session_cookie

from server import cli
from server import db as dbm

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: fast hashing


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
