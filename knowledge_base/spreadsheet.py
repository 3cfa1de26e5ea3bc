"""FAQ spreadsheet round trip: ``export-csv`` and ``import-csv``.

One row per entry and language. The columns are exactly
``id,language,question,answer,topic,source_url,last_reviewed``; ``question`` holds the question
followed by its alternative phrasings separated by `` | ``. Export adds the optional columns
``source_title, review_by, details, tags`` at the end; import reads them when present and ignores
any other column (staff may add notes).

Import edits the YAML files in place with ``ruamel.yaml`` so comments, quotes and layout stay as
content staff wrote them. It checks every row first and then validates the whole content folder
as it would be after the import; if anything is wrong nothing is written and every problem is
reported with its row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge_base.content import (
    ID_PATTERN,
    Content,
    FaqEntry,
    FaqText,
    Problem,
    Source,
    Taxonomy,
    check_content,
)

COLUMNS = ("id", "language", "question", "answer", "topic", "source_url", "last_reviewed")
EXTRA_COLUMNS = ("source_title", "review_by", "details", "tags")
SEPARATOR = " | "


class SpreadsheetError(Exception):
    """The CSV cannot be imported; ``problems`` lists every reason (with row numbers)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:30])
        more = f"\n  ... and {len(problems) - 30} more" if len(problems) > 30 else ""
        super().__init__(
            f"the spreadsheet was not imported ({len(problems)} problem(s)); "
            f"nothing was changed:\n{shown}{more}"
        )


@dataclass(frozen=True)
class Row:
    """One CSV row, parsed."""

    number: int  # as shown in a spreadsheet program (header is row 1)
    id: str
    language: str
    question: str
    alternatives: tuple[str, ...]
    answer: str
    topic: str
    source_url: str
    last_reviewed: dt.date | None
    source_title: str = ""
    review_by: dt.date | None = None
    details: str = ""
    tags: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def export_faq_csv(content: Content, out: io.TextIOBase | Any) -> int:
    """Write every FAQ entry and language as CSV rows; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + EXTRA_COLUMNS)
    rows = 0
    for entry in content.faqs:
        for language, text in entry.translations.items():
            writer.writerow(
                [
                    entry.id,
                    language,
                    SEPARATOR.join(text.phrasings),
                    text.answer,
                    entry.topic,
                    entry.source.url or "",
                    entry.last_reviewed.isoformat(),
                    entry.source.title,
                    entry.review_by.isoformat(),
                    text.details or "",
                    ", ".join(entry.tags),
                ]
            )
            rows += 1
    return rows


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_rows(path: str | Path, known_languages: Iterable[str] | None = None) -> list[Row]:
    """Parse and check a FAQ CSV.

    Raises:
        SpreadsheetError: missing columns or bad rows (every problem listed with its row).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            [
                f"{path.name} is not UTF-8 text ({error.reason}); in your "
                "spreadsheet program choose 'CSV UTF-8' when saving"
            ]
        ) from error
    except OSError as error:
        raise SpreadsheetError([f"{path} cannot be read: {error.strerror}"]) from error
    dialect = _dialect(text)
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SpreadsheetError(
            [
                f"the first row must name the columns {', '.join(COLUMNS)}; "
                f"missing: {', '.join(missing)}"
            ]
        )
    known = set(known_languages) if known_languages is not None else None
    rows, problems = [], []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(reader, start=2):
        values = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(values.values()):
            continue
        row = _parse_row(number, values, known, problems)
        if row is None:
            continue
        key = (row.id, row.language)
        if key in seen:
            problems.append(
                f"row {number}: '{row.id}' in '{row.language}' is already on row "
                f"{seen[key]}; keep one row per entry and language"
            )
            continue
        seen[key] = number
        rows.append(row)
    if problems:
        raise SpreadsheetError(problems)
    return rows


