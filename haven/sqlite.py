"""The small SQLite files Haven keeps beside the bot (feedback, console inbox)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def connect(path: Path, schema: str) -> Iterator[sqlite3.Connection]:
    """Open ``path`` (creating its folder and ``schema``), commit on success, always close."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=10)
    try:
        connection.executescript(schema)
        yield connection
        connection.commit()
    finally:
        connection.close()
