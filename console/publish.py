"""Rebuild the knowledge-base index after a change; the running bot reloads it by itself.

Uses :func:`knowledge_base.index.build` (incremental: only new texts are embedded, then
``CURRENT`` is switched atomically). The action server checks ``CURRENT`` every
``kb.reload_interval_s`` seconds, so the bot answers from the new content seconds later.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishResult:
    """The outcome of one rebuild."""

    ok: bool
    version: str | None
    seconds: float
    error: str | None = None


class Publisher:
    """Builds the index from the content folder, one build at a time."""

    def __init__(self, content_dir: Path, index_dir: Path) -> None:
        self.content_dir = Path(content_dir)
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self.last: PublishResult | None = None

    @staticmethod
    def embedder() -> Any:
        """The configured embedder (shared in the process; loaded on first use)."""
        from knowledge_base.embedding import make_embedder

        return make_embedder()

    def warm_up(self) -> None:
        """Load the embedder now so the first save is fast (run in a thread at start-up)."""
        try:
            self.embedder().encode(["warm up"])
        except Exception:
            logger.exception("could not load the embedder")

    def rebuild(self) -> PublishResult:
        """Build and switch the index; never raises (the result says what went wrong)."""
        from knowledge_base.index import build

        started = time.perf_counter()
        with self._lock:
            try:
                report = build(self.content_dir, self.index_dir, self.embedder())
                result = PublishResult(True, report.version, time.perf_counter() - started)
            except Exception as error:  # the old index keeps serving
                logger.exception("index build failed")
                result = PublishResult(False, None, time.perf_counter() - started, str(error))
        self.last = result
        return result

    async def rebuild_async(self) -> PublishResult:
        """:meth:`rebuild` in a worker thread."""
        return await asyncio.to_thread(self.rebuild)
