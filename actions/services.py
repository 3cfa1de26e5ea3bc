"""The find_service form: kind of help + city (or a shared location) → services nearby."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import kb_client
from actions.content import taxonomy
from actions.formatting import category_label, city_name, service_text
from actions.options import option_from_number
from actions.referral import refer_to_human
from actions.replies import Reply

logger = logging.getLogger(__name__)


def known_categories() -> list[str]:
    """Category ids of the taxonomy."""
    tax = taxonomy()
    return list(tax.categories) if tax is not None else []


def known_cities() -> list[str]:
    """City ids of the taxonomy."""
    tax = taxonomy()
    return list(tax.cities) if tax is not None else []


def has_location(tracker: Tracker) -> bool:
    """Whether the user shared a location."""
    return tracker.get_slot("latitude") is not None and tracker.get_slot("longitude") is not None


def _entity_from_payload(tracker: Tracker, slot: str) -> str | None:
    """A slot value chosen by replying with the number of a button."""
    chosen = option_from_number(tracker)
    if chosen is None:
        return None
    _intent, entities = chosen
    value = entities.get(slot)
    return str(value) if value is not None else None


class ValidateFindServiceForm(FormValidationAction):
    """Check category and city against the taxonomy; a location replaces the city."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "validate_find_service_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Only the kind of help when the user shared a location."""
        if has_location(tracker):
            return [slot for slot in domain_slots if slot != "city"]
        return domain_slots

    async def extract_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A category picked by number from the buttons."""
        if tracker.get_slot("requested_slot") != "category":
            return {}
        value = _entity_from_payload(tracker, "category")
        return {"category": value} if value else {}

    async def extract_city(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A city picked by number from the buttons."""
        if tracker.get_slot("requested_slot") != "city":
            return {}
        value = _entity_from_payload(tracker, "city")
        return {"city": value} if value else {}

    def validate_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept only category ids of the taxonomy."""
        if value in known_categories():
            return {"category": value}
        reply = Reply(dispatcher, tracker)
        reply.say(reply.t("unknown_category"), buttons=category_buttons(reply))
        return {"category": None}

    def validate_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept only city ids of the taxonomy."""
        if value in known_cities():
            return {"city": value}
        reply = Reply(dispatcher, tracker)
        reply.say(reply.t("unknown_city"), buttons=city_buttons(reply))
        return {"city": None}


def category_buttons(reply: Reply) -> list[tuple[str, str]]:
    """One button per service category."""
    return [(category_label(reply, c), f'/inform{{"category": "{c}"}}') for c in known_categories()]


def city_buttons(reply: Reply) -> list[tuple[str, str]]:
    """One button per city of the directory."""
    return [(city_name(reply, c), f'/inform{{"city": "{c}"}}') for c in known_cities()]


class ActionAskCategory(Action):
    """Ask for the kind of help, with buttons."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_category"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask which kind of help."""
        reply = Reply(dispatcher, tracker)
        reply.say(reply.t("ask_category"), buttons=category_buttons(reply))
        return reply.finish()


class ActionAskCity(Action):
    """Ask for the city, with buttons (or a shared location)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_ask_city"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask which city."""
        reply = Reply(dispatcher, tracker)
        reply.say(reply.t("ask_city"), buttons=city_buttons(reply), request_location=True)
        return reply.finish()


class ActionShowServices(Action):
    """List the services for the chosen category in the city (or near the location)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_show_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Show up to three services, or refer to a person when there are none."""
        reply = Reply(dispatcher, tracker)
        category = tracker.get_slot("category")
        city = tracker.get_slot("city")
        near = None
        if has_location(tracker):
            near = (float(tracker.get_slot("latitude")), float(tracker.get_slot("longitude")))
            city = None
        try:
            found = kb_client.knowledge_base().find_services(
                category=category, city=city, language=reply.language, near=near, limit=3
            )
        except Exception as error:
            logger.error("service lookup failed: %s", error)
            found = []
        label = category_label(reply, category) if category else ""
        if not found:
            reply.say_key("no_services", category=label, city=city_name(reply, city or ""))
            refer_to_human(reply, tracker)
        else:
            header = (
                reply.t("services_found_near", category=label)
                if near
                else reply.t("services_found", category=label, city=city_name(reply, city or ""))
            )
            body = "\n\n".join(service_text(reply, s) for s in found)
            reply.say(f"{header}\n\n{body}", kind="services")
        return reply.finish(SlotSet("category", None))


class ActionShareLocation(Action):
    """A location shared outside the form: start looking for services near it."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_share_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Thank the user and ask for the kind of help (the form takes over)."""
        from rasa_sdk.events import FollowupAction

        reply = Reply(dispatcher, tracker)
        reply.say_key("location_received")
        return reply.finish(FollowupAction("find_service_form"))
