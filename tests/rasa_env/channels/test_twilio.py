"""WhatsApp and SMS channels: signed Twilio webhooks in, the twilio REST client out (fake API)."""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from channels.sms_segments import plan
from haven.privacy import pseudonymise
from tests.rasa_env.channels.conftest import (
    PSEUDONYM_KEY,
    PUBLIC_BASE_URL,
    SMS_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    WHATSAPP_FROM,
)
from tests.rasa_env.channels.echo_server import ARABIC_SHORT, LONG_ANSWER, SERVICE_BUTTONS
from tests.rasa_env.channels.test_telegram import post as telegram_post
from tests.rasa_env.channels.test_telegram import text_update

pytestmark = pytest.mark.integration


def new_number() -> str:
    return "+4479" + "".join(secrets.choice("0123456789") for _ in range(8))


def new_sid() -> str:
    return "SM" + secrets.token_hex(16)


def sms_params(sender: str, body: str, sid: str | None = None) -> dict[str, str]:
    """An incoming SMS as Twilio posts it (https://www.twilio.com/docs/messaging/guides/webhook-request)."""
    sid = sid or new_sid()
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0",
        "ToCity": "", "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
        "FromCity": "", "Body": body, "FromCountry": "GB", "To": SMS_FROM, "ToZip": "",
        "NumSegments": "1", "MessageSid": sid, "AccountSid": TWILIO_SID, "From": sender,
        "ApiVersion": "2010-04-01",
    }  # fmt: skip


