"""Privacy operations: erase everything stored about one user; delete old conversations.

What Haven stores about a user, all under the sender's pseudonym (see :mod:`haven.privacy`):

* the conversation in Rasa's SQL tracker store (table ``events``; SQLite by default,
  PostgreSQL in production);
* answer feedback in the feedback database (``feedback.db``, rows keyed by a second keyed hash
  of the pseudonym, never by the id itself);
* short-lived channel state in Redis (``HAVEN_CHANNELS_REDIS_URL``: chosen language, pending
  options, SMS opt-out), when the channels use Redis.

:func:`forget_user` deletes all of it; :func:`apply_retention` deletes every tracker event and
feedback row older than ``privacy.retention_days``. Both are operator commands::

    python -m haven.privacy_ops forget --channel whatsapp --id "+4915112345678"
    python -m haven.privacy_ops forget --sender telegram-3f9a…
    python -m haven.privacy_ops retention [--days 180] [--dry-run]
    python -m haven.retention                      # the same, for cron

Add ``--endpoints deploy/endpoints.production.yml`` to use the tracker store Rasa uses (its
``${VARIABLES}`` are read from the environment). Without it the store is ``stores.tracker_url``
(``postgresql://user:password@host:port/db``) or the SQLite file ``stores.tracker_db``.

Standard library (+ PyYAML) only; the PostgreSQL driver is whichever the environment has
(``psycopg`` in the action server, ``psycopg2`` in the Rasa server), imported when needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from haven import settings
from haven.privacy import pseudonymise

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 180
DEFAULT_FEEDBACK_DB = "var/feedback.db"
CHANNEL_STATE_PREFIX = "haven:channels:"
REDIS_URL_ENV = "HAVEN_CHANNELS_REDIS_URL"


class PrivacyOpsError(Exception):
    """A store cannot be reached or is misconfigured; the message says which and why."""


# ---------------------------------------------------------------------------- tracker store


@dataclass(frozen=True)
class TrackerStoreConfig:
    """Where Rasa's SQL tracker store lives: an SQLite file or a PostgreSQL database."""

    dialect: str  # "sqlite" | "postgresql"
    database: str  # file path for SQLite, database name for PostgreSQL
    host: str = "127.0.0.1"
    port: int = 5432
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> TrackerStoreConfig:
        """Read ``postgresql://user:password@host:port/db`` or ``sqlite:///path``."""
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[0]
        if scheme == "sqlite":
            # sqlite:///relative/file.db or sqlite:////absolute/file.db (SQLAlchemy's form)
            path = unquote(parts.netloc + parts.path)[1:]
            return cls("sqlite", str(settings.project_path(path)))
        if scheme not in ("postgresql", "postgres"):
            raise PrivacyOpsError(f"unsupported tracker store URL scheme {parts.scheme!r}")
        return cls(
            "postgresql",
            unquote(parts.path.lstrip("/")) or "postgres",
            parts.hostname or "127.0.0.1",
            parts.port or 5432,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )

    @classmethod
    def from_endpoints(
        cls, path: Path, environ: dict[str, str] | None = None
    ) -> TrackerStoreConfig:
        """Read the ``tracker_store`` section of a Rasa ``endpoints.yml`` (``${VAR}`` expanded)."""
        environ = dict(os.environ if environ is None else environ)
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise PrivacyOpsError(f"cannot read {path}: {error}") from error

        def expand(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise PrivacyOpsError(f"{path} uses ${{{name}}} but it is not set")
            return environ[name]

        try:
            config = yaml.safe_load(re.sub(r"\$\{(\w+)\}", expand, raw)) or {}
        except yaml.YAMLError as error:
            raise PrivacyOpsError(f"{path} is not valid YAML: {error}") from error
        store = config.get("tracker_store") if isinstance(config, dict) else None
        if not isinstance(store, dict) or str(store.get("type", "")).upper() != "SQL":
            raise PrivacyOpsError(f"{path} has no SQL tracker_store: nothing to erase here")
        dialect = str(store.get("dialect", "sqlite")).split("+")[0]
        if dialect == "sqlite":
            return cls("sqlite", str(settings.project_path(store.get("db", "rasa.db"))))
        if dialect not in ("postgresql", "postgres"):
            raise PrivacyOpsError(f"{path}: tracker store dialect {dialect!r} is not supported")
        return cls(
            "postgresql",
            str(store.get("db", "rasa")),
            str(store.get("url") or "127.0.0.1"),
            int(store.get("port") or 5432),
            store.get("username"),
            store.get("password"),
        )

    @classmethod
    def from_settings(cls) -> TrackerStoreConfig:
        """``stores.tracker_url`` when set, else the SQLite file ``stores.tracker_db``."""
        url = settings.get("stores.tracker_url")
        if url:
            return cls.from_url(str(url))
        db = settings.get("stores.tracker_db", "var/tracker.db")
        return cls("sqlite", str(settings.project_path(db)))


def _postgres_connect(config: TrackerStoreConfig) -> Any:
    """A DB-API connection with whichever PostgreSQL driver this environment has."""
    kwargs = {
        "host": config.host,
        "port": config.port,
        "dbname": config.database,
        "user": config.username or "postgres",
        "connect_timeout": 10,
    }
    if config.password:
        kwargs["password"] = config.password
    try:
        import psycopg  # the action server environment

        return psycopg.connect(**kwargs)
    except ImportError:
        import psycopg2  # the Rasa server environment

        return psycopg2.connect(**kwargs)


class TrackerStore:
    """Deletes rows from the ``events`` table of Rasa's SQL tracker store."""

    def __init__(self, config: TrackerStoreConfig) -> None:
        self.config = config

    @property
    def _param(self) -> str:
        return "?" if self.config.dialect == "sqlite" else "%s"

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        try:
            if self.config.dialect == "sqlite":
                if not Path(self.config.database).exists():
                    raise _NoTableError
                connection = sqlite3.connect(self.config.database, timeout=30)
            else:
                connection = _postgres_connect(self.config)
        except _NoTableError:
            raise
        except Exception as error:
            raise PrivacyOpsError(
                f"cannot open the tracker store ({self.config.dialect} {self.config.database}): "
                f"{type(error).__name__}: {error}"
            ) from error
        with closing(connection):
            yield connection

    def _execute(self, sql: str, parameters: Sequence[Any], write: bool) -> int:
        """Run one statement: a write commits and gives the rows changed, a read its one number.

        A missing ``events`` table (nothing stored yet) counts as 0.
        """
        try:
            with self._connection() as connection:
                cursor = connection.cursor()
                try:
                    cursor.execute(sql, tuple(parameters))
                except Exception as error:
                    if not _is_missing_table(error):
                        raise
                    if write:
                        connection.rollback()
                    return 0
                if not write:
                    return int(cursor.fetchone()[0])
                count = cursor.rowcount
                connection.commit()
                return max(int(count or 0), 0)
        except _NoTableError:
            return 0

    def _run(self, sql: str, parameters: Sequence[Any]) -> int:
        """Execute one statement and commit; a missing ``events`` table counts as 0 rows."""
        return self._execute(sql, parameters, write=True)

    def _scalar(self, sql: str, parameters: Sequence[Any]) -> int:
        """The single number a ``SELECT COUNT`` returns; 0 when nothing is stored yet."""
        return self._execute(sql, parameters, write=False)

    def count(self, sender_id: str | None = None) -> int:
        """Rows of one sender (or of everyone)."""
        if sender_id is None:
            return self._scalar("SELECT COUNT(*) FROM events", ())
        return self._scalar(
            f"SELECT COUNT(*) FROM events WHERE sender_id = {self._param}", (sender_id,)
        )

    def delete_sender(self, sender_id: str) -> int:
        """Delete every event of one conversation; return the number of rows deleted."""
        return self._run(f"DELETE FROM events WHERE sender_id = {self._param}", (sender_id,))

    def delete_older_than(self, cutoff: float) -> int:
        """Delete every event whose timestamp (Unix seconds) is older than ``cutoff``."""
        return self._run(f"DELETE FROM events WHERE timestamp < {self._param}", (cutoff,))

    def events_older_than(self, cutoff: float) -> int:
        """How many events are older than ``cutoff``."""
        return self._scalar(
            f"SELECT COUNT(*) FROM events WHERE timestamp < {self._param}", (cutoff,)
        )

    def senders_older_than(self, cutoff: float) -> int:
        """How many conversations have events older than ``cutoff``."""
        return self._scalar(
            f"SELECT COUNT(DISTINCT sender_id) FROM events WHERE timestamp < {self._param}",
            (cutoff,),
        )


class _NoTableError(Exception):
    """The SQLite file does not exist yet: nothing stored."""


def _is_missing_table(error: Exception) -> bool:
    text = str(error).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


# ---------------------------------------------------------------------------- feedback


def feedback_key(sender_id: str) -> str:
    """The key feedback rows are stored under (a keyed hash of the pseudonym)."""
    return pseudonymise(sender_id, "feedback")


class FeedbackDatabase:
    """Deletes rows of the answer-feedback table (SQLite, ``feedback.db`` in haven.yml)."""

    def __init__(self, path: Path | str | None = None) -> None:
        configured = settings.get("feedback.db", DEFAULT_FEEDBACK_DB)
        self.path = Path(path) if path is not None else settings.project_path(configured)

    def _run(self, sql: str, parameters: Sequence[Any]) -> int:
        if not self.path.exists():
            return 0
        with closing(sqlite3.connect(self.path, timeout=30)) as connection:
            try:
                cursor = connection.execute(sql, tuple(parameters))
            except sqlite3.OperationalError as error:
                if _is_missing_table(error):
                    return 0
                raise
            connection.commit()
            return max(cursor.rowcount, 0)

    def delete_sender(self, sender_id: str) -> int:
        """Delete one conversation's feedback rows."""
        return self._run("DELETE FROM feedback WHERE conversation = ?", (feedback_key(sender_id),))

    def delete_older_than(self, cutoff: dt.datetime) -> int:
        """Delete feedback given before ``cutoff`` (rows store ISO-8601 UTC timestamps)."""
        iso = cutoff.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
        return self._run("DELETE FROM feedback WHERE created_at < ?", (iso,))

    def count_older_than(self, cutoff: dt.datetime) -> int:
        """How many feedback rows are older than ``cutoff`` (for dry runs)."""
        if not self.path.exists():
            return 0
        iso = cutoff.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
        with closing(sqlite3.connect(self.path, timeout=30)) as connection:
            try:
                row = connection.execute(
                    "SELECT COUNT(*) FROM feedback WHERE created_at < ?", (iso,)
                ).fetchone()
            except sqlite3.OperationalError as error:
                if _is_missing_table(error):
                    return 0
                raise
        return int(row[0])


# ---------------------------------------------------------------------------- channel state


def delete_channel_state(sender_id: str, redis_url: str | None = None) -> int | None:
    """Delete the channels' Redis keys of one sender; ``None`` when channels keep no Redis state.

    Raises:
        PrivacyOpsError: Redis is configured but cannot be reached, or the ``redis`` package
            is missing in this environment.
    """
    url = redis_url or os.environ.get(REDIS_URL_ENV)
    if not url:
        return None
    try:
        import redis
    except ImportError as error:
        raise PrivacyOpsError(
            f"{REDIS_URL_ENV} is set but this environment has no redis package: run the "
            "command with the Rasa server's Python (.venv/rasa)"
        ) from error
    try:
        client = redis.Redis.from_url(url, socket_timeout=10)
        keys = list(client.scan_iter(f"{CHANNEL_STATE_PREFIX}*{_glob_escape(sender_id)}*"))
        return int(client.delete(*keys)) if keys else 0
    except redis.RedisError as error:
        raise PrivacyOpsError(f"cannot reach Redis for channel state: {error}") from error


def _glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?\\])", r"\\\1", text)


