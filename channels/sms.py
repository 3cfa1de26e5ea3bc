"""SMS channel through Twilio: webhook ``/webhooks/sms/webhook``.

SMS is paid per segment and read on basic phones, so the channel sends the short form of an
answer when the action gave one (``sms`` hint), plans the length by encoding (GSM-7: 160/153
characters a segment, UCS-2: 70/67, see :mod:`channels.sms_segments`), sends at most
``max_segments`` segments and keeps the rest for the keyword MORE. STOP, START and HELP are
honoured (with their usual synonyms); after STOP nothing is sent until START.
"""

from __future__ import annotations

from typing import Any

from channels import strings
from channels.common import message_hint, numbered_block, setting
from channels.sms_segments import fit
from channels.twilio_messaging import TwilioMessagingInput, TwilioTurnOutput

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
MORE_WORDS = frozenset({"MORE"})
DEFAULT_MAX_SEGMENTS = 3
REST_TTL_S = 24 * 3600


class SmsOutput(TwilioTurnOutput):
    """Collects one turn of the bot's messages for SMS."""

    channel_name = "sms"


def turn_text(messages: list[dict[str, Any]], options_text: str) -> str:
    """One SMS text for the turn: each message's short form (else its text), then options."""
    texts = [str(message_hint(m, "sms") or m.get("text") or "").strip() for m in messages]
    return "\n".join(t for t in [*texts, options_text] if t)


class SmsInput(TwilioMessagingInput):
    """The SMS webhook as a Rasa input channel."""

    channel = "sms"
    env_prefix = "HAVEN_SMS"
    output_class = SmsOutput

    def __init__(
        self, *args: Any, max_segments: int = DEFAULT_MAX_SEGMENTS, keyword_replies: bool = True,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.max_segments = max(1, int(max_segments))
        self.keyword_replies = keyword_replies

    @classmethod
    def extra_settings(cls, credentials: dict[str, Any] | None) -> dict[str, Any]:
        """``max_segments`` and ``keyword_replies`` (off when Twilio answers STOP itself)."""
        replies = setting(credentials, "keyword_replies", "HAVEN_SMS_KEYWORD_REPLIES", True)
        return {
            "max_segments": setting(
                credentials, "max_segments", "HAVEN_SMS_MAX_SEGMENTS", DEFAULT_MAX_SEGMENTS
            ),
            "keyword_replies": str(replies).lower() not in ("false", "0", "no", "off"),
        }

    def _keys(self, sender: str) -> tuple[str, str]:
        return f"sms:stopped:{sender}", f"sms:rest:{sender}"

    async def answer_keywords(
        self, body: str, sender: str, to: str, language: str | None
    ) -> str | None:
        """STOP, START, HELP and MORE; messages of a stopped sender are dropped."""
        stopped_key, rest_key = self._keys(sender)
        keyword = body.strip().rstrip(".!").upper()
        if keyword in STOP_WORDS:
            await self.store.set(stopped_key, True)
            await self.store.delete(rest_key, f"sms:options:{sender}")
            if self.keyword_replies:
                await self.send(to, strings.text("channels.sms.stopped", language))
            return None
        if keyword in START_WORDS or (keyword == "YES" and await self.store.get(stopped_key)):
            await self.store.delete(stopped_key)
            if self.keyword_replies:
                await self.send(to, strings.text("channels.sms.started", language))
            return None
        if await self.store.get(stopped_key):
            return None  # the person asked for no more messages
        if keyword in HELP_WORDS:
            await self.send(to, strings.text("channels.sms.help", language))
            return None
        if keyword in MORE_WORDS:
            rest = await self.store.get(rest_key)
            if rest:
                await self.send_planned(str(rest), sender, to, language)
            else:
                await self.send(to, strings.text("channels.sms.nothing_more", language))
            return None
        return body

    async def send_planned(self, text: str, sender: str, to: str, language: str | None) -> None:
        """Send what fits in ``max_segments`` and keep the rest for MORE."""
        pointer = strings.text("channels.sms.more", language)
        head, rest = fit(text, self.max_segments, pointer)
        _, rest_key = self._keys(sender)
        if rest:
            await self.store.set(rest_key, rest, REST_TTL_S)
        else:
            await self.store.delete(rest_key)
        await self.send(to, head)

    async def deliver(
        self, messages: list[dict[str, Any]], sender: str, to: str, language: str | None
    ) -> None:
        """Send the turn as one SMS of at most ``max_segments`` segments."""
        options, language = await self.remember_turn(messages, sender, language)
        text = turn_text(messages, numbered_block(messages, options))
        if text:
            await self.send_planned(text, sender, to, language)
