"""Read and change FAQ entries and services in the YAML content files, keeping them readable.

Content staff also edit these files by hand, so changes go through ``ruamel.yaml`` round trips:
comments, quotes, key order and block/flow styles of untouched parts stay as they were; only the
values that changed are rewritten (long texts as folded ``>-`` blocks, short lists in
``[brackets]``). Strings PyYAML would read as something else (``no``, ``08:00``) are quoted.

Every change is first written into a scratch copy of the content folder and checked with the
knowledge-base validator (:func:`knowledge_base.content.check_content`); when it adds an error,
nothing is written and :class:`ChangeRejectedError` lists the problems in plain words.

Retired entries move to ``retired/faq/<file>`` or ``retired/services/<file>``: the knowledge
base only reads ``faq/`` and ``services/``, so the bot stops using them, and the console can
restore them.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
)

from knowledge_base.content import Content, Problem, check_content

_LOADER = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
KINDS = {"faq": ("faq", "faqs"), "service": ("services", "services")}
"""Entry kind -> (folder, top-level key of its files)."""
RETIRED = "retired"
DATE_KEYS = ("last_reviewed", "review_by")
FOLD_AT = 92
HEADERS = {
    "faq": "# FAQ entries on '{name}', written with the Haven console.\n",
    "service": "# Services in '{name}', written with the Haven console.\n",
    RETIRED: "# Retired entries: the bot does not use them. Restore them in the Haven console.\n",
}


class ChangeRejectedError(Exception):
    """The change would break the content; ``problems`` are the new errors (plain words)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass(frozen=True)
class EntryState:
    """Where an entry is and what it holds: ``active``, ``retired`` or ``absent``."""

    state: str
    file: str | None = None  # e.g. "faq/work.yml" (also for retired entries)
    data: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-able form (for the audit trail)."""
        return {"state": self.state, "file": self.file, "data": self.data}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> EntryState:
        """Inverse of :meth:`to_json`."""
        if not value:
            return cls("absent")
        return cls(value.get("state", "absent"), value.get("file"), value.get("data"))


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap lines staff wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


# ---------------------------------------------------------------------------------------------
# Plain data <-> ruamel nodes
# ---------------------------------------------------------------------------------------------


def to_plain(node: Any) -> Any:
    """Plain dicts, lists, strings, numbers; dates as ISO strings."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [to_plain(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int | float):
        return node
    return str(node)


def _needs_quotes(text: str) -> bool:
    """True when PyYAML (which the knowledge base uses) would not read ``text`` back as is."""
    try:
        return pyyaml.safe_load(text) != text
    except pyyaml.YAMLError:
        return True


def _fold_positions(text: str) -> list[int]:
    positions, start = [], 0
    while len(text) - start > FOLD_AT:
        cut = text.rfind(" ", start + 20, start + FOLD_AT)
        if cut == -1 or text[cut + 1 : cut + 2] == " " or text[cut - 1] == " ":
            break
        positions.append(cut)
        start = cut + 1
    return positions


def _string(key: str, text: str, old: Any) -> Any:
    if key in DATE_KEYS:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text  # the validator explains the problem
    if "\n" in text:
        return LiteralScalarString(text)
    if len(text) > FOLD_AT and not text.startswith((" ", "#")) and "  " not in text:
        folded = FoldedScalarString(text)
        folded.fold_pos = _fold_positions(text)  # type: ignore[attr-defined]
        return folded
    quoted = isinstance(old, DoubleQuotedScalarString) or key in ("opens", "closes")
    if quoted or _needs_quotes(text):
        return DoubleQuotedScalarString(text)
    return text


def _flow_map(key: str, old: Any) -> bool:
    if isinstance(old, CommentedMap):
        return bool(old.fa.flow_style())
    return old is None and key == "opening_hours_item"


def _flow_list(key: str, value: list[Any], old: Any) -> bool:
    if any(isinstance(v, dict | list) for v in value):
        return False
    if isinstance(old, CommentedSeq):
        return bool(old.fa.flow_style())
    return key != "alternatives"  # alternatives are written one per line


def _node(key: str, value: Any, old: Any = None) -> Any:
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = _node(k, v, old.get(k) if isinstance(old, dict) else None)
        if _flow_map(key, old):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(
            _node("opening_hours_item" if isinstance(v, dict) else key, v) for v in value
        )
        if _flow_list(key, value, old):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        return _string(key, value, old)
    return value


def _merge(target: CommentedMap, data: dict[str, Any]) -> None:
    """Make ``target`` hold ``data``, touching only what differs (comments stay)."""
    for key in [k for k in target if str(k) not in data]:
        del target[key]
    for key, value in data.items():
        old = target.get(key)
        if isinstance(value, dict) and isinstance(old, CommentedMap):
            _merge(old, value)
        elif key not in target or to_plain(old) != value:
            target[key] = _node(key, value, old)


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------


