"""Knowledge-base search cost, measured in the action server's environment (.venv/actions).

.venv/actions/bin/python benchmarks/load/kb_stage.py  → prints JSON {"kb_search_ms": …}
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.load.messages import MESSAGES  # noqa: E402
from haven import settings  # noqa: E402
from knowledge_base.search import KnowledgeBase  # noqa: E402


def main() -> None:
    kb = KnowledgeBase.open(settings.project_path(settings.get("kb.index_dir", "var/index")))
    questions = [text for kind, text in MESSAGES if kind == "kb"]
    kb.search_faq(questions[0], language="en")  # first call loads the embedder
    timings = []
    for _ in range(5):
        for text in questions:
            started = time.perf_counter()
            kb.search_faq(text, language=None)
            timings.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "kb_search_ms": round(statistics.median(timings), 2),
                "kb_search_p95_ms": round(sorted(timings)[int(0.95 * len(timings))], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
