"""The real Rasa server with every Haven channel of bot/credentials.yml (REST replaced by
Haven's hardened REST channel), the real action server, and local fakes of the Telegram and
Twilio APIs (the only outside services)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from haven.processes import ROOT
from tests.rasa_env.channels.fakes import FakeTelegram, FakeTwilio
from tests.support.servers import Server, action_server, rasa_server

TELEGRAM_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
TELEGRAM_SECRET = "fuzz-secret_Token"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "twilio-auth-token-for-fuzzing"


@dataclass
class FuzzStack:
    rasa: Server
    channels: set[str]


def fuzz_credentials() -> dict:
    """bot/credentials.yml with Haven's REST and metrics channels."""
    credentials = yaml.safe_load((ROOT / "bot" / "credentials.yml").read_text()) or {}
    credentials.pop("rest", None)
    credentials.pop("rasa", None)  # Rasa X login, not a webhook
    credentials["channels.rest.RestInput"] = None
    credentials["channels.metrics.MetricsInput"] = None
    return credentials


def channel_names(credentials: dict) -> set[str]:
    names = {"rest"}
    for key in credentials:
        module = key.split(".")[1] if key.startswith("channels.") else key
        if module in ("telegram", "whatsapp", "sms", "webchat"):
            names.add(module)
    return names


@pytest.fixture(scope="package")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzStack]:
    credentials = fuzz_credentials()
    path = tmp_path_factory.mktemp("fuzz") / "credentials.yml"
    path.write_text(yaml.safe_dump(credentials))
    telegram = FakeTelegram(TELEGRAM_TOKEN).start()
    twilio = FakeTwilio(TWILIO_SID, TWILIO_TOKEN).start()
    env = {
        "HAVEN_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "HAVEN_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "HAVEN_TELEGRAM_API_URL": telegram.url,
        "HAVEN_TWILIO_ACCOUNT_SID": TWILIO_SID,
        "HAVEN_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "HAVEN_TWILIO_API_URL": twilio.url,
        "HAVEN_WHATSAPP_FROM": "whatsapp:+14155238886",
        "HAVEN_SMS_FROM": "+15005550006",
        "HAVEN_PUBLIC_BASE_URL": "",
        "HAVEN_PSEUDONYM_KEY": "fuzz-pseudonym-key",
    }
    try:
        with (
            action_server() as actions,
            rasa_server(actions.url, credentials=path, env=env) as rasa,
        ):
            yield FuzzStack(rasa, channel_names(credentials))
    finally:
        telegram.stop()
        twilio.stop()
