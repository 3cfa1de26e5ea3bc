"""Accounts, passwords, sessions, CSRF tokens and roles.

* Passwords are hashed with scrypt (``hashlib.scrypt``, random 16-byte salt) and compared in
  constant time.
* A session is a random token in an HttpOnly, SameSite=Strict (and Secure) cookie; only its
  SHA-256 is stored. It expires after ``session_idle_minutes`` without use and, in any case,
  ``session_max_hours`` after login.
* Every session has its own CSRF token; every form carries it and every POST is refused
  without it.
* Roles: ``editor`` (everything), ``translator`` (edit the translations of existing entries),
  ``viewer`` (read only).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from console.db import Database

ROLES = ("editor", "translator", "viewer")
PERMISSIONS = {
    "view": {"editor", "translator", "viewer"},
    "translate": {"editor", "translator"},
    "edit": {"editor"},
}
MIN_PASSWORD = 10
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AuthError(Exception):
    """A user, password or role is not acceptable; the message says why."""


@dataclass(frozen=True)
class User:
    """A logged-in account."""

    name: str
    role: str

    def can(self, permission: str) -> bool:
        """Whether the role allows ``view``, ``translate`` or ``edit``."""
        return self.role in PERMISSIONS.get(permission, set())


@dataclass(frozen=True)
class Session:
    """A valid session: who, and the CSRF token its forms must carry."""

    user: User
    csrf: str
    token: str


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of a password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    b64 = base64.b64encode
    return "scrypt${n}${r}${p}$".format(**_SCRYPT) + f"{b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_DUMMY_HASH = hash_password(secrets.token_urlsafe(12))


class Accounts:
    """Users and sessions stored in the console database."""

    def __init__(self, db: Database, idle_minutes: int = 30, max_hours: int = 12) -> None:
        self.db = db
        self.idle_seconds = idle_minutes * 60
        self.max_seconds = max_hours * 3600

    # -- users ---------------------------------------------------------------------------
    def create_user(self, name: str, role: str, password: str) -> User:
        """Create an account, or reset the password and role of an existing one.

        Raises:
            AuthError: bad name, role or a password shorter than 10 characters.
        """
        name = name.strip().lower()
        if not name or not set(name) <= _NAME_CHARS or len(name) > 64:
            raise AuthError("user names use lowercase letters, digits, dots, hyphens, underscores")
        if role not in ROLES:
            raise AuthError(f"the role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"the password must have at least {MIN_PASSWORD} characters")
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.db.connect() as db:
            db.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET role = excluded.role,"
                " password_hash = excluded.password_hash, disabled = 0",
                (name, role, hash_password(password), now),
            )
            db.execute("DELETE FROM sessions WHERE user_name = ?", (name,))
        return User(name, role)

    def disable_user(self, name: str) -> bool:
        """Disable an account and end its sessions; False when there is no such user."""
        with self.db.connect() as db:
            changed = db.execute(
                "UPDATE users SET disabled = 1 WHERE name = ?", (name.lower(),)
            ).rowcount
            db.execute("DELETE FROM sessions WHERE user_name = ?", (name.lower(),))
        return bool(changed)

    def users(self) -> list[tuple[str, str, bool]]:
        """``(name, role, disabled)`` of every account."""
        with self.db.connect() as db:
            rows = db.execute("SELECT name, role, disabled FROM users ORDER BY name").fetchall()
        return [(str(n), str(r), bool(d)) for n, r, d in rows]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is right (and the account enabled), else None."""
        with self.db.connect() as db:
            row = db.execute(
                "SELECT name, role, password_hash, disabled FROM users WHERE name = ?",
                (name.strip().lower(),),
            ).fetchone()
        if row is None:
            verify_password(password, _DUMMY_HASH)  # same time whether or not the user exists
            return None
        if not verify_password(password, row[2]) or row[3]:
            return None
        return User(row[0], row[1])

    # -- sessions ------------------------------------------------------------------------
    def start_session(self, user: User, now: float | None = None) -> Session:
        """A new session for a user who just logged in."""
        now = time.time() if now is None else now
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.db.connect() as db:
            db.execute(
                "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?",
                (now - self.idle_seconds, now - self.max_seconds),
            )
            db.execute(
                "INSERT INTO sessions (token_hash, user_name, csrf, created_at, last_seen)"
                " VALUES (?, ?, ?, ?, ?)",
                (_token_hash(token), user.name, csrf, now, now),
            )
        return Session(user, csrf, token)

    def session(self, token: str | None, now: float | None = None) -> Session | None:
        """The live session of a cookie token (its idle timer restarts), or None."""
        if not token:
            return None
        now = time.time() if now is None else now
        key = _token_hash(token)
        with self.db.connect() as db:
            row = db.execute(
                "SELECT s.user_name, u.role, s.csrf, s.created_at, s.last_seen, u.disabled"
                " FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.token_hash = ?",
                (key,),
            ).fetchone()
            if row is None:
                return None
            expired = now - row[4] > self.idle_seconds or now - row[3] > self.max_seconds
            if expired or row[5]:
                db.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))
                return None
            db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, key))
        return Session(User(row[0], row[1]), row[2], token)

    def end_session(self, token: str | None) -> None:
        """Log out."""
        if token:
            with self.db.connect() as db:
                db.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Whether a form's CSRF token matches the session's (constant time)."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