# ---------------------------------------------------------------------------- operations


@dataclass
class ForgetReport:
    """What :func:`forget_user` deleted."""

    sender_id: str
    tracker_events: int = 0
    feedback_rows: int = 0
    channel_state_keys: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every store was reached."""
        return not self.errors


def sender_id_for(identifier: str, channel: str) -> str:
    """The pseudonym a channel stores a user under (``channel`` as the channel names itself)."""
    return pseudonymise(identifier, channel)


def forget_user(
    sender_id: str,
    tracker: TrackerStore | None = None,
    feedback: FeedbackDatabase | None = None,
    redis_url: str | None = None,
) -> ForgetReport:
    """Delete everything stored about one conversation (by its sender pseudonym).

    Every store is tried even when another fails; failures are listed in the report (and
    logged without the pseudonym), so the command can be run again.
    """
    tracker = tracker or TrackerStore(TrackerStoreConfig.from_settings())
    feedback = feedback or FeedbackDatabase()
    report = ForgetReport(sender_id)
    steps = (
        ("tracker_events", lambda: tracker.delete_sender(sender_id)),
        ("feedback_rows", lambda: feedback.delete_sender(sender_id)),
        ("channel_state_keys", lambda: delete_channel_state(sender_id, redis_url)),
    )
    for name, step in steps:
        try:
            setattr(report, name, step())
        except Exception as error:
            report.errors.append(f"{name}: {type(error).__name__}: {error}")
            logger.error("forget: could not erase %s: %s", name, type(error).__name__)
    return report


@dataclass
class RetentionReport:
    """What :func:`apply_retention` deleted (or would delete, in a dry run)."""

    retention_days: float
    cutoff: str
    tracker_events: int = 0
    conversations: int = 0
    feedback_rows: int = 0
    dry_run: bool = False


def retention_days() -> float:
    """``privacy.retention_days`` from haven.yml (180 by default)."""
    value = settings.get("privacy.retention_days", DEFAULT_RETENTION_DAYS)
    try:
        days = float(value)
    except (TypeError, ValueError) as error:
        raise PrivacyOpsError(f"privacy.retention_days must be a number, not {value!r}") from error
    if days <= 0:
        raise PrivacyOpsError("privacy.retention_days must be positive")
    return days


def apply_retention(
    days: float | None = None,
    tracker: TrackerStore | None = None,
    feedback: FeedbackDatabase | None = None,
    now: float | None = None,
    dry_run: bool = False,
) -> RetentionReport:
    """Delete tracker events and feedback older than ``days`` (``privacy.retention_days``).

    A conversation whose last message is older than the limit disappears entirely; in a
    conversation that is still going on, only the events older than the limit are removed.
    """
    days = retention_days() if days is None else float(days)
    if days <= 0:
        raise PrivacyOpsError("the retention period must be positive")
    tracker = tracker or TrackerStore(TrackerStoreConfig.from_settings())
    feedback = feedback or FeedbackDatabase()
    now = time.time() if now is None else now
    cutoff = now - days * 86400
    cutoff_dt = dt.datetime.fromtimestamp(cutoff, dt.timezone.utc)
    report = RetentionReport(days, cutoff_dt.isoformat(timespec="seconds"), dry_run=dry_run)
    report.conversations = tracker.senders_older_than(cutoff)
    if dry_run:
        report.tracker_events = tracker.events_older_than(cutoff)
        report.feedback_rows = feedback.count_older_than(cutoff_dt)
        return report
    report.tracker_events = tracker.delete_older_than(cutoff)
    report.feedback_rows = feedback.delete_older_than(cutoff_dt)
    return report


# ---------------------------------------------------------------------------- command line


def _tracker_from_args(args: argparse.Namespace) -> TrackerStore:
    if args.endpoints:
        return TrackerStore(TrackerStoreConfig.from_endpoints(Path(args.endpoints)))
    if args.tracker_url:
        return TrackerStore(TrackerStoreConfig.from_url(args.tracker_url))
    return TrackerStore(TrackerStoreConfig.from_settings())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m haven.privacy_ops",
        description="Erase one user's data, or delete conversations past the retention period.",
    )
    parser.add_argument("--endpoints", help="Rasa endpoints.yml whose tracker_store to use")
    parser.add_argument("--tracker-url", help="postgresql://user:pw@host:port/db or sqlite:///f")
    parser.add_argument("--feedback-db", help="feedback SQLite file (default: feedback.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    forget = commands.add_parser("forget", help="delete everything stored about one user")
    who = forget.add_mutually_exclusive_group(required=True)
    who.add_argument("--sender", help="the pseudonym (sender id) as stored, e.g. telegram-3f9a…")
    who.add_argument("--id", help="the user's channel id: phone number, Telegram user id …")
    forget.add_argument("--channel", help="with --id: telegram | whatsapp | sms | webchat …")
    retention = commands.add_parser("retention", help="delete data older than retention_days")
    retention.add_argument("--days", type=float, help="override privacy.retention_days")
    retention.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run an operator command; print a JSON report (no identifiers in clear)."""
    args = _parser().parse_args(argv)
    try:
        tracker = _tracker_from_args(args)
        feedback = FeedbackDatabase(args.feedback_db)
        if args.command == "forget":
            if args.id is not None and not args.channel:
                print("--id needs --channel (the pseudonym depends on it)", file=sys.stderr)
                return 2
            sender = args.sender or sender_id_for(args.id, args.channel)
            result = forget_user(sender, tracker, feedback)
            print(json.dumps(result.__dict__ | {"complete": result.complete}, indent=2))
            return 0 if result.complete else 1
        report = apply_retention(args.days, tracker, feedback, dry_run=args.dry_run)
        print(json.dumps(report.__dict__, indent=2))
        return 0
    except PrivacyOpsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
