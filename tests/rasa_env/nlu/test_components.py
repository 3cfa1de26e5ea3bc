"""The NLU graph components with real Rasa objects (messages, training data, model storage)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from haven import settings
from nlu.danger_classifier import HavenDangerClassifier
from nlu.entity_matcher import HavenEntityMatcher
from nlu.language_detector import MAX_TEXT_CHARS, HavenLanguageDetector
from nlu.multilingual_intent import HavenMultilingualIntentClassifier
from nlu.use_featurizer import HavenUseFeaturizer

CONTENT = settings.project_path("knowledge_base/content")


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    (tmp_path / "model").mkdir()
    return LocalModelStorage(tmp_path / "model")


@pytest.fixture()
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="test_node")


def message(text: str, **data) -> Message:
    return Message(data={"text": text, **data})


def example(text: str, intent: str, language: str) -> Message:
    return Message(
        data={"text": text, "intent": intent, "metadata": {"intent": {"language": language}}}
    )


def entities(found: Message) -> list[tuple[str, str]]:
    return [(e["entity"], e["value"]) for e in found.get("entities") or []]


def test_danger_classifier_forces_emergency_over_any_intent(storage, context):
    component = HavenDangerClassifier.create(
        HavenDangerClassifier.get_default_config(), storage, Resource("danger"), context
    )
    asked = message(
        "my husbend beats me",
        intent={"name": "ask_question", "confidence": 0.9},
        intent_ranking=[{"name": "ask_question", "confidence": 0.9}],
    )
    calm = message("can I work here", intent={"name": "ask_question", "confidence": 0.9})
    component.process([asked, calm])
    assert asked.get("intent") == {"name": "emergency", "confidence": 1.0}
    assert asked.get("intent_ranking")[0]["name"] == "emergency"
    assert asked.get("danger") == {"category": "violence", "language": "en"}
    assert calm.get("intent")["name"] == "ask_question"
    assert "danger" in asked.as_dict(only_output_properties=True)


def test_danger_phrases_reload_without_retraining(tmp_path, storage, context):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    config = {**HavenDangerClassifier.get_default_config(), "content_dir": str(content)}
    component = HavenDangerClassifier.create(config, storage, Resource("danger"), context)
    text = "the purple dragon ate my papers"
    assert component.matcher.value.match(text) is None
    path = content / "danger_phrases.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["phrases"]["en"]["violence"].append("purple dragon ate my papers")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    component.matcher.refresh(force=True)
    assert component.matcher.value.match(text) is not None


def test_broken_danger_file_keeps_the_last_good_phrases(tmp_path, storage, context):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    config = {**HavenDangerClassifier.get_default_config(), "content_dir": str(content)}
    component = HavenDangerClassifier.create(config, storage, Resource("danger"), context)
    (content / "danger_phrases.yml").write_text("phrases: [unclosed", encoding="utf-8")
    component.matcher.refresh(force=True)
    assert component.matcher.last_error
    assert component.matcher.value.match("my husband hits me") is not None


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("I need a doctor in Lindmark", "en", [("category", "health"), ("city", "lindmark")]),
        (
            "je cherche un avocat à Port-Solène",
            "fr",
            [("category", "legal-aid"), ("city", "port-solenne")],
        ),
        ("в Линдмарке нужен врач", "ru", [("city", "lindmark"), ("category", "health")]),
        ("أريد طبيب في ليندمارك", "ar", [("category", "health"), ("city", "lindmark")]),
        ("i live in lindmrak", "en", [("city", "lindmark")]),
        ("español", "es", [("language", "es")]),
        ("in arabic please", "en", [("language", "ar")]),
        ("۳", None, [("number", "3")]),
        ("option 2", "en", [("number", "2")]),
        ("hasta pronto", "es", []),  # Turkish "hasta" (ill) is not a Spanish health word
    ],
)
def test_entity_matcher(storage, context, text, language, expected):
    component = HavenEntityMatcher.create({"content_dir": None}, storage, Resource("e"), context)
    found = message(text, language=language)
    component.process([found])
    assert entities(found) == expected
    for entity in found.get("entities") or []:
        assert entity["extractor"] == "HavenEntityMatcher"


def test_a_new_city_needs_no_retraining(tmp_path, storage, context):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    config = {"content_dir": str(content)}
    component = HavenEntityMatcher.create(config, storage, Resource("e"), context)
    assert component.extract("I am in Novaburg", "en") == []
    path = content / "taxonomy.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["cities"]["novaburg"] = {
        "latitude": 1.0,
        "longitude": 2.0,
        "names": {"en": ["Novaburg"], "ru": ["Новабург"]},
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    component.vocabulary.refresh(force=True)
    assert [(e["entity"], e["value"]) for e in component.extract("I am in Novaburg", "en")] == [
        ("city", "novaburg")
    ]
    assert component.extract("я в Новабург", "ru")[0]["value"] == "novaburg"


def test_use_featurizer_adds_512_dimensional_sentence_features(storage, context):
    component = HavenUseFeaturizer.create(
        HavenUseFeaturizer.get_default_config(), storage, Resource("use"), context
    )
    english, french = message("can I work here"), message("est-ce que je peux travailler ici")
    component.process([english, french])
    _, sentence_en = english.get_dense_features("text")
    _, sentence_fr = french.get_dense_features("text")
    assert sentence_en.features.shape == (1, 512)
    assert float(sentence_en.features @ sentence_fr.features.T) > 0.6  # cross-lingual
    assert "text_features" not in english.as_dict(only_output_properties=True)


def test_use_featurizer_gives_empty_text_a_zero_vector(storage, context):
    # DIET needs the same inputs for every message: an empty one must not lose its
    # sentence feature (it made /model/parse answer 500, found by the webhook fuzz tests).
    component = HavenUseFeaturizer.create(
        HavenUseFeaturizer.get_default_config(), storage, Resource("use"), context
    )
    empty = message("")
    component.process([empty])
    _, sentence = empty.get_dense_features("text")
    assert sentence is not None and sentence.features.shape == (1, 512)
    assert not sentence.features.any()


def test_language_detector_learns_from_training_metadata(storage, context):
    config = HavenLanguageDetector.get_default_config()
    detector = HavenLanguageDetector.create(config, storage, Resource("lang"), context)
    data = TrainingData([example("iska warran", "greet", "so"), example("hello", "greet", "en")])
    resource = detector.train(data)
    loaded = HavenLanguageDetector.load(config, storage, resource, context)
    found = message("iska warran")
    loaded.process([found])
    assert found.get("language") == "so"
    assert found.as_dict(only_output_properties=True)["language"] == "so"


def test_language_detector_cuts_huge_text_for_the_whole_pipeline(storage, context):
    config = HavenLanguageDetector.get_default_config()
    detector = HavenLanguageDetector.create(config, storage, Resource("lang"), context)
    huge = message("can I work here " * 10_000)
    detector.process([huge])
    assert len(huge.get("text")) == MAX_TEXT_CHARS
    assert huge.get("language") == "en"


def test_multilingual_intent_classifier_transfers_to_unseen_languages(storage, context):
    featurizer = HavenUseFeaturizer.create(
        HavenUseFeaturizer.get_default_config(), storage, Resource("use"), context
    )
    data = TrainingData(
        [
            example("hello", "greet", "en"),
            example("hi there", "greet", "en"),
            example("good morning", "greet", "en"),
            example("thank you so much", "thanks", "en"),
            example("thanks a lot", "thanks", "en"),
            example("many thanks for your help", "thanks", "en"),
            example("can I work here?", "ask_question", "en"),
            example("how do I get a work permit", "ask_question", "en"),
            example("is the hospital free", "ask_question", "en"),
        ]
    )
    featurizer.process_training_data(data)
    config = HavenMultilingualIntentClassifier.get_default_config()
    classifier = HavenMultilingualIntentClassifier.create(config, storage, Resource("mi"), context)
    resource = classifier.train(data)
    loaded = HavenMultilingualIntentClassifier.load(config, storage, resource, context)
    assert loaded.vectors.shape == (9, 512)
    cases = {
        "vielen dank": "thanks",
        "darf ich hier arbeiten?": "ask_question",
        "buongiorno": "greet",
    }
    messages = [message(text, intent_ranking=[]) for text in cases]
    loaded.process(messages)
    assert [m.get("intent")["name"] for m in messages] == list(cases.values())
    ranking = messages[0].get("intent_ranking")
    assert np.isclose(sum(r["confidence"] for r in ranking), 1.0, atol=1e-3)


def test_multilingual_intent_classifier_character_vote(storage, context):
    """Close character matches (languages the sentence encoder barely knows) decide the vote;
    a message without any close match keeps the cross-lingual sentence-vector vote."""
    featurizer = HavenUseFeaturizer.create(
        HavenUseFeaturizer.get_default_config(), storage, Resource("use"), context
    )
    data = TrainingData(
        [
            example("ሰላም ከመይ ኣለኹም", "greet", "ti"),
            example("ሰላም ሓወይ", "greet", "ti"),
            example("hello", "greet", "en"),
            example("የቐንየለይ ሓወይ", "thanks", "ti"),
            example("ብጣዕሚ የቐንየለይ", "thanks", "ti"),
            example("thank you so much", "thanks", "en"),
            example("ሓኪም የድልየኒ", "find_service", "ti"),
            example("ጠበቓ የድልየኒ", "find_service", "ti"),
            example("i need a doctor", "find_service", "en"),
        ]
    )
    featurizer.process_training_data(data)
    config = HavenMultilingualIntentClassifier.get_default_config()
    classifier = HavenMultilingualIntentClassifier.create(config, storage, Resource("mi"), context)
    resource = classifier.train(data)
    loaded = HavenMultilingualIntentClassifier.load(config, storage, resource, context)
    assert loaded.texts[0] == "ሰላም ከመይ ኣለኹም"
    cases = {
        "የቐንየለይ ሓፍተይ": "thanks",
        "ሓኪም የድልየኒ ሎሚ": "find_service",
        "vielen dank": "thanks",
    }
    messages = [message(text, intent_ranking=[]) for text in cases]
    loaded.process(messages)
    assert [m.get("intent")["name"] for m in messages] == list(cases.values())
    assert loaded.char_similarities(["ሰላም"]).shape == (1, 9)
    off = HavenMultilingualIntentClassifier.load(
        {**config, "char_weight": 0.0}, storage, resource, context
    )
    assert off.char_similarities(["ሰላም"]) is None