def _dialect(text: str) -> type[csv.Dialect]:
    """Standard CSV quoting; the delimiter is whichever of , ; tab the header uses (Excel in
    some locales saves with semicolons)."""
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def _parse_row(
    number: int, values: dict[str, str], known: set[str] | None, problems: list[str]
) -> Row | None:
    before = len(problems)
    entry_id, language = values.get("id", ""), values.get("language", "")
    label = f"row {number}"
    if not entry_id:
        problems.append(f"{label}: the id is empty")
    elif not ID_PATTERN.match(entry_id):
        problems.append(
            f"{label}: the id '{entry_id}' may only use lowercase letters, digits "
            "and single hyphens"
        )
    if not language:
        problems.append(f"{label}: the language is empty")
    elif known is not None and language not in known:
        problems.append(
            f"{label}: '{language}' is not a known language code "
            f"(known: {', '.join(sorted(known))})"
        )
    phrasings = [p.strip() for p in values.get("question", "").split("|") if p.strip()]
    if not phrasings:
        problems.append(f"{label}: the question is empty")
    if not values.get("answer"):
        problems.append(f"{label}: the answer is empty")
    reviewed = _date(values.get("last_reviewed", ""), "last_reviewed", label, problems)
    review_by = _date(values.get("review_by", ""), "review_by", label, problems, required=False)
    if len(problems) > before:
        return None
    return Row(
        number,
        entry_id,
        language,
        phrasings[0],
        tuple(phrasings[1:]),
        values["answer"],
        values.get("topic", ""),
        values.get("source_url", ""),
        reviewed,
        values.get("source_title", ""),
        review_by,
        values.get("details", ""),
        tuple(t.strip() for t in values.get("tags", "").split(",") if t.strip()),
    )


def _date(
    value: str, column: str, label: str, problems: list[str], required: bool = True
) -> dt.date | None:
    if not value:
        if required:
            problems.append(f"{label}: {column} is empty (write a date like 2026-11-01)")
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        problems.append(
            f"{label}: {column} '{value}' is not a date; write it as year-month-day, "
            "e.g. 2026-11-01"
        )
        return None


def content_from_csv(path: str | Path, fallback_language: str = "en") -> Content:
    """Content holding only the FAQ entries of a CSV (for benchmarks on any FAQ sheet).

    The taxonomy is derived from the rows (every language and topic seen). Review dates default
    to the last_reviewed date.
    """
    rows = read_rows(path)
    entries: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = entries.setdefault(
            row.id,
            {
                "topic": row.topic,
                "url": row.source_url,
                "title": row.source_title,
                "reviewed": row.last_reviewed,
                "review_by": row.review_by,
                "texts": {},
            },
        )
        entry["texts"][row.language] = FaqText(
            row.question, row.answer, row.alternatives, row.details or None
        )
    languages = sorted({row.language for row in rows})
    from knowledge_base.content import Language

    taxonomy = Taxonomy(
        fallback_language=fallback_language,
        languages={c: Language(c, c) for c in languages},
        topics={t: {} for t in sorted({row.topic for row in rows})},
    )
    faqs = tuple(
        FaqEntry(
            id=entry_id,
            topic=e["topic"],
            source=Source(e["title"] or e["url"], e["url"]),
            last_reviewed=e["reviewed"],
            review_by=e["review_by"] or e["reviewed"],
            translations=e["texts"],
        )
        for entry_id, e in entries.items()
    )
    return Content(taxonomy, faqs)


