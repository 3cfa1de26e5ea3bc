"""Web chat endpoint: the widget script, its configuration and the message API."""

from __future__ import annotations

import json
import secrets

import httpx
import pytest

from haven.privacy import pseudonymise
from tests.rasa_env.channels.conftest import PSEUDONYM_KEY
from tests.rasa_env.channels.echo_server import SERVICE_BUTTONS

pytestmark = pytest.mark.integration


def send(server, body, raw: bytes | None = None, **headers) -> httpx.Response:
    content = raw if raw is not None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **headers}
    url = f"{server.url}/webhooks/webchat/webhook"
    return httpx.post(url, content=content, headers=headers, timeout=10)


def session() -> str:
    return secrets.token_hex(16)


def test_widget_script_is_served_small(channel_server):
    response = httpx.get(f"{channel_server.url}/webhooks/webchat/widget.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert len(response.content) < 16_000
    assert "aria-live" in response.text and "localStorage" in response.text


def test_config_gives_direction_and_labels(channel_server):
    arabic = httpx.get(
        f"{channel_server.url}/webhooks/webchat/config", params={"lang": "ar"}
    ).json()
    assert arabic["dir"] == "rtl" and arabic["language"] == "ar"
    assert {"send", "placeholder", "privacy", "forget"} <= set(arabic["strings"])
    unknown = httpx.get(f"{channel_server.url}/webhooks/webchat/config", params={"lang": "xx"})
    assert unknown.json()["dir"] == "ltr" and unknown.json()["language"] is None


def test_message_round_trip_with_buttons_and_direction(channel_server):
    sid = session()
    reply = send(channel_server, {"session_id": sid, "message": "buttons", "ui_language": "en"})
    assert reply.status_code == 200
    (message,) = reply.json()["messages"]
    assert message["buttons"] == [
        {"title": b["title"], "payload": b["payload"]} for b in SERVICE_BUTTONS
    ]
    assert message["dir"] == "auto"
    arabic = send(channel_server, {"session_id": sid, "message": "arabic"}).json()["messages"][0]
    assert arabic["language"] == "ar" and arabic["dir"] == "rtl"
    assert "recipient_id" not in arabic


def test_session_id_is_pseudonymised(channel_server):
    sid = session()
    (message,) = send(channel_server, {"session_id": sid, "message": "whoami"}).json()["messages"]
    seen = json.loads(message["text"])
    assert seen["sender"] == pseudonymise(sid, "webchat", PSEUDONYM_KEY.encode())
    assert seen["metadata"] == {"channel": "webchat", "ui_language": None}


@pytest.mark.parametrize(
    "body, raw, status",
    [
        (None, b"{broken", 400),
        (None, b"[1, 2]", 400),
        ({"message": "hi"}, None, 400),
        ({"session_id": "short", "message": "hi"}, None, 400),
        ({"session_id": "../../etc/passwd-aaaaaaaaaaaa", "message": "hi"}, None, 400),
        ({"session_id": "a" * 32, "message": ""}, None, 400),
        ({"session_id": "a" * 32, "message": 42}, None, 400),
        ({"session_id": "a" * 32, "message": "x" * 1001}, None, 413),
        (None, b'{"session_id": "' + b"a" * 32 + b'", "message": "' + b"x" * 9000 + b'"}', 413),
    ],
)
def test_bad_requests_get_4xx(channel_server, body, raw, status):
    assert send(channel_server, body, raw).status_code == status


def test_bot_failure_gives_a_polite_try_again(channel_server):
    response = send(channel_server, {"session_id": session(), "message": "crash"})
    assert response.status_code == 200
    (message,) = response.json()["messages"]
    assert "try again" in message["text"].lower() and message["language"] == "en"


def test_cross_origin_requests_from_embedding_sites(channel_server):
    url = f"{channel_server.url}/webhooks/webchat/webhook"
    origin = {"Origin": "https://ngo.example"}
    asking = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    preflight = httpx.options(url, headers={**origin, **asking})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://ngo.example")
    reply = send(channel_server, {"session_id": session(), "message": "hi"}, **origin)
    assert reply.headers["access-control-allow-origin"] in ("*", "https://ngo.example")


def test_a_flooding_session_is_slowed_down(channel_server):
    flooder, other = session(), session()
    statuses = [
        send(channel_server, {"session_id": flooder, "message": f"hi {n}"}).status_code
        for n in range(14)
    ]
    assert statuses[:10] == [200] * 10 and 429 in statuses
    slowed = send(channel_server, {"session_id": flooder, "message": "again"})
    assert slowed.status_code == 429 and "wait" in slowed.json()["error"]
    assert send(channel_server, {"session_id": other, "message": "hi"}).status_code == 200
