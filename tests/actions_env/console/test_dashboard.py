"""Dashboard figures from a real SQLite tracker store, and charts that are valid SVG."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

from console import charts
from console.dashboard import add_feedback, conversation_stats, read_events
from knowledge_base.content import load_content
from tests.actions_env.console.helpers import CONTENT

TODAY = dt.date(2026, 11, 20)


def _ts(day: dt.date, hour: int = 12) -> float:
    return dt.datetime.combine(day, dt.time(hour), dt.timezone.utc).timestamp()


def _tracker(path: Path) -> None:
    """Two conversations yesterday (telegram, ar; rest, en) and one today (webchat)."""
    day = _ts(TODAY - dt.timedelta(days=1))
    answer = {"language": "ar", "kind": "answer", "entry_id": "work-right-to-work"}
    rows = [
        ("t1", "user", day, None, {"text": "هل يمكنني العمل", "input_channel": "telegram"}),
        ("t1", "slot", day, None, {"name": "language", "value": "ar"}),
        ("t1", "action", day, "action_answer_question", {}),
        ("t1", "bot", day, None, {"text": "…", "metadata": {"metadata": answer, "model_id": "m"}}),
        ("t1", "user", day, None, {"text": "/feedback", "input_channel": "telegram"}),
        ("r1", "user", day, None, {"text": "where is a doctor", "input_channel": "rest"}),
        ("r1", "action", day, "action_answer_question", {}),
        ("r1", "bot", day, None, {"text": "I don't know", "metadata": {"language": "en"}}),
        ("w1", "user", _ts(TODAY), None, {"text": "hello", "input_channel": "webchat"}),
        ("old", "user", _ts(TODAY - dt.timedelta(days=60)), None, {"text": "x"}),
    ]
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,"
            " type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),"
            " action_name VARCHAR(255), data TEXT)"
        )
        db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, action_name, data)"
            " VALUES (?, ?, ?, ?, ?)",
            [(s, t, ts, a, json.dumps(d)) for s, t, ts, a, d in rows],
        )


def test_conversation_figures(tmp_path: Path) -> None:
    _tracker(tmp_path / "tracker.db")
    since = _ts(TODAY - dt.timedelta(days=6), 0)
    events = read_events({"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}, since)
    stats = conversation_stats(events, load_content(CONTENT), days=7, today=TODAY)
    assert stats.days[-1] == "2026-11-20" and len(stats.days) == 7
    assert stats.conversations_per_day[-2:] == [2, 1]
    assert stats.messages_per_day[-2:] == [3, 1]
    assert stats.channels == {"telegram": 1, "rest": 1, "webchat": 1}
    assert stats.languages == {"ar": 1, "en": 1, "?": 1}
    assert stats.topics == {"work": 1}
    assert (stats.questions, stats.answered, stats.answer_rate) == (2, 1, 0.5)


def test_missing_tracker_store_means_no_conversations(tmp_path: Path) -> None:
    assert read_events({"dialect": "sqlite", "db": str(tmp_path / "none.db")}, 0) == []


def test_feedback_figures(tmp_path: Path) -> None:
    from actions.feedback_store import FeedbackStore

    store = FeedbackStore(tmp_path / "feedback.db")
    for value in ("helpful", "helpful", "not_helpful"):
        store.add("user-1", "work-right-to-work", value, "ar")
    stats = conversation_stats([], None, 7, TODAY)
    add_feedback(stats, tmp_path / "feedback.db")
    assert (stats.helpful, stats.not_helpful) == (2, 1)
    assert abs(stats.helpfulness - 2 / 3) < 1e-9
    assert stats.worst_entries == [("work-right-to-work", 2, 1)]


def test_charts_are_valid_labelled_svg() -> None:
    svgs = [
        charts.daily_bars(["2026-11-19", "2026-11-20"], [("conversations", [2, 1]),
                                                        ("messages", [3, 1])], "Per day"),
        charts.horizontal_bars([("telegram", 3), ("العربية", 1)], "Channels"),
        charts.horizontal_bars([], "Nothing yet"),
        charts.gauge(0.5, "Answer rate"),
        charts.gauge(None, "Helpful"),
    ]  # fmt: skip
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("role") == "img" and root.get("aria-label")
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
    assert "50%" in svgs[3] and "–" in svgs[4]
    assert svgs[1].count("<rect") == 2 and "العربية" in svgs[1]
