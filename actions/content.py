"""Read-only access to the content taxonomy and emergency contacts without the index.

The knowledge-base index (``actions.kb_client``) is the normal source; these helpers read the
YAML files directly so that emergency contacts and city/category names are available even
when the index has not been built or cannot be loaded.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from haven import settings

logger = logging.getLogger(__name__)


def content_dir() -> Path:
    """The configured content directory."""
    return settings.project_path(settings.get("kb.content_dir", "knowledge_base/content"))


@lru_cache(maxsize=1)
def taxonomy() -> Any:
    """The :class:`knowledge_base.content.Taxonomy`, or ``None`` when it cannot be read."""
    try:
        from knowledge_base.content import load_taxonomy

        return load_taxonomy(content_dir())
    except Exception as error:
        logger.error("cannot read the taxonomy: %s", error)
        return None


@lru_cache(maxsize=1)
def emergency_entries() -> dict[str, Any]:
    """Emergency contacts per country straight from ``emergency.yml`` (the last resort)."""
    try:
        from knowledge_base.content import check_content

        content, _problems = check_content(content_dir())  # errors elsewhere must not matter
        return dict(content.emergency) if content is not None else {}
    except Exception as error:
        logger.error("cannot read the emergency contacts: %s", error)
        return {}
