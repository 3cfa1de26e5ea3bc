"""Writing a benchmark set in the kb_quality formats (FAQ CSV + labelled-query JSONL)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EVAL = ROOT.parent / "shared" / "eval-data"
OUT = ROOT / "var" / "bench"
COLUMNS = ("id", "language", "question", "answer", "topic", "source_url", "last_reviewed")


def slug(text: str) -> str:
    """An entry id: lowercase letters, digits and single hyphens."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


def clean(text: str) -> str:
    """One line, no ``|`` (the CSV's phrasing separator), CSV-quoting artefacts removed."""
    text = text.replace('""', '"').strip().strip('"').strip()
    return " ".join(text.replace("|", "/").split())


def write_set(
    folder: Path, rows: Iterable[dict[str, str]], queries: Iterable[dict[str, object]]
) -> tuple[Path, Path]:
    """Write ``faq.csv`` and ``queries.jsonl`` into ``folder``; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, queries_path = folder / "faq.csv", folder / "queries.jsonl"
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    count = 0
    with open(queries_path, "w", encoding="utf-8") as handle:
        for query in queries:
            handle.write(json.dumps(query, ensure_ascii=False) + "\n")
            count += 1
    print(f"wrote {csv_path} and {queries_path} ({count} queries)")
    print(
        f"run: PYTHONPATH=. python benchmarks/kb_quality.py --kb {csv_path.relative_to(ROOT)} "
        f"--queries {queries_path.relative_to(ROOT)} --out {folder.relative_to(ROOT)}/result.json"
    )
    return csv_path, queries_path
