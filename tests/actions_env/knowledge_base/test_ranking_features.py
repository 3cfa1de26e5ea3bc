"""Lexical folding (Arabizi, Finglish, skeletons), the all-language lexical search, confidence
features and the index's lexical-features version."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge_base import calibration
from knowledge_base.index import build
from knowledge_base.lexical import FEATURES_VERSION, LexicalIndex, features
from knowledge_base.search import KnowledgeBase, Ranked

from .conftest import CONTENT


def _words(text: str) -> set[str]:
    return {f for f in features(text) if f.startswith(("w:", "k:"))}


def test_arabizi_digits_become_letters_but_numbers_stay_numbers() -> None:
    assert "w:ana" in _words("3ana")  # 3 = ain
    assert "w:hamel" in _words("7amel")  # 7 = h
    assert "w:16" in _words("16")  # a number is not Arabizi


def test_spelling_variants_share_a_skeleton() -> None:
    def skeleton(text: str) -> set[str]:
        return {f for f in _words(text) if f.startswith("k:")}

    assert skeleton("shoghl") == skeleton("shughl")  # Arabizi vowels
    assert skeleton("daktor") == skeleton("doktor") == skeleton("doctor")
    assert skeleton("ضرائب") == skeleton("ضرايب")  # long-vowel letters of written Arabic
    assert "w:lujo" in _words("lujoo2")  # doubled letters collapse, trailing hamza dropped


def test_all_language_search_matches_the_per_language_coverage() -> None:
    texts = ["how do i apply for asylum", "demander l'asile", "asylum seeker card", "trabajo"]
    languages = ["en", "fr", "en", "es"]
    lexical = LexicalIndex.from_texts(texts, languages).prepare()
    docs, _, coverage = lexical.search("asylum card", None)
    assert {0, 2} <= set(docs.tolist()) and 3 not in docs.tolist()
    assert docs[0] == 2  # best coverage first
    assert list(coverage) == sorted(coverage, reverse=True)
    for language in ("en", "fr"):
        own_docs, _, own_coverage = lexical.search("asylum card", language)
        expected = dict(zip(own_docs.tolist(), own_coverage.tolist(), strict=True))
        for doc, value in zip(docs.tolist(), coverage.tolist(), strict=True):
            if languages[doc] == language:
                assert value == pytest.approx(expected[doc], rel=1e-5)


def test_confidence_features_describe_the_top_candidate() -> None:
    ranked = [
        Ranked(0, -1.0, 0.8, 0.5, "hybrid_known", 0.5, "work"),
        Ranked(1, -2.0, 0.6, 0.3, "hybrid_known", 0.3, "work"),
        Ranked(2, -4.0, 0.5, 0.1, "hybrid_known", 0.1, "health"),
    ]
    values = calibration.confidence_features(ranked, "can i work")
    assert set(values) == set(calibration.CONFIDENCE_FEATURES)
    assert values["agree"] == 1.0 and values["xling"] == 0.0
    assert values["dense_lead"] == pytest.approx(0.2)
    assert values["topic_margin"] == pytest.approx(3.0)  # lead over the other topic
    assert values["words"] == pytest.approx(3 / 8)
    assert 0.9 < values["topic_share"] <= 1.0
    # weights shift the confidence; a calibration without them ignores the features
    calibration.use({"confidence": {"hybrid": {"scale": 1.0, "margin_weight": 0.0, "offset": 1.0}}})
    try:
        plain = calibration.confidence([-1.0, -2.0], "hybrid", values)
        calibration.use(
            {
                "confidence": {
                    "hybrid": {
                        "scale": 1.0,
                        "margin_weight": 0.0,
                        "offset": 1.0,
                        "features": {"agree": 2.0},
                    }
                }
            }
        )
        assert calibration.confidence([-1.0, -2.0], "hybrid", values) > plain
    finally:
        calibration.use(None)


def test_rank_fills_profile_topic_and_any_language_score(kb: KnowledgeBase) -> None:
    ranked = kb.rank("asylum", "fr")
    assert ranked and all(r.topic for r in ranked)
    assert all(r.lexical_any >= r.lexical for r in ranked)
    assert {r.profile for r in ranked} <= {"hybrid_known", "xling"}
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)


def test_index_records_its_lexical_features(tmp_path: Path, embedder: object) -> None:
    build(CONTENT, tmp_path, embedder)  # type: ignore[arg-type]
    version = (tmp_path / "CURRENT").read_text(encoding="utf-8").strip()
    manifest = json.loads(
        (tmp_path / "versions" / version / "manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["lexical_features"] == FEATURES_VERSION
    assert np.isfinite(FEATURES_VERSION)
