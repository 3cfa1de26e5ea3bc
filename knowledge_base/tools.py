"""Content-staff commands: coverage, stale, export-csv, import-csv, import-hsds."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from knowledge_base.content import Content, ContentError, check_content, load_content


def coverage_table(content: Content) -> tuple[list[str], list[list[str]]]:
    """A language x topic table: translated entries / entries, per topic and for services."""
    languages = list(content.taxonomy.languages)
    header = ["topic", "entries", *languages]
    rows = []
    topics = sorted({entry.topic for entry in content.faqs})
    for topic in topics:
        entries = [e for e in content.faqs if e.topic == topic]
        rows.append(
            [topic, str(len(entries))]
            + [
                _cell(sum(lang in e.translations for e in entries), len(entries))
                for lang in languages
            ]
        )
    total = list(content.faqs)
    rows.append(
        ["ALL FAQ", str(len(total))]
        + [_cell(sum(lang in e.translations for e in total), len(total)) for lang in languages]
    )
    services = list(content.services)
    rows.append(
        ["services", str(len(services))]
        + [
            _cell(sum(lang in s.translations for s in services), len(services))
            for lang in languages
        ]
    )
    return header, rows


def _cell(have: int, total: int) -> str:
    if total == 0:
        return "-"
    return "all" if have == total else f"{have}/{total}"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Print a plain-text table with aligned columns."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def stale_items(content: Content, today: dt.date, within_days: int = 0) -> list[tuple[str, ...]]:
    """(kind, id, review_by, file:line) of entries due for review by ``today + within_days``."""
    limit = today + dt.timedelta(days=within_days)
    items = [
        ("faq", e.id, e.review_by.isoformat(), f"{e.file}:{e.line}")
        for e in content.faqs
        if e.review_by <= limit
    ]
    items += [
        ("service", s.id, s.review_by.isoformat(), f"{s.file}:{s.line}")
        for s in content.services
        if s.review_by <= limit
    ]
    return sorted(items, key=lambda item: item[2])


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the staff commands on the CLI's sub-parsers."""
    p = commands.add_parser("coverage", help="language x topic table of translations")
    p.set_defaults(handler=cmd_coverage)
    p = commands.add_parser("stale", help="entries past (or near) their review_by date")
    p.add_argument("--within", type=int, default=0, help="also list entries due in N days")
    p.set_defaults(handler=cmd_stale)
    p = commands.add_parser(
        "export-csv", help="write all FAQ entries as CSV (one row per entry and language)"
    )
    p.add_argument("file", nargs="?", default="-", help="output file (default: standard output)")
    p.set_defaults(handler=cmd_export_csv)
    p = commands.add_parser("import-csv", help="apply an edited FAQ CSV to the YAML files")
    p.add_argument("file")
    p.set_defaults(handler=cmd_import_csv)
    p = commands.add_parser(
        "import-hsds", help="import services from an Open Referral HSDS CSV folder or JSON file"
    )
    p.add_argument("path")
    p.add_argument("--language", default="en", help="language of the HSDS texts")
    p.add_argument("--city", default=None, help="city id for services whose city is unknown")
    p.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="TERM=CATEGORY",
        help="map an HSDS taxonomy term to a category id (repeatable)",
    )
    p.set_defaults(handler=cmd_import_hsds)


def _content(args: argparse.Namespace) -> Content | None:
    from knowledge_base.cli import _content_dir

    try:
        return load_content(_content_dir(args.content))
    except ContentError as error:
        print(error, file=sys.stderr)
        return None


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print the translation coverage table."""
    from knowledge_base.cli import _content_dir

    content, _ = check_content(_content_dir(args.content))
    if content is None:
        print("taxonomy.yml cannot be read; run validate", file=sys.stderr)
        return 1
    print_table(*coverage_table(content))
    return 0


def cmd_stale(args: argparse.Namespace) -> int:
    """List entries due for review."""
    from knowledge_base.cli import _content_dir

    content, _ = check_content(_content_dir(args.content))
    if content is None:
        return 1
    items = stale_items(content, dt.date.today(), args.within)
    if items:
        print_table(["kind", "id", "review_by", "where"], [list(i) for i in items])
    print(f"{len(items)} entr{'y' if len(items) == 1 else 'ies'} due for review.")
    return 0


def cmd_export_csv(args: argparse.Namespace) -> int:
    """Export the FAQ entries as CSV."""
    from knowledge_base.spreadsheet import export_faq_csv

    content = _content(args)
    if content is None:
        return 1
    if args.file == "-":
        rows = export_faq_csv(content, sys.stdout)
    else:
        with open(args.file, "w", encoding="utf-8", newline="") as handle:
            rows = export_faq_csv(content, handle)
        print(f"{rows} rows written to {args.file}", file=sys.stderr)
    return 0


def cmd_import_csv(args: argparse.Namespace) -> int:
    """Apply a FAQ CSV to the content files."""
    from knowledge_base.cli import _content_dir
    from knowledge_base.spreadsheet import SpreadsheetError, import_faq_csv

    try:
        rows, created, warnings = import_faq_csv(Path(args.file), _content_dir(args.content))
    except SpreadsheetError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"{rows} rows applied, {created} new entries; {len(warnings)} warning(s). "
        "Run 'build' to publish."
    )
    return 0


def cmd_import_hsds(args: argparse.Namespace) -> int:
    """Import HSDS services."""
    from knowledge_base.cli import _content_dir
    from knowledge_base.hsds import import_hsds
    from knowledge_base.spreadsheet import SpreadsheetError

    mapping = dict(item.split("=", 1) for item in args.category if "=" in item)
    try:
        ids = import_hsds(
            args.path,
            _content_dir(args.content),
            language=args.language,
            default_city=args.city,
            category_map=mapping,
        )
    except (SpreadsheetError, ContentError) as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"{len(ids)} services imported (review them; last_reviewed is set to today): "
        + ", ".join(ids)
    )
    return 0
