"""Load on Haven's Telegram webhook, with a local stand-in for the Telegram Bot API.

Telegram delivers an update to the webhook, which answers at once and handles the message in
the background; the reply reaches the user as a ``sendMessage`` call to the Bot API. A
simulated user's latency is therefore the time from posting the update to the first
``sendMessage`` for its chat, which the local Bot API (a thread of this process) records.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

from benchmarks.load.messages import MESSAGES
from benchmarks.load.users import REQUEST_TIMEOUT_S, LevelResult, Sample
from haven.processes import free_port

TOKEN = "123456:load-benchmark-token"
SECRET = "load-benchmark-secret"


class FakeBotApi:
    """Answers Bot API calls like api.telegram.org and wakes users waiting for a reply."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._waiters: dict[int, list[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = (
            defaultdict(list)
        )
        self._lock = threading.Lock()
        self._ids = itertools.count(1000)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None

    def expect_reply(self, chat_id: int) -> asyncio.Future:
        """A future (of the calling loop) resolved by the next ``sendMessage`` to ``chat_id``."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._waiters[chat_id].append((loop, future))
        return future

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await request.read()
        if request.content_type == "application/json":
            params: dict[str, Any] = await request.json() if body else {}
        else:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        result: Any = True
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Haven", "username": "haven_bot"}
        elif method == "sendMessage":
            chat_id = int(params.get("chat_id", 0))
            result = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params.get("text", ""),
            }
            with self._lock:
                waiters, self._waiters[chat_id] = self._waiters[chat_id], []
            for loop, future in waiters:
                loop.call_soon_threadsafe(_resolve, future)
        return web.json_response({"ok": True, "result": result})

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())

    @contextmanager
    def running(self) -> Iterator[FakeBotApi]:
        ready = threading.Event()
        thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        thread.start()
        ready.wait(10)
        try:
            yield self
        finally:
            assert self._loop is not None
            self._loop.call_soon_threadsafe(self._loop.stop)
            thread.join(10)


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(time.monotonic())


def rasa_env(api: FakeBotApi) -> dict[str, str]:
    """What the Rasa server needs to serve the Telegram webhook against the local Bot API."""
    return {"HAVEN_TELEGRAM_TOKEN": TOKEN, "HAVEN_TELEGRAM_SECRET": SECRET,
            "HAVEN_TELEGRAM_API_URL": api.url}  # fmt: skip


_update_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)


async def _user(
    session: aiohttp.ClientSession, url: str, api: FakeBotApi, number: int,
    think_s: tuple[float, float], start_at: float, window: tuple[float, float],
    result: LevelResult,
) -> None:  # fmt: skip
    rng = random.Random(number)
    chat_id = 7_000_000 + number * 7 + int(time.time()) % 1000 * 100_000
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    while time.monotonic() < window[1]:
        kind, text = rng.choice(MESSAGES)
        update_id = next(_update_ids)
        sender = {"id": chat_id, "is_bot": False, "first_name": "U", "language_code": "en"}
        message = {"message_id": update_id, "date": int(time.time()), "text": text,
                   "chat": {"id": chat_id, "type": "private"}, "from": sender}  # fmt: skip
        update = {"update_id": update_id, "message": message}
        reply = api.expect_reply(chat_id)
        started = time.monotonic()
        ok, accepted = False, False
        try:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with session.post(url, json=update, headers=headers) as response:
                accepted = response.status == 200
            if accepted:
                await asyncio.wait_for(reply, REQUEST_TIMEOUT_S)
                ok = True
        except (aiohttp.ClientError, asyncio.TimeoutError) as exception:
            ok, accepted = False, type(exception).__name__
        seconds = time.monotonic() - started
        result.completed += ok
        if window[0] <= started < window[1]:
            error = "" if ok else (accepted if isinstance(accepted, str) else "refused")
            result.samples.append(Sample(started, seconds, ok, kind, error))
        await asyncio.sleep(rng.uniform(*think_s))


async def run_level(
    webhook_url: str, api: FakeBotApi, users: int, think_s: tuple[float, float], measure_s: float
) -> LevelResult:
    """``users`` Telegram users with pauses; latency until the first reply reaches the Bot API."""
    ramp_s = think_s[1]
    now = time.monotonic()
    window = (now + ramp_s, now + ramp_s + measure_s)
    result = LevelResult(users, think_s, measure_s)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=timeout
    ) as session:
        await asyncio.gather(*(
            _user(session, webhook_url, api, n, think_s, now + ramp_s * n / users, window, result)
            for n in range(users)
        ))  # fmt: skip
    return result
