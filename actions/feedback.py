"""Record whether an answer helped (buttons after each answer)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import LAST_ANSWER_SLOT
from actions.feedback_store import VALUES, FeedbackStore
from actions.replies import Reply
from haven import inbox

logger = logging.getLogger(__name__)


def feedback_value(tracker: Tracker) -> str | None:
    """``helpful`` / ``not_helpful`` from the ``feedback_value`` entity, if any."""
    for entity in (tracker.latest_message or {}).get("entities", []):
        if entity.get("entity") == "feedback_value" and entity.get("value") in VALUES:
            return str(entity["value"])
    return None


def previous_question(tracker: Tracker) -> str:
    """The user's last typed message before this feedback (button payloads are skipped)."""
    user_texts = [
        str(event.get("text") or "").strip()
        for event in tracker.events
        if event.get("event") == "user"
    ]
    for text in reversed(user_texts[:-1]):  # the last one is the feedback itself
        if text and not text.startswith("/"):
            return text
    return ""


class ActionFeedback(Action):
    """Store the feedback on the last answer, or ask with buttons when it is unclear."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Save the feedback for content staff."""
        reply = Reply(dispatcher, tracker)
        value = feedback_value(tracker)
        entry_id = tracker.get_slot(LAST_ANSWER_SLOT)
        if value is None:
            reply.say(reply.t("feedback_prompt"), buttons=reply.feedback_buttons())
            return reply.finish()
        if entry_id is None:
            reply.say_key("feedback_nothing")
            return reply.finish()
        try:
            FeedbackStore().add(tracker.sender_id, entry_id, value, reply.language)
        except Exception:  # storage trouble must not break the conversation
            logger.exception("could not store feedback")
        if value == "not_helpful":
            inbox.record_not_helpful(entry_id, reply.language, previous_question(tracker))
        reply.say_key("feedback_thanks")
        reply.set_slot(LAST_ANSWER_SLOT, None)
        return reply.finish()
