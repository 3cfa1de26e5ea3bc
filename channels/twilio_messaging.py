"""What the WhatsApp and SMS channels share: Twilio's Messaging webhook and REST client.

A webhook request is accepted only with a valid ``X-Twilio-Signature`` (twilio's
:class:`~twilio.request_validator.RequestValidator`, computed over the *public* URL Twilio
called, so set ``public_base_url`` behind a proxy). The channel answers at once with empty
TwiML and sends the bot's reply through the Twilio REST client; each ``MessageSid`` is handled
once. All the bot's messages of one turn are rendered together (one SMS or WhatsApp message
costs money), buttons become numbered options that the user answers with a number.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels import strings
from channels.common import (
    Option,
    chosen_option,
    language_of,
    location_payload,
    log_failure,
    options_of,
    sender_pseudonym,
    setting,
)
from channels.resilience import guard
from channels.runner import UpdateRunner
from channels.state import StateStore, store_from_config

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY = 32 * 1024
MAX_TEXT = 2000  # a user message longer than this is not a question
DEDUP_TTL_S = 24 * 3600
OPTIONS_TTL_S = 24 * 3600
LANGUAGE_TTL_S = 180 * 24 * 3600
MESSAGE_SID = re.compile(r"^(SM|MM|SS)[0-9a-fA-F]{32}$")
PHONE = re.compile(r"^\+?[0-9]{3,15}$")  # E.164 numbers and short codes


class RebasedAsyncHttpClient(AsyncTwilioHttpClient):
    """Twilio's asynchronous HTTP client, sending ``api.twilio.com`` requests elsewhere.

    Used to point the real client at a regional edge, a recording proxy or a test double.
    """

    def __init__(self, api_base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_base_url = api_base_url.rstrip("/")

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        if url.startswith(TWILIO_API):
            url = self.api_base_url + url[len(TWILIO_API) :]
        return await super().request(method, url, *args, **kwargs)


class FormParams(dict[str, list[str]]):
    """Form parameters in the shape twilio's RequestValidator reads (``getlist``)."""

    @classmethod
    def parse(cls, body: bytes) -> FormParams:
        """Parse an ``application/x-www-form-urlencoded`` body, keeping empty values."""
        params = cls()
        for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            params.setdefault(key, []).append(value)
        return params

    def getlist(self, key: str) -> list[str]:
        """All values of a parameter."""
        return self.get(key, [])

    def first(self, key: str, default: str = "") -> str:
        """The first value of a parameter."""
        values = self.get(key)
        return values[0] if values else default


