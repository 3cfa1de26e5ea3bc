"""Which language to answer in.

An explicit choice (``language_locked``) always wins; otherwise the language detected on the
latest message, then the language the conversation already had, then the fallback language.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from haven import i18n

LANGUAGE_SLOT = "language"
LOCKED_SLOT = "language_locked"


def conversation_language(tracker: Tracker) -> str:
    """The language to answer the latest message in."""
    supported = i18n.supported_languages()
    slot = tracker.get_slot(LANGUAGE_SLOT)
    if tracker.get_slot(LOCKED_SLOT) and slot in supported:
        return str(slot)
    detected = (tracker.latest_message or {}).get("language")
    if detected in supported:
        return str(detected)
    if slot in supported:
        return str(slot)
    return i18n.fallback_language()


def language_events(tracker: Tracker, language: str) -> list[dict[str, Any]]:
    """``SlotSet`` for the language slot when it changes (keeps the user's language)."""
    if tracker.get_slot(LANGUAGE_SLOT) == language:
        return []
    return [SlotSet(LANGUAGE_SLOT, language)]
