"""Fixtures for the Rasa-environment suite: one real action server + Rasa server per session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.servers import Server, action_server, rasa_server


@dataclass
class Stack:
    """The two running servers of one test session."""

    actions: Server
    rasa: Server


@pytest.fixture(scope="session")
def haven_stack() -> Iterator[Stack]:
    """The real action server and Rasa server (REST channel, HTTP API) on free ports."""
    with action_server() as actions, rasa_server(actions.url) as rasa:
        yield Stack(actions, rasa)
