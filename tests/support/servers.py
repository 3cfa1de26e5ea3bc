"""Start the real action server and Rasa server on free local ports for tests.

Integration tests use these instead of any stand-in: the action server runs in
``.venv/actions`` and the Rasa server in ``.venv/rasa``, exactly as ``make run`` starts them.
Both are stopped (their logs kept under ``test-artifacts/``) when the context exits.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from haven.processes import (
    ROOT,
    Server,
    action_server_command,
    free_port,
    http_json,
    rasa_model_loaded,
    rasa_server_command,
    server_env,
    spawn,
    wait_until_ready,
)

DEFAULT_MODEL = ROOT / "models" / "haven.tar.gz"
ARTIFACTS = ROOT / "test-artifacts"

__all__ = ["Server", "action_server", "free_port", "http_json", "rasa_server", "say"]


def _start(name: str, command: list[str], port: int, env: dict[str, str] | None) -> Server:
    log_path = ARTIFACTS / f"{name}-{port}.log"
    return spawn(name, command, f"http://127.0.0.1:{port}", server_env(**(env or {})), log_path)


def _wait(server: Server, path: str, timeout: float, ready: Any = None) -> None:
    try:
        wait_until_ready(server, path, timeout, ready)
    except (RuntimeError, TimeoutError) as error:
        server.stop()
        raise RuntimeError(f"{error}\n--- {server.name} log ---\n{server.log()[-4000:]}") from error


@contextmanager
def action_server(port: int | None = None, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run the rasa-sdk action server with this project's actions.

    Feedback and inbox databases go to a temporary folder unless ``env`` names them, so tests
    never write into the project's ``var/``.
    """
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="haven-actions-") as tmp:
        stores = {
            "HAVEN__FEEDBACK__DB": str(Path(tmp) / "feedback.db"),
            "HAVEN__INBOX__DB": str(Path(tmp) / "inbox.db"),
        }
        command = action_server_command(port)
        server = _start("action-server", command, port, {**stores, **(env or {})})
        try:
            _wait(server, "/health", timeout=180)
            yield server
        finally:
            server.stop()


def write_endpoints(
    action_url: str | None, directory: Path, extra: dict[str, Any] | None = None
) -> Path:
    """Write an endpoints.yml (JSON is valid YAML) for a test Rasa server."""
    endpoints: dict[str, Any] = {
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(directory / "tracker.db")}
    }
    if action_url:
        endpoints["action_endpoint"] = {"url": f"{action_url}/webhook"}
    endpoints.update(extra or {})
    path = directory / "endpoints.yml"
    path.write_text(json.dumps(endpoints, indent=2))
    return path


@contextmanager
def rasa_server(
    action_url: str | None,
    model: Path = DEFAULT_MODEL,
    port: int | None = None,
    env: dict[str, str] | None = None,
    credentials: Path | None = None,
    endpoints_extra: dict[str, Any] | None = None,
) -> Iterator[Server]:
    """Run ``rasa run`` with the REST channel, the HTTP API and this project's channels."""
    if not model.exists():
        raise FileNotFoundError(f"no trained model at {model}: run `make train` first")
    port = port or free_port()
    credentials = credentials or ROOT / "bot" / "credentials.yml"
    with tempfile.TemporaryDirectory(prefix="haven-rasa-") as tmp:
        endpoints = write_endpoints(action_url, Path(tmp), endpoints_extra)
        command = rasa_server_command(model, port, endpoints, credentials)
        server = _start("rasa-server", command, port, env)
        try:
            _wait(server, "/status", timeout=240, ready=rasa_model_loaded)
            yield server
        finally:
            server.stop()


def say(
    rasa: Server, sender: str, message: str, metadata: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Send a message through the REST channel and return the bot's replies."""
    body: dict[str, Any] = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = metadata
    status, replies = http_json("POST", f"{rasa.url}/webhooks/rest/webhook", body, timeout=60)
    if status != 200:
        raise AssertionError(f"REST channel answered {status}: {replies}")
    return list(replies)
