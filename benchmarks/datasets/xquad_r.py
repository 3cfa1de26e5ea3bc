"""XQuAD-R (LAReQA) -> kb_quality: every answer sentence an entry, questions as queries.

The LAReQA "X -> any" setting: the pool holds the candidate sentences of all 5 languages
(6,003), a query in language X is relevant to the answer sentence in every language. Each
sentence becomes an entry whose "question" (the indexed text) is the sentence itself. Report
mAP@20 (``--map-at 20``) to compare with the LAReQA paper (Roy et al. 2020, arXiv:2004.05484).

    python benchmarks/datasets/xquad_r.py [--limit-queries N]
"""

from __future__ import annotations

import argparse
import json

from benchmarks.datasets.common import EVAL, OUT, clean, write_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--limit-queries",
        type=int,
        default=0,
        help="keep every n-th query so that each language keeps N (0 = all)",
    )
    args = parser.parse_args()
    source = EVAL / "xquad-r"
    rows = []
    for line in (source / "faqs.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        rows.append(
            {
                "id": item["id"].lower(),
                "language": item["language"],
                "question": clean(item["answer"]),
                "answer": clean(item["answer"]),
                "topic": "xquad-r",
                "source_url": "https://github.com/google-research-datasets/lareqa",
                "last_reviewed": "2020-04-11",
            }
        )
    queries = [
        json.loads(line)
        for line in (source / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    if args.limit_queries:
        step = max(1, 1190 // args.limit_queries)
        queries = [q for n, q in enumerate(queries) if n % step == 0]
    write_set(
        OUT / "xquad-r",
        rows,
        (
            {
                "query": q["query"],
                "language": q["language"],
                "relevant": [r.lower() for r in q["relevant_faq_ids"]],
            }
            for q in queries
        ),
    )


if __name__ == "__main__":
    main()
