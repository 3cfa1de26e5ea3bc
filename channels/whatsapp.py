"""WhatsApp channel through Twilio: webhook ``/webhooks/whatsapp/webhook``.

Shared locations go to service search, buttons become numbered options (the user answers
"2" or "٢"), and answers are sent as messages under WhatsApp's 1600-character limit on Twilio,
split at sentence boundaries. Authentication, de-duplication and sending are in
:mod:`channels.twilio_messaging`.
"""

from __future__ import annotations

from typing import Any

from channels.common import numbered_block, split_text
from channels.twilio_messaging import TwilioMessagingInput, TwilioTurnOutput

MAX_MESSAGE = 1600


class WhatsAppOutput(TwilioTurnOutput):
    """Collects one turn of the bot's messages for WhatsApp."""

    channel_name = "whatsapp"


def render_turn(messages: list[dict[str, Any]], options_text: str) -> list[str]:
    """The WhatsApp messages for one turn: texts joined, options last, each under 1600."""
    texts = [str(m.get("text") or "").strip() for m in messages]
    image_urls = [str(m["image"]) for m in messages if m.get("image")]
    body = "\n\n".join(t for t in [*texts, *image_urls, options_text] if t)
    return split_text(body, MAX_MESSAGE)


class WhatsAppInput(TwilioMessagingInput):
    """The WhatsApp webhook as a Rasa input channel."""

    channel = "whatsapp"
    env_prefix = "HAVEN_WHATSAPP"
    address_prefix = "whatsapp:"
    output_class = WhatsAppOutput

    async def deliver(
        self, messages: list[dict[str, Any]], sender: str, to: str, language: str | None
    ) -> None:
        """Send the turn as one or more WhatsApp messages."""
        options, language = await self.remember_turn(messages, sender, language)
        for part in render_turn(messages, numbered_block(messages, options)):
            await self.send(to, part)
