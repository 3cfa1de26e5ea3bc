"""Rasa graph component: combine DIET with a cross-lingual nearest-neighbour vote.

DIET learns from character n-grams and the multilingual sentence vectors together; on
languages with little or no training data the n-grams of unknown words push it to confident
mistakes. This component, placed right after DIET, keeps the training examples' sentence
vectors (from :mod:`nlu.use_featurizer`) and scores each intent by its most similar examples,
a signal that transfers across languages. The two rankings are mixed with a weight that
depends on how many of the message's words occur in the training data:

    weight_diet = min_diet_weight + (max_diet_weight - min_diet_weight) * known_word_share

so DIET leads on familiar wording and the multilingual vote leads on unfamiliar languages.

The sentence encoder barely knows Pashto, Somali, Tigrinya or Farsi, so its vote is noise in
exactly the languages that need it. A second nearest-neighbour vote on character n-grams
(TF-IDF, ``char_wb``) of the training examples is therefore blended into the neighbour vote,
with a weight gated by how close the best character match is:

    char_share = char_weight * clip((best_char_cosine - gate_low) / (gate_high - gate_low))

A message written like some training example (same language, similar words, typos) is
decided by its character neighbours; a message in a language without training data has no
close character match and keeps the cross-lingual sentence-vector vote (de/it/pt unchanged).
Only intent names, vectors and texts of training examples and known words are stored with the
model (the n-gram index is rebuilt from the texts when the model loads: about 0.1 s).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.language_detection import words
from nlu.use_featurizer import embed


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class HavenMultilingualIntentClassifier(GraphComponent):
    """Mix DIET's intent ranking with a nearest-neighbour vote on sentence vectors."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Neighbours per intent, softmax temperature and the DIET weight range."""
        return {
            "neighbours": 3,
            "temperature": 0.05,
            "min_diet_weight": 0.2,
            "max_diet_weight": 0.8,
            # character n-gram neighbour vote (0 turns it off)
            "char_weight": 0.9,
            "char_temperature": 0.03,
            "char_ngram_range": [2, 4],
            "char_gate_low": 0.2,
            "char_gate_high": 0.6,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectors: np.ndarray | None = None,
        intents: list[str] | None = None,
        vocabulary: set[str] | None = None,
        texts: list[str] | None = None,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.vectors = vectors if vectors is not None else np.zeros((0, 512), dtype=np.float32)
        self.intents = intents or []
        self.vocabulary = vocabulary or set()
        self.texts = texts or []
        self._rows: dict[str, np.ndarray] = {}
        self._rows_for: list[str] | None = None
        self._char_index: tuple[Any, Any] | None = None
        if self.texts and len(self.texts) == len(self.intents) and config.get("char_weight"):
            self._char_index = self._build_char_index(self.texts)

    def _build_char_index(self, texts: list[str]) -> tuple[Any, Any]:
        """A TF-IDF character n-gram vectorizer and the L2-normalised training matrix."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        low, high = self.config.get("char_ngram_range", [2, 4])
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(int(low), int(high)), sublinear_tf=True
        )
        return vectorizer, vectorizer.fit_transform(texts)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HavenMultilingualIntentClassifier:
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the sentence vectors, intents and words of the training examples."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        self.vectors = embed([m.get(TEXT) for m in examples])
        self.intents = [m.get(INTENT) for m in examples]
        self.vocabulary = {w for m in examples for w in words(m.get(TEXT))}
        self.texts = [str(m.get(TEXT)) for m in examples]
        if self.config.get("char_weight") and self.texts:
            self._char_index = self._build_char_index(self.texts)
        with self._model_storage.write_to(self._resource) as directory:
            np.save(directory / "vectors.npy", self.vectors)
            (directory / "meta.json").write_text(
                json.dumps(
                    {
                        "intents": self.intents,
                        "vocabulary": sorted(self.vocabulary),
                        "texts": self.texts,
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> HavenMultilingualIntentClassifier:
        """Load the stored vectors (an untrained classifier passes DIET through)."""
        try:
            with model_storage.read_from(resource) as directory:
                vectors = np.load(directory / "vectors.npy")
                meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        return cls(
            config,
            model_storage,
            resource,
            vectors,
            meta["intents"],
            set(meta["vocabulary"]),
            meta.get("texts"),
        )

    def known_word_share(self, text: str) -> float:
        """Share of the message's words seen in the training data."""
        tokens = words(text)
        if not tokens:
            return 0.0
        return sum(token in self.vocabulary for token in tokens) / len(tokens)

    def neighbour_scores(
        self, vector: np.ndarray, similarities: np.ndarray | None = None
    ) -> dict[str, float]:
        """Per intent, the mean cosine of its ``neighbours`` most similar examples."""
        if similarities is None:
            similarities = self.vectors @ vector
        similarities = np.asarray(similarities, dtype=np.float64)
        if len(similarities) != len(self.intents):
            raise ValueError("one similarity per training example expected")
        k = self.config["neighbours"]
        scores = {}
        for intent, rows in self._rows_by_intent().items():
            values = similarities[rows]
            if len(values) > k:
                values = np.partition(values, len(values) - k)[-k:]
            scores[intent] = float(values.mean())
        return scores

    def _rows_by_intent(self) -> dict[str, np.ndarray]:
        """Row numbers of each intent's training examples (intents in first-seen order)."""
        if self._rows_for is not self.intents:
            rows: dict[str, list[int]] = defaultdict(list)
            for row, intent in enumerate(self.intents):
                rows[intent].append(row)
            self._rows = {intent: np.array(r) for intent, r in rows.items()}
            self._rows_for = self.intents
        return self._rows

    def char_similarities(self, texts: list[str]) -> np.ndarray | None:
        """Cosine of each message's character n-grams with every training example."""
        if self._char_index is None:
            return None
        vectorizer, matrix = self._char_index
        return (vectorizer.transform(texts) @ matrix.T).toarray()

    def neighbour_vote(self, vector: np.ndarray, char_similarities: np.ndarray | None) -> dict:
        """Sentence-vector vote, blended with the character vote when a close match exists."""
        vote = self._softmax(self.neighbour_scores(vector))
        if char_similarities is None or not char_similarities.size:
            return vote
        low, high = self.config["char_gate_low"], self.config["char_gate_high"]
        gate = float(np.clip((char_similarities.max() - low) / (high - low), 0.0, 1.0))
        share = self.config["char_weight"] * gate
        if share <= 0:
            return vote
        chars = self._softmax(
            self.neighbour_scores(vector, char_similarities), self.config["char_temperature"]
        )
        return {n: (1 - share) * vote.get(n, 0.0) + share * chars.get(n, 0.0) for n in vote}

    def _softmax(self, scores: dict[str, float], temperature: float | None = None) -> dict:
        names = list(scores)
        values = np.array([scores[n] for n in names]) / (temperature or self.config["temperature"])
        values = np.exp(values - values.max())
        values /= values.sum()
        return dict(zip(names, values.tolist(), strict=True))

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace the intent and ranking with the mixed ranking."""
        if not self.intents:
            return messages
        texts = [str(m.get(TEXT) or "") for m in messages]
        vectors = embed(texts)
        char_similarities = self.char_similarities(texts)
        for i, (message, text, vector) in enumerate(zip(messages, texts, vectors, strict=True)):
            if not text.strip() or text.startswith("/"):
                continue
            knn = self.neighbour_vote(
                vector, None if char_similarities is None else char_similarities[i]
            )
            diet = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY) or []}
            low, high = self.config["min_diet_weight"], self.config["max_diet_weight"]
            weight = low + (high - low) * self.known_word_share(text) if diet else 0.0
            names = set(knn) | set(diet)
            mixed = {n: weight * diet.get(n, 0.0) + (1 - weight) * knn.get(n, 0.0) for n in names}
            ranking = [
                {"name": name, "confidence": round(score, 6)}
                for name, score in sorted(mixed.items(), key=lambda item: -item[1])
            ][:10]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
