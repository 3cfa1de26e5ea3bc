"""The content-staff inbox: questions the bot declined or whose answer users marked not helpful.

Content staff see these questions in the console (grouped by similarity and language) and turn
them into new FAQ entries. Nothing personal is kept: no sender, no phone number, no time of day;
the text is redacted (phone numbers, e-mail addresses, every run of digits and the words after
"my name is" and its equivalents are masked) before it is stored.

Standard library only: the action server calls :func:`record_declined` and
:func:`record_not_helpful`; they never raise, so a storage problem never breaks a conversation.
The database is SQLite, ``inbox.db`` in haven.yml (default ``var/inbox.db``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from haven import settings, sqlite
from haven.logging import redact

logger = logging.getLogger(__name__)

DEFAULT_PATH = "var/inbox.db"
REASONS = ("declined", "not_helpful")
STATUSES = ("open", "drafted", "dismissed")
MAX_TEXT = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_on TEXT NOT NULL,
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('declined', 'not_helpful')),
    entry_id TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'drafted', 'dismissed')),
    resolved_entry TEXT
);
CREATE INDEX IF NOT EXISTS questions_status ON questions (status, language);
"""

_DIGITS = re.compile(r"\d+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# "my name is X"-like phrases in the bot's languages; the next one or two words are masked.
_NAME_INTRO = (
    r"my name is|my name's|i am called|i'm called|call me"
    r"|je m'appelle|je m’appelle|mon nom est|je suis nommée?"
    r"|me llamo|mi nombre es"
    r"|اسمي|إسمي|انا اسمي|أنا اسمي"
    r"|اسم من|اسمم|نام من|من اسمم"
    r"|меня зовут|моё имя|мое имя|мене звати|моє ім'я|моє ім’я"
    r"|benim adım|adım|ismim|benim ismim"
    r"|زما نوم|زه نوم"
    r"|magacaygu waa|magacayga waa|ስመይ"
)
_NAME = re.compile(
    rf"(?i)(?<!\w)({_NAME_INTRO})(\s*[:,-]?\s*)([^\s.,;:!?؟،]+(?:\s+[^\s.,;:!?؟،<]+)?)"
)
_SPACES = re.compile(r"\s+")


def redact_question(text: str) -> str:
    """The question with personal data masked, whitespace collapsed, at most 500 characters.

    Masks phone numbers and e-mail addresses (:func:`haven.logging.redact`), links, names that
    follow "my name is" (and the same phrase in the bot's languages) and every run of digits
    (case numbers, dates of birth, addresses).
    """
    text = _SPACES.sub(" ", str(text)).strip()
    text = _URL.sub("<link>", text)
    text = _EMAIL.sub("<email>", redact(text))
    text = _NAME.sub(lambda m: f"{m.group(1)}{m.group(2)}<name>", text)
    text = _DIGITS.sub("<number>", text)
    return text[:MAX_TEXT]


def default_path() -> Path:
    """The configured database file (``inbox.db``, default ``var/inbox.db``)."""
    return settings.project_path(settings.get("inbox.db", DEFAULT_PATH))


@dataclass(frozen=True)
class InboxQuestion:
    """One stored question (already redacted)."""

    id: int
    created_on: dt.date
    language: str
    text: str
    reason: str
    entry_id: str | None
    status: str
    resolved_entry: str | None


class InboxStore:
    """The SQLite table of declined and not-helpful questions."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite.connect(self.path, SCHEMA)

    def add(
        self,
        reason: str,
        text: str,
        language: str | None,
        entry_id: str | None = None,
        today: dt.date | None = None,
    ) -> int | None:
        """Store a question (redacted here); returns its id, or None when the text is empty.

        Raises:
            ValueError: ``reason`` is not ``declined`` or ``not_helpful``.
        """
        if reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}, not {reason!r}")
        clean = redact_question(text or "")
        if not clean or clean.startswith("/"):
            return None
        day = (today or dt.date.today()).isoformat()
        language = (language or "und")[:12]
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO questions (created_on, language, text, reason, entry_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (day, language, clean, reason, entry_id),
            )
            return int(cursor.lastrowid or 0)

    def questions(
        self, status: str | None = "open", since: dt.date | None = None
    ) -> list[InboxQuestion]:
        """Stored questions, newest first (of one status, or all when ``status`` is None)."""
        sql = (
            "SELECT id, created_on, language, text, reason, entry_id, status, resolved_entry"
            " FROM questions WHERE 1 = 1"
        )
        args: list[str] = []
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        if since is not None:
            sql += " AND created_on >= ?"
            args.append(since.isoformat())
        with self._connect() as db:
            rows = db.execute(sql + " ORDER BY created_on DESC, id DESC", args).fetchall()
        return [
            InboxQuestion(r[0], dt.date.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6], r[7])
            for r in rows
        ]

    def set_status(self, ids: Iterable[int], status: str, entry_id: str | None = None) -> int:
        """Mark questions ``drafted`` (with the entry made from them), ``dismissed`` or ``open``.

        Raises:
            ValueError: unknown status.
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        with self._connect() as db:
            cursor = db.execute(
                f"UPDATE questions SET status = ?, resolved_entry = ? WHERE id IN ({marks})",
                [status, entry_id, *ids],
            )
            return cursor.rowcount

    def counts(self) -> dict[str, int]:
        """How many questions there are per status."""
        with self._connect() as db:
            rows = db.execute("SELECT status, COUNT(*) FROM questions GROUP BY status").fetchall()
        return {str(status): int(n) for status, n in rows}

    def forget_older_than(self, days: int, today: dt.date | None = None) -> int:
        """Delete questions older than ``days`` days (retention); returns how many."""
        limit = (today or dt.date.today()) - dt.timedelta(days=days)
        with self._connect() as db:
            cursor = db.execute("DELETE FROM questions WHERE created_on < ?", (limit.isoformat(),))
            return cursor.rowcount


def record_declined(text: str, language: str | None) -> None:
    """Keep a question the knowledge base declined (for the console inbox). Never raises."""
    try:
        InboxStore().add("declined", text, language)
    except Exception:  # the conversation must go on whatever happens to the inbox
        logger.exception("could not store a declined question in the inbox")


def record_not_helpful(entry_id: str | None, language: str | None, text: str) -> None:
    """Keep a question whose answer (``entry_id``) a user marked not helpful. Never raises."""
    try:
        InboxStore().add("not_helpful", text, language, entry_id=entry_id)
    except Exception:  # the conversation must go on whatever happens to the inbox
        logger.exception("could not store a not-helpful question in the inbox")
