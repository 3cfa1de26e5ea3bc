"""A Rasa channel server with a small scripted agent, for channel tests without a trained model.

It is Rasa's own Sanic app and channel registration (``rasa.core.run``) with the channels of a
credentials file; only the dialogue is replaced by :class:`ScriptedAgent`, which answers
through the channel's real output channel. Run:
``python -m tests.rasa_env.channels.echo_server CREDENTIALS PORT``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

from rasa.core.channels.channel import UserMessage, register
from rasa.core.run import _create_app_without_api, create_http_input_channels

LONG_ANSWER = " ".join(
    f"Sentence number {n} explains one more detail of your rights at work." for n in range(1, 90)
)
ARABIC_ANSWER = "لديك الحق في العمل والحصول على أجر عادل. " * 12
ARABIC_SHORT = "لديك الحق في العمل. اسأل خدمة المساعدة القانونية."
FRENCH_ANSWER = "Vous avez le droit de travailler et de recevoir un salaire correct. " * 10
LANGUAGE_BUTTONS = [
    {"title": "English", "payload": '/choose_language{"language": "en"}'},
    {"title": "العربية", "payload": '/choose_language{"language": "ar"}'},
]
ARABIC_BUTTONS = [
    {"title": "نعم، كان مفيدًا", "payload": '/feedback{"helpful": true}'},
    {"title": "خدمات قريبة", "payload": '/find_service{"category": "legal-aid"}'},
]
SERVICE_BUTTONS = [
    {"title": "Health", "payload": '/find_service{"category": "health", "city": "lindmark"}'},
    {"title": "Legal aid", "payload": '/find_service{"category": "legal-aid", "city": "lindmark"}'},
    {
        "title": "Housing and shelter",
        "payload": '/find_service{"category": "housing-and-shelter", "city": "lindmark-harbour"}',
    },
]


def script(message: UserMessage) -> list[dict[str, Any]]:
    """The scripted bot's replies to a message."""
    text = message.text or ""
    if text == "whoami":
        return [{"text": json.dumps({"sender": message.sender_id, "metadata": message.metadata})}]
    if text == "long":
        return [{"text": LONG_ANSWER}]
    if text == "buttons":
        return [{"text": "What kind of help do you need?", "buttons": SERVICE_BUTTONS}]
    if text == "language?":
        return [{"text": "Choose a language", "buttons": LANGUAGE_BUTTONS}]
    if text == "arabic":
        return [{"text": ARABIC_ANSWER, "language": "ar", "sms": ARABIC_SHORT}]
    if text.endswith("؟"):  # an Arabic question
        return [{"text": ARABIC_SHORT, "language": "ar", "buttons": ARABIC_BUTTONS}]
    if text == "arabic-long":
        return [{"text": ARABIC_ANSWER * 3, "custom": {"language": "ar"}}]
    if text == "french":
        return [{"text": FRENCH_ANSWER, "custom": {"language": "fr"}}]
    if text == "crash":
        raise RuntimeError("scripted failure")
    if text == "slow":
        return [{"text": "after a while", "delay": 2.0}]
    return [{"text": f"echo: {text}"}]


class ScriptedAgent:
    """Answers like an agent would: through ``message.output_channel.send_response``."""

    async def handle_message(self, message: UserMessage) -> None:
        for reply in script(message):
            delay = reply.pop("delay", 0)
            if delay:
                await asyncio.sleep(delay)
            await message.output_channel.send_response(message.sender_id, dict(reply))


def main(credentials: str, port: int) -> None:
    # As verbose as logging gets: the tests check that even so no number or text is logged.
    logging.basicConfig(
        level=logging.DEBUG, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    app = _create_app_without_api(cors=None)
    app.ctx.agent = ScriptedAgent()
    channels = create_http_input_channels(None, credentials)
    register(channels, app, route="/webhooks/")
    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
