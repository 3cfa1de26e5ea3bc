"""Refer the user to a person: contacts and hours of a real service from the directory."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import kb_client
from actions.formatting import service_text
from actions.replies import Reply, stop_form

logger = logging.getLogger(__name__)

#: Categories whose staff can take over a conversation, most general first.
REFERRAL_CATEGORIES = ("legal-aid", "psychosocial-support")


def find_referral(reply: Reply, tracker: Tracker, limit: int = 1) -> list[Any]:
    """Services that can help in person, preferring the user's city and category."""
    try:
        kb = kb_client.knowledge_base()
    except kb_client.KnowledgeBaseUnavailableError:
        return []
    city = tracker.get_slot("city")
    near = _location(tracker)
    wanted = tracker.get_slot("category")
    categories = [c for c in (wanted, *REFERRAL_CATEGORIES) if c]
    for category in categories:
        for in_city in (city, None) if city else (None,):
            try:
                found = kb.find_services(
                    category=category, city=in_city, language=reply.language, near=near, limit=limit
                )
            except Exception:
                logger.exception("service lookup failed")
                return []
            if found:
                return list(found)
    return []


def _location(tracker: Tracker) -> tuple[float, float] | None:
    lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
    try:
        return (float(lat), float(lon)) if lat is not None and lon is not None else None
    except (TypeError, ValueError):
        return None


def refer_to_human(reply: Reply, tracker: Tracker) -> None:
    """Send the contacts of a service where a person can help."""
    services = find_referral(reply, tracker)
    if not services:
        reply.say_key("no_human_service")
        return
    reply.say(reply.t("refer_human") + "\n\n" + service_text(reply, services[0]), kind="referral")


class ActionHumanHelp(Action):
    """Give the contacts and opening hours of a service with people who can help."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_human_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Refer to a person (and stop a running form)."""
        reply = Reply(dispatcher, tracker)
        refer_to_human(reply, tracker)
        return reply.finish(*stop_form(tracker))
