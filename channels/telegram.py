"""Telegram channel on python-telegram-bot: webhook ``/webhooks/telegram/webhook``.

The webhook accepts an update only with the secret token registered with ``setWebhook``
(header ``X-Telegram-Bot-Api-Secret-Token``, compared in constant time), parses it with
python-telegram-bot's :class:`telegram.Update`, processes each ``update_id`` once, answers
Telegram at once and handles the update in the background: commands, inline keyboards,
shared locations (service search), long answers split under 4096 characters, typing signs.

Register the webhook with::

    python -m channels.telegram set-webhook https://bot.example.org/webhooks/telegram/webhook
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType

from channels import strings
from channels.common import (
    Option,
    custom_without_hints,
    intent_payload,
    language_of,
    location_payload,
    log_failure,
    options_of,
    secrets_match,
    sender_pseudonym,
    setting,
    split_text,
)
from channels.resilience import guard
from channels.runner import UpdateRunner, repeating
from channels.state import StateStore, store_from_config

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4000  # under Telegram's 4096, leaving room for the keyboard's message
MAX_CALLBACK_DATA = 64  # bytes
MAX_BODY = 64 * 1024
DEDUP_TTL_S = 24 * 3600
LANGUAGE_TTL_S = 180 * 24 * 3600
CALLBACK_TTL_S = 30 * 24 * 3600
TYPING_EVERY_S = 4.0
ALLOWED_UPDATES = ("message", "callback_query")
# Commands the dialogue answers, as the intent they stand for. /start offers the language
# choice; the first reply of a conversation carries the demo-content notice (actions/).
COMMAND_INTENTS = {
    "/start": "choose_language",
    "/language": "choose_language",
    "/forget": "forget_me",
    "/help": "menu",
    "/menu": "menu",
}


def command_name(text: str) -> str:
    """``"/help"`` for ``"/help"``, ``"/help@HavenBot"`` or ``"/help me"``; else ``""``."""
    return text.split()[0].split("@")[0] if text.startswith("/") and text.split() else ""


def command_as_intent(text: str) -> str:
    """Commands that the dialogue answers become their intent (``/forget`` → ``/forget_me``).

    ``/start ar`` (a link ``t.me/<bot>?start=ar`` on an NGO's Arabic page) chooses Arabic.
    """
    command = command_name(text)
    intent = COMMAND_INTENTS.get(command)
    if not intent:
        return text
    argument = text.split()[1] if len(text.split()) > 1 else ""
    if command == "/start" and argument in strings.supported_languages():
        return intent_payload("choose_language", {"language": argument})
    return intent_payload(intent)


class TelegramOutput(OutputChannel):
    """Sends the bot's messages to one Telegram chat."""

    def __init__(self, bot: Bot, chat_id: int, store: StateStore, sender: str = "") -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.store = store
        self.sender = sender

    @classmethod
    def name(cls) -> str:
        """The channel name (domain responses may have ``channel: telegram`` variations)."""
        return CHANNEL

    async def _button(self, option: Option) -> InlineKeyboardButton:
        if option.payload.startswith(("http://", "https://")):
            return InlineKeyboardButton(option.title, url=option.payload)
        data = option.payload
        if len(data.encode()) > MAX_CALLBACK_DATA:
            data = "k:" + hashlib.sha256(option.payload.encode()).hexdigest()[:32]
            await self.store.set(f"telegram:callback:{data}", option.payload, CALLBACK_TTL_S)
        return InlineKeyboardButton(option.title, callback_data=data)

    async def keyboard(self, options: list[Option]) -> InlineKeyboardMarkup | None:
        """An inline keyboard with one button per row (long translated titles fit)."""
        if not options:
            return None
        return InlineKeyboardMarkup([[await self._button(o)] for o in options])

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send text (split under 4096 characters), buttons as an inline keyboard, images."""
        text = str(message.get("text") or "")
        options = options_of(message)
        language = language_of(message)
        if language and self.sender:  # the channel's own strings follow the conversation
            await self.store.set(f"telegram:language:{self.sender}", language, LANGUAGE_TTL_S)
        parts = split_text(text, MAX_TEXT) or (["⬇️"] if options else [])
        markup = await self.keyboard(options)
        for number, part in enumerate(parts, 1):
            last = number == len(parts)
            await self.bot.send_message(self.chat_id, part, reply_markup=markup if last else None)
        image = message.get("image")
        if image:
            await self.bot.send_photo(self.chat_id, image)
        if custom_without_hints(message):
            logger.debug("telegram: custom payload without a Telegram rendering ignored")

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send plain text."""
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with an inline keyboard."""
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})


class TelegramInput(InputChannel):
    """The Telegram webhook as a Rasa input channel."""

    def __init__(
        self,
        access_token: str | None,
        secret_token: str | None,
        api_base_url: str = "https://api.telegram.org",
        store: StateStore | None = None,
        default_language: str | None = None,
    ) -> None:
        self.secret_token = secret_token or ""
        self.store = store or store_from_config()
        self.default_language = default_language
        self.runner = UpdateRunner(CHANNEL)
        self.bot: Bot | None = None
        if access_token:
            base = api_base_url.rstrip("/")
            self.bot = Bot(access_token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")
        if not access_token or not secret_token:
            logger.warning(
                "telegram channel: HAVEN_TELEGRAM_TOKEN or HAVEN_TELEGRAM_SECRET is not set; "
                "its webhook refuses every request"
            )
        self._initialised = asyncio.Lock()

    @classmethod
    def name(cls) -> str:
        """The channel name: webhooks live under ``/webhooks/telegram/``."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        """Read the settings from credentials.yml, else from ``HAVEN_TELEGRAM_*`` variables."""
        return cls(
            access_token=setting(credentials, "access_token", "HAVEN_TELEGRAM_TOKEN"),
            secret_token=setting(credentials, "secret_token", "HAVEN_TELEGRAM_SECRET"),
            api_base_url=setting(
                credentials, "api_base_url", "HAVEN_TELEGRAM_API_URL", "https://api.telegram.org"
            ),
            store=store_from_config(setting(credentials, "redis_url", "HAVEN_CHANNELS_REDIS_URL")),
            default_language=setting(credentials, "default_language", "HAVEN_DEFAULT_LANGUAGE"),
        )

    # ------------------------------------------------------------------ webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route and the webhook."""
        # Every user message gets a reply, also when the action server is down or slow.
        on_new_message = guard(on_new_message, channel=self.name())
        hook = Blueprint("haven_telegram_webhook", __name__)

        @hook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            await self.runner.drain()  # answer the messages already accepted

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.bot else "not configured"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        return hook

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Authenticate, parse and de-duplicate an update, then handle it in the background."""
        if self.bot is None or not self.secret_token:
            return response.json({"error": "telegram channel not configured"}, status=503)
        if not secrets_match(request.headers.get(SECRET_HEADER), self.secret_token):
            logger.warning("telegram: webhook request with a wrong secret token refused")
            return response.json({"error": "forbidden"}, status=403)
        if len(request.body or b"") > MAX_BODY:
            return response.json({"error": "request too large"}, status=413)
        update = self.parse(request.body)
        if update is None:
            return response.json({"error": "not a Telegram update"}, status=400)
        if not await self.store.add_if_absent(f"telegram:update:{update.update_id}", DEDUP_TTL_S):
            logger.info("telegram: update %s already handled", update.update_id)
            return response.json({"status": "duplicate"})
        user = update.effective_user
        sender = (
            sender_pseudonym(user.id, CHANNEL) if user else f"telegram-update-{update.update_id}"
        )
        self.runner.submit(sender, lambda: self.handle(update, sender, on_new_message))
        return response.json({"status": "accepted"})

    def parse(self, body: bytes | None) -> Update | None:
        """The update in a request body, or ``None`` when it is not one."""
        try:
            data = json.loads(body or b"")
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        try:
            return Update.de_json(data, self.bot)
        except Exception:  # PTB raises assorted errors on malformed nested objects
            logger.warning("telegram: update %s could not be parsed", data.get("update_id"))
            return None

    # ------------------------------------------------------------------ handling

    async def ensure_bot(self) -> Bot:
        """The initialised Bot API client (``getMe`` is called once)."""
        assert self.bot is not None
        async with self._initialised:
            await self.bot.initialize()
        return self.bot

    async def language(self, sender: str, update: Update) -> str | None:
        """The conversation language (of the bot's last message), else Telegram's own."""
        chosen = await self.store.get(f"telegram:language:{sender}")
        if chosen:
            return str(chosen)
        user_language = (update.effective_user.language_code or "") if update.effective_user else ""
        user_language = user_language.split("-")[0]
        if user_language in strings.supported_languages():
            return user_language
        return self.default_language

    async def handle(
        self,
        update: Update,
        sender: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Turn one update into a Rasa message (or answer a command directly)."""
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE or update.effective_user is None:
            return  # group chats would expose other people's messages: not served
        if update.message is None and update.callback_query is None:
            return  # edits, membership changes …: nothing to answer
        bot = await self.ensure_bot()
        output = TelegramOutput(bot, chat.id, self.store, sender)
        language = await self.language(sender, update)
        text = await self.user_text(update, bot)
        if text is None:
            await output.send_text_message(
                sender, strings.text("channels.unsupported_message", language)
            )
            return
        typed = update.message is not None and update.message.text is not None
        if typed and await self.answer_command(text, sender, output, language):
            return
        text = command_as_intent(text)
        if text.startswith("/forget_me"):
            await self.store.delete(f"telegram:language:{sender}")
        metadata = {"channel": CHANNEL, "ui_language": update.effective_user.language_code}
        message = UserMessage(
            text, output, sender, input_channel=CHANNEL, metadata=metadata,
            message_id=f"telegram-{update.update_id}",
        )  # fmt: skip
        try:
            async with repeating(
                lambda: bot.send_chat_action(chat.id, ChatAction.TYPING), TYPING_EVERY_S
            ):
                await on_new_message(message)
        except Exception as error:
            log_failure(logger, "telegram: answering", sender, error)
            await output.send_text_message(sender, strings.text("error", language))

    async def user_text(self, update: Update, bot: Bot) -> str | None:
        """What the user said or chose, as text for Rasa; ``None`` for unsupported content."""
        query = update.callback_query
        if query is not None:
            await bot.answer_callback_query(query.id)
            data = query.data if isinstance(query.data, str) else ""
            if data.startswith("k:"):
                stored = await self.store.get(f"telegram:callback:{data}")
                return str(stored) if stored else None
            return data or None
        message = update.message
        if message is None:
            return None
        location = message.location or (message.venue.location if message.venue else None)
        if location is not None:
            return location_payload(location.latitude, location.longitude)
        if isinstance(message.text, str) and message.text:  # a forged update may hold anything
            return message.text
        return None

    async def answer_command(
        self, text: str, sender: str, output: TelegramOutput, language: str | None
    ) -> bool:
        """Send ``/help``'s text, and answer unknown commands with it; ``True`` if answered.

        Typed text starting with ``/`` never reaches Rasa as an intent: only the commands of
        :data:`COMMAND_INTENTS` (as their intent) and button payloads do.
        """
        if not text.startswith("/"):
            return False
        command = command_name(text)
        if command in COMMAND_INTENTS and command != "/help":
            return False
        await output.send_text_message(sender, strings.text("channels.help", language))
        return command != "/help"  # /help goes on to the dialogue's menu


# ---------------------------------------------------------------------- command line


async def set_webhook(url: str, token: str, secret: str, api_base_url: str) -> bool:
    """Register ``url`` as the bot's webhook with the secret token (Bot API ``setWebhook``)."""
    base = api_base_url.rstrip("/")
    async with Bot(token, base_url=f"{base}/bot") as bot:
        return await bot.set_webhook(
            url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES), max_connections=20
        )


def main(argv: list[str] | None = None) -> int:
    """``python -m channels.telegram set-webhook URL`` (token and secret from the environment)."""
    parser = argparse.ArgumentParser(prog="python -m channels.telegram")
    commands = parser.add_subparsers(dest="command", required=True)
    register = commands.add_parser("set-webhook", help="register the webhook with Telegram")
    register.add_argument("url", help="public URL of /webhooks/telegram/webhook")
    args = parser.parse_args(argv)
    token = os.environ.get("HAVEN_TELEGRAM_TOKEN")
    secret = os.environ.get("HAVEN_TELEGRAM_SECRET")
    if not token or not secret:
        parser.error("set HAVEN_TELEGRAM_TOKEN and HAVEN_TELEGRAM_SECRET first")
    api = os.environ.get("HAVEN_TELEGRAM_API_URL", "https://api.telegram.org")
    ok = asyncio.run(set_webhook(args.url, token, secret, api))
    print("webhook registered" if ok else "Telegram refused the webhook")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
