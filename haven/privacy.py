"""Pseudonymisation of sender identifiers (phone numbers, Telegram ids) with a keyed hash.

Channels call :func:`pseudonymise` before a sender id reaches Rasa, so the tracker store,
the action server and the logs only ever see a pseudonym. The key comes from
``HAVEN_PSEUDONYM_KEY`` or, on a development machine, from a file created on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from haven import settings

KEY_ENV = "HAVEN_PSEUDONYM_KEY"


def _read_or_create_key_file(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


@lru_cache(maxsize=1)
def pseudonym_key() -> bytes:
    """The secret key for pseudonyms (environment first, then the configured key file)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env.encode()
    key_file = settings.project_path(settings.get("privacy.key_file", "var/secrets/pseudonym.key"))
    try:
        return _read_or_create_key_file(key_file)
    except FileExistsError:  # another process created it between our check and our write
        return key_file.read_bytes().strip()


def pseudonymise(identifier: str | int, channel: str, key: bytes | None = None) -> str:
    """Return a stable pseudonym such as ``"telegram-3f9a…"`` for a channel's sender id.

    The same identifier on the same channel always gives the same pseudonym, so a
    conversation continues; without the key it cannot be turned back into the identifier.
    """
    digest = hmac.new(key or pseudonym_key(), f"{channel}:{identifier}".encode(), hashlib.sha256)
    return f"{channel}-{digest.hexdigest()[:32]}"
