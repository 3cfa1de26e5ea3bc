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

#: Contacts to put first for each danger category (``danger`` in the parse data).
FIRST_CONTACTS: dict[str, tuple[str, ...]] = {
    "violence": ("police", "womens-shelter"),
    "trafficking": ("anti-trafficking", "police"),
    "child-alone": ("child-protection", "police"),
    "self-harm": ("mental-health-crisis", "ambulance"),
    "medical": ("ambulance", "general"),
}


def first_for(category: str | None) -> tuple[str, ...]:
    """Contact ids to list first for a danger category."""
    return FIRST_CONTACTS.get(category or "", ())


def emergency_lines(language: str, danger: str | None = None) -> list[tuple[str, str, str]]:
    """``(name, phone, hours)`` of the country's emergency contacts in a language.

    The contacts for the danger category come first. Uses the knowledge base, and the
    content files directly when the index is unavailable: emergency contacts must never
    depend on the index being built.
    """
    first = first_for(danger)

    def rank(contact_id: str) -> int:
        return first.index(contact_id) if contact_id in first else len(first)

    country = kb_client.country()
    try:
        contacts = kb_client.knowledge_base().emergency_contacts(country=country, language=language)
        if contacts:
            contacts = sorted(contacts, key=lambda c: rank(c.contact_id))
            return [(c.name, c.phone, c.hours or "") for c in contacts]
    except Exception as error:  # unavailable index or failing search: use the files
        logger.error("emergency contacts from the index failed: %s", error)
    lines = []
    fallback = i18n.fallback_language()
    for entry in sorted(emergency_entries().get(country, ()), key=lambda e: rank(e.id)):
        text = entry.translations.get(language) or entry.translations.get(fallback)
        if text is None and entry.translations:
            text = next(iter(entry.translations.values()))
        lines.append((text.name if text else entry.id, entry.phone, entry.hours or ""))
    return lines


def danger_category(tracker: Tracker) -> str | None:
    """The danger category the NLU found in the latest message, if any."""
    danger = (tracker.latest_message or {}).get("danger") or {}
    return danger.get("category") if isinstance(danger, dict) else None


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
            for name, phone, hours in emergency_lines(reply.language, danger_category(tracker))
        ]
        reply.say("\n".join([reply.t("emergency_intro"), *lines]), kind="emergency")
        reply.say_key("emergency_outro")
        reply.demo_notice()
        return reply.finish(*stop_form(tracker))
