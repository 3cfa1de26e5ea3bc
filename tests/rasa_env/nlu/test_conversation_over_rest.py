"""Whole conversations through the real Rasa server and action server (REST channel).

Covers what Rasa's test stories cannot: what the custom actions say, in which language and
direction, and that ``forget_me`` really erases the conversation from the tracker store.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.support.servers import Server, action_server, rasa_server, say

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("conversation-stores")


@pytest.fixture(scope="module")
def rasa(stores: Path) -> Iterator[Server]:
    tracker_db = stores / "tracker.db"
    env = {
        "HAVEN__STORES__TRACKER_DB": str(tracker_db),
        "HAVEN__FEEDBACK__DB": str(stores / "feedback.db"),
    }
    tracker_store = {"type": "SQL", "dialect": "sqlite", "db": str(tracker_db)}
    with action_server(env=env) as actions, rasa_server(
        actions.url, endpoints_extra={"tracker_store": tracker_store}
    ) as server:
        yield server


def user() -> str:
    return f"conv-{uuid.uuid4().hex[:12]}"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_emergency_interrupts_the_form_in_arabic(rasa):
    sender = user()
    asked = say(rasa, sender, "احتاج طبيب")
    assert "في أي مدينة أنت؟" in texts(asked)  # the form asks for the city, in Arabic
    replies = say(rasa, sender, "ساعدوني زوجي يضربني")
    assert replies[0]["text"].startswith("إذا كنت أنت أو شخص آخر في خطر")
    after = say(rasa, sender, "مرحبا")  # the form is over: a greeting is a greeting
    assert "مرحباً، أنا هايفن" in texts(after)


def test_language_switch_sticks(rasa):
    sender = user()
    assert "Bonjour, je suis Haven" in texts(say(rasa, sender, "bonjour"))
    chosen = texts(say(rasa, sender, "en español por favor"))
    assert chosen == "De acuerdo, le escribiré en español."
    answer = texts(say(rasa, sender, "can I work here?"))  # English text, Spanish chosen
    assert "Fuente:" in answer and "Última revisión:" in answer


def test_unknown_question_is_declined_with_a_referral(rasa):
    answer = texts(say(rasa, user(), "zxqv blorp frazzle wug"))
    assert "I do not know the answer" in answer
    assert "A person can help you here:" in answer


def test_forget_me_erases_the_conversation(rasa, stores):
    sender = user()
    say(rasa, sender, "hello")
    say(rasa, sender, "can I work here?")
    say(rasa, sender, "/feedback{\"feedback_value\": \"helpful\"}")
    assert "deleted our conversation" in texts(say(rasa, sender, "delete my data"))

    def stored_events() -> int:
        with closing(sqlite3.connect(stores / "tracker.db")) as db:
            query = "SELECT COUNT(*) FROM events WHERE sender_id = ?"
            return int(db.execute(query, (sender,)).fetchone()[0])

    deadline = time.monotonic() + 30
    while stored_events() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert stored_events() == 0
    with closing(sqlite3.connect(stores / "feedback.db")) as db:
        assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0
