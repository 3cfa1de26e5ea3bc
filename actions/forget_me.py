"""Erase the user's data: stored feedback now, the conversation once this turn is saved."""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.erasure import forget_after_turn
from actions.feedback_store import FeedbackStore
from actions.replies import Reply

logger = logging.getLogger(__name__)


class ActionForgetMe(Action):
    """Delete the user's feedback and conversation history."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Erase, confirm, and forget every slot."""
        reply = Reply(dispatcher, tracker, demo_notice=False)
        started = time.time()
        try:
            FeedbackStore().forget(tracker.sender_id)  # now, so the reply is true at once
            forget_after_turn(tracker.sender_id, since=started)  # events, once saved
        except Exception:
            logger.exception("forget_me failed")
            reply.say_key("forget_me_failed")
            return reply.finish()
        reply.say_key("forget_me_done")
        return [Restarted(), AllSlotsReset()]
