"""Detect the language of short, informal messages.

Short messages ("hi", "salam", "ok") are the hardest case for statistical detectors, so
detection combines three signals, most reliable first:

1. the script and the letters only one supported language uses (Ethiopic script means
   Tigrinya; ټ ډ ړ ښ ګ ڼ ې mean Pashto; پ چ ژ گ mean Farsi rather than Arabic; і ї є ґ
   mean Ukrainian rather than Russian);
2. a lexicon of words learned from the training examples of each language;
3. lingua's statistical models, restricted to the supported languages.

A message too short or too ambiguous to tell gets ``None``: the conversation then keeps the
language it had.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

#: ISO 639-1 codes of the languages Haven supports, in lingua's naming.
LINGUA_NAMES = {
    "en": "ENGLISH",
    "fr": "FRENCH",
    "es": "SPANISH",
    "ar": "ARABIC",
    "fa": "PERSIAN",
    "uk": "UKRAINIAN",
    "ru": "RUSSIAN",
    "tr": "TURKISH",
    "so": "SOMALI",
    "de": "GERMAN",
    "it": "ITALIAN",
    "pt": "PORTUGUESE",
    "nl": "DUTCH",
    "pl": "POLISH",
}

_ETHIOPIC = re.compile(r"[\u1200-\u137F\u1380-\u139F\u2D80-\u2DDF]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_PASHTO_ONLY = re.compile(r"[ټډړږښګڼېۍځڅ]")
_PERSIAN_ONLY = re.compile(r"[پچژگ]")
_ARABIC_ONLY = re.compile(r"[ةىإأؤ]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased words of a message, without diacritics on Latin letters."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded)


@dataclass
class Detection:
    """A detected language and how sure the detector is (0..1)."""

    language: str
    confidence: float
    method: str


@dataclass
class Lexicon:
    """Which languages each word was seen in, learned from training examples."""

    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def learn(self, text: str, language: str) -> None:
        """Count the words of one example of a language."""
        for word in set(words(text)):
            if not word.isdigit():
                self.counts[word][language] += 1

    def vote(self, text: str, candidates: Iterable[str]) -> Counter[str]:
        """Per language, the share of the message's words that are typical of it."""
        allowed = set(candidates)
        votes: Counter[str] = Counter()
        for word in words(text):
            seen = self.counts.get(word)
            if not seen:
                continue
            total = sum(seen.values())
            for language, count in seen.items():
                if language in allowed:
                    votes[language] += count / total
        return votes

    def to_dict(self) -> dict[str, dict[str, int]]:
        """A JSON-serialisable form (for model persistence)."""
        return {word: dict(c) for word, c in self.counts.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, int]]) -> Lexicon:
        """Rebuild a lexicon saved with :meth:`to_dict`."""
        lexicon = cls()
        for word, per_language in data.items():
            lexicon.counts[word] = Counter(per_language)
        return lexicon


@lru_cache(maxsize=4)
def _lingua_detector(languages: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    members = [getattr(Language, LINGUA_NAMES[code]) for code in languages if code in LINGUA_NAMES]
    if len(members) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*members).build()


class LanguageDetector:
    """Detect the language of a message among a fixed set of supported languages."""

    def __init__(
        self,
        languages: Iterable[str],
        lexicon: Lexicon | None = None,
        min_confidence: float = 0.6,
    ) -> None:
        self.languages = tuple(languages)
        self.lexicon = lexicon or Lexicon()
        self.min_confidence = min_confidence

    def _restrict(self, text: str) -> tuple[tuple[str, ...], Detection | None]:
        """Narrow the candidates by script; return a sure detection when the script decides."""
        langs = self.languages
        if _ETHIOPIC.search(text) and "ti" in langs:
            return langs, Detection("ti", 1.0, "script")
        if _ARABIC_SCRIPT.search(text):
            if _PASHTO_ONLY.search(text) and "ps" in langs:
                return langs, Detection("ps", 0.95, "script")
            arabic_script = tuple(code for code in ("ar", "fa", "ps") if code in langs)
            if _PERSIAN_ONLY.search(text) and not _ARABIC_ONLY.search(text) and "fa" in langs:
                return arabic_script, Detection("fa", 0.9, "script")
            return arabic_script, None
        if _CYRILLIC.search(text):
            cyrillic = tuple(code for code in ("uk", "ru") if code in langs)
            if _UKRAINIAN_ONLY.search(text) and "uk" in langs:
                return cyrillic, Detection("uk", 0.95, "script")
            if _RUSSIAN_ONLY.search(text) and "ru" in langs:
                return cyrillic, Detection("ru", 0.95, "script")
            return cyrillic, None
        latin = tuple(code for code in langs if code not in ("ar", "fa", "ps", "uk", "ru", "ti"))
        return latin, None

    def detect(self, text: str) -> Detection | None:
        """The language of ``text``, or ``None`` when it cannot be told reliably."""
        if not text or not any(ch.isalpha() for ch in text) or text.lstrip().startswith("/"):
            return None
        candidates, sure = self._restrict(text)
        if sure is not None:
            return sure
        if len(candidates) == 1:
            return Detection(candidates[0], 0.9, "script")
        if not candidates:
            return None
        scores: Counter[str] = Counter()
        n_words = max(1, len(words(text)))
        lexicon_votes = self.lexicon.vote(text, candidates)
        for language, vote in lexicon_votes.items():
            scores[language] += vote / n_words
        detector = _lingua_detector(tuple(sorted(candidates)))
        if detector is not None:
            weight = min(1.0, len(text.strip()) / 20)  # lingua is weak on very short text
            for value in detector.compute_language_confidence_values(text):
                code = value.language.iso_code_639_1.name.lower()
                if code in candidates:
                    scores[code] += weight * value.value
        if not scores:
            return None
        (best, top), *rest = [*scores.most_common(2), ("", 0.0)]
        second = rest[0][1]
        total = sum(scores.values()) or 1.0
        confidence = top / total
        if top - second < 0.15 or confidence < self.min_confidence * 0.75:
            return None
        return Detection(best, round(min(1.0, confidence), 3), "lexicon+lingua")
