"""The two bots under load: Haven (production configuration) and a bare ``rasa init`` bot."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from haven.processes import (
    RASA_PYTHON,
    ROOT,
    Server,
    action_server_command,
    free_port,
    rasa_model_loaded,
    rasa_server_command,
    server_env,
    spawn,
    wait_until_ready,
)

LOGS = ROOT / "test-artifacts" / "bench-load"
BARE_DIR = ROOT / "var" / "bench" / "bare-rasa"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@dataclass
class Bot:
    """A running bot: its REST URL, its processes (by role) and how it is configured."""

    name: str
    rasa: Server
    model: Path
    processes: dict[str, Server] = field(default_factory=dict)
    config: dict[str, object] = field(default_factory=dict)

    @property
    def rest_url(self) -> str:
        return f"{self.rasa.url}/webhooks/rest/webhook"


def _wait(server: Server, path: str, timeout: float, ready=None) -> None:
    try:
        wait_until_ready(server, path, timeout, ready)
    except (RuntimeError, TimeoutError) as error:
        server.stop()
        raise SystemExit(f"{server.name} did not start: {error}\n{server.log()[-3000:]}") from error


def bare_model() -> Path:
    """The bare ``rasa init`` bot, trained once in this environment (cached under var/)."""
    models = sorted((BARE_DIR / "models").glob("*.tar.gz")) if BARE_DIR.exists() else []
    if models:
        return models[-1]
    if BARE_DIR.exists():
        shutil.rmtree(BARE_DIR)
    BARE_DIR.mkdir(parents=True)
    print("training the bare `rasa init` bot (once) …", file=sys.stderr)
    subprocess.run(
        ["nice", "-n", "10", str(RASA_PYTHON), "-m", "rasa", "init", "--no-prompt",
         "--init-dir", str(BARE_DIR)],
        cwd=BARE_DIR, env=server_env(), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return sorted((BARE_DIR / "models").glob("*.tar.gz"))[-1]


@contextmanager
def bare_rasa() -> Iterator[Bot]:
    """``rasa init``'s bot in one Rasa process with its defaults (in-memory stores)."""
    model = bare_model()
    port = free_port()
    command = rasa_server_command(
        model, port, BARE_DIR / "endpoints.yml", BARE_DIR / "credentials.yml"
    )
    server = spawn("bare-rasa", command, f"http://127.0.0.1:{port}", server_env(),
                   LOGS / f"bare-rasa-{port}.log")  # fmt: skip
    try:
        _wait(server, "/status", 300, rasa_model_loaded)
        config = {"workers": 1, "tracker_store": "in-memory", "lock_store": "in-memory"}
        yield Bot("bare_rasa", server, model, {"rasa": server}, config)
    finally:
        server.stop()


def _database() -> str:
    import psycopg2

    name = f"haven_bench_{uuid.uuid4().hex[:8]}"
    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return name


def _drop_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def _clear_redis(prefix: str) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=2)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@contextmanager
def haven(
    rasa_workers: int,
    action_workers: int,
    tmp: Path,
    stores: str = "production",
    extra_env: dict[str, str] | None = None,
    model: Path | None = None,
) -> Iterator[Bot]:
    """Haven as deployed: PostgreSQL tracker store, Redis lock store, Sanic workers.

    ``stores="memory"`` runs it like the bare bot instead (in-memory stores, one worker).
    With ``extra_env`` holding a Telegram token, the Telegram webhook is opened too.
    """
    database, prefix = _database(), f"havenbench{uuid.uuid4().hex[:6]}"
    action_port, rasa_port = free_port(), free_port()
    endpoints = {
        "action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook"},
        "tracker_store": {
            "type": "channels.tracker_store.ReconnectingSQLTrackerStore",
            "dialect": "postgresql", "url": PG["host"], "port": PG["port"], "db": database,
            "username": PG["user"],
        },
        "lock_store": {"type": "redis", "url": "127.0.0.1", "port": 6379, "db": 2,
                       "key_prefix": prefix},
    }  # fmt: skip
    if stores == "memory":
        del endpoints["tracker_store"], endpoints["lock_store"]
        rasa_workers = 1
    import json

    (tmp / "endpoints.yml").write_text(json.dumps(endpoints))
    channels = "channels.rest.RestInput:\nchannels.metrics.MetricsInput:\n"
    if (extra_env or {}).get("HAVEN_TELEGRAM_TOKEN"):
        channels += "channels.telegram.TelegramInput:\n"
    (tmp / "credentials.yml").write_text(channels)
    with ExitStack() as stack:
        stack.callback(_clear_redis, prefix)
        stack.callback(_drop_database, database)
        actions = spawn(
            "action-server", action_server_command(action_port),
            f"http://127.0.0.1:{action_port}",
            server_env(ACTION_SERVER_SANIC_WORKERS=str(action_workers)),
            LOGS / f"action-server-{action_port}.log",
        )  # fmt: skip
        stack.callback(actions.stop)
        _wait(actions, "/health", 240)
        model = model or ROOT / "models" / "haven.tar.gz"
        command = rasa_server_command(
            model, rasa_port, tmp / "endpoints.yml", tmp / "credentials.yml"
        )
        rasa = spawn(
            "rasa-server", command, f"http://127.0.0.1:{rasa_port}",
            server_env(SANIC_WORKERS=str(rasa_workers), **(extra_env or {})),
            LOGS / f"haven-rasa-{rasa_port}.log",
        )  # fmt: skip
        stack.callback(rasa.stop)
        _wait(rasa, "/status", 300, rasa_model_loaded)
        yield Bot(
            "haven", rasa, model, {"rasa": rasa, "action_server": actions},
            {"rasa_workers": rasa_workers, "action_server_workers": action_workers,
             "tracker_store": "PostgreSQL (ReconnectingSQLTrackerStore)"
             if stores == "production" else "in-memory",
             "lock_store": "Redis" if stores == "production" else "in-memory"},
        )  # fmt: skip
