"""Content files the NLU components read at load time, reloaded when they change.

Components hold a :class:`Watched` value built from a content file (the danger phrases, the
taxonomy). It re-stats the file at most every few seconds and rebuilds the value when the
file changed, so content staff edit the YAML and the running bot follows without
retraining. A broken edit keeps the last good value (and logs the error).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from haven import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")


def content_dir(configured: str | None = None) -> Path:
    """The content folder: the component's setting, else ``kb.content_dir`` in haven.yml."""
    value = configured or settings.get("kb.content_dir", "knowledge_base/content")
    return settings.project_path(value)


class Watched(Generic[T]):
    """A value built from files, rebuilt when any of them changes."""

    def __init__(
        self,
        paths: list[Path],
        build: Callable[[], T],
        empty: T,
        check_every_s: float = 3.0,
    ) -> None:
        self.paths = paths
        self._build = build
        self._value = empty
        self._stamp: tuple[float, ...] | None = None
        self._checked = 0.0
        self._check_every_s = check_every_s
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.refresh(force=True)

    def _current_stamp(self) -> tuple[float, ...]:
        return tuple(p.stat().st_mtime if p.exists() else -1.0 for p in self.paths)

    def refresh(self, force: bool = False) -> None:
        """Rebuild the value if a file changed (or when ``force``)."""
        now = time.monotonic()
        if not force and now - self._checked < self._check_every_s:
            return
        with self._lock:
            self._checked = now
            stamp = self._current_stamp()
            if not force and stamp == self._stamp:
                return
            try:
                self._value = self._build()
                self.last_error = None
            except Exception as error:  # keep serving the last good value
                self.last_error = str(error)
                logger.error("cannot load %s, keeping the previous version: %s", self.paths, error)
            self._stamp = stamp

    @property
    def value(self) -> T:
        """The current value (refreshed when due)."""
        self.refresh()
        return self._value
