"""The audit trail: who changed which entry when, with the entry before and after.

Every change the console makes (save, create, retire, restore, spreadsheet import, revert) is
one row. A revert puts the entry back in its ``before`` state and is itself recorded, so it can
be reverted too.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from console.db import Database
from console.entries import EntryState


@dataclass(frozen=True)
class Change:
    """One recorded change."""

    id: int
    at: str
    user: str
    action: str  # create | edit | retire | restore | import | revert
    kind: str  # faq | service
    entry_id: str
    before: EntryState
    after: EntryState
    reverts: int | None
    summary: str

    def changed_fields(self) -> list[str]:
        """Dotted names of the fields that differ between before and after."""
        return sorted(_diff(self.before.data or {}, self.after.data or {}))


def _diff(a: Any, b: Any, prefix: str = "") -> set[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        return set().union(*(_diff(a.get(k), b.get(k), f"{prefix}{k}.") for k in keys), set())
    return set() if a == b else {prefix.rstrip(".")}


class AuditLog:
    """Read and write the ``audit`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        user: str,
        action: str,
        kind: str,
        entry_id: str,
        before: EntryState,
        after: EntryState,
        reverts: int | None = None,
        summary: str = "",
    ) -> int:
        """Store a change; returns its id."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.db.connect() as db:
            cursor = db.execute(
                "INSERT INTO audit (at, user_name, action, kind, entry_id, before, after,"
                " reverts, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    user,
                    action,
                    kind,
                    entry_id,
                    json.dumps(before.to_json(), ensure_ascii=False),
                    json.dumps(after.to_json(), ensure_ascii=False),
                    reverts,
                    summary,
                ),
            )
            return int(cursor.lastrowid or 0)

    def get(self, change_id: int) -> Change | None:
        """One change by id."""
        rows = self._select("WHERE id = ?", (change_id,))
        return rows[0] if rows else None

    def recent(
        self, limit: int = 100, kind: str | None = None, entry_id: str | None = None
    ) -> list[Change]:
        """The latest changes, newest first (of one entry when given)."""
        if kind and entry_id:
            return self._select(
                "WHERE kind = ? AND entry_id = ? ORDER BY id DESC LIMIT ?", (kind, entry_id, limit)
            )
        return self._select("ORDER BY id DESC LIMIT ?", (limit,))

    def _select(self, where: str, args: tuple[Any, ...]) -> list[Change]:
        with self.db.connect() as db:
            rows = db.execute(
                "SELECT id, at, user_name, action, kind, entry_id, before, after, reverts, summary"
                f" FROM audit {where}",
                args,
            ).fetchall()
        return [
            Change(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                EntryState.from_json(json.loads(r[6]) if r[6] else None),
                EntryState.from_json(json.loads(r[7]) if r[7] else None),
                r[8],
                r[9],
            )
            for r in rows
        ]
