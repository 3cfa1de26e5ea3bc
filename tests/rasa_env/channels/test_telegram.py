"""Telegram channel: python-telegram-bot against a local fake Bot API, realistic updates."""

from __future__ import annotations

import json
import os
import subprocess
import time

import httpx
import pytest

from haven.privacy import pseudonymise
from haven.processes import RASA_PYTHON, ROOT
from tests.rasa_env.channels.conftest import PSEUDONYM_KEY, TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.rasa_env.channels.echo_server import LONG_ANSWER, SERVICE_BUTTONS

pytestmark = pytest.mark.integration
HOOK = "/webhooks/telegram/webhook"


def user(user_id: int, language: str = "en") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Amal", "language_code": language}


def text_update(update_id: int, chat_id: int, text: str, chat_type: str = "private") -> dict:
    """A message update as in https://core.telegram.org/bots/webhooks#testing-your-bot-with-updates."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1365,
            "date": 1441645532,
            "chat": {"id": chat_id, "type": chat_type, "first_name": "Amal"},
            "from": user(chat_id),
            "text": text,
            **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
               if text.startswith("/") else {}),
        },
    }  # fmt: skip


def post(server, update: dict | bytes, secret: str | None = TELEGRAM_SECRET) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    return httpx.post(server.url + HOOK, content=body, headers=headers, timeout=10)


def texts_for(fake, chat_id: int, count: int) -> list[str]:
    def enough(calls: list) -> bool:
        sent = [c for c in calls if c.method == "sendMessage"]
        return len([c for c in sent if int(c.params["chat_id"]) == chat_id]) >= count

    fake.wait_for(enough)
    return fake.sent_texts(chat_id)


def calls_for(fake, chat_id: int) -> list:
    return [c for c in fake.calls if str(c.params.get("chat_id")) == str(chat_id)]


def test_text_message_is_answered_with_typing_sign(channel_server, fake_telegram, unique):
    response = post(channel_server, text_update(unique, unique, "hello"))
    assert response.status_code == 200
    assert texts_for(fake_telegram, unique, 1) == ["echo: hello"]
    methods = [c.method for c in calls_for(fake_telegram, unique)]
    assert methods.index("sendChatAction") < methods.index("sendMessage")


def test_sender_is_pseudonymised_before_rasa(channel_server, fake_telegram, unique):
    post(channel_server, text_update(unique, unique, "whoami"))
    seen = json.loads(texts_for(fake_telegram, unique, 1)[0])
    assert seen["sender"] == pseudonymise(unique, "telegram", PSEUDONYM_KEY.encode())
    assert str(unique) not in json.dumps(seen)
    assert seen["metadata"]["channel"] == "telegram"


def test_start_and_language_ask_the_dialogue_for_the_language_choice(
    channel_server, fake_telegram, unique
):
    post(channel_server, text_update(unique, unique, "/start"))
    assert texts_for(fake_telegram, unique, 1) == ["echo: /choose_language"]
    post(channel_server, text_update(unique + 1, unique, "/language@haven_test_bot"))
    assert texts_for(fake_telegram, unique, 2)[1] == "echo: /choose_language"


def test_language_buttons_are_an_inline_keyboard(channel_server, fake_telegram, unique):
    post(channel_server, text_update(unique, unique, "language?"))
    texts_for(fake_telegram, unique, 1)
    keyboard = next(c for c in calls_for(fake_telegram, unique) if c.method == "sendMessage")
    rows = keyboard.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == ["English", "العربية"]
    assert json.loads(rows[1][0]["callback_data"].split("choose_language", 1)[1]) == {
        "language": "ar"
    }


def test_forged_missing_or_wrong_secret_is_refused_and_not_processed(
    channel_server, fake_telegram, unique
):
    assert post(channel_server, text_update(unique, unique, "hi"), secret=None).status_code == 403
    assert (
        post(channel_server, text_update(unique + 1, unique, "hi"), secret="guess").status_code
        == 403
    )
    assert post(channel_server, text_update(unique + 2, unique, "hi"), secret="").status_code == 403
    time.sleep(1)
    assert calls_for(fake_telegram, unique) == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"message": {"text": "no update id"}}',
        b'{"update_id": "7", "message": {}}',
        b'{"update_id": 7, "message": "hello"}',
        "\udcff".encode("utf-8", "surrogatepass"),
    ],
)
def test_malformed_updates_get_400(channel_server, fake_telegram, body):
    before = len(fake_telegram.calls)
    assert post(channel_server, body).status_code == 400
    time.sleep(0.3)
    assert len(fake_telegram.calls) == before


def test_oversized_update_gets_413(channel_server, fake_telegram, unique):
    update = text_update(unique, unique, "x" * 70_000)
    assert post(channel_server, update).status_code == 413
    time.sleep(0.5)
    assert calls_for(fake_telegram, unique) == []


@pytest.mark.parametrize("server", ["channel_server", "redis_channel_server"])
def test_retried_update_is_processed_once(server, request, fake_telegram, unique):
    server = request.getfixturevalue(server)
    update = text_update(unique, unique, "once please")
    assert post(server, update).status_code == 200
    assert post(server, update).status_code == 200
    assert post(server, update).status_code == 200
    texts_for(fake_telegram, unique, 1)
    time.sleep(1)
    assert fake_telegram.sent_texts(unique) == ["echo: once please"]


def test_long_answer_is_split_under_4096_at_sentence_ends(channel_server, fake_telegram, unique):
    post(channel_server, text_update(unique, unique, "long"))
    count = -(-len(LONG_ANSWER) // 4000)
    parts = texts_for(fake_telegram, unique, count)
    assert len(parts) >= 2 and all(len(p) <= 4096 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == LONG_ANSWER


def test_buttons_become_inline_keyboard_and_callbacks_reach_rasa(
    channel_server, fake_telegram, unique
):
    post(channel_server, text_update(unique, unique, "buttons"))
    texts_for(fake_telegram, unique, 1)
    sent = next(c for c in calls_for(fake_telegram, unique) if c.method == "sendMessage")
    rows = sent.params["reply_markup"]["inline_keyboard"]
    assert [r[0]["text"] for r in rows] == [b["title"] for b in SERVICE_BUTTONS]
    data = [r[0]["callback_data"] for r in rows]
    assert all(len(d.encode()) <= 64 for d in data)
    long_one = data[2]  # its payload is longer than Telegram's 64 bytes
    assert long_one.startswith("k:")
    callback = {
        "update_id": unique + 1,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": user(unique),
            "chat_instance": "-7329583028239",
            "data": long_one,
            "message": {"message_id": 101, "date": 1441645532, "text": "What kind of help?",
                        "chat": {"id": unique, "type": "private"}},
        },
    }  # fmt: skip
    assert post(channel_server, callback).status_code == 200
    texts = texts_for(fake_telegram, unique, 2)
    assert texts[1] == "echo: " + SERVICE_BUTTONS[2]["payload"]
    assert any(c.method == "answerCallbackQuery" for c in calls_for(fake_telegram, unique)) or any(
        c.method == "answerCallbackQuery"
        and c.params.get("callback_query_id") == "4382bfdwdsb323b2d9"
        for c in fake_telegram.calls
    )


def test_shared_location_goes_to_service_search(channel_server, fake_telegram, unique):
    update = text_update(unique, unique, "x")
    del update["message"]["text"]
    update["message"]["location"] = {"latitude": 47.071234, "longitude": 9.452101}
    post(channel_server, update)
    (reply,) = texts_for(fake_telegram, unique, 1)
    intent, entities = reply.removeprefix("echo: /").split("{", 1)
    assert intent == "share_location"
    assert json.loads("{" + entities) == {"latitude": 47.071234, "longitude": 9.452101}


def test_commands(channel_server, fake_telegram, unique):
    post(channel_server, text_update(unique, unique, "/forget"))
    assert texts_for(fake_telegram, unique, 1) == ["echo: /forget_me"]
    post(channel_server, text_update(unique + 1, unique, "/help"))
    help_text, menu = texts_for(fake_telegram, unique, 3)[1:]
    assert "/language" in help_text and menu == "echo: /menu"
    # Unknown commands (and typed intents) are not passed to the dialogue as intents.
    post(channel_server, text_update(unique + 2, unique, '/emergency{"x": 1}'))
    assert "/language" in texts_for(fake_telegram, unique, 4)[3]
    post(channel_server, text_update(unique + 3, unique, "/whatever"))
    assert "/language" in texts_for(fake_telegram, unique, 5)[4]


def test_unsupported_content_and_group_chats(channel_server, fake_telegram, unique):
    sticker = text_update(unique, unique, "x")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {
        "file_id": "CAADAgADQAADyIsGAAE7MpzFPFQX5QI", "file_unique_id": "AgADQAAD", "width": 512,
        "height": 512, "is_animated": False, "is_video": False, "type": "regular",
    }  # fmt: skip
    post(channel_server, sticker)
    assert "only read text" in texts_for(fake_telegram, unique, 1)[0]
    group = text_update(unique + 1, -unique, "hello group", chat_type="group")
    assert post(channel_server, group).status_code == 200
    time.sleep(1)
    assert calls_for(fake_telegram, -unique) == []


def test_failure_in_the_bot_gets_an_apology(channel_server, fake_telegram, unique):
    post(channel_server, text_update(unique, unique, "crash"))
    assert "went wrong" in texts_for(fake_telegram, unique, 1)[0]
    post(channel_server, text_update(unique + 1, unique, "still there?"))
    assert texts_for(fake_telegram, unique, 2)[1] == "echo: still there?"


def test_start_link_with_a_language_chooses_it(channel_server, fake_telegram, unique):
    post(channel_server, text_update(unique, unique, "/start ar"))
    (reply,) = texts_for(fake_telegram, unique, 1)
    assert reply == 'echo: /choose_language{"language": "ar"}'


def test_edits_and_membership_updates_are_ignored(channel_server, fake_telegram, unique):
    edited = text_update(unique, unique, "edited text")
    edited["edited_message"] = edited.pop("message") | {"edit_date": 1441645600}
    blocked = {
        "update_id": unique + 1,
        "my_chat_member": {
            "chat": {"id": unique, "type": "private", "first_name": "Amal"},
            "from": user(unique),
            "date": 1441645600,
            "old_chat_member": {"status": "member", "user": user(42) | {"is_bot": True}},
            "new_chat_member": {"status": "kicked", "until_date": 0,
                                "user": user(42) | {"is_bot": True}},
        },
    }  # fmt: skip
    assert post(channel_server, edited).status_code == 200
    assert post(channel_server, blocked).status_code == 200
    time.sleep(1)
    assert calls_for(fake_telegram, unique) == []


def test_set_webhook_command_registers_url_and_secret(fake_telegram):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HAVEN_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "HAVEN_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "HAVEN_TELEGRAM_API_URL": fake_telegram.url,
    }
    url = "https://haven.example.org/webhooks/telegram/webhook"
    done = subprocess.run(
        [str(RASA_PYTHON), "-m", "channels.telegram", "set-webhook", url],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (call,) = [
        c for c in fake_telegram.calls if c.method == "setWebhook" and c.params["url"] == url
    ]
    assert call.params["secret_token"] == TELEGRAM_SECRET
    assert TELEGRAM_TOKEN not in done.stdout + done.stderr