class ContentStore:
    """FAQ entries and services of one content folder, read and changed safely."""

    def __init__(self, content_dir: Path | str) -> None:
        self.root = Path(content_dir)
        self._baseline: tuple[float, set[tuple[str, str]]] | None = None

    # -- reading -------------------------------------------------------------------------
    def check(self, today: dt.date | None = None) -> tuple[Content | None, list[Problem]]:
        """The typed content and every problem (knowledge-base validator)."""
        return check_content(self.root, today=today)

    def _files(self, kind: str, retired: bool = False) -> list[Path]:
        folder = self.root / (RETIRED if retired else "") / KINDS[kind][0]
        return sorted(folder.glob("*.yml")) if folder.is_dir() else []

    def _relative(self, path: Path) -> str:
        relative = path.relative_to(self.root).as_posix()
        return relative.removeprefix(f"{RETIRED}/")

    def raw_entries(self, kind: str, retired: bool = False) -> list[tuple[str, dict[str, Any]]]:
        """``(file, plain data)`` of every entry in the files (retired ones when asked)."""
        key = KINDS[kind][1]
        result = []
        for path in self._files(kind, retired):
            try:
                data = pyyaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
            except (pyyaml.YAMLError, OSError, UnicodeDecodeError):
                continue  # the validator reports broken files
            for item in (data.get(key) if isinstance(data, dict) else None) or []:
                if isinstance(item, dict) and item.get("id"):
                    result.append((self._relative(path), to_plain(item)))
        return result

    def state(self, kind: str, entry_id: str) -> EntryState:
        """Where an entry is now, with its data."""
        for retired in (False, True):
            for file, data in self.raw_entries(kind, retired):
                if str(data.get("id")) == entry_id:
                    return EntryState(RETIRED if retired else "active", file, data)
        return EntryState("absent")

    def default_file(self, kind: str, data: dict[str, Any]) -> str:
        """The file a new entry goes to: ``faq/<topic>.yml`` or ``services/<city>.yml``."""
        name = str(data.get("topic" if kind == "faq" else "city") or "other")
        safe = "".join(c for c in name if c.isalnum() or c in "-_") or "other"
        return f"{KINDS[kind][0]}/{safe}.yml"

    # -- changing ------------------------------------------------------------------------
    def apply(
        self, kind: str, entry_id: str, target: EntryState, today: dt.date | None = None
    ) -> list[Problem]:
        """Put the entry in the ``target`` state; returns the warnings about it.

        Raises:
            ChangeRejectedError: the content would have new errors; nothing was written.
        """
        yaml = _yaml()
        current = self.state(kind, entry_id)
        documents: dict[Path, Any] = {}

        def document(state: str, file: str) -> tuple[Path, Any]:
            path = self.root / (RETIRED if state == RETIRED else "") / file
            if path not in documents:
                if path.exists():
                    documents[path] = self._load(yaml, path)
                else:
                    name = Path(file).stem
                    header = HEADERS[RETIRED if state == RETIRED else kind].format(name=name)
                    documents[path] = yaml.load(f"{header}{KINDS[kind][1]}: []\n")
                if documents[path].get(KINDS[kind][1]) is None:
                    documents[path][KINDS[kind][1]] = CommentedSeq()
            return path, documents[path]

        position = None
        if current.state != "absent" and current.file:
            _, doc = document(current.state, current.file)
            items = doc[KINDS[kind][1]]
            index = next(i for i, it in enumerate(items) if str(it.get("id")) == entry_id)
            same_place = target.state == current.state and target.file == current.file
            if same_place and target.data is not None:
                _merge(items[index], target.data)
            else:
                del items[index]
                position = index if target.file == current.file else None
        if target.state != "absent" and target.data is not None:
            file = target.file or self.default_file(kind, target.data)
            _, doc = document(target.state, file)
            items = doc[KINDS[kind][1]]
            if not any(str(it.get("id")) == entry_id for it in items):
                node = _node("entry", target.data)
                items.insert(len(items) if position is None else position, node)
        return self._write_checked(documents, yaml, today, entry_id)

    def _load(self, yaml: YAML, path: Path) -> Any:
        """A file as a ruamel document; a file broken by hand is refused in plain words."""
        try:
            data = yaml.load(path.read_text(encoding="utf-8"))
        except (YAMLError, UnicodeDecodeError) as error:
            relative = path.relative_to(self.root).as_posix()
            message = (
                f"{relative} cannot be read ({str(error).splitlines()[0]}); "
                "fix this file first (check the indentation, colons and quotes)"
            )
            raise ChangeRejectedError([Problem("error", relative, 0, message)]) from error
        if not isinstance(data, dict):
            relative = path.relative_to(self.root).as_posix()
            message = f"{relative} must start with a list of entries; fix this file first"
            raise ChangeRejectedError([Problem("error", relative, 0, message)])
        return data

    def _baseline_errors(self, today: dt.date | None) -> set[tuple[str, str]]:
        stamp = max((p.stat().st_mtime for p in self.root.rglob("*.yml")), default=0.0)
        if self._baseline is None or self._baseline[0] != stamp:
            _, problems = check_content(self.root, today=today)
            self._baseline = (stamp, {(p.file, p.message) for p in problems if p.is_error})
        return self._baseline[1]

    def _write_checked(
        self, documents: dict[Path, Any], yaml: YAML, today: dt.date | None, entry_id: str
    ) -> list[Problem]:
        rendered: dict[Path, str] = {}
        for path, data in documents.items():
            buffer = io.StringIO()
            yaml.dump(data, buffer)
            rendered[path] = buffer.getvalue()
        baseline = self._baseline_errors(today)
        with tempfile.TemporaryDirectory(prefix="console-check-") as scratch:
            copy = Path(scratch) / "content"
            shutil.copytree(self.root, copy, ignore=shutil.ignore_patterns(RETIRED, ".*"))
            for path, text in rendered.items():
                relative = path.relative_to(self.root)
                if relative.parts[0] == RETIRED:
                    continue  # retired files are not part of the live content
                (copy / relative).parent.mkdir(parents=True, exist_ok=True)
                (copy / relative).write_text(text, encoding="utf-8")
            _, problems = check_content(copy, today=today)
        new_errors = [p for p in problems if p.is_error and (p.file, p.message) not in baseline]
        if new_errors:
            raise ChangeRejectedError(new_errors)
        for path, text in rendered.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        stamp = max((p.stat().st_mtime for p in self.root.rglob("*.yml")), default=0.0)
        self._baseline = (stamp, {(p.file, p.message) for p in problems if p.is_error})
        return [p for p in problems if not p.is_error and f"'{entry_id}'" in p.message]
