"""Small expiring key-value stores for channel state: seen update ids, pending options, opt-outs.

:class:`MemoryStore` (one process, the default) and :class:`RedisStore` (shared by several Rasa
workers, survives restarts) have the same asynchronous interface. Keys hold only pseudonyms and
provider message ids, never phone numbers or message text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import OrderedDict
from typing import Any, Protocol

logger = logging.getLogger(__name__)

REDIS_URL_ENV = "HAVEN_CHANNELS_REDIS_URL"


class StateStore(Protocol):
    """What the channels need from a store."""

    async def add_if_absent(self, key: str, ttl_s: float) -> bool:
        """Mark ``key`` as present for ``ttl_s`` seconds; ``True`` only for the first caller."""

    async def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        """Store a JSON-serialisable value (forever when ``ttl_s`` is ``None``)."""

    async def get(self, key: str) -> Any:
        """The stored value, or ``None`` when it is absent or expired."""

    async def delete(self, *keys: str) -> None:
        """Remove keys (absent keys are ignored)."""


class MemoryStore:
    """An in-process store with expiry and a size bound (oldest entries are dropped first)."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._entries: OrderedDict[str, tuple[float | None, str]] = OrderedDict()
        self._max_entries = max_entries
        self._lock = asyncio.Lock()

    def _expired(self, key: str, now: float) -> bool:
        expires, _ = self._entries[key]
        return expires is not None and expires <= now

    def _live(self, key: str) -> bool:
        if key not in self._entries:
            return False
        if self._expired(key, time.monotonic()):
            del self._entries[key]
            return False
        return True

    def _put(self, key: str, value: str, ttl_s: float | None) -> None:
        expires = None if ttl_s is None else time.monotonic() + ttl_s
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def add_if_absent(self, key: str, ttl_s: float) -> bool:  # noqa: D102
        async with self._lock:
            if self._live(key):
                return False
            self._put(key, "1", ttl_s)
            return True

    async def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:  # noqa: D102
        async with self._lock:
            self._put(key, json.dumps(value), ttl_s)

    async def get(self, key: str) -> Any:  # noqa: D102
        async with self._lock:
            return json.loads(self._entries[key][1]) if self._live(key) else None

    async def delete(self, *keys: str) -> None:  # noqa: D102
        async with self._lock:
            for key in keys:
                self._entries.pop(key, None)


class RedisStore:
    """A store in Redis (``SET NX EX`` for de-duplication), shared between processes."""

    def __init__(self, url: str, prefix: str = "haven:channels:") -> None:
        from redis import asyncio as redis_asyncio

        self._redis = redis_asyncio.from_url(url)
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return self._prefix + key

    @staticmethod
    def _ttl_ms(ttl_s: float | None) -> int | None:
        return None if ttl_s is None else max(1, int(ttl_s * 1000))

    async def add_if_absent(self, key: str, ttl_s: float) -> bool:  # noqa: D102
        return bool(await self._redis.set(self._key(key), "1", nx=True, px=self._ttl_ms(ttl_s)))

    async def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:  # noqa: D102
        await self._redis.set(self._key(key), json.dumps(value), px=self._ttl_ms(ttl_s))

    async def get(self, key: str) -> Any:  # noqa: D102
        raw = await self._redis.get(self._key(key))
        return None if raw is None else json.loads(raw)

    async def delete(self, *keys: str) -> None:  # noqa: D102
        if keys:
            await self._redis.delete(*(self._key(k) for k in keys))

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.close()


def store_from_config(redis_url: str | None = None) -> StateStore:
    """Redis when a URL is configured (argument or ``HAVEN_CHANNELS_REDIS_URL``), else memory."""
    url = redis_url or os.environ.get(REDIS_URL_ENV)
    if url:
        return RedisStore(url)
    return MemoryStore()
