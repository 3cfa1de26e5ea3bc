"""TICO-19 -> kb_quality, two settings.

``to-english`` (the issue's figure): the base holds the 630 English sentences; a query is the
same sentence in language X (18 languages, incl. Dari, Pashto, Somali, Tigrinya); P@1 per language.

``translated``: the base holds each sentence in English, Farsi and Tigrinya (Eritrea), as a
translated FAQ would; queries are the *independent* Dari (``prs``, asked as ``fa``) and Tigrinya
(Ethiopia, asked as ``ti``) translations of the same sentence. This measures same-language
matching against translated entries for languages the embedder does not know: two translators,
two wordings, same script.

    python benchmarks/datasets/tico19.py
"""

from __future__ import annotations

import json

from benchmarks.datasets.common import EVAL, OUT, clean, slug, write_set

URL = "https://github.com/tico-19/tico-19.github.io"


def main() -> None:
    rows = [
        json.loads(line)
        for line in (EVAL / "tico-19" / "parallel.jsonl").read_text(encoding="utf-8").splitlines()
    ]

    def entry(row: dict, language: str, text_language: str) -> dict[str, str]:
        return {
            "id": slug(row["tuid"]),
            "language": language,
            "question": clean(row["text"][text_language]),
            "answer": clean(row["text"]["en"]),
            "topic": "tico-19",
            "source_url": URL,
            "last_reviewed": "2020-07-01",
        }

    languages = [code for code in rows[0]["text"] if code != "en"]
    write_set(
        OUT / "tico19-to-english",
        [entry(r, "en", "en") for r in rows],
        (
            {
                "query": clean(r["text"][code]),
                "language": code.lower(),
                "relevant": [slug(r["tuid"])],
            }
            for code in languages
            for r in rows
        ),
    )
    translated = [
        entry(r, lang, source)
        for r in rows
        for lang, source in (("en", "en"), ("fa", "fa"), ("ti", "ti-ER"))
    ]
    write_set(
        OUT / "tico19-translated",
        translated,
        (
            {
                "query": clean(r["text"][source]),
                "language": lang,
                "relevant": [slug(r["tuid"])],
                "source_language": source,
            }
            for lang, source in (("fa", "prs"), ("ti", "ti-ET"))
            for r in rows
        ),
    )


if __name__ == "__main__":
    main()
