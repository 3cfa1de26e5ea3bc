"""Start, watch and stop the two Haven servers (used by ``make run`` and the integration tests).

Standard library only: this runs under either environment's Python.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
ACTIONS_PYTHON = ROOT / ".venv" / "actions" / "bin" / "python"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something already accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


# One math thread per server process (TensorFlow, OpenBLAS, OpenMP). A server handles many small
# requests; extra threads spin between them and burn CPU (Haven's Rasa server under load: 75 ms
# of CPU per message with the defaults, 63 ms with one thread). Scale with Sanic workers instead.
SERVING_THREADS = {
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}


def server_env(**extra: str) -> dict[str, str]:
    """The environment servers run with: the project on PYTHONPATH, no model hub, one math
    thread per process (unless the environment sets its own counts)."""
    env = {**SERVING_THREADS, **os.environ}
    env.update(
        PYTHONPATH=str(ROOT),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def http_json(
    method: str,
    url: str,
    body: Any = None,
    timeout: float = 30,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Send a JSON request; return the status and the decoded JSON (or text) body."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw or b"null")
    except json.JSONDecodeError:
        return status, raw.decode(errors="replace")


@dataclass
class Server:
    """A running server process and where to reach it."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path | None = None

    def log(self) -> str:
        """What the process printed so far (when it logs to a file)."""
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")
        return ""

    def running(self) -> bool:
        """True while the process has not exited."""
        return self.process.poll() is None

    def stop(self, timeout: float = 20) -> None:
        """Stop the process and everything it started (SIGTERM, then SIGKILL)."""
        if not self.running():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)


def spawn(
    name: str,
    command: list[str],
    url: str,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
) -> Server:
    """Start ``command`` in its own process group, logging to ``log_path`` or the terminal."""
    log: IO[bytes] | None = None
    if log_path:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("wb")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env or server_env(),
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )
    return Server(name, process, url, log_path)


def wait_until_ready(
    server: Server,
    path: str,
    timeout: float,
    ready: Callable[[Any], bool] | None = None,
) -> None:
    """Poll ``server.url + path`` until it answers 200 (and ``ready(body)`` holds).

    Raises:
        RuntimeError: the process exited before it was ready.
        TimeoutError: it was not ready within ``timeout`` seconds (it is stopped).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.running():
            raise RuntimeError(f"{server.name} exited with code {server.process.returncode}")
        try:
            status, body = http_json("GET", server.url + path, timeout=5)
            if status == 200 and (ready is None or ready(body)):
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    server.stop()
    raise TimeoutError(f"{server.name} was not ready after {timeout:.0f} s")


def action_server_command(port: int) -> list[str]:
    """The command line of the rasa-sdk action server with this project's actions."""
    return [str(ACTIONS_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]


def console_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The command line of the content-staff console (action-server environment)."""
    return [str(ACTIONS_PYTHON), "-m", "console", "--host", host, "--port", str(port)]


def rasa_server_command(
    model: Path, port: int, endpoints: Path, credentials: Path, host: str = "127.0.0.1"
) -> list[str]:
    """The command line of the Rasa server with its HTTP API, REST and our channels."""
    return [
        str(RASA_PYTHON), "-m", "rasa", "run", "--enable-api", "-i", host, "--port", str(port),
        "--model", str(model), "--endpoints", str(endpoints), "--credentials", str(credentials),
    ]  # fmt: skip


def rasa_model_loaded(body: Any) -> bool:
    """True when Rasa's ``/status`` says a model is loaded."""
    return isinstance(body, dict) and bool(body.get("model_file"))
