"""Passwords, sessions (idle and absolute expiry), CSRF tokens and roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.auth import Accounts, AuthError, User, csrf_ok, hash_password, verify_password
from console.db import Database

PASSWORD = "a long enough password"


@pytest.fixture()
def accounts(tmp_path: Path) -> Accounts:
    return Accounts(Database(tmp_path / "console.db"), idle_minutes=30, max_hours=12)


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$") and first != second  # a fresh salt every time
    assert PASSWORD not in first
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "!", first)
    assert not verify_password(PASSWORD, first[:-4] + "AAA=")
    assert not verify_password(PASSWORD, "md5$abc")
    assert not verify_password(PASSWORD, "")


def test_accounts_refuse_weak_passwords_and_unknown_roles(accounts: Accounts) -> None:
    with pytest.raises(AuthError, match="at least 10"):
        accounts.create_user("amal", "editor", "short")
    with pytest.raises(AuthError, match="role"):
        accounts.create_user("amal", "admin", PASSWORD)
    with pytest.raises(AuthError, match="lowercase"):
        accounts.create_user("amal smith", "editor", PASSWORD)


def test_authenticate(accounts: Accounts) -> None:
    accounts.create_user("Amal", "translator", PASSWORD)
    assert accounts.authenticate("amal", PASSWORD) == User("amal", "translator")
    assert accounts.authenticate("amal", "wrong password") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    assert accounts.disable_user("amal")
    assert accounts.authenticate("amal", PASSWORD) is None


def test_sessions_expire_when_idle(accounts: Accounts) -> None:
    user = accounts.create_user("amal", "editor", PASSWORD)
    session = accounts.start_session(user, now=1_000)
    assert accounts.session(session.token, now=1_000 + 29 * 60).user == user
    # Used at minute 29, so still alive 29 minutes later; then 31 idle minutes end it.
    assert accounts.session(session.token, now=1_000 + 58 * 60) is not None
    assert accounts.session(session.token, now=1_000 + 89 * 60) is None
    assert accounts.session(session.token, now=1_000 + 90 * 60) is None  # deleted for good


def test_sessions_expire_after_max_hours_even_when_used(accounts: Accounts) -> None:
    session = accounts.start_session(accounts.create_user("amal", "editor", PASSWORD), now=0)
    now = 0
    while now < 12 * 3600 - 600:
        now += 600
        assert accounts.session(session.token, now=now) is not None
    assert accounts.session(session.token, now=12 * 3600 + 1) is None


def test_logout_and_password_reset_end_sessions(accounts: Accounts) -> None:
    user = accounts.create_user("amal", "editor", PASSWORD)
    first = accounts.start_session(user)
    second = accounts.start_session(user)
    accounts.end_session(first.token)
    assert accounts.session(first.token) is None
    assert accounts.session(second.token) is not None
    accounts.create_user("amal", "viewer", PASSWORD + "2")
    assert accounts.session(second.token) is None
    assert accounts.session("not-a-token") is None and accounts.session(None) is None


def test_each_session_has_its_own_csrf_token(accounts: Accounts) -> None:
    user = accounts.create_user("amal", "editor", PASSWORD)
    one, two = accounts.start_session(user), accounts.start_session(user)
    assert one.csrf != two.csrf and len(one.csrf) >= 40
    assert accounts.session(one.token).csrf == one.csrf
    assert csrf_ok(one.csrf, one.csrf)
    assert not csrf_ok(one.csrf, two.csrf)
    assert not csrf_ok(one.csrf, "")
    assert not csrf_ok(one.csrf, None)
    assert not csrf_ok(None, None)


@pytest.mark.parametrize(
    ("role", "view", "translate", "edit"),
    [("viewer", True, False, False), ("translator", True, True, False),
     ("editor", True, True, True)],
)  # fmt: skip
def test_roles(role: str, view: bool, translate: bool, edit: bool) -> None:
    user = User("someone", role)
    assert (user.can("view"), user.can("translate"), user.can("edit")) == (view, translate, edit)
    assert not user.can("anything else")
