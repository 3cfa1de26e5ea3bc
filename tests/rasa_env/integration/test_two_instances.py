"""Two Rasa servers share one conversation through PostgreSQL (tracker) and Redis (locks).

This is the production topology behind a load balancer; the servers here are real
`rasa run` processes, the stores the PostgreSQL and Redis servers on localhost.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import psycopg2
import pytest
import redis

from tests.support.servers import Server, action_server, http_json, rasa_server, say

pytestmark = pytest.mark.integration

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    name = f"haven_test_{uuid.uuid4().hex[:10]}"
    yield name
    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    prefix = f"haventest{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis(host="127.0.0.1", port=6379, db=1)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture(scope="module")
def two_instances(database: str, redis_prefix: str) -> Iterator[tuple[Server, Server]]:
    stores = {
        "tracker_store": {
            "type": "SQL", "dialect": "postgresql", "url": PG["host"], "port": PG["port"],
            "db": database, "username": PG["user"], "login_db": "postgres",
        },
        "lock_store": {
            "type": "redis", "url": "127.0.0.1", "port": 6379, "db": 1, "key_prefix": redis_prefix,
        },
    }  # fmt: skip
    with ExitStack() as stack:
        actions = stack.enter_context(action_server())
        first = stack.enter_context(rasa_server(actions.url, endpoints_extra=stores))
        second = stack.enter_context(rasa_server(actions.url, endpoints_extra=stores))
        yield first, second


def tracker(server: Server, sender: str) -> dict:
    status, body = http_json("GET", f"{server.url}/conversations/{sender}/tracker")
    assert status == 200, body
    return body


def test_conversation_alternating_between_instances_keeps_state(two_instances):
    first, second = two_instances
    sender = f"two-{uuid.uuid4().hex[:10]}"
    assert say(first, sender, "hello")
    assert say(second, sender, "Ai-je le droit de travailler ?")
    assert say(first, sender, "merci")
    seen_by_first, seen_by_second = tracker(first, sender), tracker(second, sender)
    user_texts = [e["text"] for e in seen_by_second["events"] if e["event"] == "user"]
    assert user_texts == ["hello", "Ai-je le droit de travailler ?", "merci"]
    assert seen_by_first["events"] == seen_by_second["events"]
    # The language decided on one instance is the language the other one sees.
    assert seen_by_second["slots"].get("language") == "fr"


def test_concurrent_messages_of_one_user_are_processed_one_at_a_time_in_order(two_instances):
    sender = f"burst-{uuid.uuid4().hex[:10]}"
    messages = [f"hello {n}" for n in range(6)]
    errors: list[BaseException] = []

    def send(index: int, text: str) -> None:
        try:
            say(two_instances[index % 2], sender, text)
        except BaseException as error:  # collected and re-raised in the test thread
            errors.append(error)

    threads = []
    for index, text in enumerate(messages):
        threads.append(threading.Thread(target=send, args=(index, text)))
        threads[-1].start()
        time.sleep(0.15)  # arrival order; the lock store must keep it
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    events = tracker(two_instances[0], sender)["events"]
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts == messages
    # Each message was answered before the next one was read: no interleaving.
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    for position, kind in enumerate(kinds[:-1]):
        if kind == "user":
            assert kinds[position + 1] == "bot", kinds
