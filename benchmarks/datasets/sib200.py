"""SIB-200 (FLORES-200 sentences) -> kb_quality: bitext retrieval into English.

The base holds the 204 English sentences; a query is the same sentence in one of the other 19
languages (incl. Dari, Pashto, Somali, Tigrinya, Ukrainian, Kurdish, Levantine and Moroccan
Arabic); relevant = the English sentence with the same ``index_id``. Language codes are mapped
to ours where we have one (pes -> fa, prs -> prs, pbt -> ps, ...).

    python benchmarks/datasets/sib200.py
"""

from __future__ import annotations

import json

from benchmarks.datasets.common import EVAL, OUT, clean, write_set

CODES = {
    "eng_Latn": "en",
    "fra_Latn": "fr",
    "spa_Latn": "es",
    "por_Latn": "pt",
    "arb_Arab": "ar",
    "apc_Arab": "apc",
    "ary_Arab": "ary",
    "ukr_Cyrl": "uk",
    "rus_Cyrl": "ru",
    "pes_Arab": "fa",
    "prs_Arab": "prs",
    "pbt_Arab": "ps",
    "tur_Latn": "tr",
    "som_Latn": "so",
    "tir_Ethi": "ti",
    "amh_Ethi": "am",
    "ckb_Arab": "ckb",
    "kmr_Latn": "kmr",
    "gaz_Latn": "om",
    "deu_Latn": "de",
    "urd_Arab": "ur",
}


def main() -> None:
    rows = [
        json.loads(line)
        for line in (EVAL / "sib-200" / "test.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    english = [r for r in rows if r["language"] == "eng_Latn"]
    write_set(
        OUT / "sib200-to-english",
        (
            {
                "id": f"sib-{r['index_id']}",
                "language": "en",
                "question": clean(r["text"]),
                "answer": clean(r["text"]),
                "topic": r["category"].replace("/", "-"),
                "source_url": "https://github.com/dadelani/sib-200",
                "last_reviewed": "2023-09-01",
            }
            for r in english
        ),
        (
            {
                "query": clean(r["text"]),
                "language": CODES.get(r["language"], r["language"]),
                "relevant": [f"sib-{r['index_id']}"],
            }
            for r in rows
            if r["language"] != "eng_Latn"
        ),
    )


if __name__ == "__main__":
    main()
