"""The action server dies or hangs: the user hears "please try again" in their language, in
time, the Rasa server keeps running, and answers come back once the action server does."""

from __future__ import annotations

import time

import pytest

from haven import i18n
from tests.rasa_env.faults.conftest import (
    REPLY_TIMEOUT_S,
    ask,
    is_normal_answer,
    new_sender,
    user_texts,
)
from tests.support.servers import http_json

pytestmark = pytest.mark.integration

QUESTIONS = {
    "fr": "Ai-je le droit de travailler ici ?",
    "ar": "هل يحق لي أن أعمل هنا؟",
    "en": "Do I have the right to work here?",
}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_dead_action_server_gets_a_polite_reply_in_the_users_language(ops_stack, language):
    sender = new_sender("dead")
    ops_stack.actions.stop()
    try:
        started = time.monotonic()
        status, replies = ask(ops_stack.rasa, sender, QUESTIONS[language])
        elapsed = time.monotonic() - started
    finally:
        ops_stack.actions.start()
    assert status == 200
    assert [reply.get("text") for reply in replies] == [i18n.translate("error", language)]
    assert elapsed < REPLY_TIMEOUT_S + 2
    assert ops_stack.rasa.running()
    # The action server is back: the same conversation gets a real answer again.
    status, replies = ask(ops_stack.rasa, sender, QUESTIONS[language])
    assert status == 200 and is_normal_answer(replies), replies


def test_hanging_action_server_gets_a_polite_reply_within_the_time_limit(ops_stack):
    sender = new_sender("slow")
    status, replies = ask(ops_stack.rasa, sender, QUESTIONS["fr"])
    assert is_normal_answer(replies), replies
    ops_stack.actions.freeze()
    try:
        started = time.monotonic()
        status, replies = ask(ops_stack.rasa, sender, QUESTIONS["fr"])
        elapsed = time.monotonic() - started
    finally:
        ops_stack.actions.thaw()
    assert status == 200
    assert [reply.get("text") for reply in replies] == [i18n.translate("error", "fr")]
    assert REPLY_TIMEOUT_S - 1 < elapsed < REPLY_TIMEOUT_S + 3
    # The cancelled turn released the conversation lock: the next message is answered at once.
    started = time.monotonic()
    status, replies = ask(ops_stack.rasa, sender, QUESTIONS["fr"])
    assert status == 200 and is_normal_answer(replies), replies
    assert time.monotonic() - started < REPLY_TIMEOUT_S
    assert user_texts(ops_stack.rasa, sender)[-1] == QUESTIONS["fr"]


def test_metrics_count_the_failures_without_personal_data(ops_stack):
    sender = new_sender("metrics")
    ask(ops_stack.rasa, sender, QUESTIONS["en"])
    status, body = http_json("GET", f"{ops_stack.rasa.url}/metrics")
    assert status == 200 and isinstance(body, str)
    lines = [line for line in body.splitlines() if line.startswith("haven_")]
    assert any(line.startswith('haven_messages_total{channel="rest"') for line in lines)
    assert any('reason="timeout"' in line for line in lines)
    assert any('reason="no_reply"' in line for line in lines)
    assert any(line.startswith("haven_reply_seconds_bucket") for line in lines)
    for secret in (sender, *QUESTIONS.values(), "dead-", "slow-"):
        assert secret not in body
