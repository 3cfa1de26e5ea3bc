"""The same conversation over REST, Telegram, WhatsApp, SMS and the web chat, with the real bot.

The real action server and Rasa server (trained model, this project's credentials.yml) run on
free ports; the channels talk to the local fake Telegram and Twilio APIs. For each language a
fresh user has the conversation over REST first; every channel must deliver the same replies,
rendered for its medium (split, numbered options, SMS continued with MORE).
"""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from channels import strings
from channels.sms_segments import plan
from tests.rasa_env.channels.conftest import channel_env
from tests.rasa_env.channels.test_telegram import post as telegram_post
from tests.rasa_env.channels.test_telegram import text_update
from tests.rasa_env.channels.test_twilio import new_number, sms_params, whatsapp_params
from tests.rasa_env.channels.test_twilio import post as twilio_post
from tests.support.servers import DEFAULT_MODEL, action_server, rasa_server, say

pytestmark = pytest.mark.integration

CONVERSATIONS = {
    "en": ["hello", "Do I have the right to work here?"],
    "ar": ["مرحبا", "هل يحق لي أن أعمل هنا؟"],
}
ARABIC = range(0x0600, 0x0700)


@pytest.fixture(scope="module")
def bot(fake_telegram, fake_twilio):
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    env = channel_env(fake_telegram, fake_twilio)
    with action_server() as actions, rasa_server(actions.url, env=env) as rasa:
        yield rasa


def normalised(text: str) -> str:
    return " ".join(text.split())


def paragraphs(texts: list[str | None]) -> list[str]:
    """The paragraphs a user reads, whatever the channel's message boundaries.

    Rasa's REST channel (its CollectingOutputChannel) splits every bot text at blank lines;
    the web chat and Telegram keep one bubble per bot message.
    """
    return [part.strip() for text in texts for part in (text or "").split("\n\n") if part.strip()]


def button_titles(messages: list[dict]) -> list[list[str]]:
    return [[b["title"] for b in m["buttons"]] for m in messages if m.get("buttons")]


def rest_turns(bot, messages: list[str]) -> list[list[dict]]:
    user = f"rest-{secrets.token_hex(6)}"
    return [say(bot, user, message) for message in messages]


@pytest.fixture(scope="module", params=sorted(CONVERSATIONS))
def reference(request, bot):
    """The conversation over REST: a list of turns, each the bot's messages."""
    language = request.param
    turns = rest_turns(bot, CONVERSATIONS[language])
    assert all(turn for turn in turns), f"the bot did not answer every message: {turns}"
    if language == "ar":
        answer = " ".join(m.get("text") or "" for m in turns[-1])
        assert any(ord(ch) in ARABIC for ch in answer), "the Arabic question gets Arabic"
    return language, turns


def test_webchat_gives_the_same_replies(bot, reference):
    language, turns = reference
    session = secrets.token_hex(16)
    for message, expected in zip(CONVERSATIONS[language], turns, strict=True):
        reply = httpx.post(f"{bot.url}/webhooks/webchat/webhook", timeout=60,
                           json={"session_id": session, "message": message})  # fmt: skip
        assert reply.status_code == 200
        got = reply.json()["messages"]
        assert paragraphs([m["text"] for m in got]) == paragraphs([m.get("text") for m in expected])
        assert button_titles(got) == button_titles(expected)
        if language == "ar":
            assert got[-1]["dir"] in ("rtl", "auto")


def test_telegram_gives_the_same_replies(bot, reference, fake_telegram):
    language, turns = reference
    chat = secrets.randbelow(10**9) + 10**6
    expected_paragraphs: list[str] = []
    for number, (message, expected) in enumerate(zip(CONVERSATIONS[language], turns, strict=True)):
        assert telegram_post(bot, text_update(chat + number, chat, message)).status_code == 200
        expected_paragraphs += paragraphs([m.get("text") for m in expected])
        wanted = len(expected_paragraphs)
        fake_telegram.wait_for(
            lambda _, n=wanted: len(paragraphs(fake_telegram.sent_texts(chat))) >= n, timeout=60
        )
    calls = [c for c in fake_telegram.calls if c.method == "sendMessage"
             and int(c.params["chat_id"]) == chat]  # fmt: skip
    assert paragraphs([c.params["text"] for c in calls]) == expected_paragraphs
    keyboards = [
        [row[0]["text"] for row in (c.params.get("reply_markup") or {}).get("inline_keyboard", [])]
        for c in calls
    ]
    flat = [m for turn in turns for m in turn]
    assert [k for k in keyboards if k] == button_titles(flat)


def test_whatsapp_gives_the_same_replies(bot, reference, fake_twilio):
    language, turns = reference
    number = new_number()
    to = f"whatsapp:{number}"
    for message, expected in zip(CONVERSATIONS[language], turns, strict=True):
        before = len(fake_twilio.bodies(to))
        assert twilio_post(bot, "whatsapp", whatsapp_params(number, message)).status_code == 200
        fake_twilio.wait_for(lambda _, n=before: len(fake_twilio.bodies(to)) > n, timeout=60)
        time.sleep(1)  # a long turn is sent as several messages
        bodies = fake_twilio.bodies(to)[before:]
        assert all(len(body) <= 1600 for body in bodies)
        whole = normalised(" ".join(bodies))
        for reply in expected:
            assert normalised(reply.get("text") or "") in whole
            for n, button in enumerate(reply.get("buttons") or [], 1):
                assert f"{n}. {button['title']}" in whole


def test_sms_gives_the_same_replies_over_several_mores(bot, reference, fake_twilio):
    language, turns = reference
    number = new_number()
    pointers = {strings.text("channels.sms.more", code) for code in strings.supported_languages()}
    for message, expected in zip(CONVERSATIONS[language], turns, strict=True):
        received = []
        text = message
        for _ in range(10):  # the message, then MORE until the whole turn has arrived
            before = len(fake_twilio.bodies(number))
            assert twilio_post(bot, "sms", sms_params(number, text)).status_code == 200
            fake_twilio.wait_for(
                lambda _, n=before: len(fake_twilio.bodies(number)) > n, timeout=60
            )
            body = fake_twilio.bodies(number)[before]
            assert plan(body).segments <= 3
            pointer = next((p for p in pointers if body.endswith(p)), None)
            received.append(body.removesuffix(pointer) if pointer else body)
            if pointer is None:
                break
            text = "MORE"
        whole = normalised(" ".join(received))
        for reply in expected:
            assert normalised(reply.get("text") or "") in whole
