"""A small Chrome DevTools Protocol client: start Debian's headless Chromium and drive a page.

Only what the widget tests need: navigate, evaluate JavaScript, type, press keys, screenshots.
Uses ``websockets`` (already in both environments); no browser downloads.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websockets

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-port=0",
)


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    """A headless Chromium process with its own throw-away profile."""

    def __init__(self) -> None:
        binary = chromium_path()
        if binary is None:
            raise RuntimeError("chromium is not installed: apt-get install -y chromium")
        self.profile = tempfile.TemporaryDirectory(prefix="haven-chromium-")
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.port = self._debugging_port()

    def _debugging_port(self, timeout: float = 30) -> int:
        marker = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().splitlines()[0])
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            time.sleep(0.1)
        raise TimeoutError("chromium did not open its debugging port")

    def page_websocket(self) -> str:
        """The DevTools websocket URL of the first page."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as r:
            targets = json.load(r)
        return next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.profile.cleanup()


class Page:
    """One page driven over CDP."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, url: str) -> Page:
        connection = await websockets.connect(url, max_size=None)
        page = cls(connection)
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        return page

    async def _read(self) -> None:
        async for raw in self.connection:
            message = json.loads(raw)
            future = self.pending.pop(message.get("id"), None)
            if future is not None:
                if "error" in message:
                    future.set_exception(RuntimeError(message["error"]))
                else:
                    future.set_result(message.get("result"))
            else:
                self.events.append(message)

    async def send(self, method: str, **params: Any) -> Any:
        """Call a CDP method and return its result."""
        call_id = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[call_id] = future
        await self.connection.send(json.dumps({"id": call_id, "method": method, "params": params}))
        return await asyncio.wait_for(future, 30)

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript (awaiting promises) and return its JSON value."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript error: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.2)
        raise TimeoutError(f"still false after {timeout} s: {expression}")

    async def navigate(self, url: str) -> None:
        """Load ``url`` and wait until the document is complete."""
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")

    async def reload(self) -> None:
        """Reload and wait until the document is complete again."""
        await self.evaluate("window.__beforeReload = true")
        await self.send("Page.reload")
        await self.wait_for("!window.__beforeReload && document.readyState === 'complete'")

    async def type_text(self, text: str) -> None:
        """Type into the focused element, as an input method would."""
        await self.send("Input.insertText", text=text)

    async def press(self, key: str, code: str, key_code: int) -> None:
        """Press and release a key on the focused element."""
        common = {"key": key, "code": code, "windowsVirtualKeyCode": key_code}
        await self.send(
            "Input.dispatchKeyEvent", type="keyDown", text="\r" if key == "Enter" else "", **common
        )
        await self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    async def phone_screen(self, width: int = 390, height: int = 780) -> None:
        """Emulate a phone-sized screen."""
        await self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                        deviceScaleFactor=2, mobile=True)  # fmt: skip

    async def screenshot(self, path: Path) -> Path:
        """Save a PNG of the viewport."""
        data = await self.send("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    async def close(self) -> None:
        self.reader.cancel()
        await self.connection.close()
