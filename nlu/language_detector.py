"""Rasa graph component that puts the detected language on every message.

It sets ``message.get("language")`` (an ISO 639-1 code, or ``None`` when unsure) and adds it
to the parse output, so custom actions read it from ``tracker.latest_message["language"]``.
The user's explicit choice is kept in the ``language`` slot by the actions and wins over
detection. During training it learns which words belong to which language from the
``metadata: {language: xx}`` of the training examples.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.language_detection import LanguageDetector, Lexicon

LANGUAGE = "language"
# The NLU reads at most this much of a message. The channels already cut messages well below it
# (Telegram 4096, WhatsApp 1600, REST 4000); Rasa's /model/parse does not, and one 200k-character
# token costs the later components ~16 s of CPU while the server's event loop waits.
MAX_TEXT_CHARS = 2000
LANGUAGE_CONFIDENCE = "language_confidence"
DEFAULT_LANGUAGES = ["en", "fr", "es", "ar", "fa", "uk", "ru", "tr", "ps", "ti", "so"]


def example_language(message: Message) -> str | None:
    """The language declared in a training example's metadata (intent- or example-level)."""
    metadata = message.get("metadata") or {}
    for level in ("example", "intent"):
        value = (metadata.get(level) or {}).get(LANGUAGE) if isinstance(metadata, dict) else None
        if value:
            return str(value)
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class HavenLanguageDetector(GraphComponent):
    """Detect the language of each message (script rules, learned lexicon, lingua)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Languages to choose from and the confidence below which the answer is ``None``."""
        return {"languages": DEFAULT_LANGUAGES, "min_confidence": 0.6}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: Lexicon | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.detector = LanguageDetector(
            config["languages"], lexicon=lexicon, min_confidence=config["min_confidence"]
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HavenLanguageDetector:
        """A detector with an empty lexicon (filled by :meth:`train`)."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> HavenLanguageDetector:
        """Load the lexicon learned at training time."""
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / "lexicon.json").read_text(encoding="utf-8"))
            lexicon = Lexicon.from_dict(data)
        except (ValueError, FileNotFoundError):
            lexicon = None
        return cls(config, model_storage, resource, lexicon)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the words of each language from examples that declare their language."""
        lexicon = Lexicon()
        for example in training_data.training_examples:
            language = example_language(example)
            if language and example.get(TEXT):
                lexicon.learn(example.get(TEXT), language)
        self.detector.lexicon = lexicon
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "lexicon.json").write_text(
                json.dumps(lexicon.to_dict(), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples get their declared language (no detection needed)."""
        for example in training_data.training_examples:
            example.set(LANGUAGE, example_language(example))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Set ``language`` (and its confidence) on each message and in the parse output.

        Texts longer than :data:`MAX_TEXT_CHARS` are cut to that length first.
        """
        for message in messages:
            text = message.get(TEXT) or ""
            if len(text) > MAX_TEXT_CHARS:  # first in the pipeline: every later component benefits
                message.set(TEXT, text[:MAX_TEXT_CHARS])
            detection = self.detector.detect(message.get(TEXT) or "")
            message.set(LANGUAGE, detection.language if detection else None, add_to_output=True)
            message.set(
                LANGUAGE_CONFIDENCE,
                detection.confidence if detection else 0.0,
                add_to_output=True,
            )
        return messages
