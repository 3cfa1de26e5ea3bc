"""Rasa's SQL tracker store, made to survive a database restart without losing a message.

Rasa 3.6's ``SQLTrackerStore`` keeps pooled connections without checking them, and Rasa wraps
every tracker store in ``FailSafeTrackerStore``, which turns a failed ``retrieve`` into "no
conversation yet". After a PostgreSQL restart the first message of a conversation therefore
starts a fresh tracker, and its events are then skipped when saving (the store appends only
events beyond the number it already holds): the message is silently lost.

:class:`ReconnectingSQLTrackerStore` checks pooled connections before use (``pool_pre_ping``),
and retries reads and writes that fail on a lost connection for a few seconds, so that a
restart is invisible to users.

It is also cheaper per message: it reads a conversation without building an ORM object per
stored event (only the ``data`` column is fetched; that was a tenth of the Rasa server's CPU
under load), and it remembers how many events a conversation had when it was read, so that
saving it does not count them again in the database.

Use it in ``endpoints.yml`` with the usual SQL settings::

    tracker_store:
      type: channels.tracker_store.ReconnectingSQLTrackerStore
      dialect: postgresql
      url: ${DB_HOST}
      ...
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import exc

logger = logging.getLogger(__name__)

RETRY_FOR_S = 10.0
RETRY_PAUSE_S = 0.5
# Attribute set on a tracker read from the store: how many of its events the store holds.
STORED_EVENTS = "_haven_events_in_store"

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

    def _read_events(self, sender_id: str, all_sessions: bool) -> list[dict[str, Any]]:
        """The stored events of a conversation (its latest session, or all), oldest first."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        return [json.loads(data) for (data,) in rows]

    def _write_new_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` without the event broker: append the new events."""
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's ``SQLTrackerStore._retrieve``, fetching the serialised events only, in a
        thread (the database call does not block the server's event loop)."""
        events = await asyncio.to_thread(
            self._read_events, sender_id, fetch_events_from_all_sessions
        )
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions and len(tracker.events) == len(events):
            setattr(tracker, STORED_EVENTS, len(events))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events of ``tracker`` the store does not hold yet.

        For a tracker this store read (the usual case: Rasa reads the conversation, handles the
        message under the conversation lock, then saves), the count taken when reading is used;
        otherwise the events are counted in the database, as Rasa does.
        """
        stored = getattr(tracker, STORED_EVENTS, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Load a conversation, retrying while the database is unreachable."""
        parent = super().retrieve
        return await self._with_retry("read", lambda: parent(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Load a whole conversation (all sessions), retrying while the database is unreachable."""
        parent = super().retrieve_full_tracker
        return await self._with_retry("read", lambda: parent(conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events of a conversation (in a thread, so that the database call does
        not block the server's event loop), retrying while the database is unreachable."""
        await self.stream_events(tracker)
        await self._with_retry("write", lambda: asyncio.to_thread(self._write_new_events, tracker))
        if getattr(tracker, STORED_EVENTS, None) is not None:
            setattr(tracker, STORED_EVENTS, len(tracker.events))