class TwilioTurnOutput(CollectingOutputChannel):
    """Collects the bot's messages of one turn; the channel renders and sends them together."""

    channel_name = "twilio"

    @classmethod
    def name(cls) -> str:
        """The channel name (``whatsapp`` or ``sms``), for channel-specific responses."""
        return cls.channel_name

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Keep the whole message, channel hints (``sms``, ``language``) included."""
        await self._persist_message({**message, "recipient_id": recipient_id})


class TwilioMessagingInput(InputChannel):
    """The Twilio Messaging webhook; subclasses say how a turn is rendered."""

    channel = "twilio"
    env_prefix = "HAVEN_TWILIO"
    address_prefix = ""  # "whatsapp:" for WhatsApp senders and numbers
    output_class: type[TwilioTurnOutput] = TwilioTurnOutput

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        public_base_url: str | None = None,
        api_base_url: str = TWILIO_API,
        store: StateStore | None = None,
        default_language: str | None = None,
    ) -> None:
        self.account_sid = account_sid or ""
        self.auth_token = auth_token or ""
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.public_base_url = (public_base_url or "").rstrip("/")
        self.api_base_url = api_base_url
        self.store = store or store_from_config()
        self.default_language = default_language
        self.runner = UpdateRunner(self.channel)
        self.validator = RequestValidator(self.auth_token) if self.auth_token else None
        self._client: Client | None = None
        self._client_lock = asyncio.Lock()
        if not self.configured:
            logger.warning(
                "%s channel: account SID, auth token and a sender (number or messaging "
                "service) are needed; its webhook refuses every request",
                self.channel,
            )

    @property
    def configured(self) -> bool:
        """Whether the channel has what it needs to authenticate and answer."""
        return bool(
            self.account_sid
            and self.auth_token
            and (self.from_number or self.messaging_service_sid)
        )

    @classmethod
    def name(cls) -> str:
        """The channel name: webhooks live under ``/webhooks/<name>/``."""
        return cls.channel

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioMessagingInput:
        """Read settings from credentials.yml, else from ``HAVEN_TWILIO_*`` variables."""
        shared, own = "HAVEN_TWILIO", cls.env_prefix
        return cls(
            account_sid=setting(credentials, "account_sid", f"{shared}_ACCOUNT_SID"),
            auth_token=setting(credentials, "auth_token", f"{shared}_AUTH_TOKEN"),
            from_number=setting(credentials, "from_number", f"{own}_FROM"),
            messaging_service_sid=setting(
                credentials, "messaging_service_sid", f"{own}_MESSAGING_SERVICE_SID"
            ),
            public_base_url=setting(credentials, "public_base_url", "HAVEN_PUBLIC_BASE_URL"),
            api_base_url=setting(credentials, "api_base_url", f"{shared}_API_URL", TWILIO_API),
            store=store_from_config(setting(credentials, "redis_url", "HAVEN_CHANNELS_REDIS_URL")),
            default_language=setting(credentials, "default_language", "HAVEN_DEFAULT_LANGUAGE"),
            **cls.extra_settings(credentials),
        )

    @classmethod
    def extra_settings(cls, credentials: dict[str, Any] | None) -> dict[str, Any]:
        """Settings only a subclass has."""
        return {}

    # ------------------------------------------------------------------ webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route and the webhook."""
        # Every user message gets a reply, also when the action server is down or slow.
        on_new_message = guard(on_new_message, channel=self.name())
        hook = Blueprint(f"haven_{self.channel}_webhook", __name__)

        @hook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            await self.runner.drain()  # answer the messages already accepted

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.configured else "not configured"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        return hook

    def signed_url(self, request: Request) -> str:
        """The URL Twilio signed: the configured public base URL + path, else the request URL."""
        if not self.public_base_url:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{self.public_base_url}{request.path}{query}"

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Authenticate and de-duplicate a message, then handle it in the background."""
        if not self.configured or self.validator is None:
            return response.text("channel not configured", status=503)
        if len(request.body or b"") > MAX_BODY:
            return response.text("request too large", status=413)
        try:
            params = FormParams.parse(request.body or b"")
        except UnicodeDecodeError:
            return response.text("malformed form body", status=400)
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not self.validator.validate(
            self.signed_url(request), params, signature
        ):
            logger.warning("%s: request with a missing or wrong signature refused", self.channel)
            return response.text("forbidden", status=403)
        if params.first("AccountSid") != self.account_sid:
            return response.text("forbidden: another account", status=403)
        sid, sender_address = params.first("MessageSid"), params.first("From")
        if not MESSAGE_SID.match(sid) or not self.valid_sender(sender_address):
            return response.text(f"not a {self.channel} message", status=400)
        if not await self.store.add_if_absent(f"{self.channel}:sid:{sid}", DEDUP_TTL_S):
            logger.info("%s: message %s already handled", self.channel, sid)
            return response.text(EMPTY_TWIML, content_type="text/xml")
        sender = sender_pseudonym(sender_address, self.channel)
        self.runner.submit(sender, lambda: self.handle(params, sender, on_new_message))
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def valid_sender(self, address: str) -> bool:
        """Whether ``From`` is an address of this channel (``whatsapp:+…`` or ``+…``)."""
        number = address.removeprefix(self.address_prefix)
        return address.startswith(self.address_prefix) and bool(PHONE.match(number))

    # ------------------------------------------------------------------ handling

    async def client(self) -> Client:
        """The Twilio REST client (its HTTP session is created inside the running loop)."""
        async with self._client_lock:
            if self._client is None:
                http = RebasedAsyncHttpClient(self.api_base_url, timeout=15)
                self._client = Client(self.account_sid, self.auth_token, http_client=http)
            return self._client

    async def send(self, to: str, body: str) -> None:
        """Send one message through Twilio's Messages API."""
        client = await self.client()
        sender = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        await client.messages.create_async(to=to, body=body, **sender)

    async def language(self, sender: str) -> str | None:
        """The language the bot last wrote to this sender in (for the channel's own strings)."""
        stored = await self.store.get(f"{self.channel}:language:{sender}")
        return str(stored) if stored else self.default_language

    async def user_text(self, params: FormParams, sender: str) -> str | None:
        """The text for Rasa: a chosen option's payload, a location, or the message body."""
        latitude, longitude = params.first("Latitude"), params.first("Longitude")
        if latitude and longitude:
            try:
                return location_payload(float(latitude), float(longitude))
            except ValueError:
                return None
        body = params.first("ButtonPayload") or params.first("Body")
        body = body.strip()
        if not body:
            return None
        stored = await self.store.get(f"{self.channel}:options:{sender}") or []
        option = chosen_option(body, [Option(**o) for o in stored])
        return option.payload if option else body

    async def handle(
        self,
        params: FormParams,
        sender: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Answer keywords here, pass everything else to Rasa, send the turn's reply."""
        to = params.first("From")
        language = await self.language(sender)
        text = await self.answer_keywords(params.first("Body").strip(), sender, to, language)
        if text is None:
            return
        text = await self.user_text(params, sender)
        if text is None:
            await self.send(to, strings.text("channels.unsupported_message", language))
            return
        if len(text) > MAX_TEXT:
            await self.send(to, strings.text("channels.too_long", language))
            return
        output = self.output_class()
        metadata = {"channel": self.channel}
        message = UserMessage(
            text, output, sender, input_channel=self.channel, metadata=metadata,
            message_id=params.first("MessageSid"),
        )  # fmt: skip
        try:
            await on_new_message(message)
        except Exception as error:
            log_failure(logger, f"{self.channel}: answering", sender, error)
            await self.send(to, strings.text("error", language))
            return
        await self.deliver(output.messages, sender, to, language)

    async def answer_keywords(
        self, body: str, sender: str, to: str, language: str | None
    ) -> str | None:
        """Handle channel keywords; return the body to go on with, or ``None`` if answered."""
        return body

    async def remember_turn(
        self, messages: list[dict[str, Any]], sender: str, language: str | None
    ) -> tuple[list[Option], str | None]:
        """Store the turn's options (for numbered answers) and language; return both."""
        options = [o for m in messages for o in options_of(m)]
        if options:
            await self.store.set(
                f"{self.channel}:options:{sender}",
                [{"title": o.title, "payload": o.payload} for o in options],
                OPTIONS_TTL_S,
            )
        else:
            await self.store.delete(f"{self.channel}:options:{sender}")
        for message in messages:
            language = language_of(message, language)
        if language:
            await self.store.set(f"{self.channel}:language:{sender}", language, LANGUAGE_TTL_S)
        return options, language

    async def deliver(
        self, messages: list[dict[str, Any]], sender: str, to: str, language: str | None
    ) -> None:
        """Render and send one turn's messages (subclasses)."""
        raise NotImplementedError
