"""Rasa graph component: a reviewed danger phrase forces the ``emergency`` intent.

Runs after DIET and before the FallbackClassifier. When :mod:`nlu.danger` finds a phrase,
the intent becomes ``emergency`` with confidence 1.0 and ``danger`` (category, language)
is added to the parse output, so ``action_emergency`` can put the right contacts first.
The phrases are read from the content at load time and re-read when the file changes:
adding a phrase needs no retraining.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.content_source import Watched, content_dir
from nlu.danger import DangerMatcher, load_matcher

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"
DANGER = "danger"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class HavenDangerClassifier(GraphComponent):
    """Override the intent with ``emergency`` when a danger phrase is found."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``content_dir``: where ``danger_phrases.yml`` is (default: haven.yml's)."""
        return {"content_dir": None, "intent": EMERGENCY_INTENT}

    def __init__(self, config: dict[str, Any]) -> None:
        self.intent = config["intent"]
        folder = content_dir(config.get("content_dir"))
        self.matcher: Watched[DangerMatcher] = Watched(
            [folder / "danger_phrases.yml", folder / "taxonomy.yml"],
            lambda: load_matcher(str(folder)),
            DangerMatcher({}),
        )
        if len(self.matcher.value) == 0:
            logger.error(
                "no danger phrases loaded from %s: emergency detection relies on the "
                "intent classifier alone",
                folder,
            )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HavenDangerClassifier:
        """Build the matcher from the content."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Force the emergency intent on messages that contain a danger phrase."""
        matcher = self.matcher.value
        for message in messages:
            found = matcher.match(message.get(TEXT) or "")
            if found is None:
                continue
            intent = {"name": self.intent, "confidence": 1.0}
            ranking = [intent] + [
                r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != self.intent
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            message.set(
                DANGER,
                {"category": found.category, "language": found.language},
                add_to_output=True,
            )
        return messages