# ---------------------------------------------------------------------------------------------
# Import into YAML
# ---------------------------------------------------------------------------------------------


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap lines staff wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def import_faq_csv(
    csv_path: str | Path, content_dir: str | Path, today: dt.date | None = None
) -> tuple[int, int, list[Problem]]:
    """Apply a FAQ CSV to the YAML files of ``content_dir``.

    Existing entries get the row's question, alternatives, answer (and details, topic, source
    and dates when given); rows with a new id create an entry in ``faq/<topic>.yml``.

    Returns:
        ``(rows applied, entries created, warnings of the resulting content)``.

    Raises:
        SpreadsheetError: bad rows, or the content would not validate; nothing was written.
    """
    content_dir = Path(content_dir)
    content, problems = check_content(content_dir, today=today)
    if content is None:
        raise SpreadsheetError([str(p) for p in problems if p.is_error])
    rows = read_rows(csv_path, content.taxonomy.languages)
    yaml = _yaml()
    documents: dict[Path, Any] = {}
    located: dict[str, tuple[Path, Any]] = {}
    for path in sorted((content_dir / "faq").glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        documents[path] = data
        for item in (data or {}).get("faqs") or []:
            if isinstance(item, dict) and "id" in item:
                located[str(item["id"])] = (path, item)
    created = 0
    problems_rows: list[str] = []
    for row in rows:
        if row.id not in located:
            if not row.topic:
                problems_rows.append(
                    f"row {row.number}: '{row.id}' is a new entry, so it needs a topic"
                )
                continue
            path = content_dir / "faq" / f"{row.topic}.yml"
            if path not in documents:
                documents[path] = yaml.load("faqs: []\n")
            item = _new_entry(row)
            documents[path]["faqs"].append(item)
            located[row.id] = (path, item)
            created += 1
        _apply(located[row.id][1], row)
    if problems_rows:
        raise SpreadsheetError(problems_rows)
    changed = _write_checked(content_dir, documents, yaml, today)
    return len(rows), created, changed


def _new_entry(row: Row) -> Any:
    from ruamel.yaml.comments import CommentedMap

    item = CommentedMap()
    item["id"] = row.id
    item["topic"] = row.topic
    item["source"] = CommentedMap(title=row.source_title or row.source_url, url=row.source_url)
    item["last_reviewed"] = row.last_reviewed
    item["review_by"] = row.review_by or row.last_reviewed
    item["translations"] = CommentedMap()
    return item


def _apply(item: Any, row: Row) -> None:
    from ruamel.yaml.comments import CommentedMap

    translations = item.setdefault("translations", CommentedMap())
    text = translations.get(row.language)
    if not isinstance(text, dict):
        text = CommentedMap()
        translations[row.language] = text
    if text.get("question") != row.question:
        text["question"] = row.question
    if row.alternatives or "alternatives" in text:
        current = [str(a) for a in text.get("alternatives") or []]
        if current != list(row.alternatives):
            if row.alternatives:
                text["alternatives"] = list(row.alternatives)
            else:
                del text["alternatives"]
    if str(text.get("answer", "")).strip() != row.answer:
        text["answer"] = row.answer
    if row.details and str(text.get("details", "")).strip() != row.details:
        text["details"] = row.details
    if row.topic and item.get("topic") != row.topic:
        item["topic"] = row.topic
    source = item.setdefault("source", CommentedMap())
    if row.source_url and source.get("url") != row.source_url:
        source["url"] = row.source_url
    if row.source_title and source.get("title") != row.source_title:
        source["title"] = row.source_title
    if row.last_reviewed and item.get("last_reviewed") != row.last_reviewed:
        item["last_reviewed"] = row.last_reviewed
    if row.review_by and item.get("review_by") != row.review_by:
        item["review_by"] = row.review_by


def _write_checked(
    content_dir: Path, documents: dict[Path, Any], yaml: Any, today: dt.date | None
) -> list[Problem]:
    """Write into a copy, validate the copy, then move the changed files into place."""
    with tempfile.TemporaryDirectory(prefix="kb-import-") as scratch:
        copy = Path(scratch) / "content"
        shutil.copytree(content_dir, copy)
        rendered: dict[Path, str] = {}
        for path, data in documents.items():
            buffer = io.StringIO()
            yaml.dump(data, buffer)
            text = buffer.getvalue()
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                rendered[path] = text
                target = copy / path.relative_to(content_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        _, problems = check_content(copy, today=today)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise SpreadsheetError([f"after the import: {p}" for p in errors])
    for path, text in rendered.items():
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return [p for p in problems if not p.is_error]
