"""Text normalisation and the danger-phrase matcher (pure Python, the real content)."""

from __future__ import annotations

import pytest

from haven import settings
from nlu.danger import DangerMatcher, allowed_typos, bounded_levenshtein, load_matcher
from nlu.text import normalise, normalise_with_offsets

CONTENT = str(settings.project_path("knowledge_base/content"))


@pytest.fixture(scope="module")
def matcher() -> DangerMatcher:
    return load_matcher(CONTENT)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Ça VA, Lindmärk!", "ca va lindmark"),
        ("don't", "dont"),
        ("كتاب يتعلم", "کتاب یتعلم"),  # Arabic kaf/yeh unified with the Persian forms
        ("مدرسة", "مدرسه"),
        ("می‌زند", "میزند"),  # zero-width non-joiner dropped
        ("ёлка", "елка"),
        ("  many   spaces\t", "many spaces"),
        ("١٢٣ ۴۵", "123 45"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_offsets_point_into_the_original():
    text = "À Port-Solène!"
    normalised, offsets = normalise_with_offsets(text)
    start = normalised.index("port solene")
    assert text[offsets[start] : offsets[start + len("port solene") - 1] + 1] == "Port-Solène"


def test_bounded_levenshtein():
    assert bounded_levenshtein("husband", "husbend", 2) == 1
    assert bounded_levenshtein("abc", "xyzxyz", 1) == 2  # stops early: limit + 1
    assert allowed_typos(5) == 0 and allowed_typos(12) == 1 and allowed_typos(40) == 3


def test_every_reviewed_phrase_matches_itself(matcher):
    from knowledge_base.content import load_danger_phrases

    phrases = load_danger_phrases(CONTENT).phrases
    assert set(phrases) >= {"en", "fr", "es", "ar", "fa", "uk", "ru", "tr", "ps", "ti", "so"}
    for language, categories in phrases.items():
        for _category, texts in categories.items():
            for text in texts:
                found = matcher.match(f"please {text} now")
                assert found is not None, (language, text)


@pytest.mark.parametrize(
    "message, category",
    [
        ("my husbend hits me every day", "violence"),
        ("MY HUSBAND BEATS ME", "violence"),
        ("i want to kil myself", "self-harm"),
        ("they took my pasport", "trafficking"),
        ("Mon mari me frappe", "violence"),
        ("شوهرم مرا میزند", "violence"),  # written without the zero-width non-joiner
    ],
)
def test_danger_is_found_despite_typos_case_and_script(matcher, message, category):
    found = matcher.match(message)
    assert found is not None and found.category == category


@pytest.mark.parametrize(
    "message",
    [
        "how do I report discrimination",
        "what is domestic violence law",
        "how do I renew my passport",
        "can my child go to school alone",
        "my employer does not pay me",
        "where is a doctor for back pain",
        "can I work here?",
        "I need a doctor in Lindmark",
        "hello",
        "",
    ],
)
def test_ordinary_questions_are_not_danger(matcher, message):
    assert matcher.match(message) is None


def test_huge_message_is_handled(matcher):
    assert matcher.match("blah " * 20000 + "my husband hits me") is None  # beyond MAX_CHARS
    assert matcher.match("my husband hits me " + "blah " * 20000) is not None


def test_short_phrases_need_an_exact_match():
    small = DangerMatcher({"en": {"violence": ["hit me"]}})
    assert small.match("he hit me") is not None
    assert small.match("he hot me") is None
