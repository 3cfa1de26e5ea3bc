"""Command line: ``python -m knowledge_base <command>`` (also ``make kb ARGS="<command> …"``).

Commands: ``validate``, ``build``, ``search "…" --lang xx``, ``coverage``, ``stale``,
``export-csv``, ``import-csv``, ``import-hsds``. Folders default to ``kb.content_dir`` and
``kb.index_dir`` from haven.yml. Exit status: 0 ok, 1 content or index errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from haven import settings


def _content_dir(value: str | None) -> Path:
    return (
        Path(value)
        if value
        else settings.project_path(settings.get("kb.content_dir", "knowledge_base/content"))
    )


def _index_dir(value: str | None) -> Path:
    return (
        Path(value) if value else settings.project_path(settings.get("kb.index_dir", "var/index"))
    )


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the content and print every problem."""
    from knowledge_base.content import check_content

    content, problems = check_content(_content_dir(args.content))
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    for problem in errors + ([] if args.quiet else warnings):
        print(problem)
    if content is not None:
        print(
            f"{len(content.faqs)} FAQ entries, {len(content.services)} services, "
            f"{sum(len(c) for c in content.emergency.values())} emergency contacts read."
        )
    print(f"{len(errors)} error(s), {len(warnings)} warning(s).")
    return 1 if errors or content is None else 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build the index and switch the live version."""
    from knowledge_base.content import ContentError
    from knowledge_base.embedding import make_embedder
    from knowledge_base.index import build

    try:
        report = build(
            _content_dir(args.content),
            _index_dir(args.index),
            make_embedder(),
            progress=not args.quiet,
        )
    except ContentError as error:
        print(error, file=sys.stderr)
        print(
            "Nothing was changed: the bot keeps answering from the last good index.",
            file=sys.stderr,
        )
        return 1
    print(
        f"index {report.version} is live: {report.documents} phrasings "
        f"({report.embedded} newly embedded), dense index {report.dense_type}, "
        f"{report.seconds:.1f}s"
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search the live index and print the ranking."""
    from knowledge_base.index import IndexLoadError
    from knowledge_base.search import KnowledgeBase

    try:
        kb = KnowledgeBase.open(_index_dir(args.index))
    except IndexLoadError as error:
        print(error, file=sys.stderr)
        return 1
    result = kb.search_faq(args.query, language=args.lang, method=args.method)
    status = "ANSWER" if result.answer else "DECLINED"
    print(f"{status} (confidence {result.confidence:.2f}, index {result.index_version})")
    for rank, suggestion in enumerate(result.suggestions, 1):
        flag = f" [fallback {suggestion.language}]" if suggestion.is_fallback else ""
        print(f"{rank}. {suggestion.entry_id} score={suggestion.score:.3f}{flag}")
        print(f"   Q: {suggestion.question}")
        if rank == 1:
            print(f"   A: {suggestion.answer}")
            print(f"   Source: {suggestion.source_title} — reviewed {suggestion.last_reviewed}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_base", description="Haven knowledge base: check, build and query."
    )
    parser.add_argument("--content", help="content folder (default: kb.content_dir)")
    parser.add_argument("--index", help="index folder (default: kb.index_dir)")
    parser.add_argument("-q", "--quiet", action="store_true", help="errors only, no progress bars")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("validate", help="check the content files; list errors and warnings")
    commands.add_parser("build", help="validate, embed what changed, switch the live index")
    search = commands.add_parser("search", help="ask the live index a question")
    search.add_argument("query")
    search.add_argument("--lang", default=None, help="language of the question (en, ar, fa, …)")
    search.add_argument("--method", default="hybrid", choices=["hybrid", "dense", "bm25"])
    _add_phase_two(commands)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return (
        int(args.handler(args))
        if hasattr(args, "handler")
        else int(
            {"validate": cmd_validate, "build": cmd_build, "search": cmd_search}[args.command](args)
        )
    )


def _add_phase_two(commands: argparse._SubParsersAction) -> None:
    """Spreadsheet, coverage and HSDS commands (see ``knowledge_base.tools``)."""
    try:
        from knowledge_base import tools
    except ImportError:
        return
    tools.add_commands(commands)
