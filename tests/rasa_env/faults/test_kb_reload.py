"""Rebuilding the knowledge-base index while users are asking questions fails no request."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest

from haven.processes import ROOT, server_env
from tests.rasa_env.faults.conftest import ask, is_normal_answer, new_sender

pytestmark = pytest.mark.integration

QUESTIONS = [
    "Can I work here?",
    "هل يحق لي أن أعمل؟",
    "Ai-je le droit de travailler ?",
    "Where can I learn the language?",
]
USERS = 6
TURNS_EACH = 6


def rebuild_index(index_dir) -> None:
    subprocess.run(
        [str(ROOT / ".venv/actions/bin/python"), "-m", "knowledge_base", "build"],
        env=server_env(HAVEN__KB__INDEX_DIR=str(index_dir)), cwd=ROOT, check=True,
        capture_output=True, timeout=300,
    )  # fmt: skip


def test_index_rebuilt_under_load_fails_no_request(ops_stack):
    before = (ops_stack.index_dir / "CURRENT").read_text()
    results: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def user(number: int) -> None:
        sender = new_sender(f"reload{number}")
        for turn in range(TURNS_EACH):
            status, replies = ask(ops_stack.rasa, sender, QUESTIONS[(number + turn) % 4])
            with lock:
                results.append((status, is_normal_answer(replies)))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    rebuild_index(ops_stack.index_dir)
    time.sleep(3)  # the action server checks CURRENT every kb.reload_interval_s (2 s)
    rebuild_index(ops_stack.index_dir)
    for thread in threads:
        thread.join(300)
    assert (ops_stack.index_dir / "CURRENT").read_text() != before
    assert len(results) == USERS * TURNS_EACH
    assert all(status == 200 for status, _ in results), results
    assert all(normal for _, normal in results), results
