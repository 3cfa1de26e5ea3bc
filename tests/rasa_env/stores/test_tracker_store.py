"""Haven's SQL tracker store on the real PostgreSQL: what is read and written, turn after turn.

The store saves only the events the database does not hold yet, using the count it took when
it read the conversation; these tests compare it with what is really stored.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from channels.tracker_store import STORED_EVENTS, ReconnectingSQLTrackerStore

pytestmark = pytest.mark.integration  # needs the local PostgreSQL

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DOMAIN = Domain.from_yaml("version: '3.1'\nslots:\n  language:\n    type: text\n    mappings: []\n")


@pytest.fixture(scope="module")
def store() -> Iterator[ReconnectingSQLTrackerStore]:
    name = f"haven_store_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    tracker_store = ReconnectingSQLTrackerStore(
        domain=DOMAIN, dialect="postgresql", host=PG["host"], port=PG["port"], db=name,
        username=PG["user"],
    )  # fmt: skip
    yield tracker_store
    tracker_store.engine.dispose()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def stored_types(store: ReconnectingSQLTrackerStore, sender: str) -> list[str]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            store.SQLEvent.__table__.select()
            .where(store.SQLEvent.sender_id == sender)
            .order_by(store.SQLEvent.id)
        ).fetchall()
    return [row.type_name for row in rows]


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("language", "ar"))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("hi"))
    tracker.update(ActionExecuted("action_listen"))


def test_turns_are_stored_once_each_in_order(store: ReconnectingSQLTrackerStore) -> None:
    sender = f"s-{uuid.uuid4().hex[:8]}"
    first = DialogueStateTracker(sender, DOMAIN.slots)
    first.update(ActionExecuted("action_session_start"))
    first.update(SessionStarted())
    turn(first, "one")
    asyncio.run(store.save(first))  # never read: the store counts in the database
    assert len(stored_types(store, sender)) == 7

    for text in ("two", "three"):
        tracker = asyncio.run(store.retrieve(sender))
        assert tracker is not None
        assert getattr(tracker, STORED_EVENTS) == len(tracker.events)
        turn(tracker, text)
        asyncio.run(store.save(tracker))
        asyncio.run(store.save(tracker))  # a second save of the same object adds nothing

    again = asyncio.run(store.retrieve(sender))
    assert again is not None
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["one", "two", "three"]
    assert again.get_slot("language") == "ar"
    assert len(stored_types(store, sender)) == 17


def test_a_new_session_in_a_read_tracker_stores_only_new_events(
    store: ReconnectingSQLTrackerStore,
) -> None:
    sender = f"s-{uuid.uuid4().hex[:8]}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    turn(tracker, "old")
    asyncio.run(store.save(tracker))

    read = asyncio.run(store.retrieve(sender))
    assert read is not None
    read.update(ActionExecuted("action_session_start"))
    read.update(SessionStarted())
    turn(read, "new")
    asyncio.run(store.save(read))

    assert stored_types(store, sender).count("session_started") == 2
    latest = asyncio.run(store.retrieve(sender))
    assert latest is not None
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["new"]
    full = asyncio.run(store.retrieve_full_tracker(sender))
    assert full is not None and not hasattr(full, STORED_EVENTS)
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["old", "new"]


def test_unknown_sender_is_none(store: ReconnectingSQLTrackerStore) -> None:
    assert asyncio.run(store.retrieve(f"nobody-{uuid.uuid4().hex}")) is None
