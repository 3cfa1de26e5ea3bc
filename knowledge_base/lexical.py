"""BM25 over words and character n-grams, one index per language.

Character n-grams (3 to 5 characters inside word boundaries) match inflected forms, typos and
scripts where splitting into words is unreliable (Tigrinya, Pashto, Somali, Farsi written with or
without zero-width joiners). This is what answers the languages the embedder does not know: a
query in Pashto is matched against the Pashto translations of the entries.

Implemented with scipy sparse matrices: the BM25 weight of every (document, feature) pair is
computed once at build time, so a query is one sparse column gather and a sum.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.75
NGRAM_SIZES = (3, 4, 5)
WORD_WEIGHT = 1.0
_WORD = re.compile(r"\w+", re.UNICODE)

# Letters written differently on Arabic and Persian keyboards, presentation forms, digits.
_CHAR_MAP = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        "ۀ": "ه",
        "ـ": "",
        "\u200c": " ",
        "\u200d": "",
        "\u200f": "",
        "\u200e": "",
        "ё": "е",
        "ґ": "г",
        "’": "'",
        "ʼ": "'",
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)


def normalise(text: str) -> str:
    """Case, accents, Arabic/Persian letter variants and digits folded, for matching only."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_MAP)
    decomposed = unicodedata.normalize("NFD", text)
    # Drop combining marks (accents, Arabic harakat) but keep Indic/Ethiopic vowel signs (Mc).
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def features(text: str) -> list[str]:
    """Words (prefixed ``w:``) and character 3- to 5-grams of each word padded with spaces."""
    words = _WORD.findall(normalise(text))
    result = [f"w:{word}" for word in words]
    for word in words:
        padded = f" {word} "
        for size in NGRAM_SIZES:
            if len(padded) < size:
                continue
            result.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return result


@dataclass
class _LanguageIndex:
    rows: np.ndarray  # document numbers (global) of this language's documents
    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: sparse.csc_matrix  # (documents, features) BM25 weights


class LexicalIndex:
    """BM25 per language over a list of documents (each a text with a language)."""

    def __init__(self, texts: Sequence[str], languages: Sequence[str]) -> None:
        self.size = len(texts)
        self._indexes: dict[str, _LanguageIndex] = {}
        by_language: dict[str, list[int]] = {}
        for number, language in enumerate(languages):
            by_language.setdefault(language, []).append(number)
        for language, rows in by_language.items():
            self._indexes[language] = _build([texts[i] for i in rows], np.asarray(rows, np.int64))

    @property
    def languages(self) -> list[str]:
        """Languages that have documents."""
        return list(self._indexes)

    def search(
        self, query: str, language: str | None, limit: int = 50
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The best documents for a query in ``language`` (all languages when None).

        Returns:
            ``(documents, scores, coverage)``: document numbers, BM25 scores and, in 0..1, the
            share of the query's BM25 mass each document matches (used for calibration).
        """
        query_features = features(query)
        if not query_features:
            return _empty()
        languages = [language] if language is not None else list(self._indexes)
        found = [
            self._search_one(lang, query_features, limit)
            for lang in languages
            if lang in self._indexes
        ]
        found = [f for f in found if f[0].size]
        if not found:
            return _empty()
        docs = np.concatenate([f[0] for f in found])
        scores = np.concatenate([f[1] for f in found])
        coverage = np.concatenate([f[2] for f in found])
        order = np.argsort(-scores, kind="stable")[:limit]
        return docs[order], scores[order], coverage[order]

    def _search_one(
        self, language: str, query_features: list[str], limit: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        index = self._indexes[language]
        counts: dict[int, int] = {}
        unknown = 0
        for feature in query_features:
            column = index.vocabulary.get(feature)
            if column is None:
                unknown += 1
            else:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return _empty()
        columns = np.fromiter(counts, dtype=np.int64)
        weights = np.fromiter(counts.values(), dtype=np.float32)
        scores = np.asarray(index.weights[:, columns] @ weights).ravel()
        # Best possible score: every query feature matched at saturation; unknown features
        # count with the largest idf, so words the language index never saw lower coverage.
        max_idf = float(index.idf.max()) if index.idf.size else 1.0
        ceiling = (K1 + 1) * (float(index.idf[columns] @ weights) + unknown * max_idf)
        hits = np.flatnonzero(scores > 0)
        if hits.size > limit:
            hits = hits[np.argpartition(-scores[hits], limit - 1)[:limit]]
        hits = hits[np.argsort(-scores[hits], kind="stable")]
        return index.rows[hits], scores[hits], np.minimum(scores[hits] / ceiling, 1.0)


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, np.float32)


def _build(texts: list[str], rows: np.ndarray) -> _LanguageIndex:
    vocabulary: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for text in texts:
        counts: dict[int, int] = {}
        for feature in features(text):
            column = vocabulary.setdefault(feature, len(vocabulary))
            counts[column] = counts.get(column, 0) + 1
        indices.extend(counts)
        data.extend(counts.values())
        indptr.append(len(indices))
    tf = sparse.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(indices, np.int64), np.asarray(indptr, np.int64)),
        shape=(len(texts), len(vocabulary)),
    )
    n_docs = max(len(texts), 1)
    df = np.bincount(tf.indices, minlength=len(vocabulary)).astype(np.float32)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    average = float(lengths.mean()) if lengths.size else 1.0
    norm = K1 * (1 - B + B * lengths / max(average, 1e-9))
    row_of = np.repeat(np.arange(tf.shape[0]), np.diff(tf.indptr))
    tf.data = (tf.data * (K1 + 1) / (tf.data + norm[row_of]) * idf[tf.indices]).astype(np.float32)
    return _LanguageIndex(rows, vocabulary, idf, tf.tocsc())
