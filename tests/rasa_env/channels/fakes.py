"""Local stand-ins for the outside APIs the channels call: Telegram's Bot API and Twilio's REST API.

Each runs a real HTTP server on a free port in a background thread and records every request,
so a test can wait for what the channel sent.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Call:
    """One request a channel made to the fake API."""

    method: str  # Bot API method ("sendMessage") or Twilio resource ("Messages")
    params: dict[str, Any]
    path: str
    auth: str | None = None


@dataclass
class FakeApi:
    """A recording HTTP server; subclasses answer like the real API."""

    calls: list[Call] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> FakeApi:
        """Serve on a free port of 127.0.0.1 until :meth:`stop`."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = api.answer(
                    self.path,
                    self.headers.get("Content-Type", ""),
                    body,
                    self.headers.get("Authorization"),
                )
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def answer(
        self, path: str, content_type: str, body: bytes, auth: str | None
    ) -> tuple[int, Any]:
        raise NotImplementedError

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 15) -> list[Call]:
        """Wait until ``predicate(calls)`` holds; return the calls (raise on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.calls):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; calls so far: {self.calls}")
                self._cond.wait(left)
            return list(self.calls)

    def clear(self) -> None:
        with self._cond:
            self.calls.clear()


def _decode_params(content_type: str, body: bytes) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(body or b"{}")
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        try:
            params[key] = json.loads(value) if key == "reply_markup" else value
        except ValueError:
            params[key] = value
    return params


class FakeTelegram(FakeApi):
    """Telegram Bot API: ``/bot<token>/<method>`` answering like https://api.telegram.org."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self._message_id = 100

    def answer(
        self, path: str, content_type: str, body: bytes, auth: str | None
    ) -> tuple[int, Any]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        params = _decode_params(content_type, body)
        self.record(Call(method, params, path))
        if method == "getMe":
            result: Any = {
                "id": 42,
                "is_bot": True,
                "first_name": "Haven",
                "username": "haven_test_bot",
            }
        elif method in ("sendMessage", "sendPhoto"):
            self._message_id += 1
            result = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        else:  # sendChatAction, answerCallbackQuery, setWebhook
            result = True
        return 200, {"ok": True, "result": result}

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [
            c.params["text"]
            for c in self.calls
            if c.method == "sendMessage"
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]


class FakeTwilio(FakeApi):
    """Twilio REST API: ``POST /2010-04-01/Accounts/<sid>/Messages.json`` with basic auth."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.expected_auth = (
            "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        )

    def answer(
        self, path: str, content_type: str, body: bytes, auth: str | None
    ) -> tuple[int, Any]:
        if auth != self.expected_auth:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return 404, {"code": 20404, "message": "not found", "status": 404}
        params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        self.record(Call("Messages", params, path, auth))
        sid = "SM" + secrets.token_hex(16)
        return 201, {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": params.get("Body"),
            "date_created": "Mon, 23 Nov 2026 14:00:00 +0000",
            "direction": "outbound-api",
            "from": params.get("From"),
            "messaging_service_sid": params.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "sid": sid,
            "status": "queued",
            "to": params.get("To"),
            "uri": f"{path.removesuffix('.json')}/{sid}.json",
        }

    def bodies(self, to: str | None = None) -> list[str]:
        return [c.params["Body"] for c in self.calls if to is None or c.params.get("To") == to]
