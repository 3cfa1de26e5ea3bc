"""Property-based fuzzing of every webhook and of the NLU input, against the real servers.

Whatever arrives — random bytes, wrong JSON types, huge texts, zero-width and bidi controls,
emoji — the answer is a 4xx or a normal answer, never a 5xx, and never a hung request.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.rasa_env.fuzz.conftest import TELEGRAM_SECRET, TWILIO_SID, TWILIO_TOKEN

pytestmark = pytest.mark.integration

TIMEOUT_S = 60  # a request that takes longer counts as hung
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)

ODD = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",  # zero-width
    "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069", "\u061c",  # bidi
    "👩‍👩‍👧‍👦", "🇺🇦", "🏳️‍🌈", "👍🏽", "\U0001f9d1\u200d\u2695\ufe0f",  # emoji sequences
    "\x00", "\x1b[31m", "\r\n", "\t", "\ud800", "\udfff",  # control, lone surrogates
    "هل يحق لي العمل؟", "کار", "Чи можу я працювати?", "ሥራ", "\u0301\u0301\u0301", "𝔥𝔢𝔩𝔭",
    "' OR 1=1 --", "{{7*7}}", "${jndi:ldap://x}", "/restart", "/forget_me", '/greet{"a":',
]  # fmt: skip

odd_text = st.lists(st.sampled_from(ODD) | st.text(max_size=6), max_size=40).map("".join)
huge_text = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["a", "ب ", "👍", "\u200b", "work? ", "x" * 100]),
    st.integers(1_000, 30_000),
)
texts = st.one_of(st.text(max_size=300), odd_text, huge_text)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
raw_bodies = st.one_of(
    st.binary(max_size=500),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


def post(url: str, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    base = {"Content-Type": "application/json"}
    return httpx.post(url, content=content, headers={**base, **(headers or {})}, timeout=TIMEOUT_S)


def no_server_error(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])


def dumps(value: object) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------------- REST


@FUZZ
@given(body=raw_bodies)
def test_rest_webhook_survives_any_body(fuzz_stack, body):
    no_server_error(post(f"{fuzz_stack.rasa.url}/webhooks/rest/webhook", body))


@FUZZ
@given(sender=json_values | st.text(min_size=1, max_size=40), message=json_values | texts,
       metadata=st.none() | json_values)  # fmt: skip
def test_rest_webhook_survives_wrong_types(fuzz_stack, sender, message, metadata):
    body = {"sender": sender, "message": message, "metadata": metadata}
    no_server_error(post(f"{fuzz_stack.rasa.url}/webhooks/rest/webhook", dumps(body)))


@FUZZ
@given(message=texts)
def test_rest_webhook_answers_odd_text_normally(fuzz_stack, message):
    body = {"sender": "fuzz-rest-user", "message": message}
    response = post(f"{fuzz_stack.rasa.url}/webhooks/rest/webhook", dumps(body))
    no_server_error(response)
    if not message.strip():
        assert response.status_code == 400
    elif len(message) <= 4000:
        assert response.status_code == 200 and isinstance(response.json(), list)
    else:
        assert response.status_code == 413


# ---------------------------------------------------------------------------- NLU


@FUZZ
@given(text=texts)
def test_nlu_parse_survives_odd_and_huge_text(fuzz_stack, text):
    response = post(f"{fuzz_stack.rasa.url}/model/parse", dumps({"text": text}))
    no_server_error(response)
    if response.status_code == 200:
        assert "intent" in response.json()


# ---------------------------------------------------------------------------- Telegram


def telegram_update(update_id: int, user_id: int, text: object) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_790_000_000, "text": text,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "F", "language_code": "ar"},
        },
    }  # fmt: skip


telegram_updates = st.builds(telegram_update, st.integers(), st.integers(), json_values | texts)


@FUZZ
@given(body=raw_bodies | telegram_updates.map(dumps), signed=st.booleans())
def test_telegram_webhook_survives_any_update(fuzz_stack, body, signed):
    if "telegram" not in fuzz_stack.channels:
        pytest.skip("no Telegram channel in bot/credentials.yml")
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET} if signed else {}
    no_server_error(post(f"{fuzz_stack.rasa.url}/webhooks/telegram/webhook", body, headers))


# ---------------------------------------------------------------------- Twilio (SMS, WhatsApp)


def twilio_form(channel: str, sid: str, sender: str, text: str) -> dict[str, str]:
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    return {"MessageSid": sid, "AccountSid": TWILIO_SID, "From": prefix + sender,
            "To": prefix + "+15005550006", "Body": text, "NumMedia": "0"}  # fmt: skip


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
@FUZZ
@given(
    sid=st.sampled_from(["SM" + "0" * 32]) | st.text(max_size=40),
    sender=st.sampled_from(["+4915112345678", "+15005550009"]) | st.text(max_size=20),
    text=texts,
    raw=st.none() | raw_bodies,
)
def test_twilio_webhooks_survive_any_form(fuzz_stack, channel, sid, sender, text, raw):
    if channel not in fuzz_stack.channels:
        pytest.skip(f"no {channel} channel in bot/credentials.yml")
    url = f"{fuzz_stack.rasa.url}/webhooks/{channel}/webhook"
    if raw is not None:
        body, signature = raw, "bogus"
    else:
        params = twilio_form(channel, sid, sender, text.encode("utf-8", "replace").decode())
        body = urlencode(params).encode()
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    no_server_error(post(url, body, headers))


# ---------------------------------------------------------------------------- web chat


@FUZZ
@given(body=raw_bodies | st.fixed_dictionaries(
    {"session_id": st.sampled_from(["fuzz-session-0123456789"]) | json_values,
     "message": json_values | texts, "ui_language": json_values}).map(dumps))  # fmt: skip
def test_webchat_webhook_survives_any_body(fuzz_stack, body):
    if "webchat" not in fuzz_stack.channels:
        pytest.skip("no web chat channel in bot/credentials.yml")
    no_server_error(post(f"{fuzz_stack.rasa.url}/webhooks/webchat/webhook", body))


def test_server_still_answers_after_fuzzing(fuzz_stack):
    body = dumps({"sender": "fuzz-after", "message": "hello"})
    response = post(f"{fuzz_stack.rasa.url}/webhooks/rest/webhook", body)
    assert response.status_code == 200 and response.json()
    assert fuzz_stack.rasa.running()
