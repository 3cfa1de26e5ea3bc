"""Answer feedback for content staff, stored in SQLite (``feedback.db`` in haven.yml).

Rows hold the FAQ entry, helpful or not, the language, the date and a pseudonym of the
conversation (never the message text), so that content staff see which answers to improve
and ``forget_me`` can erase one user's rows.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from haven import settings, sqlite
from haven.privacy import pseudonymise

DEFAULT_PATH = "var/feedback.db"
VALUES = ("helpful", "not_helpful")
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    conversation TEXT NOT NULL,
    entry_id TEXT,
    value TEXT NOT NULL CHECK (value IN ('helpful', 'not_helpful')),
    language TEXT
);
CREATE INDEX IF NOT EXISTS feedback_conversation ON feedback (conversation);
CREATE INDEX IF NOT EXISTS feedback_entry ON feedback (entry_id);
"""


def default_path() -> Path:
    """The configured database file (``feedback.db``, default ``var/feedback.db``)."""
    return settings.project_path(settings.get("feedback.db", DEFAULT_PATH))


class FeedbackStore:
    """A small SQLite table of answer feedback."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite.connect(self.path, SCHEMA)

    @staticmethod
    def conversation_key(sender_id: str) -> str:
        """The pseudonym stored for a conversation (keyed hash of the sender id)."""
        return pseudonymise(sender_id, "feedback")

    def add(self, sender_id: str, entry_id: str | None, value: str, language: str | None) -> None:
        """Store one piece of feedback.

        Raises:
            ValueError: ``value`` is not ``helpful`` or ``not_helpful``.
        """
        if value not in VALUES:
            raise ValueError(f"feedback must be one of {VALUES}, not {value!r}")
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback (created_at, conversation, entry_id, value, language)"
                " VALUES (?, ?, ?, ?, ?)",
                (now, self.conversation_key(sender_id), entry_id, value, language),
            )

    def forget(self, sender_id: str) -> int:
        """Delete every row of a conversation; return how many were deleted."""
        with self._connect() as db:
            cursor = db.execute(
                "DELETE FROM feedback WHERE conversation = ?", (self.conversation_key(sender_id),)
            )
            return cursor.rowcount

    def count(self, sender_id: str | None = None) -> int:
        """How many rows there are (for one conversation, or in total)."""
        with self._connect() as db:
            if sender_id is None:
                return int(db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
            row = db.execute(
                "SELECT COUNT(*) FROM feedback WHERE conversation = ?",
                (self.conversation_key(sender_id),),
            ).fetchone()
            return int(row[0])

    def summary(self) -> list[tuple[str, int, int]]:
        """Per FAQ entry: ``(entry_id, helpful, not_helpful)``, worst first (for content staff)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT entry_id, SUM(value = 'helpful'), SUM(value = 'not_helpful')"
                " FROM feedback WHERE entry_id IS NOT NULL GROUP BY entry_id"
                " ORDER BY SUM(value = 'not_helpful') DESC, entry_id"
            ).fetchall()
        return [(str(e), int(h), int(n)) for e, h, n in rows]
