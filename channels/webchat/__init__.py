"""Web chat channel: the embeddable widget and the JSON endpoint it talks to.

Routes under ``/webhooks/webchat/`` on the Rasa server:

* ``GET widget.js`` — the widget, embedded with one ``<script>`` tag (see docs/channels.md);
* ``GET config?lang=ar`` — the widget's translated labels and the text direction;
* ``POST webhook`` — ``{"session_id": …, "message": …, "ui_language": …}`` → the bot's replies
  ``{"messages": [{"text", "buttons", "image", "language", "dir"}]}``.

The browser keeps a random session id; Rasa only sees its pseudonym. Cross-origin requests are
allowed from ``allowed_origins`` (any site by default: the widget sends no cookies).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import strings
from channels.common import (
    custom_without_hints,
    direction,
    language_of,
    log_failure,
    message_hint,
    options_of,
    sender_pseudonym,
    setting,
)
from channels.resilience import guard
from channels.runner import RateLimiter

logger = logging.getLogger(__name__)

CHANNEL = "webchat"
WIDGET = Path(__file__).with_name("widget.js")
MAX_BODY = 8 * 1024
MAX_TEXT = 1000
RATE_BURST = 10
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
WIDGET_STRINGS = ("title", "open", "close", "placeholder", "send", "typing", "offline", "forget")


class WebchatOutput(CollectingOutputChannel):
    """Collects the bot's replies to return them in the HTTP response."""

    @classmethod
    def name(cls) -> str:
        """The channel name (domain responses may have ``channel: webchat`` variations)."""
        return CHANNEL

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Keep the whole message, channel hints (``language``) included."""
        await self._persist_message({**message, "recipient_id": recipient_id})


def widget_message(message: dict[str, Any], ui_language: str | None) -> dict[str, Any]:
    """A bot message as the widget renders it (no recipient id, direction resolved)."""
    language = language_of(message)
    hinted = message_hint(message, "direction")
    shown: dict[str, Any] = {
        "text": str(message.get("text") or ""),
        "buttons": [{"title": o.title, "payload": o.payload} for o in options_of(message)],
        "language": language,
        "dir": hinted if hinted in ("rtl", "ltr") else direction(language) if language else "auto",
    }
    if message.get("image"):
        shown["image"] = str(message["image"])
    custom = custom_without_hints(message)
    if custom:
        shown["custom"] = custom
    return shown


def widget_config(language: str | None) -> dict[str, Any]:
    """Labels and direction for the widget in ``language``."""
    known = language if language in strings.supported_languages() else None
    return {
        "language": known,
        "dir": direction(known) if known else "ltr",
        "strings": {key: strings.text(f"channels.webchat.{key}", known) for key in WIDGET_STRINGS}
        | {"privacy": strings.text("channels.webchat.privacy", known)},
        "languages": [
            {"code": code, "name": strings.LANGUAGE_NAMES.get(code, code), "dir": direction(code)}
            for code in strings.supported_languages()
        ],
    }


class WebchatInput(InputChannel):
    """The web widget's endpoint as a Rasa input channel."""

    def __init__(
        self, allowed_origins: list[str] | str = "*", messages_per_minute: float = 20
    ) -> None:
        if isinstance(allowed_origins, str):
            allowed_origins = [o.strip() for o in allowed_origins.split(",") if o.strip()]
        self.allowed_origins = allowed_origins or ["*"]
        self.limiter = RateLimiter(per_minute=messages_per_minute, burst=RATE_BURST)

    @classmethod
    def name(cls) -> str:
        """The channel name: routes live under ``/webhooks/webchat/``."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebchatInput:
        """``allowed_origins`` (``HAVEN_WEBCHAT_ORIGINS``, comma list) and
        ``messages_per_minute`` per browser session (``HAVEN_WEBCHAT_RATE``)."""
        return cls(
            setting(credentials, "allowed_origins", "HAVEN_WEBCHAT_ORIGINS", "*"),
            float(setting(credentials, "messages_per_minute", "HAVEN_WEBCHAT_RATE", 20)),
        )

    def cors_headers(self, request: Request) -> dict[str, str]:
        """CORS headers for a request from the page the widget is embedded in."""
        origin = request.headers.get("origin", "")
        if "*" in self.allowed_origins:
            allowed = "*"
        elif origin in self.allowed_origins:
            allowed = origin
        else:
            return {}
        return {
            "Access-Control-Allow-Origin": allowed,
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        }

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Health, widget script, widget configuration and the message endpoint."""
        # Every user message gets a reply, also when the action server is down or slow.
        on_new_message = guard(on_new_message, channel=self.name())
        hook = Blueprint("haven_webchat", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.middleware("response")
        async def cors(request: Request, reply: HTTPResponse) -> None:
            # Also when Rasa's app-wide CORS handling answered a preflight without them.
            for name, value in self.cors_headers(request).items():
                reply.headers.setdefault(name, value)

        @hook.route("/widget.js", methods=["GET"])
        async def widget(_: Request) -> HTTPResponse:
            return await response.file(
                WIDGET,
                mime_type="application/javascript; charset=utf-8",
                headers={"Cache-Control": "public, max-age=300"},
            )

        @hook.route("/config", methods=["GET", "OPTIONS"])
        async def config(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()
            return response.json(widget_config(request.args.get("lang")))

        @hook.route("/webhook", methods=["POST", "OPTIONS"])
        async def receive(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()
            status, body = await self.receive(request, on_new_message)
            return response.json(body, status=status)

        return hook

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> tuple[int, dict[str, Any]]:
        """Check the request, pass the message to Rasa and return ``(status, body)``."""
        if len(request.body or b"") > MAX_BODY:
            return 413, {"error": "request too large"}
        try:
            data = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            return 400, {"error": "body must be JSON"}
        if not isinstance(data, dict):
            return 400, {"error": "body must be a JSON object"}
        session, text = data.get("session_id"), data.get("message")
        ui_language = data.get("ui_language")
        if not isinstance(session, str) or not SESSION_ID.match(session):
            return 400, {"error": "session_id must be 16-64 letters, digits, - or _"}
        if not isinstance(text, str) or not text.strip():
            return 400, {"error": "message must be non-empty text"}
        if len(text) > MAX_TEXT:
            return 413, {"error": f"message longer than {MAX_TEXT} characters"}
        if ui_language not in strings.supported_languages():
            ui_language = None
        sender = sender_pseudonym(session, CHANNEL)
        if not self.limiter.allow(sender):
            return 429, {"error": strings.text("channels.webchat.slow_down", ui_language)}
        output = WebchatOutput()
        metadata = {"channel": CHANNEL, "ui_language": ui_language}
        try:
            await on_new_message(
                UserMessage(text, output, sender, input_channel=CHANNEL, metadata=metadata)
            )
        except Exception as error:
            log_failure(logger, "webchat: answering", sender, error)
            return 500, {"error": strings.text("error", ui_language)}
        return 200, {"messages": [widget_message(m, ui_language) for m in output.messages]}
