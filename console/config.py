"""Console settings from ``haven.yml`` (section ``console``, plus ``kb``, ``inbox``, ``feedback``).

Every value can be overridden with ``HAVEN__SECTION__KEY`` environment variables, e.g.
``HAVEN__KB__CONTENT_DIR=/tmp/content`` (tests use this so they never touch the real content).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from haven import settings


@dataclass(frozen=True)
class ConsoleConfig:
    """Where the console reads and writes, and how long sessions last."""

    db_path: Path
    content_dir: Path
    index_dir: Path
    inbox_db: Path
    feedback_db: Path
    endpoints: Path
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    secure_cookie: bool = True
    stale_within_days: int = 30
    review_months: int = 6
    ui_languages: tuple[str, ...] = ("en", "ar", "fa")
    rtl_languages: tuple[str, ...] = ("ar", "fa", "ps")
    warm_up: bool = True

    @classmethod
    def load(cls) -> ConsoleConfig:
        """Read the process-wide settings."""
        path = settings.project_path
        return cls(
            db_path=path(settings.get("console.db", "var/console.db")),
            content_dir=path(settings.get("kb.content_dir", "knowledge_base/content")),
            index_dir=path(settings.get("kb.index_dir", "var/index")),
            inbox_db=path(settings.get("inbox.db", "var/inbox.db")),
            feedback_db=path(settings.get("feedback.db", "var/feedback.db")),
            endpoints=path(settings.get("console.endpoints", "bot/endpoints.yml")),
            session_idle_minutes=int(settings.get("console.session_idle_minutes", 30)),
            session_max_hours=int(settings.get("console.session_max_hours", 12)),
            secure_cookie=bool(settings.get("console.secure_cookie", True)),
            stale_within_days=int(settings.get("console.stale_within_days", 30)),
            review_months=int(settings.get("console.review_months", 6)),
            ui_languages=tuple(settings.get("console.ui_languages", ("en", "ar", "fa"))),
            rtl_languages=tuple(settings.get("languages.rtl", ("ar", "fa", "ps"))),
            warm_up=bool(settings.get("console.warm_up", True)),
        )
