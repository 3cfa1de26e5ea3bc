"""Erase one user's data once the current turn has been saved.

Rasa has no API to delete a conversation, and it writes the tracker back at the end of the
turn in which ``action_forget_me`` runs (re-inserting anything deleted before that). So the
erasure waits until that turn is in the tracker store (an ``action_listen`` newer than the
request), then runs :func:`haven.privacy_ops.forget_user`, which deletes the sender's
tracker events, feedback rows and channel state. The tracker store is the one
``haven.privacy_ops`` is configured with (``stores.tracker_url`` or ``stores.tracker_db``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

from haven import privacy_ops

logger = logging.getLogger(__name__)

WAIT_FOR_SAVE_S = 20.0
POLL_S = 0.25


def turn_saved(config: Any, sender_id: str, since: float) -> bool:
    """Whether the store holds an ``action_listen`` of the sender newer than ``since``."""
    sql = (
        "SELECT COUNT(*) FROM events"
        " WHERE sender_id = {p} AND action_name = {p} AND timestamp > {p}"
    )
    parameters = (sender_id, "action_listen", since)
    if config.dialect == "sqlite":
        with closing(sqlite3.connect(config.database, timeout=10)) as db:
            row = db.execute(sql.format(p="?"), parameters).fetchone()
    else:
        with closing(privacy_ops._postgres_connect(config)) as db:
            cursor = db.cursor()
            cursor.execute(sql.format(p="%s"), parameters)
            row = cursor.fetchone()
    return bool(row and row[0])


def forget_after_turn(
    sender_id: str,
    since: float,
    wait_s: float = WAIT_FOR_SAVE_S,
    done: Callable[[privacy_ops.ForgetReport], None] | None = None,
) -> threading.Thread:
    """In the background: wait until the current turn is saved, then forget the user."""
    config = privacy_ops.TrackerStoreConfig.from_settings()

    def work() -> None:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                if turn_saved(config, sender_id, since):
                    break
            except Exception:  # table not created yet, database busy: keep waiting
                pass
            time.sleep(POLL_S)
        report = privacy_ops.forget_user(sender_id, privacy_ops.TrackerStore(config))
        if report.errors:
            logger.error("forget_me incomplete: %s", "; ".join(report.errors))
        if done is not None:
            done(report)

    thread = threading.Thread(target=work, name="haven-forget-me", daemon=True)
    thread.start()
    return thread
