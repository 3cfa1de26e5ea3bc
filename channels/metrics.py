"""Operator metrics in Prometheus format at ``GET /metrics`` — counts and timings, no personal data.

Enable it in ``bot/credentials.yml``::

    channels.metrics.MetricsInput:
      token:    # optional (else HAVEN_METRICS_TOKEN); then send "Authorization: Bearer <token>"

What is measured (recorded by :mod:`channels.resilience` around every user message):

``haven_messages_total{channel, language}``
    user messages handled, by channel and by the language of the bot's reply;
``haven_reply_seconds{channel}``
    histogram of the time from receiving a message to the end of the bot's turn;
``haven_reply_failures_total{channel, reason}``
    messages answered with the polite "please try again" (``timeout``, ``error``, ``no_reply``);
``haven_kb_questions_total{outcome}``
    knowledge-base questions, ``answered`` or ``no_answer``; the no-answer rate is
    ``rate(haven_kb_questions_total{outcome="no_answer"}[5m])``
    ``/ rate(haven_kb_questions_total[5m])``.

Labels take only a fixed set of values (known channel names, supported languages), never a
sender id or message text. With several Sanic workers set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty directory before the server starts, so that ``/metrics`` adds up all workers.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import secrets_match, setting
from haven import i18n

KNOWN_CHANNELS = ("rest", "telegram", "whatsapp", "sms", "webchat", "socketio", "cmdline")
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)
ANSWER_KINDS = {"answer": "answered", "no_answer": "no_answer", "dont_know": "no_answer"}

MESSAGES = Counter(
    "haven_messages_total",
    "User messages handled, by channel and by the language of the reply",
    ["channel", "language"],
)
REPLY_SECONDS = Histogram(
    "haven_reply_seconds",
    "Seconds from receiving a user message to the end of the bot's turn",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
FAILURES = Counter(
    "haven_reply_failures_total",
    "User messages answered with 'please try again' instead of an answer",
    ["channel", "reason"],
)
KB_QUESTIONS = Counter(
    "haven_kb_questions_total",
    "Knowledge-base questions by outcome (answered, no_answer)",
    ["outcome"],
)


def channel_label(channel: str | None) -> str:
    """A bounded label for a channel name (clients can send any ``input_channel``)."""
    return channel if channel in KNOWN_CHANNELS else "other"


def language_label(language: Any) -> str:
    """A bounded label for a language code."""
    if isinstance(language, str) and language in i18n.supported_languages():
        return language
    return "unknown"


def reply_hint(reply: Mapping[str, Any], key: str) -> Any:
    """A rendering hint of a bot message: top level, else ``metadata``, else ``custom``."""
    if reply.get(key) is not None:
        return reply[key]
    for container in ("metadata", "custom"):
        inner = reply.get(container)
        if isinstance(inner, Mapping) and inner.get(key) is not None:
            return inner[key]
    return None


def record_turn(
    channel: str | None,
    seconds: float,
    replies: Iterable[Mapping[str, Any]],
    failure: str | None = None,
    language: str | None = None,
) -> None:
    """Count one user message and its replies (language and answer kind read from the replies)."""
    replies = list(replies)
    label = channel_label(channel)
    languages = (reply_hint(r, "language") for r in replies)
    reply_language = next((lang for lang in languages if isinstance(lang, str)), language)
    MESSAGES.labels(label, language_label(reply_language)).inc()
    REPLY_SECONDS.labels(label).observe(max(seconds, 0.0))
    if failure:
        FAILURES.labels(label, failure).inc()
    for reply in replies:
        outcome = ANSWER_KINDS.get(str(reply_hint(reply, "kind")))
        if outcome:
            KB_QUESTIONS.labels(outcome).inc()


def exposition() -> bytes:
    """The current metrics in Prometheus text format (all workers in multi-process mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


class MetricsInput(InputChannel):
    """Serves ``GET /metrics`` on the Rasa server; it receives no messages."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or None

    @classmethod
    def name(cls) -> str:
        """Channel name (``/metrics`` is served at the root, not under ``/webhooks``)."""
        return "metrics"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> MetricsInput:
        """Read the optional bearer token (credentials, else ``HAVEN_METRICS_TOKEN``)."""
        return cls(setting(credentials, "token", "HAVEN_METRICS_TOKEN"))

    def url_prefix(self) -> str:
        """``/``: Rasa joins it to ``/webhooks/``, which gives the server root."""
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The ``/metrics`` route."""
        metrics = Blueprint("haven_metrics", __name__)

        @metrics.route("/metrics", methods=["GET"])
        async def serve(request: Request) -> HTTPResponse:
            if self.token:
                given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                if not secrets_match(given, self.token):
                    return response.json({"error": "unauthorized"}, status=401)
            return response.raw(exposition(), content_type=CONTENT_TYPE_LATEST)

        return metrics
