"""BM25 over words and character n-grams, with statistics per language.

Character n-grams (3 to 5 characters inside word boundaries) match inflected forms, typos and
scripts where splitting into words is unreliable (Tigrinya, Pashto, Somali, Farsi written with or
without zero-width joiners). This is what answers the languages the embedder does not know: a
query in Pashto is matched against the Pashto translations of the entries.

Storage: one term-frequency matrix (documents x features, scipy CSR) and a vocabulary. A build
reuses the rows of texts that did not change (so an incremental build only tokenises the edited
phrasings); BM25 weights (idf and length normalisation computed within each language) are
derived from the counts with vectorised numpy when an index is loaded.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.4  # phrasings are short and similar in length; 0.75 over-rewarded the shortest (dev tune)
NGRAM_SIZES = (3, 4, 5)
_WORD = re.compile(r"\w+", re.UNICODE)

# Letters written differently on Arabic and Persian keyboards, joiners, digits.
_CHAR_MAP = str.maketrans({
    "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و",
    "ئ": "ی", "ۀ": "ه", "ـ": "", "\u200c": " ", "\u200d": "", "\u200f": "", "\u200e": "",
    "ё": "е", "ґ": "г", "’": "'", "ʼ": "'",
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
})  # fmt: skip


FEATURES_VERSION = 3
"""Changes whenever :func:`features` does: an index only reuses counts made by the same version."""

# Arabizi / Finglish: digits that stand for letters inside Latin-script words (2 hamza, 3 ain,
# 5 kh, 6 t, 7 h, 8 gh, 9 q). Only in words that also have letters, so numbers stay numbers.
_ARABIZI = str.maketrans({"2": "", "3": "a", "5": "kh", "6": "t", "7": "h", "8": "gh", "9": "q"})
_LATIN_WORD = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")
_HAS_DIGIT = re.compile(r"[0-9]")
_REPEATS = re.compile(r"(\w)\1+")
# Consonant skeletons: Latin-script spellings of Arabic, Farsi, Pashto, Somali words vary mostly
# in their vowels and digraphs (lujoo / luju, shoghl / shughl, chetor / chetour); written Arabic
# and Farsi vary in their long-vowel letters (ضرائب / ضرايب). Both are folded to the consonants.
_LATIN_SKELETON = [("sh", "s"), ("ch", "s"), ("kh", "k"), ("gh", "g"), ("th", "t"),
                   ("dh", "d"), ("dj", "j"), ("q", "k"), ("c", "k"), ("w", "v")]  # fmt: skip
_LATIN_VOWELS = re.compile(r"[aeiouyh']")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]+")
_ARABIC_VOWELS = re.compile(r"[اویهع]")
# In skeletons only: Pashto and Urdu letters folded to the Persian letters a Farsi or Arabic
# keyboard types instead (Pashto written without a Pashto keyboard; Urdu and Dari neighbours).
_ARABIC_SKELETON = str.maketrans({
    "ډ": "د", "ڈ": "د", "ټ": "ت", "ٹ": "ت", "ړ": "ر", "ڑ": "ر", "ڼ": "ن", "ں": "ن",
    "ګ": "گ", "ښ": "ش", "ږ": "ژ", "ځ": "ز", "څ": "س", "ې": "ی", "ۍ": "ی", "ے": "ی",
    "ہ": "ه", "ھ": "ه", "ۃ": "ه",
})  # fmt: skip


def normalise(text: str) -> str:
    """Case, accents, Arabic/Persian letter variants and digits folded, for matching only."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_MAP)
    decomposed = unicodedata.normalize("NFD", text)
    # Drop combining marks (accents, Arabic harakat) but keep spacing vowel signs (Mc).
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def _fold_word(word: str) -> str:
    """Arabizi digits to letters (in Latin words with letters), repeated letters collapsed."""
    if _HAS_DIGIT.search(word) and _LATIN_WORD.fullmatch(word):
        word = word.translate(_ARABIZI) or word
    return _REPEATS.sub(r"\1", word)


def _skeleton(word: str) -> str | None:
    """The consonants of a Latin- or Arabic-script word (first letter kept), or None."""
    if _LATIN_WORD.fullmatch(word):
        if word.isdigit():
            return None
        folded = word
        for digraph, letter in _LATIN_SKELETON:
            folded = folded.replace(digraph, letter)
        skeleton = folded[0] + _LATIN_VOWELS.sub("", folded[1:])
    elif _ARABIC_WORD.fullmatch(word):
        word = word.translate(_ARABIC_SKELETON)
        skeleton = word[0] + _ARABIC_VOWELS.sub("", word[1:])
    else:
        return None
    skeleton = _REPEATS.sub(r"\1", skeleton)
    return skeleton if len(skeleton) >= 2 and len(word) >= 3 else None


