"""Small talk and navigation: greeting, goodbye, thanks, bot challenge, menu, language, restart."""

from __future__ import annotations

import unicodedata
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content import taxonomy
from actions.language import LANGUAGE_SLOT, LOCKED_SLOT
from actions.replies import DEMO_SLOT, Reply, stop_form
from haven import i18n


class _SimpleReply(Action):
    """An action that sends one translated string (optionally with the main menu)."""

    action_name = ""
    key = ""
    with_menu = False

    def name(self) -> str:
        """Action name used in the domain."""
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the string in the conversation language."""
        reply = Reply(dispatcher, tracker)
        reply.say(reply.t(self.key), buttons=reply.menu_buttons() if self.with_menu else None)
        return reply.finish(*stop_form(tracker))


class ActionGreet(_SimpleReply):
    """Greet and show the main menu."""

    action_name, key, with_menu = "action_greet", "greet", True


class ActionGoodbye(_SimpleReply):
    """Say goodbye."""

    action_name, key = "action_goodbye", "goodbye"


class ActionThanks(_SimpleReply):
    """Answer thanks."""

    action_name, key = "action_thanks", "thanks"


class ActionBotChallenge(_SimpleReply):
    """Say that this is a program, not a person."""

    action_name, key = "action_bot_challenge", "bot_challenge"


class ActionMenu(_SimpleReply):
    """Show the main menu."""

    action_name, key, with_menu = "action_menu", "menu", True


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def language_from_text(text: str) -> str | None:
    """A supported language named in the text ("español", "in Arabic", "العربية")."""
    tax = taxonomy()
    if tax is None or not text:
        return None
    folded = _fold(text)
    supported = set(i18n.supported_languages())
    for code, language in tax.languages.items():
        if code not in supported:
            continue
        names = {language.name, language.native, code, *language.native.split("/")}
        for name in names:
            name = _fold(name)
            if name and (folded == name or (len(name) > 3 and name in folded)):
                return code
    return None


def requested_language(tracker: Tracker) -> str | None:
    """The language the user asked for: a ``language`` entity, else a name in the text."""
    supported = i18n.supported_languages()
    for entity in (tracker.latest_message or {}).get("entities", []):
        if entity.get("entity") == "language" and entity.get("value") in supported:
            return str(entity["value"])
    return language_from_text(str((tracker.latest_message or {}).get("text") or ""))


class ActionChooseLanguage(Action):
    """Switch to the language the user chose, or offer the choice with buttons."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_choose_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Lock the chosen language, or ask which one."""
        chosen = requested_language(tracker)
        if chosen:
            reply = Reply(dispatcher, tracker, language=chosen)
            reply.set_slot(LOCKED_SLOT, True)
            reply.say_key("language_set")
            return reply.finish(*stop_form(tracker))
        reply = Reply(dispatcher, tracker)
        reply.say(reply.t("choose_language"), buttons=language_buttons())
        return reply.finish(*stop_form(tracker))


def language_buttons() -> list[tuple[str, str]]:
    """One button per supported language, titled with the language's own name."""
    tax = taxonomy()
    buttons = []
    for code in i18n.supported_languages():
        language = tax.languages.get(code) if tax is not None else None
        title = (language.native or language.name) if language else code
        buttons.append((title, f'/choose_language{{"language": "{code}"}}'))
    return buttons


class ActionRestart(Action):
    """Start the conversation again, keeping the language the user chose."""

    def name(self) -> str:
        """Overrides Rasa's default ``action_restart``."""
        return "action_restart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Reset the conversation; keep language and demo notice state."""
        reply = Reply(dispatcher, tracker)
        reply.say(reply.t("restart"), buttons=reply.menu_buttons())
        kept = [
            SlotSet(LANGUAGE_SLOT, reply.language),
            SlotSet(LOCKED_SLOT, tracker.get_slot(LOCKED_SLOT)),
            SlotSet(DEMO_SLOT, True),
        ]
        return [Restarted(), *kept, *reply.finish()]
