"""``make run``: start the action server, the Rasa server and the content console.

It prints how to talk to the bot; Ctrl-C stops them all. Configuration problems (no model,
a port in use, a server that does not start) end with one clear sentence and a non-zero
exit code, never a traceback.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from haven import settings  # noqa: E402
from haven.processes import (  # noqa: E402
    Server,
    action_server_command,
    console_command,
    port_in_use,
    rasa_model_loaded,
    rasa_server_command,
    server_env,
    spawn,
    wait_until_ready,
)

RUN_DIR = ROOT / "var" / "run"


class StartError(Exception):
    """Haven cannot start; the message tells the operator what to do."""


def check_ports(host: str, ports: dict[str, tuple[int, str]]) -> None:
    """Fail clearly when a port we need is taken (``name -> (port, setting key)``)."""
    for name, (port, key) in ports.items():
        if port_in_use(port, "127.0.0.1" if host in ("0.0.0.0", "") else host):
            raise StartError(
                f"Port {port} (the {name}) is already in use. Stop whatever runs there "
                f"(another `make run`?) or choose another port with "
                f"HAVEN__SERVER__{key.upper()}=<port>."
            )


def write_endpoints(action_port: int) -> Path:
    """bot/endpoints.yml with the configured action-server port."""
    endpoints = yaml.safe_load((ROOT / "bot" / "endpoints.yml").read_text()) or {}
    endpoints["action_endpoint"] = {"url": f"http://127.0.0.1:{action_port}/webhook"}
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    path = RUN_DIR / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def start(
    name: str, command: list[str], url: str, health: str, timeout: float, ready=None
) -> Server:
    """Start one server and wait until it answers; its output goes to the terminal."""
    print(f"==> Starting the {name} ({url})", flush=True)
    server = spawn(name, command, url, server_env())
    try:
        wait_until_ready(server, health, timeout, ready)
    except (RuntimeError, TimeoutError) as error:
        server.stop()
        raise StartError(f"The {name} did not start: {error}. Its messages are above.") from None
    return server


def banner(host: str, rasa_port: int, console_port: int) -> str:
    """How to talk to the running bot."""
    local = "127.0.0.1" if host in ("0.0.0.0", "") else host
    url = f"http://{local}:{rasa_port}"
    return (
        f"\nHaven is running.\n"
        f"  Talk to it over REST:\n"
        f"    curl -s -XPOST {url}/webhooks/rest/webhook -H 'Content-Type: application/json' \\\n"
        f'         -d \'{{"sender": "u1", "message": "hello"}}\'\n'
        f"  Web widget script: {url}/webhooks/webchat/widget.js\n"
        f"  Rasa HTTP API:     {url}/status\n"
        f"  Content console:   http://{local}:{console_port}/  "
        f"(create an account: make console-user NAME=<name> ROLE=editor)\n"
        f"Press Ctrl-C to stop all servers.\n"
    )


def supervise(servers: list[Server]) -> int:
    """Wait until Ctrl-C or until one server dies; stop them all."""
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    while not stopping:
        dead = [server for server in servers if not server.running()]
        if dead:
            print(f"\nThe {dead[0].name} stopped unexpectedly; stopping Haven.", file=sys.stderr)
            code = 1
            break
        time.sleep(0.5)
    for server in servers:
        server.stop()
    print("Haven stopped.")
    return code


def main() -> int:
    """Start the action server, the Rasa server and the console, and supervise them."""
    host = str(settings.get("server.host", "127.0.0.1"))
    rasa_port = int(settings.get("server.rasa_port", 5005))
    action_port = int(settings.get("server.action_port", 5055))
    console_port = int(settings.get("server.console_port", 5080))
    model = settings.project_path(settings.get("server.model", "models/haven.tar.gz"))
    servers: list[Server] = []
    try:
        if not model.exists():
            raise StartError(f"No trained model at {model}: run `make train`.")
        check_ports(
            host,
            {
                "action server": (action_port, "action_port"),
                "rasa server": (rasa_port, "rasa_port"),
                "console": (console_port, "console_port"),
            },
        )
        (ROOT / "var").mkdir(exist_ok=True)
        servers.append(
            start("action server", action_server_command(action_port),
                  f"http://127.0.0.1:{action_port}", "/health", 180)
        )  # fmt: skip
        command = rasa_server_command(
            model, rasa_port, write_endpoints(action_port), ROOT / "bot" / "credentials.yml", host
        )
        servers.append(
            start("rasa server", command, f"http://127.0.0.1:{rasa_port}", "/status", 300,
                  rasa_model_loaded)
        )  # fmt: skip
        servers.append(
            start("console", console_command(console_port, host),
                  f"http://127.0.0.1:{console_port}", "/health", 180)
        )  # fmt: skip
    except (StartError, settings.ConfigError) as error:
        for server in servers:
            server.stop()
        print(f"\nHaven cannot start: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        for server in servers:
            server.stop()
        return 130
    print(banner(host, rasa_port, console_port), flush=True)
    return supervise(servers)


if __name__ == "__main__":
    sys.exit(main())
