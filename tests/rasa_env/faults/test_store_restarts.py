"""PostgreSQL (tracker store) and Redis (lock store) restart in the middle of a conversation:
the conversation goes on and no message is lost."""

from __future__ import annotations

import pytest

from tests.rasa_env.faults.conftest import (
    ask,
    is_normal_answer,
    new_sender,
    restart_postgres,
    restart_redis,
    user_texts,
)

pytestmark = pytest.mark.integration

TURNS = ["Hello", "Can I work here?", "Where can I see a doctor?", "Thank you"]


@pytest.mark.parametrize("restart", [restart_postgres, restart_redis], ids=["postgres", "redis"])
def test_conversation_survives_a_store_restart(ops_stack, restart):
    sender = new_sender(restart.__name__.split("_")[1])
    for text in TURNS[:2]:
        status, replies = ask(ops_stack.rasa, sender, text)
        assert status == 200 and is_normal_answer(replies), replies
    restart()
    for text in TURNS[2:]:
        status, replies = ask(ops_stack.rasa, sender, text)
        assert status == 200 and is_normal_answer(replies), replies
    assert user_texts(ops_stack.rasa, sender) == TURNS
