"""Rasa's SQL tracker store, made to survive a database restart without losing a message.

Rasa 3.6's ``SQLTrackerStore`` keeps pooled connections without checking them, and Rasa wraps
every tracker store in ``FailSafeTrackerStore``, which turns a failed ``retrieve`` into "no
conversation yet". After a PostgreSQL restart the first message of a conversation therefore
starts a fresh tracker, and its events are then skipped when saving (the store appends only
events beyond the number it already holds): the message is silently lost.

:class:`ReconnectingSQLTrackerStore` checks pooled connections before use (``pool_pre_ping``),
and retries reads and writes that fail on a lost connection for a few seconds, so that a
restart is invisible to users. Use it in ``endpoints.yml`` with the usual SQL settings::

    tracker_store:
      type: channels.tracker_store.ReconnectingSQLTrackerStore
      dialect: postgresql
      url: ${DB_HOST}
      ...
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import exc

logger = logging.getLogger(__name__)

RETRY_FOR_S = 10.0
RETRY_PAUSE_S = 0.5

T = TypeVar("T")


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with checked pooled connections and retries on lost connections."""

    def __init__(self, *args: Any, retry_for_s: float = RETRY_FOR_S, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_for_s = float(retry_for_s)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _with_retry(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.retry_for_s
        while True:
            try:
                return await call()
            except (exc.OperationalError, exc.InterfaceError) as error:
                if time.monotonic() >= deadline:
                    raise
                logger.warning("tracker store %s failed (%s); retrying", what, type(error).__name__)
                self.engine.dispose()  # drop every pooled connection to the old server
                await asyncio.sleep(RETRY_PAUSE_S)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Load a conversation, retrying while the database is unreachable."""
        parent = super().retrieve
        return await self._with_retry("read", lambda: parent(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Load a whole conversation (all sessions), retrying while the database is unreachable."""
        parent = super().retrieve_full_tracker
        return await self._with_retry("read", lambda: parent(conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events of a conversation, retrying while the database is unreachable."""
        parent = super().save
        await self._with_retry("write", lambda: parent(tracker))
