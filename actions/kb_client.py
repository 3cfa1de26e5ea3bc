"""The one knowledge-base instance of the action server.

Every action goes through :func:`knowledge_base` so the index is opened once per process
(``KnowledgeBase.open`` reloads it by itself when ``make kb`` rebuilds it). When the index is
missing or broken, :func:`knowledge_base` raises :class:`KnowledgeBaseUnavailableError` and the
actions answer "I don't know" with a referral instead of crashing.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from haven import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_instance: Any = None


class KnowledgeBaseUnavailableError(Exception):
    """The knowledge-base index cannot be opened (not built yet, or broken)."""


def index_dir() -> str:
    """The configured index directory, resolved against the project root."""
    return str(settings.project_path(settings.get("kb.index_dir", "var/index")))


def knowledge_base() -> Any:
    """The process-wide :class:`knowledge_base.search.KnowledgeBase`, opened on first use."""
    global _instance
    with _lock:
        if _instance is None:
            try:
                from knowledge_base.search import KnowledgeBase

                _instance = KnowledgeBase.open(index_dir())
            except Exception as error:  # missing index, import error, corrupt files
                logger.error("knowledge base unavailable at %s: %s", index_dir(), error)
                raise KnowledgeBaseUnavailableError(str(error)) from error
        return _instance


def use(instance: Any) -> None:
    """Serve this knowledge base from now on (tests, tools that open their own index)."""
    global _instance
    with _lock:
        _instance = instance


def reset() -> None:
    """Forget the open instance (tests, or after a configuration change)."""
    global _instance
    with _lock:
        _instance = None


def country() -> str:
    """The country whose services and emergency contacts the bot gives."""
    return str(settings.get("country", "XA"))
