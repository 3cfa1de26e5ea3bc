"""The walking skeleton, end to end over REST: Rasa understands, an action asks the KB."""

from __future__ import annotations

import uuid

import pytest

from tests.support.servers import say

pytestmark = pytest.mark.integration


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def new_user() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_greeting_gets_an_answer(haven_stack):
    replies = say(haven_stack.rasa, new_user(), "hello")
    assert replies and texts(replies).strip()


@pytest.mark.parametrize(
    "question, language_words",
    [
        ("Do I have the right to work here?", ("work", "Work")),
        ("هل يحق لي أن أعمل؟", ("العمل", "عمل")),
    ],
)
def test_rights_question_is_answered_from_the_knowledge_base(haven_stack, question, language_words):
    replies = say(haven_stack.rasa, new_user(), question)
    answer = texts(replies)
    assert any(word in answer for word in language_words), answer
    # Every knowledge-base answer names its source and its review date.
    assert "http" in answer or any(reply.get("custom", {}).get("source") for reply in replies)
    assert "2026" in answer or "٢٠٢٦" in answer


def test_goodbye(haven_stack):
    user = new_user()
    say(haven_stack.rasa, user, "hello")
    assert texts(say(haven_stack.rasa, user, "bye")).strip()
