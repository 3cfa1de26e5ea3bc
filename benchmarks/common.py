"""Helpers shared by the benchmark scripts: loading a knowledge base, tables, JSON, memory."""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_CACHE = ROOT / "var" / "bench-cache"
"""Embedding cache shared by benchmark runs (vectors keyed by text hash and embedder)."""


def load_kb(path: str | Path) -> Any:
    """Content from a content folder or from a FAQ CSV (columns of ``docs/content-format.md``)."""
    from knowledge_base.content import check_content
    from knowledge_base.spreadsheet import content_from_csv

    path = Path(path)
    if path.is_file():
        return content_from_csv(path)
    content, problems = check_content(path)
    errors = [p for p in problems if p.is_error]
    if content is None:
        raise SystemExit("\n".join(str(p) for p in errors))
    if errors:
        print(
            f"note: {len(errors)} content error(s); entries with errors are left out "
            f"(first: {errors[0]})",
            file=sys.stderr,
        )
    return content


def open_index(content: Any, index_dir: Path, embedder: Any) -> Any:
    """Build ``content`` into ``index_dir`` (shared embedding cache) and open it."""
    from knowledge_base.index import build
    from knowledge_base.search import KnowledgeBase

    build(None, index_dir, embedder, content=content, cache_dir=BENCH_CACHE, progress=True)
    return KnowledgeBase.open(index_dir, embedder, reload_interval_s=1e9)


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print an aligned plain-text table."""
    cells = [[_fmt(c) for c in row] for row in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def write_json(path: str | Path | None, data: Any) -> None:
    """Write the result JSON (creating folders); no-op without a path."""
    if not path:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def rss_mb() -> float:
    """Resident memory of this process now, in MB (from /proc; peak on other systems)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * resource.getpagesize() / 1e6
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
