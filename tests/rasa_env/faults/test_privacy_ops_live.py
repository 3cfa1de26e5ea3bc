"""The operator's forget and retention commands on conversations that Rasa itself stored in
PostgreSQL (the production tracker store of the fault-test stack)."""

from __future__ import annotations

import json
import subprocess

import pytest

from haven.processes import RASA_PYTHON, ROOT, server_env
from tests.rasa_env.faults.conftest import PG, ask, is_normal_answer, new_sender, user_texts

pytestmark = pytest.mark.integration


def privacy_ops(database: str, *args: str) -> dict:
    url = f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{database}"
    done = subprocess.run(
        [str(RASA_PYTHON), "-m", "haven.privacy_ops", "--tracker-url", url, *args],
        cwd=ROOT, env=server_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_forget_erases_a_stored_conversation_and_nothing_else(ops_stack):
    forgotten, kept = new_sender("forget"), new_sender("keep")
    for sender in (forgotten, kept):
        status, replies = ask(ops_stack.rasa, sender, "Can I work here?")
        assert status == 200 and is_normal_answer(replies)

    report = privacy_ops(ops_stack.database, "forget", "--sender", forgotten)

    assert report["complete"] and report["tracker_events"] > 0
    assert forgotten not in json.dumps({k: v for k, v in report.items() if k != "sender_id"})
    assert user_texts(ops_stack.rasa, forgotten) == []
    assert user_texts(ops_stack.rasa, kept) == ["Can I work here?"]


def test_retention_dry_run_counts_without_deleting(ops_stack):
    sender = new_sender("retention")
    ask(ops_stack.rasa, sender, "hello")
    report = privacy_ops(ops_stack.database, "retention", "--days", "0.00001", "--dry-run")
    assert report["dry_run"] and report["tracker_events"] > 0 and report["conversations"] >= 1
    assert user_texts(ops_stack.rasa, sender) == ["hello"]
