"""Fit the fusion weights and the confidence calibration on the engine's OWN development queries.

    python benchmarks/kb_calibrate.py [--kb knowledge_base/content]
        [--queries benchmarks/datasets/dev_queries.jsonl] [--write]

Never run this on the evaluation sets or on ``benchmarks/data/kb_queries.jsonl`` (held out).
The queries are split by their ``split`` field (``tune`` fits, ``check`` checks; see
``benchmarks/datasets/make_dev_queries.py``); files without it are split even / odd lines.

1. Per profile (see ``knowledge_base/calibration.py``) a logistic regression over every
   candidate entry: features (dense cosine, lexical coverage, lexical coverage with the fallback
   language), label "is a relevant entry". Its coefficients become ``a * w`` and ``c``;
   candidates are ranked by that log-odds. Profiles with fewer than ``--min-positives`` examples
   keep their defaults.
2. A second logistic regression over queries: P(the query has a relevant entry | best log-odds,
   margin, ``calibration.confidence_features``).
3. The decline threshold: the lowest (answering most) that still declines at least 92% of the
   out-of-scope questions of the fitting queries (the goal is 90%).

Steps 2 and 3 use the ``tune`` queries plus 4 noisy copies of each (a letter dropped, swapped
or doubled, a word dropped: ``--augment``): real messages are noisier than anything written to
test. Step 1 uses the clean queries only: fitted on the noisy copies, the ranking trusted words
over the embedder so much that "Do I have the right to work?" went to the school entry.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, load_kb, open_index
from benchmarks.kb_quality import METHODS, evaluate, print_report, read_queries
from knowledge_base import calibration


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.001) -> np.ndarray:
    """Weights (last one the intercept) minimising the L2-regularised log loss."""
    # No class re-weighting: candidates of different profiles are ranked against each other by
    # their log-odds, so each profile's intercept must carry its true base rate.
    design = np.hstack([x, np.ones((len(x), 1))])
    sample_weight = np.ones(len(y))

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        z = design @ beta
        p = 1 / (1 + np.exp(-z))
        eps = 1e-9
        value = -np.mean(sample_weight * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
        grad = design.T @ (sample_weight * (p - y)) / len(y)
        value += l2 * float(beta[:-1] @ beta[:-1])
        grad[:-1] += 2 * l2 * beta[:-1]
        return value, grad

    return minimize(loss, np.zeros(design.shape[1]), jac=True, method="L-BFGS-B").x


Example = tuple[float, float, float, int]  # dense, lexical, lexical (+ fallback language), label


def candidate_examples(
    kb: Any, queries: list[dict[str, Any]], vectors: np.ndarray
) -> dict[str, list[Example]]:
    """(dense, lexical, lexical_any, label) of every candidate of every query, per profile."""
    snapshot = kb._snapshot
    examples: dict[str, list[Example]] = defaultdict(list)
    for query, vector in zip(queries, vectors, strict=True):
        language = query.get("language")
        relevant = set(query["relevant"])
        for method in ("hybrid", "dense", "bm25"):
            for r in kb.rank(
                query["query"],
                language,
                method=method,
                snapshot=snapshot,
                limit=200,
                query_vector=vector,
            ):
                has = language is None or language in snapshot.entry_languages[r.entry]
                name = calibration.profile(method, language, snapshot.embedder_languages, has)
                if name.startswith("xling"):
                    continue  # simulated below, where there are far more examples
                label = int(snapshot.faq_ids[r.entry] in relevant)
                examples[name].append((r.dense, r.lexical, r.lexical_any, label))
        _simulate_cross_lingual(snapshot, query, vector, examples)
    return examples


def _simulate_cross_lingual(
    snapshot: Any,
    query: dict[str, Any],
    vector: np.ndarray,
    examples: dict[str, list[Example]],
) -> None:
    """Cross-lingual examples: score every entry as if it had no text in the query language.

    The dense score of an entry is then its best phrasing in *another* language, which is
    exactly what the engine sees for an entry that was never translated into the query language;
    its lexical score in the fallback language (see ``KnowledgeBase.rank``) is kept, unless the
    query is in that language.
    """
    language = query.get("language")
    if language is None:
        return
    vectors = _all_vectors(snapshot)
    other = np.asarray([lang != language for lang in snapshot.doc_language])
    scores = vectors[other] @ np.asarray(vector, np.float32)
    entries = snapshot.doc_entry[other]
    best = np.full(len(snapshot.faq_ids), -1.0, np.float32)
    np.maximum.at(best, entries, scores)
    known = snapshot.embedder_languages is None or language in snapshot.embedder_languages
    name = "xling" if known else "xling_unknown"
    relevant = set(query["relevant"])
    lexical_any = np.zeros(len(snapshot.faq_ids), np.float32)
    if snapshot.fallback_language != language:
        docs, _, coverage = snapshot.lexical.search(query["query"], snapshot.fallback_language, 400)
        for doc, value in zip(docs.tolist(), coverage.tolist(), strict=True):
            entry = int(snapshot.doc_entry[doc])
            lexical_any[entry] = max(lexical_any[entry], value)
    for entry in np.argsort(-best)[:64]:
        label = int(snapshot.faq_ids[entry] in relevant)
        examples[name].append((float(best[entry]), 0.0, float(lexical_any[entry]), label))


_VECTORS: dict[str, np.ndarray] = {}


def _all_vectors(snapshot: Any) -> np.ndarray:
    if snapshot.version not in _VECTORS:
        _VECTORS[snapshot.version] = snapshot.dense.reconstruct_n(0, snapshot.dense.ntotal)
    return _VECTORS[snapshot.version]


def fit_profiles(examples: dict[str, list[Example]], min_positives: int) -> dict[str, Any]:
    """Per-profile weights and scale."""
    profiles = json.loads(json.dumps(calibration.DEFAULTS["profiles"]))
    for name, rows in examples.items():
        data = np.asarray(rows, dtype=np.float64)
        labels = data[:, 3]
        positives = int(labels.sum())
        if positives < min_positives:
            print(f"  {name}: {positives} positive examples, keeping the defaults")
            continue
        if name.startswith("dense"):
            beta = _fit_logistic(data[:, :1], labels)
            weights, scale, intercept = [1.0, 0.0], float(beta[0]), float(beta[1])
        elif name == "bm25":
            beta = _fit_logistic(data[:, 1:2], labels)
            weights, scale, intercept = [0.0, 1.0], float(beta[0]), float(beta[1])
        elif name.startswith("xling"):  # dense and lexical in other languages
            beta = _fit_logistic(data[:, [0, 2]], labels)
            scale = float(beta[0]) if beta[0] > 1e-6 else 1.0
            weights, intercept = [1.0, 0.0, float(beta[1]) / scale], float(beta[2])
        else:
            beta = _fit_logistic(data[:, :3], labels)
            scale = float(beta[0]) if beta[0] > 1e-6 else 1.0
            weights = [1.0, float(beta[1]) / scale, float(beta[2]) / scale]
            intercept = float(beta[3])
        profiles[name] = {
            "w": [round(w, 3) for w in weights],
            "a": round(scale, 3),
            "c": round(intercept, 3),
        }
        print(f"  {name}: {len(rows)} candidates, {positives} relevant -> {profiles[name]}")
    return profiles


def fit_confidence(
    kb: Any, queries: list[dict[str, Any]], vectors: np.ndarray, method: str
) -> dict[str, Any]:
    """scale, margin_weight, offset and feature weights of one ranking method's confidence.

    The label is "the query has a relevant entry" (in scope): the confidence decides between
    answering and declining, and a top candidate that is a close neighbour of the right entry
    (same topic) still makes an in-scope question. Features are standardised for the fit (so the
    L2 penalty treats them alike) and the weights converted back to raw values.
    """
    cap = calibration.DEFAULTS["margin_cap"]
    names = calibration.CONFIDENCE_FEATURES
    rows, labels = [], []
    for query, vector in zip(queries, vectors, strict=True):
        ranked = kb.rank(
            query["query"], query.get("language"), method=method, query_vector=vector, limit=10
        )
        if not ranked:
            continue
        best = ranked[0].score
        second = ranked[1].score if len(ranked) > 1 else best - cap
        extra = calibration.confidence_features(ranked, query["query"])
        rows.append((best, min(best - second, cap), *[extra[n] for n in names]))
        labels.append(int(bool(query["relevant"])))
    x = np.asarray(rows)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std < 1e-9] = 1.0  # constant feature (e.g. lexical for dense): weight 0
    beta = _fit_logistic((x - mean) / std, np.asarray(labels, dtype=np.float64), l2=0.003)
    raw = beta[:-1] / std
    offset = float(beta[-1] - (raw * mean).sum())
    return {
        "scale": round(float(raw[0]), 4),
        "margin_weight": round(float(raw[1]), 4),
        "offset": round(offset, 4),
        "features": {n: round(float(b), 4) for n, b in zip(names, raw[2:], strict=True)},
    }


def search_threshold(
    kb: Any, queries: list[dict[str, Any]], vectors: np.ndarray, method: str
) -> float:
    """Lowest threshold (most answers) that still declines 92% of out-of-scope fitting queries."""
    confidences, answerable = [], []
    for query, vector in zip(queries, vectors, strict=True):
        ranked = kb.rank(
            query["query"], query.get("language"), method=method, query_vector=vector, limit=10
        )
        confidences.append(
            calibration.confidence(
                [r.score for r in ranked],
                method,
                calibration.confidence_features(ranked, query["query"]),
            )
        )
        answerable.append(bool(query["relevant"]))
    conf = np.asarray(confidences)
    mask = np.asarray(answerable)
    grid = np.round(np.arange(0.05, 0.951, 0.005), 4)
    answer = np.asarray([(conf[mask] >= t).mean() for t in grid])
    decline = np.asarray([(conf[~mask] < t).mean() for t in grid])
    # Answer as much as possible while declining at least DECLINE_TARGET of the out-of-scope
    # questions (the product's safety floor, with a margin over the 90% goal).
    ok = decline >= DECLINE_TARGET
    if ok.any():
        return float(grid[ok][np.argmax(answer[ok])])
    values = answer + decline
    return float(np.median(grid[values >= values.max() - 1e-9]))


DECLINE_TARGET = 0.92


def noisy(queries: list[dict[str, Any]], copies: int, seed: int) -> list[dict[str, Any]]:
    """Copies of the queries with the noise of real messages: a letter dropped, swapped or
    doubled in some words, a word dropped from longer messages. Same labels."""
    rng = random.Random(seed)
    result = []
    for query in queries:
        for _ in range(copies):
            words = query["query"].split()
            if len(words) >= 3 and rng.random() < 0.3:
                del words[rng.randrange(len(words))]
            for n, word in enumerate(words):
                if len(word) >= 4 and rng.random() < 0.35:
                    i = rng.randrange(1, len(word) - 1)
                    kind = rng.randrange(3)
                    if kind == 0:
                        word = word[:i] + word[i + 1 :]
                    elif kind == 1:
                        word = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
                    else:
                        word = word[:i] + word[i] + word[i:]
                    words[n] = word
            text = " ".join(words)
            if text != query["query"]:
                result.append({**query, "query": text})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", default=str(ROOT / "knowledge_base" / "content"))
    parser.add_argument(
        "--queries", default=str(ROOT / "benchmarks" / "datasets" / "dev_queries.jsonl")
    )
    parser.add_argument("--min-positives", type=int, default=8)
    parser.add_argument("--write", action="store_true", help="write calibration.json")
    parser.add_argument("--out", help="also write the fitted parameters to this JSON file")
    parser.add_argument(
        "--augment",
        type=int,
        default=4,
        help="noisy copies (typos, dropped words) of every fitting query (default 4)",
    )
    args = parser.parse_args(argv)
    if "kb_queries" in Path(args.queries).name or "eval-data" in args.queries:
        raise SystemExit("refusing to calibrate on held-out or evaluation data")

    from knowledge_base.embedding import make_embedder

    embedder = make_embedder()
    queries = read_queries(args.queries)
    if all("split" in q for q in queries):
        fit = [q for q in queries if q["split"] == "tune"]
        check = [q for q in queries if q["split"] != "tune"]
        halves = "split tune", "split check"
    else:
        fit, check = queries[0::2], queries[1::2]
        halves = "even lines", "odd lines"
    noisy_check = noisy(check, 1, seed=7)
    clean_fit = fit
    if args.augment:
        fit = fit + noisy(fit, args.augment, seed=1)
    with tempfile.TemporaryDirectory(prefix="kb-calibrate-") as folder:
        kb = open_index(load_kb(args.kb), Path(folder), embedder)
        fit_vectors = kb.encoder.encode_many([q["query"] for q in fit])
        check_vectors = kb.encoder.encode_many([q["query"] for q in check])
        calibration.use({})
        print("before (defaults), checking half:")
        print_report(evaluate(kb, check))
        print("fitting profiles:")
        clean_vectors = fit_vectors[: len(clean_fit)]  # the noisy copies come after
        profiles = fit_profiles(
            candidate_examples(kb, clean_fit, clean_vectors), args.min_positives
        )
        fitted: dict[str, Any] = {"profiles": profiles}
        calibration.use(fitted)
        fitted["confidence"] = {m: fit_confidence(kb, fit, fit_vectors, m) for m in METHODS}
        calibration.use(fitted)
        fitted["threshold"] = {m: search_threshold(kb, fit, fit_vectors, m) for m in METHODS}
        calibration.use(fitted)
        print("fitted:", json.dumps(fitted))
        print("after, fitting half:")
        print_report(evaluate(kb, fit))
        print("after, checking half (not used for fitting):")
        print_report(evaluate(kb, check))
        print("after, checking half with typos and dropped words (one noisy copy each):")
        print_report(evaluate(kb, noisy_check))
        del check_vectors
    if args.out:
        Path(args.out).write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    if args.write:
        fitted["fitted_on"] = (
            f"{Path(args.queries).name}, {halves[0]} ({len(fit)} queries); "
            f"checked on {halves[1]} ({len(check)})"
        )
        calibration.CALIBRATION_FILE.write_text(
            json.dumps(fitted, indent=2) + "\n", encoding="utf-8"
        )
        print(f"wrote {calibration.CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
