"""A production-like stack for fault tests: real action server (restartable, freezable), a Rasa
server with Haven's REST and metrics channels, the PostgreSQL tracker store and Redis lock
store on localhost. One stack per test session of this package; each test uses new senders.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
import redis

from haven import i18n
from haven.processes import ROOT, action_server_command, server_env, spawn, wait_until_ready
from tests.support.servers import ARTIFACTS, Server, free_port, http_json, rasa_server

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REPLY_TIMEOUT_S = 8.0
CREDENTIALS = "channels.rest.RestInput:\nchannels.metrics.MetricsInput:\n"


@dataclass
class ActionServer:
    """The real rasa-sdk action server on a fixed port, which tests stop, start and freeze."""

    port: int
    env: dict[str, str]
    server: Server | None = None
    frozen: bool = field(default=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = ARTIFACTS / f"faults-action-server-{self.port}.log"
        self.server = spawn(
            "action-server", action_server_command(self.port), self.url,
            server_env(**self.env), log,
        )  # fmt: skip
        wait_until_ready(self.server, "/health", timeout=180)

    def stop(self) -> None:
        self.thaw()
        if self.server is not None:
            self.server.stop()

    def freeze(self) -> None:
        """Stop the process group with SIGSTOP: requests are accepted, never answered."""
        assert self.server is not None
        os.killpg(self.server.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        if self.frozen and self.server is not None and self.server.running():
            os.killpg(self.server.process.pid, signal.SIGCONT)
        self.frozen = False


@dataclass
class OpsStack:
    """What the fault tests drive."""

    actions: ActionServer
    rasa: Server
    database: str
    index_dir: Path


def ask(rasa: Server, sender: str, text: str, timeout: float = 60) -> tuple[int, list[dict]]:
    """POST one message to the REST webhook; return the status and the replies."""
    status, body = http_json(
        "POST", f"{rasa.url}/webhooks/rest/webhook", {"sender": sender, "message": text},
        timeout=timeout,
    )  # fmt: skip
    return status, body if isinstance(body, list) else []


def try_again_texts() -> set[str]:
    """The polite "please try again" in every language."""
    return {i18n.translate("error", language) for language in i18n.supported_languages()}


def is_try_again(replies: list[dict]) -> bool:
    return any(reply.get("text") in try_again_texts() for reply in replies)


def is_normal_answer(replies: list[dict]) -> bool:
    return bool(replies) and not is_try_again(replies)


def user_texts(rasa: Server, sender: str) -> list[str]:
    status, tracker = http_json("GET", f"{rasa.url}/conversations/{sender}/tracker", timeout=30)
    assert status == 200, tracker
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0


def restart_postgres() -> None:
    """Restart the machine's PostgreSQL cluster (quickly); it is running again afterwards."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    try:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True, timeout=120,
        )  # fmt: skip
    finally:
        ensure_postgres_running(version)


def ensure_postgres_running(version: str | None = None) -> None:
    version = version or sorted(os.listdir("/etc/postgresql"))[-1]
    deadline = time.monotonic() + 60
    while not postgres_ready():
        if time.monotonic() > deadline:
            raise RuntimeError("PostgreSQL did not come back")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False, timeout=120, capture_output=True,
        )  # fmt: skip
        time.sleep(1)


REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def redis_ready() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def restart_redis() -> None:
    """Shut the machine's Redis down and start it again the way the machine runs it."""
    try:
        subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, timeout=30)
        deadline = time.monotonic() + 20
        while redis_ready() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        ensure_redis_running()


def ensure_redis_running() -> None:
    deadline = time.monotonic() + 30
    while not redis_ready():
        if time.monotonic() > deadline:
            raise RuntimeError("Redis did not come back")
        subprocess.run(REDIS_START, check=False, timeout=30, capture_output=True)
        time.sleep(0.5)


def warm_up(stack: OpsStack, deadline_s: float = 180) -> None:
    """Send knowledge-base questions until one is answered (the KB loads on first use)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        status, replies = ask(stack.rasa, new_sender("warmup"), "Can I work here?")
        if status == 200 and is_normal_answer(replies):
            return
        time.sleep(1)
    raise RuntimeError("the stack never answered a question")


@pytest.fixture(scope="package")
def ops_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsStack]:
    ensure_postgres_running()
    ensure_redis_running()
    tmp = tmp_path_factory.mktemp("ops")
    index_dir = tmp / "index"
    source_index = ROOT / "var" / "index"
    if (source_index / "CURRENT").exists():
        shutil.copytree(source_index, index_dir)
    database = f"haven_faults_{uuid.uuid4().hex[:10]}"
    prefix = f"havenfaults{uuid.uuid4().hex[:8]}"
    stores = {
        "tracker_store": {
            "type": "channels.tracker_store.ReconnectingSQLTrackerStore", "dialect": "postgresql",
            "url": PG["host"], "port": PG["port"],
            "db": database, "username": PG["user"], "login_db": "postgres",
        },
        "lock_store": {
            "type": "redis", "url": "127.0.0.1", "port": 6379, "db": 1, "key_prefix": prefix,
        },
    }  # fmt: skip
    credentials = tmp / "credentials.yml"
    credentials.write_text(CREDENTIALS)
    actions = ActionServer(free_port(), {"HAVEN__KB__INDEX_DIR": str(index_dir)})
    if not index_dir.exists():
        subprocess.run(
            [str(ROOT / ".venv/actions/bin/python"), "-m", "knowledge_base", "build"],
            env=server_env(HAVEN__KB__INDEX_DIR=str(index_dir)), cwd=ROOT, check=True,
        )  # fmt: skip
    actions.start()
    try:
        env = {"HAVEN__RESILIENCE__REPLY_TIMEOUT_S": str(REPLY_TIMEOUT_S)}
        with rasa_server(
            actions.url, credentials=credentials, env=env, endpoints_extra=stores
        ) as rasa:
            stack = OpsStack(actions, rasa, database, index_dir)
            warm_up(stack)
            yield stack
    finally:
        actions.stop()
        ensure_postgres_running()
        ensure_redis_running()
        connection = psycopg2.connect(dbname="postgres", **PG)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.close()
        client = redis.Redis(host="127.0.0.1", port=6379, db=1)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
