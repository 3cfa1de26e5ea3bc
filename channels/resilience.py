"""A guard around Rasa's message handler: the user always hears back, in their language.

When the action server is down, Rasa 3.6 logs the error and sends *nothing* (see
``MessageProcessor._run_action``); when it is slow, Rasa waits up to five minutes. An input
channel wraps the handler it gets in its ``blueprint`` so that instead, within
``resilience.reply_timeout_s`` (haven.yml), the user gets the translated "Sorry, something went
wrong on my side. Please try again in a moment." (gettext key ``error``)::

    from channels.resilience import guard

    def blueprint(self, on_new_message):
        on_new_message = guard(on_new_message, channel=self.name())
        ...

A handler that raises before any reply was sent (a store was just restarted) is tried again
once (``resilience.retries``) within the same time limit. A turn counts as failed when the
handler still raises (a database is down), runs past the time limit
(it is then cancelled, which releases the conversation lock, so the next message is handled
normally), or ends without a single bot message (the action server could not be reached).
Every turn is also recorded in :mod:`channels.metrics`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from haven import i18n, settings

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]

DEFAULT_TIMEOUT_S = 15.0
LANGUAGE_LOOKUP_TIMEOUT_S = 2.0
DEFAULT_RETRIES = 1
RETRY_PAUSE_S = 1.0
LANGUAGE_SLOT = "language"
ERROR_KEY = "error"


def reply_timeout_s() -> float:
    """``resilience.reply_timeout_s`` from haven.yml (15 s by default)."""
    value = settings.get("resilience.reply_timeout_s", DEFAULT_TIMEOUT_S)
    try:
        return max(float(value), 0.1)
    except (TypeError, ValueError):
        logger.warning("resilience.reply_timeout_s is not a number; using %s", DEFAULT_TIMEOUT_S)
        return DEFAULT_TIMEOUT_S


def retries() -> int:
    """``resilience.retries`` from haven.yml: how often a failed turn is tried again (1)."""
    try:
        return max(int(settings.get("resilience.retries", DEFAULT_RETRIES)), 0)
    except (TypeError, ValueError):
        return DEFAULT_RETRIES


def _count_replies(output: OutputChannel) -> list[dict[str, Any]]:
    """Make ``output`` remember what it sends; return the (live) list of sent messages."""
    sent: list[dict[str, Any]] = []
    original = output.send_response

    async def send_response(recipient_id: str, message: dict[str, Any]) -> None:
        sent.append(dict(message))  # a copy: OutputChannel.send_response pops keys
        await original(recipient_id, message)

    output.send_response = send_response  # type: ignore[method-assign]
    return sent


def _rasa_app() -> Any:
    """The running Rasa Sanic app, when there is exactly one (as under ``rasa run``)."""
    try:
        from sanic import Sanic

        return Sanic.get_app()
    except Exception:
        return None


def _tracker_languages(tracker: Any) -> list[Any]:
    """Languages a tracker knows: detected in the latest message, then the language slot."""
    if tracker is None:
        return []
    parse_data = getattr(getattr(tracker, "latest_message", None), "parse_data", None) or {}
    return [parse_data.get(LANGUAGE_SLOT), tracker.get_slot(LANGUAGE_SLOT)]


async def conversation_language(message: UserMessage, app: Any = None) -> str:
    """The user's language: message metadata, else what the tracker knows, else the fallback.

    The tracker gives the language the NLU detected in the latest message (when the turn got
    that far) or the ``language`` slot of the conversation.
    """
    metadata = message.metadata if isinstance(message.metadata, dict) else {}
    language = metadata.get("language")
    if isinstance(language, str) and language in i18n.supported_languages():
        return language
    agent = getattr(getattr(app or _rasa_app(), "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is not None:
        try:
            tracker = await asyncio.wait_for(
                store.retrieve(message.sender_id), LANGUAGE_LOOKUP_TIMEOUT_S
            )
            for candidate in _tracker_languages(tracker):
                if isinstance(candidate, str) and candidate in i18n.supported_languages():
                    return candidate
        except Exception as error:  # the store may be the thing that is down
            logger.debug("language lookup failed: %s", type(error).__name__)
    return i18n.fallback_language()


async def say_try_again(message: UserMessage, language: str) -> dict[str, Any] | None:
    """Send the translated "please try again"; return it, or ``None`` if it could not be sent."""
    reply = {
        "text": i18n.translate(ERROR_KEY, language),
        "language": language,
        "direction": i18n.direction(language),
        "kind": "error",
    }
    try:
        await message.output_channel.send_response(message.sender_id, reply)
    except Exception as error:
        logger.error("could not send the try-again message: %s", type(error).__name__)
        return None
    return reply


async def _handle_with_retry(
    on_new_message: Handler, message: UserMessage, sent: list[Any], deadline: float
) -> str | None:
    """Run the handler until ``deadline``; ``None`` on success, else the failure reason.

    A handler that raises before any reply was sent is tried again after a short pause: the
    turn was not saved (Rasa saves the tracker last), and the usual cause is a store that
    was restarted (the first query on a dead pooled connection fails, the next reconnects).
    """
    attempts = 1 + retries()
    for attempt in range(attempts):
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return "timeout"
        try:
            await asyncio.wait_for(on_new_message(message), remaining)
            return None
        except asyncio.TimeoutError:
            return "timeout"
        except Exception as error:
            logger.error("the bot failed to handle a message: %s", type(error).__name__)
            if sent or attempt == attempts - 1:
                return "error"
        await asyncio.sleep(min(RETRY_PAUSE_S, max(deadline - time.perf_counter(), 0)))
    return "error"


def guard(
    on_new_message: Handler,
    channel: str | None = None,
    timeout_s: float | None = None,
    app: Any = None,
) -> Handler:
    """Wrap a channel's ``on_new_message`` so that every user message gets a reply.

    Args:
        on_new_message: the handler Rasa passes to ``InputChannel.blueprint``.
        channel: the channel name for metrics (default: the message's ``input_channel``).
        timeout_s: the time limit (default: ``resilience.reply_timeout_s``).
        app: the Sanic app, to look up the conversation language (default: the running one).
    """

    async def guarded(message: UserMessage) -> None:
        from channels import metrics  # imported late: prometheus registries are per process

        limit = reply_timeout_s() if timeout_s is None else timeout_s
        sent = _count_replies(message.output_channel)
        started = time.perf_counter()
        failure = await _handle_with_retry(on_new_message, message, sent, started + limit)
        if failure is None and not sent:
            failure = "no_reply"
        language = None
        if failure is not None:
            logger.warning("%s: answering 'please try again' (%s)", channel, failure)
            language = await conversation_language(message, app)
            await say_try_again(message, language)
        metrics.record_turn(
            channel or message.input_channel,
            time.perf_counter() - started,
            list(sent),
            failure,
            language,
        )

    return guarded
