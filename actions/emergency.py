"""Emergency first: contacts at once, whatever else is going on (a form is stopped)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import kb_client
from actions.content import emergency_entries
from actions.replies import Reply, stop_form
from haven import i18n

logger = logging.getLogger(__name__)


def emergency_lines(language: str) -> list[tuple[str, str, str]]:
    """``(name, phone, hours)`` of the country's emergency contacts in a language.

    Uses the knowledge base, and the content files directly when the index is unavailable:
    emergency contacts must never depend on the index being built.
    """
    country = kb_client.country()
    try:
        contacts = kb_client.knowledge_base().emergency_contacts(country=country, language=language)
        if contacts:
            return [(c.name, c.phone, c.hours or "") for c in contacts]
    except Exception as error:  # unavailable index or failing search: use the files
        logger.error("emergency contacts from the index failed: %s", error)
    lines = []
    fallback = i18n.fallback_language()
    for entry in emergency_entries().get(country, ()):
        text = entry.translations.get(language) or entry.translations.get(fallback)
        if text is None and entry.translations:
            text = next(iter(entry.translations.values()))
        lines.append((text.name if text else entry.id, entry.phone, entry.hours or ""))
    return lines


class ActionEmergency(Action):
    """Send the emergency contacts first; then offer support."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Emergency contacts in the user's language (stops any form)."""
        reply = Reply(dispatcher, tracker, demo_notice=False)  # contacts come first
        lines = [
            reply.t("emergency_contact", name=name, phone=phone, hours=hours).replace(" ()", "")
            for name, phone, hours in emergency_lines(reply.language)
        ]
        reply.say("\n".join([reply.t("emergency_intro"), *lines]), kind="emergency")
        reply.say_key("emergency_outro")
        reply.demo_notice()
        return reply.finish(*stop_form(tracker))
