"""Fixtures: fake Telegram and Twilio APIs, and a channel server (Rasa's app, scripted agent)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from haven.processes import RASA_PYTHON, free_port, server_env, spawn, wait_until_ready
from tests.rasa_env.channels.fakes import FakeTelegram, FakeTwilio

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TELEGRAM_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
TELEGRAM_SECRET = "s3cret-Token_for-tests"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "twilio-auth-token-for-tests"
WHATSAPP_FROM = "whatsapp:+14155238886"
SMS_FROM = "+15005550006"
PSEUDONYM_KEY = "test-pseudonym-key"
PUBLIC_BASE_URL = "https://haven.example.org"


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    api = FakeTelegram(TELEGRAM_TOKEN).start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def fake_twilio() -> Iterator[FakeTwilio]:
    api = FakeTwilio(TWILIO_SID, TWILIO_TOKEN).start()
    yield api
    api.stop()


def channel_env(telegram: FakeTelegram, twilio: FakeTwilio, **extra: str) -> dict[str, str]:
    """Environment that points every channel at the local fake APIs."""
    return server_env(
        HAVEN_TELEGRAM_TOKEN=TELEGRAM_TOKEN,
        HAVEN_TELEGRAM_SECRET=TELEGRAM_SECRET,
        HAVEN_TELEGRAM_API_URL=telegram.url,
        HAVEN_TWILIO_ACCOUNT_SID=TWILIO_SID,
        HAVEN_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        HAVEN_TWILIO_API_URL=twilio.url,
        HAVEN_WHATSAPP_FROM=WHATSAPP_FROM,
        HAVEN_SMS_FROM=SMS_FROM,
        HAVEN_PSEUDONYM_KEY=PSEUDONYM_KEY,
        **extra,
    )


def start_channel_server(env: dict[str, str], credentials: Path, name: str):
    port = free_port()
    server = spawn(
        name,
        [
            str(RASA_PYTHON),
            "-m",
            "tests.rasa_env.channels.echo_server",
            str(credentials),
            str(port),
        ],
        f"http://127.0.0.1:{port}",
        env,
        ARTIFACTS / f"{name}-{port}.log",
    )
    try:
        wait_until_ready(server, "/webhooks/webchat/", timeout=90)
    except Exception as error:
        raise RuntimeError(f"{error}\n{server.log()[-3000:]}") from error
    return server


@pytest.fixture(scope="session")
def channel_server(fake_telegram, fake_twilio, tmp_path_factory):
    """The project's credentials.yml on Rasa's Sanic app, with the in-memory state store."""
    env = channel_env(fake_telegram, fake_twilio)
    server = start_channel_server(env, Path("bot/credentials.yml").resolve(), "channels-memory")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_channel_server(fake_telegram, fake_twilio):
    """The same with the Redis state store, behind a proxy at ``PUBLIC_BASE_URL``."""
    env = channel_env(
        fake_telegram,
        fake_twilio,
        HAVEN_CHANNELS_REDIS_URL="redis://127.0.0.1:6379/0",
        HAVEN_PUBLIC_BASE_URL=PUBLIC_BASE_URL,
    )
    server = start_channel_server(env, Path("bot/credentials.yml").resolve(), "channels-redis")
    yield server
    server.stop()


@pytest.fixture
def unique() -> int:
    """A random number for update ids, so reruns against Redis never collide."""
    return secrets.randbelow(10**9) + 10**6


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
