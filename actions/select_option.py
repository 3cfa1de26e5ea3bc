"""Act on a numbered reply ("2") as if the user had pressed the second button."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import ActionAnswerQuestion
from actions.conversation import ActionChooseLanguage, ActionMenu, ActionRestart
from actions.emergency import ActionEmergency
from actions.feedback import ActionFeedback
from actions.forget_me import ActionForgetMe
from actions.options import option_from_number
from actions.referral import ActionHumanHelp
from actions.replies import Reply

#: Payload intents answered directly by another action of this server.
DIRECT: dict[str, type[Action]] = {
    "ask_question": ActionAnswerQuestion,
    "human_help": ActionHumanHelp,
    "emergency": ActionEmergency,
    "choose_language": ActionChooseLanguage,
    "feedback": ActionFeedback,
    "forget_me": ActionForgetMe,
    "menu": ActionMenu,
    "restart": ActionRestart,
}


def tracker_with_message(tracker: Tracker, intent: str, entities: dict[str, Any]) -> Tracker:
    """A copy of the tracker whose latest message is the chosen button's payload."""
    state = tracker.current_state()
    state["latest_message"] = {
        "text": "/" + intent,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": k, "value": v} for k, v in entities.items()],
        "language": None,
    }
    return Tracker.from_dict(state)


class ActionSelectOption(Action):
    """Map a typed number to the payload of the last buttons and act on it."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_select_option"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Run the chosen option, or show the menu when the number means nothing."""
        chosen = option_from_number(tracker)
        if chosen is None:
            reply = Reply(dispatcher, tracker)
            reply.say(reply.t("menu"), buttons=reply.menu_buttons())
            return reply.finish()
        intent, entities = chosen
        if intent in DIRECT:
            action = DIRECT[intent]()
            chosen_tracker = tracker_with_message(tracker, intent, entities)
            return await action.run(dispatcher, chosen_tracker, domain)
        slots = [SlotSet(k, v) for k, v in entities.items() if k in ("category", "city")]
        return [*slots, SlotSet("last_options", None), FollowupAction("find_service_form")]