def whatsapp_params(sender: str, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
    """An incoming WhatsApp message as Twilio posts it."""
    sid = sid or new_sid()
    return {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Amal", "MessageType": "text",
        "SmsSid": sid, "WaId": sender.removeprefix("+"), "SmsStatus": "received", "Body": body,
        "To": WHATSAPP_FROM, "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
        "AccountSid": TWILIO_SID, "From": f"whatsapp:{sender}", "ApiVersion": "2010-04-01",
        **extra,
    }  # fmt: skip


def post(
    server,
    channel: str,
    params: dict[str, str],
    *,
    sign_url: str | None = None,
    signature: str | None = None,
    sign_params: dict | None = None,
) -> httpx.Response:
    """POST a form like Twilio does, signed over ``sign_url`` (default: the URL posted to)."""
    url = f"{server.url}/webhooks/{channel}/webhook"
    if signature is None:
        validator = RequestValidator(TWILIO_TOKEN)
        signature = validator.compute_signature(sign_url or url, sign_params or params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature,
               "User-Agent": "TwilioProxy/1.1"}  # fmt: skip
    return httpx.post(url, content=urlencode(params).encode(), headers=headers, timeout=10)


def bodies(fake, to: str, count: int, timeout: float = 15) -> list[str]:
    fake.wait_for(lambda calls: len([c for c in calls if c.params.get("To") == to]) >= count,
                  timeout)  # fmt: skip
    return fake.bodies(to)


# ------------------------------------------------------------------------------- SMS


def test_sms_is_answered_through_the_rest_api(channel_server, fake_twilio):
    number = new_number()
    response = post(channel_server, "sms", sms_params(number, "hello"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert "<Response></Response>" in response.text
    assert bodies(fake_twilio, number, 1) == ["echo: hello"]
    (call,) = [c for c in fake_twilio.calls if c.params["To"] == number]
    assert call.params["From"] == SMS_FROM


def test_sender_is_pseudonymised(channel_server, fake_twilio):
    number = new_number()
    post(channel_server, "sms", sms_params(number, "whoami"))
    seen = json.loads(bodies(fake_twilio, number, 1)[0])
    assert seen["sender"] == pseudonymise(number, "sms", PSEUDONYM_KEY.encode())
    assert number.lstrip("+") not in json.dumps(seen)


@pytest.mark.parametrize("forgery", ["unsigned", "wrong token", "tampered body", "other url"])
def test_forged_requests_get_403_and_nothing_is_sent(channel_server, fake_twilio, forgery):
    number = new_number()
    params = sms_params(number, "hello")
    if forgery == "unsigned":
        response = post(channel_server, "sms", params, signature="")
    elif forgery == "wrong token":
        fake_signature = RequestValidator("not-the-token").compute_signature(
            f"{channel_server.url}/webhooks/sms/webhook", params
        )
        response = post(channel_server, "sms", params, signature=fake_signature)
    elif forgery == "tampered body":
        response = post(channel_server, "sms", {**params, "Body": "STOP"}, sign_params=params)
    else:
        response = post(channel_server, "sms", params, sign_url="https://evil.example/webhook")
    assert response.status_code == 403
    time.sleep(0.5)
    assert fake_twilio.bodies(number) == []


def test_another_account_is_refused(channel_server, fake_twilio):
    number = new_number()
    params = {**sms_params(number, "hello"), "AccountSid": "AC" + "f" * 32}
    assert post(channel_server, "sms", params).status_code == 403


def test_malformed_and_oversized_requests(channel_server, fake_twilio):
    number = new_number()
    bad_sid = {**sms_params(number, "hello"), "MessageSid": "not-a-sid"}
    assert post(channel_server, "sms", bad_sid).status_code == 400
    no_from = {k: v for k, v in sms_params(number, "hello").items() if k != "From"}
    assert post(channel_server, "sms", no_from).status_code == 400
    huge = sms_params(number, "x" * 40_000)
    assert post(channel_server, "sms", huge).status_code == 413
    raw = httpx.post(f"{channel_server.url}/webhooks/sms/webhook", content=b"\xff\xfe=\x00",
                     headers={"X-Twilio-Signature": "abc"})  # fmt: skip
    assert raw.status_code in (400, 403)
    time.sleep(0.5)
    assert fake_twilio.bodies(number) == []


@pytest.mark.parametrize("server", ["channel_server", "redis_channel_server"])
def test_retried_message_sid_is_processed_once(server, request, fake_twilio):
    server = request.getfixturevalue(server)
    public = server.url if server.name.endswith("memory") else PUBLIC_BASE_URL
    number, sid = new_number(), new_sid()
    for _ in range(3):
        response = post(server, "sms", sms_params(number, "once", sid),
                        sign_url=f"{public}/webhooks/sms/webhook")  # fmt: skip
        assert response.status_code == 200
    bodies(fake_twilio, number, 1)
    time.sleep(1)
    assert fake_twilio.bodies(number) == ["echo: once"]


def test_public_base_url_behind_a_proxy(redis_channel_server, fake_twilio):
    """Behind a proxy Twilio signs the public URL, not the one the server sees."""
    number = new_number()
    local = post(redis_channel_server, "sms", sms_params(number, "hello"))
    assert local.status_code == 403
    public = post(redis_channel_server, "sms", sms_params(number, "hello"),
                  sign_url=f"{PUBLIC_BASE_URL}/webhooks/sms/webhook")  # fmt: skip
    assert public.status_code == 200
    assert bodies(fake_twilio, number, 1) == ["echo: hello"]


def test_short_form_is_sent_by_sms(channel_server, fake_twilio):
    number = new_number()
    post(channel_server, "sms", sms_params(number, "arabic"))
    assert bodies(fake_twilio, number, 1) == [ARABIC_SHORT]


def test_length_is_planned_by_encoding_with_more(channel_server, fake_twilio):
    french, arabic = new_number(), new_number()
    post(channel_server, "sms", sms_params(french, "french"))
    post(channel_server, "sms", sms_params(arabic, "arabic-long"))
    (french_sms,) = bodies(fake_twilio, french, 1)
    (arabic_sms,) = bodies(fake_twilio, arabic, 1)
    assert plan(french_sms).encoding == "GSM-7" and plan(arabic_sms).encoding == "UCS-2"
    assert plan(french_sms).segments <= 3 and plan(arabic_sms).segments <= 3
    assert len(arabic_sms) < len(french_sms) / 1.5  # UCS-2 fits far fewer characters
    assert french_sms.endswith("Reply MORE for the rest.")
    post(channel_server, "sms", sms_params(french, "more"))
    second = bodies(fake_twilio, french, 2)[1]
    assert second.startswith("Vous avez le droit")
    assert plan(second).segments <= 3


def test_stop_start_help(channel_server, fake_twilio):
    number = new_number()
    post(channel_server, "sms", sms_params(number, "STOP"))
    assert "START" in bodies(fake_twilio, number, 1)[0]
    post(channel_server, "sms", sms_params(number, "hello"))
    time.sleep(1)
    assert len(fake_twilio.bodies(number)) == 1  # nothing after STOP
    post(channel_server, "sms", sms_params(number, "start"))
    assert "Welcome back" in bodies(fake_twilio, number, 2)[1]
    post(channel_server, "sms", sms_params(number, "HELP"))
    assert "STOP" in bodies(fake_twilio, number, 3)[2]
    post(channel_server, "sms", sms_params(number, "hello"))
    assert bodies(fake_twilio, number, 4)[3] == "echo: hello"


def test_sms_buttons_become_numbered_options(channel_server, fake_twilio):
    number = new_number()
    post(channel_server, "sms", sms_params(number, "buttons"))
    (menu,) = bodies(fake_twilio, number, 1)
    assert "1. Health\n2. Legal aid\n3. Housing and shelter" in menu
    post(channel_server, "sms", sms_params(number, "3"))
    assert bodies(fake_twilio, number, 2)[1] == "echo: " + SERVICE_BUTTONS[2]["payload"]


# -------------------------------------------------------------------------- WhatsApp


def test_whatsapp_message_is_answered(channel_server, fake_twilio):
    number = new_number()
    assert post(channel_server, "whatsapp", whatsapp_params(number, "hello")).status_code == 200
    assert bodies(fake_twilio, f"whatsapp:{number}", 1) == ["echo: hello"]
    (call,) = [c for c in fake_twilio.calls if c.params["To"] == f"whatsapp:{number}"]
    assert call.params["From"] == WHATSAPP_FROM


def test_whatsapp_location_goes_to_service_search(channel_server, fake_twilio):
    number = new_number()
    place = {"Latitude": "47.0712", "Longitude": "9.4521", "Address": "12 Harbour Street"}
    params = whatsapp_params(number, "", MessageType="location", Label="Home", **place)
    post(channel_server, "whatsapp", params)
    (reply,) = bodies(fake_twilio, f"whatsapp:{number}", 1)
    assert reply.startswith("echo: /share_location{")
    assert json.loads(reply.split("share_location", 1)[1]) == {
        "latitude": 47.0712,
        "longitude": 9.4521,
    }


def test_whatsapp_long_answer_under_1600_and_numbered_options(channel_server, fake_twilio):
    number = new_number()
    to = f"whatsapp:{number}"
    post(channel_server, "whatsapp", whatsapp_params(number, "long"))
    count = -(-len(LONG_ANSWER) // 1600)
    parts = bodies(fake_twilio, to, count)
    assert all(len(p) <= 1600 for p in parts) and " ".join(parts) == LONG_ANSWER
    post(channel_server, "whatsapp", whatsapp_params(number, "buttons"))
    menu = bodies(fake_twilio, to, count + 1)[-1]
    assert menu.endswith("1. Health\n2. Legal aid\n3. Housing and shelter")
    post(channel_server, "whatsapp", whatsapp_params(number, "٢"))  # Arabic-Indic digit two
    assert bodies(fake_twilio, to, count + 2)[-1] == "echo: " + SERVICE_BUTTONS[1]["payload"]


def test_whatsapp_refuses_sms_senders_and_bad_signatures(channel_server, fake_twilio):
    number = new_number()
    params = {**whatsapp_params(number, "hello"), "From": number}
    assert post(channel_server, "whatsapp", params).status_code == 400
    signed_for_sms = RequestValidator(TWILIO_TOKEN).compute_signature(
        f"{channel_server.url}/webhooks/sms/webhook", whatsapp_params(number, "hello")
    )
    forged = post(
        channel_server, "whatsapp", whatsapp_params(number, "hi"), signature=signed_for_sms
    )
    assert forged.status_code == 403


def test_logs_hold_no_numbers_no_text_no_secrets(channel_server, fake_twilio, fake_telegram):
    number = new_number()
    secret_text = "my-private-question-" + secrets.token_hex(4)
    post(channel_server, "sms", sms_params(number, secret_text))
    post(channel_server, "whatsapp", whatsapp_params(number, secret_text))
    post(channel_server, "sms", sms_params(number, "crash"))
    post(channel_server, "sms", sms_params(number, "x"), signature="forged")
    chat = secrets.randbelow(10**9) + 10**6
    telegram_post(channel_server, text_update(chat, chat, secret_text))
    bodies(fake_twilio, number, 2)
    fake_telegram.wait_for(lambda _: secret_text in " ".join(fake_telegram.sent_texts(chat)))
    time.sleep(3)  # the crash is retried once, then answered
    log = channel_server.log()
    assert "DEBUG" in log  # the server logs at its most verbose
    for leak in (number, number.lstrip("+"), number[-8:], secret_text, TWILIO_TOKEN):
        assert leak not in log
    assert fake_telegram.token not in log and str(chat) not in log
