"""Build translated replies: text in the user's language, direction, buttons, demo notice.

Every action talks to the user through a :class:`Reply`, so that

* every string comes from the gettext catalogs (``haven.i18n``) in the conversation language;
* every message carries ``metadata = {"language": .., "direction": "rtl" | "ltr", ..}`` so that
  channels render Arabic, Farsi and Pashto right to left;
* buttons are remembered (slot ``last_options``) so that a user on a channel without buttons
  can answer with the number of an option; the metadata also holds ``numbered_hint``, the
  translated "reply with the number" line for such channels;
* the first reply of a conversation starts with the demo-content notice when
  ``demo_content: true`` in ``haven.yml``.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import conversation_language, language_events
from haven import i18n, settings

Button = tuple[str, str]  # (title, payload)

DEMO_SLOT = "demo_notice_shown"
OPTIONS_SLOT = "last_options"


class Reply:
    """Collects the messages and slot events of one action run, in one language."""

    def __init__(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        language: str | None = None,
        demo_notice: bool = True,
    ) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.language = language or conversation_language(tracker)
        self.events: list[dict[str, Any]] = list(language_events(tracker, self.language))
        self._options_set = False
        if demo_notice:
            self.demo_notice()

    # -- text ----------------------------------------------------------------------------
    def t(self, key: str, /, **values: object) -> str:
        """A bot string in the conversation language."""
        return i18n.translate(key, self.language, **values)

    def metadata(self, **extra: Any) -> dict[str, Any]:
        """Rendering hints for channels."""
        data = {"language": self.language, "direction": i18n.direction(self.language)}
        data.update(extra)
        return data

    def say(self, text: str, buttons: list[Button] | None = None, **extra: Any) -> None:
        """Send one message, with optional buttons (remembered for numbered replies)."""
        if buttons:
            rendered = [{"title": title, "payload": payload} for title, payload in buttons]
            self.dispatcher.utter_message(
                text=text,
                buttons=rendered,
                metadata=self.metadata(numbered_hint=self.t("numbered_hint"), **extra),
            )
            self.remember_options([payload for _, payload in buttons])
        else:
            self.dispatcher.utter_message(text=text, metadata=self.metadata(**extra))

    def say_key(self, key: str, /, buttons: list[Button] | None = None, **values: object) -> None:
        """Send the bot string ``key`` (with placeholders filled in)."""
        self.say(self.t(key, **values), buttons=buttons)

    # -- state ---------------------------------------------------------------------------
    def remember_options(self, payloads: list[str]) -> None:
        """Keep the payloads of the last buttons so that "2" can select the second."""
        self.events = [e for e in self.events if e.get("name") != OPTIONS_SLOT]
        self.events.append(SlotSet(OPTIONS_SLOT, payloads))
        self._options_set = True

    def set_slot(self, name: str, value: Any) -> None:
        """Add a ``SlotSet`` event to the action's result."""
        self.events.append(SlotSet(name, value))

    def finish(self, *more: dict[str, Any]) -> list[dict[str, Any]]:
        """The events to return from ``run``; old options are cleared when none were sent."""
        if not self._options_set and self.tracker.get_slot(OPTIONS_SLOT):
            self.events.append(SlotSet(OPTIONS_SLOT, None))
        return [*self.events, *more]

    # -- buttons -------------------------------------------------------------------------
    def menu_buttons(self) -> list[Button]:
        """The main menu."""
        return [
            (self.t("menu.ask"), "/ask_question"),
            (self.t("menu.find_service"), "/find_service"),
            (self.t("menu.human"), "/human_help"),
            (self.t("menu.emergency"), "/emergency"),
            (self.t("menu.language"), "/choose_language"),
            (self.t("menu.forget_me"), "/forget_me"),
        ]

    def feedback_buttons(self) -> list[Button]:
        """Helpful / not helpful, after an answer."""
        return [
            (self.t("feedback.helpful"), '/feedback{"feedback_value": "helpful"}'),
            (self.t("feedback.not_helpful"), '/feedback{"feedback_value": "not_helpful"}'),
        ]

    # -- first contact -------------------------------------------------------------------
    def demo_notice(self) -> None:
        """On first contact, say that the bot runs on demo content (when configured)."""
        if any(e.get("name") == DEMO_SLOT for e in self.events):
            return
        if not settings.get("demo_content", False) or self.tracker.get_slot(DEMO_SLOT):
            return
        self.say(self.t("demo_notice", country=country_name(self.language)))
        self.events.append(SlotSet(DEMO_SLOT, True))


def country_name(language: str) -> str:
    """The configured country's name in a language (from the content taxonomy)."""
    from actions.content import taxonomy

    tax = taxonomy()
    if tax is None:
        return str(settings.get("country", ""))
    names = tax.country_names
    return names.get(language) or names.get(i18n.fallback_language()) or tax.country_code


def stop_form(tracker: Tracker) -> list[dict[str, Any]]:
    """Events that end an active form (for actions that interrupt it)."""
    if (tracker.active_loop or {}).get("name"):
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []
