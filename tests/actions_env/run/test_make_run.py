"""`make run`'s supervisor (scripts/run.py): clear errors, and a real start and stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from haven.processes import free_port, http_json
from tests.support.servers import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[3]
RUN = [sys.executable, str(ROOT / "scripts" / "run.py")]


def run_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN__")}
    env.update({f"HAVEN__SERVER__{k.upper()}": v for k, v in overrides.items()})
    return env


def test_missing_model_is_one_clear_sentence(tmp_path: Path):
    result = subprocess.run(
        RUN, env=run_env(model=str(tmp_path / "none.tar.gz")), capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "No trained model" in result.stderr and "make train" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_port_in_use_is_reported_with_the_setting_to_change(tmp_path: Path):
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"not used: the port check comes first")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            RUN,
            env=run_env(
                model=str(model), rasa_port=str(port), action_port=str(free_port()),
                console_port=str(free_port()),
            ),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    assert f"Port {port} (the rasa server) is already in use" in result.stderr
    assert "HAVEN__SERVER__RASA_PORT" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def _wait_for(process: subprocess.Popen[str], text: str, timeout: float) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"never printed {text!r}:\n{''.join(seen)[-3000:]}")


@pytest.mark.integration
def test_run_starts_all_servers_answers_rest_and_stops_on_ctrl_c():
    assert DEFAULT_MODEL.exists(), "make test trains the model before the suite"
    rasa_port, action_port, console_port = free_port(), free_port(), free_port()
    process = subprocess.Popen(
        RUN,
        env=run_env(
            rasa_port=str(rasa_port), action_port=str(action_port), console_port=str(console_port)
        ),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        banner = _wait_for(process, "Press Ctrl-C", timeout=400)
        assert f"127.0.0.1:{rasa_port}/webhooks/rest/webhook" in banner
        status, _ = http_json("GET", f"http://127.0.0.1:{console_port}/health")
        assert status == 200
        status, replies = http_json(
            "POST", f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            {"sender": "u1", "message": "hello"}, timeout=60,
        )  # fmt: skip
        assert status == 200 and replies and replies[0].get("text")
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(60) == 0
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", rasa_port), timeout=1)
        for port in (action_port, console_port):
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
