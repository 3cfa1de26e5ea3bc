"""Language detection of short, informal messages."""

from __future__ import annotations

import pytest

from nlu.language_detection import LanguageDetector, Lexicon

LANGUAGES = ["en", "fr", "es", "ar", "fa", "uk", "ru", "tr", "ps", "ti", "so"]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    lexicon = Lexicon()
    for text, language in [
        ("hello hi hey", "en"),
        ("bonjour salut", "fr"),
        ("hola buenas", "es"),
        ("merhaba selam", "tr"),
        ("salaan iska warran", "so"),
    ]:
        lexicon.learn(text, language)
    return LanguageDetector(LANGUAGES, lexicon)


@pytest.mark.parametrize(
    "text, language",
    [
        ("ሰላም ከመይ ኣለኻ", "ti"),  # Ethiopic script
        ("ډاکټر ته اړتیا لرم", "ps"),  # Pashto-only letters
        ("چطور بیمه درمانی بگیرم", "fa"),  # Persian-only letters
        ("чи можу я тут працювати", "uk"),  # і є ї
        ("можно ли мне здесь работать", "ru"),
        ("hello", "en"),  # lexicon learnt from training examples
        ("merhaba", "tr"),
        ("est-ce que je peux travailler ici", "fr"),
        ("¿puedo trabajar aquí mientras espero el asilo?", "es"),
        ("هل يمكنني العمل هنا", "ar"),
    ],
)
def test_detects(detector, text, language):
    found = detector.detect(text)
    assert found is not None and found.language == language


@pytest.mark.parametrize("text", ["ok", "2", "/greet", "", "???"])
def test_undecidable_messages_give_none(detector, text):
    assert detector.detect(text) is None


def test_lexicon_round_trip():
    lexicon = Lexicon()
    lexicon.learn("bonjour", "fr")
    again = Lexicon.from_dict(lexicon.to_dict())
    assert again.vote("bonjour", ["fr", "en"])["fr"] == 1.0