def features(text: str) -> list[str]:
    """Words (``w:``), consonant skeletons of Latin/Arabic-script words (``k:``) and character
    3- to 5-grams of each word padded with spaces."""
    words = [_fold_word(word) for word in _WORD.findall(normalise(text))]
    result = [f"w:{word}" for word in words]
    for word in words:
        skeleton = _skeleton(word)
        if skeleton is not None:
            result.append(f"k:{skeleton}")
        padded = f" {word} "
        for size in NGRAM_SIZES:
            result.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return result


class LexicalIndex:
    """BM25 over documents (each a text with a language); statistics per language."""

    def __init__(
        self, counts: sparse.csr_matrix, vocabulary: dict[str, int], languages: Sequence[str]
    ) -> None:
        self.counts = counts
        self.vocabulary = vocabulary
        self.size = counts.shape[0]
        self._language_names = sorted(set(languages))
        self._language_id = {name: n for n, name in enumerate(self._language_names)}
        self.doc_language = np.asarray([self._language_id[lang] for lang in languages], np.int32)
        self._weights: tuple[list[tuple[np.ndarray, sparse.csr_matrix]], np.ndarray] | None = None
        self._stats_from: LexicalIndex | None = None
        self._average: np.ndarray | None = None
        self._all_t: sparse.csr_matrix | None = None
        self._largest: np.ndarray | None = None

    def use_statistics_of(self, base: LexicalIndex) -> LexicalIndex:
        """Score this (small, delta) index with the idf and lengths of ``base``; returns self.

        Scores and coverage are then comparable with those of ``base``, as if these documents
        had been indexed together with it.
        """
        self._stats_from = base.prepare()
        self._weights = None
        return self

    def prepare(self) -> LexicalIndex:
        """Compute the BM25 weights now (otherwise done by the first search); returns self."""
        if self._weights is None:
            self._weights = self._bm25()
        return self

    # -- building --------------------------------------------------------------------------
    @classmethod
    def from_texts(
        cls,
        texts: Sequence[str],
        languages: Sequence[str],
        previous: LexicalIndex | None = None,
        previous_texts: Sequence[str] | None = None,
    ) -> LexicalIndex:
        """Index texts, reusing the counts of texts ``previous`` already holds."""
        vocabulary = dict(previous.vocabulary) if previous is not None else {}
        old_rows: dict[str, int] = {}
        if previous is not None and previous_texts is not None:
            old_rows = {text: row for row, text in enumerate(previous_texts)}
        reuse_rows, reuse_positions, fresh = [], [], []
        for position, text in enumerate(texts):
            row = old_rows.get(text)
            if row is None:
                fresh.append(position)
            else:
                reuse_rows.append(row)
                reuse_positions.append(position)
        fresh_counts = _count([texts[i] for i in fresh], vocabulary)
        width = len(vocabulary)
        parts, order = [], []
        if reuse_rows:
            assert previous is not None
            old = previous.counts[np.asarray(reuse_rows)]
            parts.append(
                sparse.csr_matrix((old.data, old.indices, old.indptr), shape=(old.shape[0], width))
            )
            order.extend(reuse_positions)
        if fresh:
            parts.append(
                sparse.csr_matrix(
                    (fresh_counts.data, fresh_counts.indices, fresh_counts.indptr),
                    shape=(len(fresh), width),
                )
            )
            order.extend(fresh)
        if parts:
            stacked = sparse.vstack(parts, format="csr")
            inverse = np.empty(len(order), np.int64)
            inverse[np.asarray(order)] = np.arange(len(order))
            counts = stacked[inverse]
        else:
            counts = sparse.csr_matrix((0, width), dtype=np.float32)
        return cls(counts.astype(np.float32), vocabulary, languages)

    def save(self, folder: Path) -> list[str]:
        """Write ``lexical.npz`` and ``lexical_vocabulary.json``; returns the file names."""
        np.savez(
            folder / "lexical.npz",
            data=self.counts.data,
            indices=self.counts.indices,
            indptr=self.counts.indptr,
            shape=np.asarray(self.counts.shape),
        )
        words = [""] * len(self.vocabulary)
        for feature, column in self.vocabulary.items():
            words[column] = feature
        with open(folder / "lexical_vocabulary.json", "w", encoding="utf-8") as handle:
            json.dump(words, handle, ensure_ascii=False, separators=(",", ":"))
        return ["lexical.npz", "lexical_vocabulary.json"]

    @classmethod
    def load(cls, folder: Path, languages: Sequence[str]) -> LexicalIndex:
        """Read an index written by :meth:`save`."""
        with np.load(folder / "lexical.npz", allow_pickle=False) as data:
            counts = sparse.csr_matrix(
                (data["data"], data["indices"], data["indptr"]), shape=tuple(data["shape"])
            )
        with open(folder / "lexical_vocabulary.json", encoding="utf-8") as handle:
            words = json.load(handle)
        if counts.shape != (len(languages), len(words)):
            raise ValueError(
                f"lexical index shape {counts.shape} does not match "
                f"{len(languages)} phrasings and {len(words)} features"
            )
        return cls(counts, {word: n for n, word in enumerate(words)}, languages)

    def _bm25(self) -> tuple[list[tuple[np.ndarray, sparse.csr_matrix]], np.ndarray]:
        """Per language: its document numbers and feature-major BM25 weights; and per language
        the idf used for the coverage ceiling."""
        counts = self.counts
        n_languages, width = len(self._language_names), counts.shape[1]
        row_language = self.doc_language
        nnz_row = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        nnz_language = row_language[nnz_row]
        df = np.bincount(
            nnz_language.astype(np.int64) * width + counts.indices,
            minlength=max(n_languages, 1) * width,
        )
        df = df.reshape(max(n_languages, 1), width).astype(np.float32)
        docs = np.bincount(row_language, minlength=n_languages).astype(np.float32)
        idf = np.log1p((docs[:, None] - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        average = np.ones(n_languages, np.float32)
        for lang in range(n_languages):
            mine = lengths[row_language == lang]
            average[lang] = float(mine.mean()) if mine.size else 1.0
        if self._stats_from is not None:
            idf, average, df = self._borrow_statistics(idf, average, df)
        self._average = average
        norm = K1 * (1 - B + B * lengths / average[row_language])
        weights = counts.data * (K1 + 1) / (counts.data + norm[nnz_row])
        weights *= idf[nnz_language, counts.indices]
        matrix = sparse.csr_matrix(
            (weights.astype(np.float32), counts.indices, counts.indptr), shape=counts.shape
        )
        blocks = []
        for lang in range(n_languages):
            rows = np.flatnonzero(row_language == lang)
            blocks.append((rows, matrix[rows].T.tocsr()))
        self._all_t = matrix.T.tocsr()  # every language at once (search with language None)
        # For the coverage ceiling a feature the language never uses counts like an unknown one:
        # with the largest idf of a feature the language does use.
        seen = df > 0
        largest = np.where(seen, idf, 0.0).max(axis=1, keepdims=True) if width else idf
        ceiling_idf = np.where(seen, idf, largest).astype(np.float32)
        self._largest = (
            ceiling_idf.max(axis=1) if width else np.ones(n_languages, np.float32)
        ).astype(np.float32)
        return blocks, ceiling_idf

    def _borrow_statistics(
        self, idf: np.ndarray, average: np.ndarray, df: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """idf, average lengths and "seen" counts taken from the base index where it has them."""
        base = self._stats_from
        assert base is not None and base._weights is not None and base._average is not None
        base_idf = base._weights[1]
        columns = np.full(len(self.vocabulary), -1, np.int64)
        for feature, column in self.vocabulary.items():
            columns[column] = base.vocabulary.get(feature, -1)
        known = columns >= 0
        for lang, name in enumerate(self._language_names):
            base_lang = base._language_id.get(name)
            if base_lang is None:
                continue
            row = np.full(len(columns), base_idf[base_lang].max(), np.float32)
            row[known] = base_idf[base_lang, columns[known]]
            idf[lang] = row
            df[lang] = 1.0  # every feature counts as seen: base_idf already holds the ceiling
            average[lang] = base._average[base_lang]
        return idf, average, df

    # -- searching -------------------------------------------------------------------------
    @property
    def languages(self) -> list[str]:
        """Languages that have documents."""
        return list(self._language_names)

    def search(
        self, query: str, language: str | None, limit: int = 50
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The best documents for a query in ``language`` (all languages when None).

        Returns:
            ``(documents, scores, coverage)``: document numbers, BM25 scores and, in 0..1, the
            share of the query's best possible BM25 score each document reaches (features the
            language never uses count with its largest idf).
        """
        if language is not None and language not in self._language_id:
            return _empty()
        query_features = dict(_query_features(query))
        counts = {self.vocabulary[f]: n for f, n in query_features.items() if f in self.vocabulary}
        if not counts:
            return _empty()
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        blocks, _ = self.prepare()._weights  # type: ignore[misc]
        if language is None:
            return self._search_all(query_features, columns, weights, limit)
        found_docs, found_scores, found_coverage = [], [], []
        for lang in [self._language_id[language]]:
            rows, weights_t = blocks[lang]
            scores = np.asarray(weights_t[columns].T @ weights).ravel()
            hits = np.flatnonzero(scores > 0)
            if hits.size > limit:
                hits = hits[np.argpartition(-scores[hits], limit - 1)[:limit]]
            ceiling = self._ceiling(query_features, self._language_names[lang])
            found_docs.append(rows[hits])
            found_scores.append(scores[hits])
            found_coverage.append(np.minimum(scores[hits] / max(ceiling, 1e-9), 1.0))
        docs = np.concatenate(found_docs)
        scores = np.concatenate(found_scores)
        coverage = np.concatenate(found_coverage)
        order = np.argsort(-scores, kind="stable")[:limit]
        return docs[order].astype(np.int64), scores[order], coverage[order].astype(np.float32)

    def _search_all(
        self,
        query_features: dict[str, int],
        columns: np.ndarray,
        weights: np.ndarray,
        limit: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every language in one sparse product; the best ``limit`` documents by coverage."""
        assert self._all_t is not None
        scores = np.asarray(self._all_t[columns].T @ weights).ravel()
        hits = np.flatnonzero(scores > 0)
        if not hits.size:
            return _empty()
        ceilings = self._ceilings(query_features)
        coverage = np.minimum(
            scores[hits] / np.maximum(ceilings[self.doc_language[hits]], 1e-9), 1.0
        ).astype(np.float32)
        if hits.size > limit:
            keep = np.argpartition(-coverage, limit - 1)[:limit]
            hits, coverage = hits[keep], coverage[keep]
        order = np.lexsort((-scores[hits], -coverage))
        return hits[order].astype(np.int64), scores[hits][order], coverage[order]

    def _ceilings(self, query_features: dict[str, int]) -> np.ndarray:
        """:meth:`_ceiling` for every language at once (vectorised; a delta asks its base)."""
        if self._stats_from is not None:
            return np.asarray(
                [self._ceiling(query_features, name) for name in self._language_names], np.float64
            )
        _, idf_all = self.prepare()._weights  # type: ignore[misc]
        assert self._largest is not None
        known_columns, known_counts, unknown = [], [], 0
        for feature, count in query_features.items():
            column = self.vocabulary.get(feature)
            if column is None:
                unknown += count
            else:
                known_columns.append(column)
                known_counts.append(count)
        total = unknown * self._largest.astype(np.float64)
        if known_columns:
            total = total + idf_all[:, np.asarray(known_columns)] @ np.asarray(
                known_counts, np.float64
            )
        return (K1 + 1) * total

    def _ceiling(self, query_features: dict[str, int], language: str) -> float:
        """The best BM25 score the query could reach in ``language`` (features the language
        never uses count with its largest idf). A delta index asks its base."""
        base = self._stats_from
        if base is not None and language in base._language_id:
            return base._ceiling(query_features, language)
        _, idf_all = self.prepare()._weights  # type: ignore[misc]
        idf = idf_all[self._language_id[language]]
        largest = float(idf.max()) if idf.size else 1.0
        total = 0.0
        for feature, count in query_features.items():
            column = self.vocabulary.get(feature)
            total += count * (float(idf[column]) if column is not None else largest)
        return (K1 + 1) * total


@lru_cache(maxsize=4096)
def _query_features(query: str) -> tuple[tuple[str, int], ...]:
    """Feature counts of a query (cached: a search looks in two languages, and users repeat)."""
    counts: dict[str, int] = {}
    for feature in features(query):
        counts[feature] = counts.get(feature, 0) + 1
    return tuple(counts.items())


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, np.float32)


def _count(texts: Sequence[str], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Feature counts of texts; new features are added to ``vocabulary``."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for text in texts:
        row: dict[int, int] = {}
        for feature in features(text):
            column = vocabulary.setdefault(feature, len(vocabulary))
            row[column] = row.get(column, 0) + 1
        indices.extend(row)
        data.extend(row.values())
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(indices, np.int64), np.asarray(indptr, np.int64)),
        shape=(len(texts), len(vocabulary)),
    )
