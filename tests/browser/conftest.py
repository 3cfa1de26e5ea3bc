"""Fixtures for the widget tests: Chromium, a page of another site embedding the widget."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser.cdp import Chromium, chromium_path
from tests.rasa_env.channels.conftest import (  # noqa: F401 - fixtures used by name
    channel_server,
    fake_telegram,
    fake_twilio,
)
from tests.support.servers import DEFAULT_MODEL, Server, action_server, rasa_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

EMBEDDING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Example NGO: help for newcomers</title></head>
<body><h1>Example NGO</h1><p>We help newcomers with papers, work and housing.</p>
<script src="{bot}/webhooks/webchat/widget.js" data-lang="ar" data-title="هافن"
        data-color="#0b5d4b" async></script>
</body></html>"""


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    if chromium_path() is None:
        pytest.fail("chromium is not installed: run `make system` (apt-get install chromium)")
    browser = Chromium()
    yield browser
    browser.close()


def serve_page(html: str) -> tuple[ThreadingHTTPServer, str]:
    """Serve one HTML page on its own port: another origin than the bot's server."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def embedding_page(channel_server: Server) -> Iterator[str]:  # noqa: F811 - the fixture
    """The URL of an NGO page that embeds the widget of the channel server."""
    server, url = serve_page(EMBEDDING_PAGE.format(bot=channel_server.url))
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def real_bot() -> Iterator[Server]:
    """The real action server and Rasa server (trained model, this project's credentials)."""
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    with action_server() as actions, rasa_server(actions.url) as rasa:
        yield rasa


@pytest.fixture
def real_embedding_page(real_bot: Server) -> Iterator[str]:
    """An NGO page that embeds the widget of the real bot."""
    server, url = serve_page(EMBEDDING_PAGE.format(bot=real_bot.url))
    yield url
    server.shutdown()
    server.server_close()
