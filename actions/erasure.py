"""Erase one user's conversation from Rasa's SQL tracker store.

Rasa has no API to delete a conversation, and it writes the tracker back at the end of the
turn in which ``action_forget_me`` runs (re-inserting anything deleted before that). So the
erasure waits until that turn has been saved (an ``action_listen`` newer than the request is
in the store), then deletes every event row of the sender. The store is
``stores.tracker_url`` (an SQLAlchemy-style ``postgresql://`` URL) or, by default, the SQLite
file ``stores.tracker_db`` (the ``make run`` default in ``bot/endpoints.yml``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

from haven import settings

logger = logging.getLogger(__name__)

WAIT_FOR_SAVE_S = 20.0
POLL_S = 0.25


class TrackerEraser:
    """Delete all stored events of one sender from the SQL tracker store."""

    def __init__(self, sqlite_path: str | None = None, url: str | None = None) -> None:
        self.url = url if url is not None else settings.get("stores.tracker_url")
        configured = sqlite_path or settings.get("stores.tracker_db", "var/tracker.db")
        self.sqlite_path = str(settings.project_path(configured))

    def _connect(self) -> Any:
        if self.url and str(self.url).startswith(("postgresql", "postgres")):
            import psycopg

            return psycopg.connect(str(self.url).replace("postgresql+psycopg2", "postgresql"))
        return sqlite3.connect(self.sqlite_path, timeout=10)

    def _param(self) -> str:
        return "%s" if self.url and str(self.url).startswith("postgres") else "?"

    def last_listen_after(self, sender_id: str, since: float) -> bool:
        """Whether the store holds an ``action_listen`` of the sender newer than ``since``."""
        p = self._param()
        with closing(self._connect()) as db:
            row = db.execute(
                f"SELECT COUNT(*) FROM events WHERE sender_id = {p} AND action_name = {p}"
                f" AND timestamp > {p}",
                (sender_id, "action_listen", since),
            ).fetchone()
        return bool(row and row[0])

    def erase(self, sender_id: str) -> int:
        """Delete every event of the sender now; return the number of rows deleted."""
        p = self._param()
        with closing(self._connect()) as db:
            cursor = db.execute(f"DELETE FROM events WHERE sender_id = {p}", (sender_id,))
            db.commit()
            return int(cursor.rowcount or 0)

    def erase_after_turn(
        self,
        sender_id: str,
        since: float,
        wait_s: float = WAIT_FOR_SAVE_S,
        done: Callable[[int], None] | None = None,
    ) -> threading.Thread:
        """In the background: wait until the current turn is saved, then erase the sender."""

        def work() -> None:
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                try:
                    if self.last_listen_after(sender_id, since):
                        break
                except Exception:  # table not created yet, database busy: keep waiting
                    pass
                time.sleep(POLL_S)
            try:
                deleted = self.erase(sender_id)
            except Exception as error:
                logger.error("could not erase a conversation from the tracker store: %s", error)
                deleted = -1
            if done is not None:
                done(deleted)

        thread = threading.Thread(target=work, name="haven-erase", daemon=True)
        thread.start()
        return thread
