"""Operator privacy commands on real stores: SQLite files and the local PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from haven import privacy_ops, retention
from haven.privacy import pseudonymise
from haven.privacy_ops import (
    FeedbackDatabase,
    TrackerStore,
    TrackerStoreConfig,
    apply_retention,
    feedback_key,
    forget_user,
)

# Rasa 3.6's SQLTrackerStore table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent).
EVENTS_SQL = """
CREATE TABLE events (
    id {serial} PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT
)"""
FEEDBACK_SQL = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, conversation TEXT NOT NULL,
    entry_id TEXT, value TEXT NOT NULL, language TEXT
)"""
DAY = 86400.0
NOW = 1_800_000_000.0


def _connect_pg(dbname: str):
    try:
        import psycopg

        connection = psycopg.connect(host="127.0.0.1", user="postgres", dbname=dbname)
    except ImportError:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=dbname)
    return connection


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker(request, tmp_path: Path) -> Iterator[TrackerStore]:
    if request.param == "sqlite":
        path = tmp_path / "tracker.db"
        with closing(sqlite3.connect(path)) as db:
            db.execute(EVENTS_SQL.format(serial="INTEGER"))
            db.commit()
        yield TrackerStore(TrackerStoreConfig("sqlite", str(path)))
        return
    name = f"haven_privacy_{uuid.uuid4().hex[:10]}"
    admin = _connect_pg("postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    with closing(_connect_pg(name)) as db:
        db.cursor().execute(EVENTS_SQL.format(serial="SERIAL"))
        db.commit()
    try:
        yield TrackerStore(TrackerStoreConfig("postgresql", name, "127.0.0.1", 5432, "postgres"))
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def add_events(store: TrackerStore, sender: str, timestamps: list[float]) -> None:
    placeholder = "?" if store.config.dialect == "sqlite" else "%s"
    if store.config.dialect == "sqlite":
        connection = sqlite3.connect(store.config.database)
    else:
        connection = _connect_pg(store.config.database)
    with closing(connection):
        cursor = connection.cursor()
        for stamp in timestamps:
            cursor.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data)"
                f" VALUES ({placeholder}, {placeholder}, {placeholder}, {placeholder})",
                (sender, "user", stamp, json.dumps({"text": "secret question"})),
            )
        connection.commit()


@pytest.fixture
def feedback(tmp_path: Path) -> FeedbackDatabase:
    path = tmp_path / "feedback.db"
    with closing(sqlite3.connect(path)) as db:
        db.execute(FEEDBACK_SQL)
        db.commit()
    return FeedbackDatabase(path)


def add_feedback(store: FeedbackDatabase, sender: str, when: float) -> None:
    created = dt.datetime.fromtimestamp(when, dt.timezone.utc).isoformat(timespec="seconds")
    with closing(sqlite3.connect(store.path)) as db:
        db.execute(
            "INSERT INTO feedback (created_at, conversation, entry_id, value, language)"
            " VALUES (?, ?, 'work-permit', 'helpful', 'ar')",
            (created, feedback_key(sender)),
        )
        db.commit()


def feedback_rows(store: FeedbackDatabase) -> list[str]:
    with closing(sqlite3.connect(store.path)) as db:
        return [row[0] for row in db.execute("SELECT conversation FROM feedback")]


def test_forget_deletes_one_users_conversation_and_feedback_only(tracker, feedback):
    alice = pseudonymise("+4915112345678", "whatsapp")
    bob = pseudonymise("987654321", "telegram")
    add_events(tracker, alice, [NOW - 5, NOW - 4, NOW - 3])
    add_events(tracker, bob, [NOW - 2])
    add_feedback(feedback, alice, NOW)
    add_feedback(feedback, bob, NOW)

    report = forget_user(alice, tracker, feedback, redis_url=None)

    assert report.complete and report.tracker_events == 3 and report.feedback_rows == 1
    assert tracker.count(alice) == 0 and tracker.count(bob) == 1
    assert feedback_rows(feedback) == [feedback_key(bob)]
    # Running it again is harmless (the command can be retried after a partial failure).
    assert forget_user(alice, tracker, feedback, redis_url=None).tracker_events == 0


