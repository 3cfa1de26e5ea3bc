"""Figures for the dashboard, read from the tracker store, the feedback table and the content.

Conversations come from Rasa's SQL tracker store (``events`` table), SQLite or PostgreSQL as
configured in ``bot/endpoints.yml``. Only counts leave this module: no message text, no sender.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from haven import settings
from knowledge_base.content import Content

logger = logging.getLogger(__name__)

ANSWER_ACTION = "action_answer_question"
EVENT_COLUMNS = "sender_id, type_name, timestamp, action_name, data"


@dataclass
class Stats:
    """Everything the dashboard shows."""

    days: list[str] = field(default_factory=list)
    conversations_per_day: list[int] = field(default_factory=list)
    messages_per_day: list[int] = field(default_factory=list)
    channels: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    questions: int = 0
    answered: int = 0
    helpful: int = 0
    not_helpful: int = 0
    worst_entries: list[tuple[str, int, int]] = field(default_factory=list)
    stale: list[tuple[str, str, str]] = field(default_factory=list)  # kind, id, review_by
    inbox_open: int = 0
    tracker_error: str | None = None

    @property
    def answer_rate(self) -> float | None:
        """Share of questions answered from the knowledge base (None without questions)."""
        return self.answered / self.questions if self.questions else None

    @property
    def helpfulness(self) -> float | None:
        """Share of feedback that said helpful (None without feedback)."""
        total = self.helpful + self.not_helpful
        return self.helpful / total if total else None


# ---------------------------------------------------------------------------------------------
# Reading events
# ---------------------------------------------------------------------------------------------


def tracker_store_config(endpoints: Path) -> dict[str, Any]:
    """The ``tracker_store`` section of an endpoints file (SQLite default when absent)."""
    try:
        data = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        data = {}
    store = data.get("tracker_store") or {}
    if not store:
        store = {"type": "SQL", "dialect": "sqlite", "db": settings.get("stores.tracker_db")}
    return store


def read_events(store: dict[str, Any], since: float) -> list[tuple[Any, ...]]:
    """``(sender_id, type_name, timestamp, action_name, data)`` of events after ``since``.

    Raises:
        RuntimeError: the store cannot be read (the message says why).
    """
    dialect = str(store.get("dialect", "sqlite")).lower()
    query = f"SELECT {EVENT_COLUMNS} FROM events WHERE timestamp >= {{}} ORDER BY id"
    if dialect == "sqlite":
        path = settings.project_path(str(store.get("db") or "var/tracker.db"))
        if not path.exists():
            return []
        try:
            uri = f"file:{path}?mode=ro"
            with sqlite3.connect(uri, uri=True, timeout=10) as db:
                return db.execute(query.format("?"), (since,)).fetchall()
        except sqlite3.Error as error:
            if "no such table" in str(error):
                return []
            raise RuntimeError(f"cannot read the tracker store {path}: {error}") from error
    if dialect.startswith("postgres"):
        try:
            import psycopg
        except ImportError as error:
            raise RuntimeError("reading a PostgreSQL tracker store needs psycopg") from error
        conninfo = {
            "host": store.get("url") or "localhost",
            "port": store.get("port") or 5432,
            "dbname": store.get("db") or "rasa",
            "user": store.get("username") or "postgres",
        }
        if store.get("password"):
            conninfo["password"] = store["password"]
        try:
            with psycopg.connect(**conninfo, connect_timeout=5) as db:
                return list(db.execute(query.format("%s"), (since,)).fetchall())
        except psycopg.Error as error:
            raise RuntimeError(f"cannot read the PostgreSQL tracker store: {error}") from error
    raise RuntimeError(f"the dashboard cannot read a tracker store of dialect '{dialect}'")


# ---------------------------------------------------------------------------------------------
# Computing
# ---------------------------------------------------------------------------------------------


def conversation_stats(
    events: Iterable[tuple[Any, ...]], content: Content | None, days: int, today: dt.date
) -> Stats:
    """Per-day counts, channels, languages, topics and answer rate from tracker events."""
    stats = Stats()
    first = today - dt.timedelta(days=days - 1)
    stats.days = [(first + dt.timedelta(days=i)).isoformat() for i in range(days)]
    senders_per_day: dict[str, set[str]] = defaultdict(set)
    messages: Counter[str] = Counter()
    channel_of: dict[str, str] = {}
    language_of: dict[str, str] = {}
    topic_of = {e.id: e.topic for e in content.faqs} if content else {}
    for sender, type_name, timestamp, action_name, raw in events:
        try:
            data = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            continue
        day = dt.datetime.fromtimestamp(float(timestamp or 0), dt.timezone.utc).date().isoformat()
        if type_name == "user":
            text = str(data.get("text") or "")
            senders_per_day[day].add(sender)
            messages[day] += 1
            channel_of.setdefault(sender, str(data.get("input_channel") or "unknown"))
            if text.startswith("/"):
                continue
        elif type_name == "slot" and data.get("name") == "language" and data.get("value"):
            language_of[sender] = str(data["value"])
        elif type_name == "action" and action_name == ANSWER_ACTION:
            stats.questions += 1
        elif type_name == "bot":
            metadata = _bot_metadata(data)
            if metadata.get("language"):
                language_of.setdefault(sender, str(metadata["language"]))
            if metadata.get("kind") == "answer":
                stats.answered += 1
                entry = str(metadata.get("entry_id") or "")
                stats.topics[topic_of.get(entry, entry or "?")] += 1
    stats.conversations_per_day = [len(senders_per_day.get(d, ())) for d in stats.days]
    stats.messages_per_day = [messages.get(d, 0) for d in stats.days]
    stats.channels = Counter(channel_of.values())
    stats.languages = Counter(language_of.get(s, "?") for s in channel_of)
    return stats


def _bot_metadata(data: dict[str, Any]) -> dict[str, Any]:
    """The metadata an action gave a message (Rasa stores it under ``metadata.metadata``)."""
    outer = data.get("metadata") or {}
    inner = outer.get("metadata") if isinstance(outer, dict) else None
    return {**outer, **inner} if isinstance(inner, dict) else dict(outer)


def add_feedback(stats: Stats, feedback_db: Path) -> None:
    """Helpful / not helpful totals and the entries with most "not helpful"."""
    if not feedback_db.exists():
        return
    from actions.feedback_store import FeedbackStore

    try:
        summary = FeedbackStore(feedback_db).summary()
    except sqlite3.Error:
        logger.exception("cannot read the feedback table")
        return
    stats.helpful = sum(h for _, h, _ in summary)
    stats.not_helpful = sum(n for _, _, n in summary)
    stats.worst_entries = [row for row in summary if row[2] > 0][:8]


def add_stale(stats: Stats, content: Content | None, today: dt.date, within_days: int) -> None:
    """Entries whose review date has passed or comes within ``within_days``."""
    if content is None:
        return
    from knowledge_base.tools import stale_items

    stats.stale = [(k, i, d) for k, i, d, _ in stale_items(content, today, within_days)]
