"""Rasa's REST channel, hardened: validated input, no text in logs, always an answer.

A drop-in replacement for ``rest:`` in ``bot/credentials.yml`` (same name, same
``POST /webhooks/rest/webhook`` with ``{"sender": …, "message": …, "metadata": {…}}``, same
reply: a JSON list of bot messages)::

    channels.rest.RestInput:
      max_chars: 4000          # longer messages get 413

Differences from Rasa's own: a body that is not a JSON object, a missing or non-text sender or
message, or metadata that is not an object get ``400`` with a short reason (Rasa's answers
``500`` to some of these); text that cannot be encoded (lone surrogates) is repaired; the
message text is never logged; and the handler is wrapped by :func:`channels.resilience.guard`,
so a dead or slow action server yields a polite "please try again" in the user's language.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.resilience import guard

DEFAULT_MAX_CHARS = 4000
MAX_SENDER_CHARS = 128
MAX_METADATA_BYTES = 16_000
CHANNEL = "rest"


class BadRequestError(Exception):
    """The request is malformed; ``status`` and the message go back to the client."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def _clean_text(text: str) -> str:
    """Replace lone surrogates (valid JSON, invalid Unicode) with U+FFFD."""
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_body(raw: bytes | None, max_chars: int) -> tuple[str, str, dict[str, Any] | None]:
    """Validate a webhook body; return ``(sender, text, metadata)``.

    Raises:
        BadRequestError: the body is not what the REST channel accepts.
    """
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequestError("the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequestError("'sender' must be a non-empty string")
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequestError(f"'sender' is longer than {MAX_SENDER_CHARS} characters")
    if not isinstance(text, str) or not text.strip():
        raise BadRequestError("'message' must be a non-empty string")
    if len(text) > max_chars:
        raise BadRequestError(f"'message' is longer than {max_chars} characters", status=413)
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise BadRequestError("'metadata' must be a JSON object")
        if len(json.dumps(metadata)) > MAX_METADATA_BYTES:
            raise BadRequestError("'metadata' is too large", status=413)
    return _clean_text(sender), _clean_text(text), metadata


class RestInput(InputChannel):
    """``POST /webhooks/rest/webhook``: one message in, the bot's messages out."""

    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.max_chars = max_chars

    @classmethod
    def name(cls) -> str:
        """Same name as Rasa's REST channel, so the URL does not change."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        """Read ``max_chars`` (optional)."""
        return cls(int((credentials or {}).get("max_chars") or DEFAULT_MAX_CHARS))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health check and the webhook."""
        rest = Blueprint("haven_rest", __name__)
        handle = guard(on_new_message, channel=CHANNEL)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_body(request.body, self.max_chars)
            except BadRequestError as error:
                return response.json({"error": str(error)}, status=error.status)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender, input_channel=CHANNEL, metadata=metadata)
            await handle(message)
            return response.json(collector.messages)

        return rest
