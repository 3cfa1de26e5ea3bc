"""Pieces every channel shares: configuration, sender pseudonyms, message splitting, options.

The bot's messages reach a channel as Rasa message dicts (``text``, ``buttons``, ``custom`` …).
Actions may add hints that channels understand (documented in docs/channels.md):

* ``language`` (and ``direction``) — the language of the message, so that right-to-left text
  is rendered right and the channel's own strings follow the conversation language;
* ``sms`` — a short form of the text for SMS;
* ``numbered_hint`` — the translated "reply with the number" line under numbered options;

in ``metadata`` (``dispatcher.utter_message(text=…, metadata={…})``), at the top level or in
``custom``.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any

from haven import i18n
from haven.logging import install as install_log_redaction
from haven.logging import redact
from haven.privacy import pseudonymise

logger = logging.getLogger(__name__)

# Loggers that would print secrets (the Telegram token is part of every Bot API URL), message
# text (python-telegram-bot at DEBUG) or request parameters (phone numbers).
_NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram",
    "twilio.http_client",
    "twilio.async_http_client",
)

for _name in _NOISY_LOGGERS:
    logging.getLogger(_name).setLevel(logging.WARNING)

# The Rasa server imports the channels after it has set up logging: from here on every log
# line is redacted (phone numbers, e-mail addresses) and Rasa's text-logging loggers stay quiet.
install_log_redaction(logging.getLogger().getEffectiveLevel())

HINT_KEYS = ("language", "direction", "sms", "numbered_hint")


class ChannelConfigError(Exception):
    """A channel's credentials are missing or invalid; the message says which."""


def setting(credentials: dict[str, Any] | None, key: str, env: str, default: Any = None) -> Any:
    """A channel setting from credentials.yml, else the environment variable ``env``."""
    value = (credentials or {}).get(key)
    if value in (None, ""):
        value = os.environ.get(env, default)
    return value


def secrets_match(given: str | None, expected: str) -> bool:
    """Compare a secret from a request with the configured one in constant time."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def log_failure(log: logging.Logger, what: str, sender: str, error: BaseException) -> None:
    """Log a failure without a traceback: provider errors may quote phone numbers or text.

    Only the exception type, its message with phone numbers and e-mail addresses masked, and
    the place it was raised are written.
    """
    place = ""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        place = f" at {tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
    log.error(
        "%s (%s) failed: %s%s", what, sender, redact(f"{type(error).__name__}: {error}"), place
    )


def sender_pseudonym(identifier: str | int, channel: str) -> str:
    """The pseudonym Rasa knows a sender by (see :func:`haven.privacy.pseudonymise`)."""
    return pseudonymise(identifier, channel)


# ---------------------------------------------------------------------------- bot messages


def message_hint(message: dict[str, Any], key: str) -> Any:
    """A channel hint (``language``, ``direction``, ``sms``, ``numbered_hint``) of a bot message.

    Looked up at the top level, then in ``metadata`` (``utter_message(metadata=…)``), then in
    ``custom`` (``utter_message(json_message=…)``).
    """
    if message.get(key) is not None:
        return message[key]
    for container in ("metadata", "custom"):
        nested = message.get(container)
        if isinstance(nested, dict) and nested.get(key) is not None:
            return nested[key]
    return None


def custom_without_hints(message: dict[str, Any]) -> dict[str, Any] | None:
    """The ``custom`` payload minus channel hints; ``None`` when nothing else is left."""
    custom = message.get("custom")
    if not isinstance(custom, dict):
        return None
    rest = {k: v for k, v in custom.items() if k not in HINT_KEYS}
    return rest or None


@dataclass(frozen=True)
class Option:
    """One button of a bot message: what the user sees and what Rasa receives."""

    title: str
    payload: str


def options_of(message: dict[str, Any]) -> list[Option]:
    """The buttons and quick replies of a bot message, in order."""
    raw = (message.get("buttons") or []) + (message.get("quick_replies") or [])
    options = []
    for button in raw:
        if not isinstance(button, dict):
            continue
        title = str(button.get("title") or button.get("payload") or "").strip()
        payload = str(button.get("payload") or button.get("url") or title).strip()
        if title:
            options.append(Option(title, payload))
    return options


def numbered_options(options: list[Option]) -> str:
    """Buttons as text for channels without buttons: ``"1. Health\\n2. Housing"``."""
    return "\n".join(f"{number}. {option.title}" for number, option in enumerate(options, 1))


def chosen_option(text: str, options: list[Option]) -> Option | None:
    """The option a reply like ``"2"``, ``"2."`` or ``"٢"`` picks, if it picks one."""
    digits = text.strip().rstrip(".)")
    if digits and len(digits) <= 3:
        try:
            number = int(digits)  # int() reads Arabic-Indic, Persian and other Unicode digits
        except ValueError:
            pass
        else:
            return options[number - 1] if 1 <= number <= len(options) else None
    lowered = text.strip().casefold()
    return next((o for o in options if o.title.casefold() == lowered), None)


# ---------------------------------------------------------------------------- splitting

_SENTENCE_END = re.compile(r"(?<=[.!?。؟۔።])\s+|\n+")


def _hard_split(text: str, limit: int) -> list[str]:
    """Cut a sentence longer than ``limit`` at spaces, or anywhere if it has none."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _pieces(text: str) -> list[str]:
    """Sentences with their trailing whitespace, in order."""
    pieces, position = [], 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[position : match.end()])
        position = match.end()
    if position < len(text):
        pieces.append(text[position:])
    return pieces


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters at sentence boundaries.

    Paragraphs and sentences are kept whole where they fit; a sentence longer than the limit
    is cut at a space (or anywhere, when it has none). No character but whitespace is lost.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text):
        if len((current + piece).rstrip()) <= limit:
            current += piece
            continue
        if current.strip():
            parts.append(current.strip())
        current = piece
        if len(piece.rstrip()) > limit:
            *full, last = _hard_split(piece.strip(), limit)
            parts.extend(full)
            current = last + piece[len(piece.rstrip()) :]
    if current.strip():
        parts.append(current.strip())
    return parts


# ---------------------------------------------------------------------------- payloads


def intent_payload(intent: str, entities: dict[str, Any] | None = None) -> str:
    """A Rasa message that sets the intent directly: ``/find_service{"latitude": 1.5}``."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


LOCATION_INTENT = "share_location"


def location_payload(latitude: float, longitude: float) -> str:
    """What a shared location becomes: ``/share_location{"latitude": …, "longitude": …}``."""
    return intent_payload(
        LOCATION_INTENT, {"latitude": round(latitude, 6), "longitude": round(longitude, 6)}
    )


def language_of(message: dict[str, Any], default: str | None = None) -> str | None:
    """The language a bot message is written in, when the action said so."""
    language = message_hint(message, "language")
    return language if isinstance(language, str) and language else default


def direction(language: str | None) -> str:
    """``"rtl"`` for Arabic, Farsi and Pashto, else ``"ltr"``."""
    return i18n.direction(language)


def numbered_block(messages: list[dict[str, Any]], options: list[Option]) -> str:
    """Numbered options with the action's "reply with the number" line, if it gave one."""
    if not options:
        return ""
    hint = next((message_hint(m, "numbered_hint") for m in messages if options_of(m)), None)
    listing = numbered_options(options)
    return f"{listing}\n{hint}" if hint else listing
