"""The sentence embedder remembers recent messages: same vectors, the model called once."""

from __future__ import annotations

import numpy as np

from nlu import use_featurizer
from nlu.use_featurizer import embed


def test_cached_vectors_equal_fresh_ones_and_skip_the_model(monkeypatch) -> None:
    monkeypatch.setattr(use_featurizer, "_cache", use_featurizer.OrderedDict())
    texts = ["can I work here?", "", "هل يحق لي أن أعمل؟"]
    first = embed(texts)
    calls: list[list[str]] = []
    model = use_featurizer.encoder()
    original = model.encode
    monkeypatch.setattr(model, "encode", lambda batch: calls.append(batch) or original(batch))
    second = embed([*texts, "a new message"])
    assert calls == [["a new message"]]
    np.testing.assert_array_equal(first, second[:3])
    assert not second[1].any()
    assert abs(float(np.linalg.norm(second[3])) - 1.0) < 1e-3


def test_the_cache_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(use_featurizer, "_cache", use_featurizer.OrderedDict())
    monkeypatch.setattr(use_featurizer, "CACHE_SIZE", 3)
    embed([f"message {n}" for n in range(5)])
    assert list(use_featurizer._cache) == ["message 2", "message 3", "message 4"]