def test_retention_deletes_only_what_is_older_than_the_limit(tracker, feedback):
    old, active = "sms-old", "sms-active"
    add_events(tracker, old, [NOW - 200 * DAY, NOW - 190 * DAY])
    add_events(tracker, active, [NOW - 181 * DAY, NOW - 10 * DAY, NOW - 1])
    add_feedback(feedback, old, NOW - 200 * DAY)
    add_feedback(feedback, active, NOW - 1 * DAY)

    dry = apply_retention(180, tracker, feedback, now=NOW, dry_run=True)
    assert (dry.tracker_events, dry.conversations, dry.feedback_rows) == (3, 2, 1)
    assert tracker.count() == 5  # a dry run deletes nothing

    report = apply_retention(180, tracker, feedback, now=NOW)
    assert (report.tracker_events, report.feedback_rows) == (3, 1)
    assert tracker.count(old) == 0 and tracker.count(active) == 2
    assert feedback_rows(feedback) == [feedback_key(active)]


def test_stores_that_do_not_exist_yet_hold_nothing(tmp_path):
    tracker = TrackerStore(TrackerStoreConfig("sqlite", str(tmp_path / "none.db")))
    feedback = FeedbackDatabase(tmp_path / "none-feedback.db")
    assert forget_user("x", tracker, feedback, redis_url=None).complete
    assert apply_retention(1, tracker, feedback).tracker_events == 0


def test_an_unreachable_database_is_reported_not_hidden(feedback):
    unreachable = TrackerStore(TrackerStoreConfig("postgresql", "haven", "127.0.0.1", 1))
    report = forget_user("sms-x", unreachable, feedback, redis_url=None)
    assert not report.complete and "tracker_events" in report.errors[0]
    with pytest.raises(privacy_ops.PrivacyOpsError):
        apply_retention(30, unreachable, feedback)


def test_endpoints_file_with_environment_variables(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: ${DB_HOST}\n"
        '  port: "${DB_PORT}"\n  db: haven\n  username: haven\n  password: ${DB_PASSWORD}\n'
    )
    config = TrackerStoreConfig.from_endpoints(
        endpoints, {"DB_HOST": "db", "DB_PORT": "6543", "DB_PASSWORD": "pw"}
    )
    assert config == TrackerStoreConfig("postgresql", "haven", "db", 6543, "haven", "pw")
    with pytest.raises(privacy_ops.PrivacyOpsError, match="DB_PASSWORD"):
        TrackerStoreConfig.from_endpoints(endpoints, {"DB_HOST": "db", "DB_PORT": "1"})
    url = TrackerStoreConfig.from_url("postgresql+psycopg2://u:p%40ss@h:5433/base")
    assert url == TrackerStoreConfig("postgresql", "base", "h", 5433, "u", "p@ss")


def test_commands_print_a_report_without_identifiers(tracker, feedback, capsys):
    phone = "+4915112345678"
    sender = pseudonymise(phone, "sms")
    add_events(tracker, sender, [time.time()])
    add_events(tracker, "sms-ancient", [time.time() - 400 * DAY])
    if tracker.config.dialect == "sqlite":
        store = ["--tracker-url", f"sqlite:///{tracker.config.database}"]
    else:
        store = ["--tracker-url", f"postgresql://postgres@127.0.0.1:5432/{tracker.config.database}"]
    store += ["--feedback-db", str(feedback.path)]

    assert privacy_ops.main([*store, "forget", "--channel", "sms", "--id", phone]) == 0
    out = capsys.readouterr().out
    assert phone not in out and json.loads(out)["tracker_events"] == 1

    assert retention.main([*store, "--days", "180"]) == 0
    assert json.loads(capsys.readouterr().out)["tracker_events"] == 1
    assert tracker.count() == 0
    assert privacy_ops.main([*store, "forget", "--id", phone]) == 2  # --channel missing
