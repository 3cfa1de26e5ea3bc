"""Find reviewed danger phrases in a message, robust to script, case, diacritics and typos.

The phrases come from ``knowledge_base/content/danger_phrases.yml`` (reviewed by people, per
language and category). Matching does not depend on any embedding model, because the
offline embedder barely knows Farsi/Dari, Pashto, Somali or Tigrinya:

1. message and phrases are normalised (:mod:`nlu.text`);
2. a phrase found as a whole-word substring matches;
3. otherwise, phrases sharing most of their character trigrams with the message are checked
   word window by word window with an edit distance that allows about one typo per eight
   letters (at most three), so "my husbend hits me" still matches "my husband hits me".

Phrases are searched in every language, not only the detected one: people mix languages
and detection of short messages is unreliable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from nlu.text import normalise

MAX_CHARS = 4000
MIN_TRIGRAM_SHARE = 0.55


@dataclass(frozen=True)
class DangerMatch:
    """A danger phrase found in a message."""

    category: str
    language: str
    phrase: str
    distance: int


@dataclass(frozen=True)
class _Phrase:
    text: str  # normalised
    original: str
    category: str
    language: str
    trigrams: frozenset[str]
    n_words: int


def trigrams(text: str) -> frozenset[str]:
    """Character trigrams of a normalised text, with word boundaries marked."""
    padded = f" {text} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def allowed_typos(length: int) -> int:
    """Edits tolerated for a phrase of ``length`` characters (short phrases: exact only)."""
    if length < 8:
        return 0
    return min(3, 1 + (length - 8) // 10)


def bounded_levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b``, or ``limit + 1`` as soon as it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j, char_b in enumerate(b, start=1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)
            )
            best = min(best, current[j])
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


class DangerMatcher:
    """Match messages against reviewed danger phrases of all languages."""

    def __init__(self, phrases: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
        """``phrases``: language → category → phrases (the ``danger_phrases.yml`` layout)."""
        self._phrases: list[_Phrase] = []
        self._by_trigram: dict[str, list[int]] = defaultdict(list)
        for language, categories in phrases.items():
            for category, texts in categories.items():
                for original in texts:
                    text = normalise(str(original))
                    if not text:
                        continue
                    phrase = _Phrase(
                        text, str(original), category, language, trigrams(text), len(text.split())
                    )
                    index = len(self._phrases)
                    self._phrases.append(phrase)
                    for gram in phrase.trigrams:
                        self._by_trigram[gram].append(index)

    def __len__(self) -> int:
        return len(self._phrases)

    def match(self, message: str) -> DangerMatch | None:
        """The best danger phrase found in ``message`` (exact before fuzzy), else ``None``."""
        text = normalise(message[:MAX_CHARS])
        if not text:
            return None
        padded = f" {text} "
        for phrase in self._phrases:
            if f" {phrase.text} " in padded:
                return DangerMatch(phrase.category, phrase.language, phrase.original, 0)
        return self._fuzzy(text)

    def _fuzzy(self, text: str) -> DangerMatch | None:
        shared: dict[int, int] = defaultdict(int)
        for gram in trigrams(text):
            for index in self._by_trigram.get(gram, ()):
                shared[index] += 1
        words = text.split()
        best: DangerMatch | None = None
        for index, count in shared.items():
            phrase = self._phrases[index]
            limit = allowed_typos(len(phrase.text))
            if limit == 0 or count < MIN_TRIGRAM_SHARE * len(phrase.trigrams):
                continue
            distance = self._best_window(words, phrase, limit)
            if distance <= limit and (best is None or distance < best.distance):
                best = DangerMatch(phrase.category, phrase.language, phrase.original, distance)
        return best

    @staticmethod
    def _best_window(words: list[str], phrase: _Phrase, limit: int) -> int:
        best = limit + 1
        for size in {max(1, phrase.n_words - 1), phrase.n_words, phrase.n_words + 1}:
            for start in range(0, max(1, len(words) - size + 1)):
                window = " ".join(words[start : start + size])
                best = min(best, bounded_levenshtein(window, phrase.text, limit))
                if best == 0:
                    return 0
        return best


def load_matcher(content_dir: str) -> DangerMatcher:
    """A matcher over the phrases of a content folder.

    Raises:
        knowledge_base.content.ContentError: ``danger_phrases.yml`` has errors.
    """
    from knowledge_base.content import load_danger_phrases

    danger = load_danger_phrases(content_dir)
    return DangerMatcher(danger.phrases)
