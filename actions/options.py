"""Numbered options: "2" typed on a channel without buttons selects the second button.

Actions remember the payloads of the buttons they send (slot ``last_options``, see
:mod:`actions.replies`). A payload is Rasa's ``/intent{"entity": "value"}`` syntax.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Tracker

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NUMBER = re.compile(r"\d+")
_PAYLOAD = re.compile(r"^/(?P<intent>[\w-]+)(?P<entities>\{.*\})?$", re.DOTALL)


def parse_payload(payload: str) -> tuple[str, dict[str, Any]] | None:
    """``"/choose_language{"language": "fr"}"`` → ``("choose_language", {"language": "fr"})``."""
    match = _PAYLOAD.match(payload.strip())
    if not match:
        return None
    entities: dict[str, Any] = {}
    if match.group("entities"):
        try:
            loaded = json.loads(match.group("entities"))
        except json.JSONDecodeError:
            return None
        if isinstance(loaded, dict):
            entities = loaded
    return match.group("intent"), entities


def typed_number(tracker: Tracker) -> int | None:
    """The number the user typed (Western, Arabic-Indic or Persian digits), else ``None``."""
    message = tracker.latest_message or {}
    for entity in message.get("entities", []):
        if entity.get("entity") == "number":
            try:
                return int(str(entity.get("value")).translate(_DIGITS))
            except ValueError:
                pass
    found = _NUMBER.findall(str(message.get("text") or "").translate(_DIGITS))
    return int(found[0]) if len(found) == 1 else None


def option_from_number(tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """The ``(intent, entities)`` of the option whose number the user typed."""
    options = tracker.get_slot("last_options") or []
    number = typed_number(tracker)
    if number is None or not 1 <= number <= len(options):
        return None
    return parse_payload(str(options[number - 1]))
