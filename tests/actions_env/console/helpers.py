"""Run the real console on a free port against private copies of the content and the index.

Used by the HTTP tests here and by the browser test (``tests/browser/test_console.py``); only
the standard library, so it works under either environment's pytest.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from haven.processes import (
    ACTIONS_PYTHON,
    ROOT,
    Server,
    free_port,
    server_env,
    spawn,
    wait_until_ready,
)

CONTENT = ROOT / "knowledge_base" / "content"
INDEX = ROOT / "var" / "index"
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct horse battery staple"
USERS = {"edith": "editor", "tariq": "translator", "vera": "viewer"}


@dataclass
class Workspace:
    """Private folders and settings of one test console (and the servers next to it)."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def index(self) -> Path:
        return self.root / "index"

    def env(self) -> dict[str, str]:
        """HAVEN__ overrides so nothing touches the real content, index or databases."""
        endpoints = self.root / "endpoints.yml"
        if not endpoints.exists():
            tracker = {"type": "SQL", "dialect": "sqlite", "db": str(self.root / "tracker.db")}
            endpoints.write_text(json.dumps({"tracker_store": tracker}))
        return {
            "HAVEN__KB__CONTENT_DIR": str(self.content),
            "HAVEN__KB__INDEX_DIR": str(self.index),
            "HAVEN__KB__RELOAD_INTERVAL_S": "1",
            "HAVEN__CONSOLE__DB": str(self.root / "console.db"),
            "HAVEN__CONSOLE__ENDPOINTS": str(endpoints),
            "HAVEN__CONSOLE__SECURE_COOKIE": "false",
            "HAVEN__INBOX__DB": str(self.root / "inbox.db"),
            "HAVEN__FEEDBACK__DB": str(self.root / "feedback.db"),
        }


def make_workspace(root: Path) -> Workspace:
    """Copy the real content and build its index (the copied embedding cache makes it quick)."""
    workspace = Workspace(root)
    shutil.copytree(CONTENT, workspace.content)
    workspace.index.mkdir()
    if (INDEX / "cache").exists():
        shutil.copytree(INDEX / "cache", workspace.index / "cache")
    subprocess.run(
        [str(ACTIONS_PYTHON), "-m", "knowledge_base", "-q", "build"],
        cwd=ROOT, env=server_env(**workspace.env()), check=True, capture_output=True,
    )  # fmt: skip
    return workspace


def create_users(workspace: Workspace) -> None:
    """The three test accounts, created with the operator command (password on stdin)."""
    for name, role in USERS.items():
        subprocess.run(
            [str(ACTIONS_PYTHON), "-m", "console", "create-user", name, "--role", role],
            input=PASSWORD + "\n", text=True, cwd=ROOT, env=server_env(**workspace.env()),
            check=True, capture_output=True,
        )  # fmt: skip


@contextmanager
def console_server(
    workspace: Workspace, warm_up: bool = True, secure_cookie: bool = False
) -> Iterator[Server]:
    """``python -m console --port <free>`` with the workspace's settings."""
    port = free_port()
    settings = workspace.env()
    settings["HAVEN__CONSOLE__WARM_UP"] = str(warm_up).lower()
    settings["HAVEN__CONSOLE__SECURE_COOKIE"] = str(secure_cookie).lower()
    env = server_env(**settings)
    server = spawn(
        "console",
        [str(ACTIONS_PYTHON), "-m", "console", "--port", str(port)],
        f"http://127.0.0.1:{port}",
        env,
        ARTIFACTS / f"console-{port}.log",
    )
    try:
        wait_until_ready(server, "/health", timeout=60)
        yield server
    finally:
        server.stop()


class Browser:
    """A cookie-keeping HTTP client that submits the console's forms (no JavaScript needed)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, dict[str, str]]:  # fmt: skip
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), _lower(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), _lower(error.headers)

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        return self.request("GET", path)

    def post(
        self, path: str, data: dict[str, str], headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        return self.request("POST", path, data, headers)

    def upload(
        self, path: str, fields: dict[str, str], name: str, filename: str, data: bytes
    ) -> tuple[int, str, dict[str, str]]:
        """POST a multipart form with one file, as a browser's file input does."""
        boundary = "----haven-test-boundary"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), _lower(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), _lower(error.headers)

    def login(self, name: str, password: str = PASSWORD) -> int:
        _, page, _ = self.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        status, _, _ = self.post(
            "/login", {"login_token": token, "name": name, "password": password}
        )
        return status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def csrf_of(page: str) -> str:
    """The CSRF token in a page's forms."""
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def form_values(page: str) -> dict[str, str]:
    """The values of the edit form's inputs, textareas and selects, as a browser would send."""
    import html

    values: dict[str, str] = {}
    for match in re.finditer(r"<input ([^>]*)>", page):
        attrs = dict(re.findall(r'(\w[\w.-]*)="([^"]*)"', match.group(1)))
        if "name" in attrs and attrs.get("type") not in ("file", "submit"):
            values[attrs["name"]] = html.unescape(attrs.get("value", ""))
    for match in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[match.group(1)] = html.unescape(match.group(2))
    for match in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', match.group(2))
        values[match.group(1)] = html.unescape(chosen.group(1)) if chosen else ""
    return values


def _lower(headers: object) -> dict[str, str]:
    """Header names in lower case (several Set-Cookie headers joined with newlines)."""
    result: dict[str, str] = {}
    for name, value in headers.items():  # type: ignore[attr-defined]
        key = name.lower()
        result[key] = f"{result[key]}\n{value}" if key in result else value
    return result
