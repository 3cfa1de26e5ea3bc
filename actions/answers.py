"""Answer questions from the knowledge base, or say plainly that the bot does not know."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import kb_client
from actions.formatting import answer_text
from actions.referral import refer_to_human
from actions.replies import Reply, stop_form
from haven import inbox

logger = logging.getLogger(__name__)

LAST_ANSWER_SLOT = "last_answer_id"


def question_text(tracker: Tracker) -> str:
    """The user's question: the latest message unless it was a button payload."""
    text = str((tracker.latest_message or {}).get("text") or "").strip()
    return "" if text.startswith("/") else text


class ActionAnswerQuestion(Action):
    """Search the knowledge base; answer with source and review date, or refer to a person."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answer the latest message from the knowledge base."""
        reply = Reply(dispatcher, tracker)
        question = question_text(tracker)
        if not question:
            reply.say_key("ask_question_prompt")
            return reply.finish(*stop_form(tracker))
        try:
            result = kb_client.knowledge_base().search_faq(question, language=reply.language)
        except kb_client.KnowledgeBaseUnavailableError:
            result = None
        except Exception:  # a failing search must end in a referral, never in silence
            logger.exception("knowledge-base search failed")
            result = None
        answer = result.answer if result is not None else None
        if answer is None:
            if result is not None:  # declined (not merely unavailable): content staff should see it
                inbox.record_declined(question, reply.language)
            reply.say(reply.t("dont_know"), kind="no_answer")  # counted by /metrics
            refer_to_human(reply, tracker)
            reply.set_slot(LAST_ANSWER_SLOT, None)
            return reply.finish(*stop_form(tracker))
        reply.say(answer_text(reply, answer), kind="answer", entry_id=answer.entry_id)
        reply.say(reply.t("feedback_prompt"), buttons=reply.feedback_buttons())
        reply.set_slot(LAST_ANSWER_SLOT, answer.entry_id)
        return reply.finish(*stop_form(tracker))


class ActionOutOfScope(Action):
    """Say what the bot can help with."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Explain the bot's scope and show the menu."""
        reply = Reply(dispatcher, tracker)
        reply.say(reply.t("out_of_scope"), buttons=reply.menu_buttons())
        return reply.finish(*stop_form(tracker))
