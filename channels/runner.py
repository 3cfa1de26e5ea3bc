"""Background handling of webhook updates: answer the provider at once, work afterwards.

Messaging providers retry a webhook that does not answer quickly, so channels acknowledge the
request and hand the work to :class:`UpdateRunner`, which runs one sender's updates in order
(a per-sender lock) and keeps a reference to every task until it finishes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from channels.common import log_failure

logger = logging.getLogger(__name__)


class UpdateRunner:
    """Runs coroutines in the background, serialised per sender."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}

    def submit(self, sender: str, work: Callable[[], Awaitable[None]]) -> None:
        """Schedule ``work`` after the sender's earlier updates; errors are logged, not raised."""
        task = asyncio.get_running_loop().create_task(self._run(sender, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, sender: str, work: Callable[[], Awaitable[None]]) -> None:
        lock = self._locks.setdefault(sender, asyncio.Lock())
        try:
            async with lock:
                await work()
        except Exception as error:  # one failing update must not stop the channel
            log_failure(logger, f"{self.channel}: handling an update", sender, error)
        finally:
            if not lock.locked() and self._locks.get(sender) is lock:
                del self._locks[sender]

    async def drain(self, timeout: float = 30) -> None:
        """Wait for the running tasks (used on shutdown and in tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


class RateLimiter:
    """A token bucket per key: ``burst`` requests at once, then ``per_minute`` a minute."""

    def __init__(self, per_minute: float, burst: int, max_keys: int = 50_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; ``False`` when its bucket is empty."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if len(self._buckets) >= self.max_keys and key not in self._buckets:
            self._buckets.clear()  # bounded memory; forgetting buckets only lets people in
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True


@asynccontextmanager
async def repeating(action: Callable[[], Awaitable[object]], every_s: float) -> AsyncIterator[None]:
    """Call ``action`` now and every ``every_s`` seconds while the block runs (typing signs)."""

    async def once() -> None:
        try:
            await asyncio.wait_for(action(), timeout=every_s)
        except Exception as error:  # a lost typing sign is not worth failing the answer
            logger.debug("repeating action failed: %s", type(error).__name__)

    async def loop() -> None:
        while True:
            await asyncio.sleep(every_s)
            await once()

    await once()  # shown before the work starts, however short it is
    task = asyncio.get_running_loop().create_task(loop())
    try:
        yield
    finally:
        task.cancel()
