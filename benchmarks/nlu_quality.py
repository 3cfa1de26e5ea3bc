"""NLU quality: per-language intent macro-F1 and accuracy on held-out examples, and SIB-200.

Run with the Rasa environment after training (``make bench-nlu OUT=<json>``)::

    PYTHONPATH=. .venv/rasa/bin/python benchmarks/nlu_quality.py --out results.json

1. **Intents.** Every file of ``benchmarks/data/nlu_heldout/`` holds examples that are NOT in
   the training data (``bot/data/nlu``). Languages with training data ("trained") and
   languages without any ("unseen": de, it, pt) are reported separately. The trained model
   (``models/haven.tar.gz``) parses each example through the whole pipeline (language
   detector, featurizers, DIET, danger matcher, fallback); ``nlu_fallback`` counts as wrong.
   Baseline measured in the same run: nearest training example by USE cosine (the featurizer
   alone, no DIET); the table shows the ratio model/baseline.
2. **Language detection.** Accuracy of the detected language on the held-out examples of
   the supported languages (``None`` = undecided, counted as wrong).
3. **SIB-200 cross-lingual transfer.** Topic classification of the 204 FLORES sentences:
   a logistic regression on the same sentence features (USE multilingual v3) is trained on
   English rows only, with 5-fold cross-validation by sentence (``index_id``): each fold's
   English training sentences never appear, in any language, in its test rows. Non-English
   rows are only ever used for testing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HELDOUT = ROOT / "benchmarks" / "data" / "nlu_heldout"
TRAINING = ROOT / "bot" / "data" / "nlu"
SIB = Path(os.environ.get("HAVEN_EVAL_DATA", ROOT.parent / "shared" / "eval-data")) / "sib-200"
TARGET_TRAINED, TARGET_UNSEEN = 0.90, 0.75


def load_heldout(directory: Path = HELDOUT) -> dict[str, list[tuple[str, str]]]:
    """Language → [(text, intent)] of the evaluation files in ``directory``.

    Files are either ``{language, examples: [{text, intent}]}`` or Rasa NLU training files
    (``nlu: [{intent, metadata: {language}, examples}]``, e.g. ``benchmarks/data/nlu_dev``).
    """
    data: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(directory.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "nlu" not in content:
            data[content["language"]] = [(e["text"], e["intent"]) for e in content["examples"]]
            continue
        for block in content["nlu"]:
            if "intent" not in block:
                continue
            language = (block.get("metadata") or {}).get("language", path.stem)
            for line in str(block["examples"]).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    data.setdefault(language, []).append((line[2:].strip(), block["intent"]))
    return data


def load_training() -> tuple[list[str], list[str], set[str]]:
    """Texts and intents of the training data, and the languages it covers."""
    texts, intents, languages = [], [], set()
    for path in sorted(TRAINING.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in content.get("nlu", []):
            if "intent" not in block:
                continue
            languages.add((block.get("metadata") or {}).get("language", path.stem))
            for line in str(block["examples"]).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(line[2:].strip())
                    intents.append(block["intent"])
    return texts, intents, languages


def metrics(gold: list[str], predicted: list[str]) -> dict[str, float]:
    """Macro-F1 over the gold intents, and accuracy."""
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(gold))
    return {
        "macro_f1": round(
            float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)), 4
        ),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "n": len(gold),
    }


async def parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    """Parse texts with the trained model (the whole NLU pipeline)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def nearest_neighbour(
    train_vectors: np.ndarray, train_intents: list[str], vectors: np.ndarray
) -> list[str]:
    """Baseline: the intent of the most similar training example."""
    best = np.argmax(vectors @ train_vectors.T, axis=1)
    return [train_intents[i] for i in best]


def intent_benchmark(model: Path, heldout_dir: Path = HELDOUT) -> dict[str, Any]:
    from nlu.use_featurizer import embed

    heldout = load_heldout(heldout_dir)
    train_texts, train_intents, trained_languages = load_training()
    train_vectors = embed(train_texts)
    flat = [(lang, text, intent) for lang, rows in heldout.items() for text, intent in rows]
    started = time.perf_counter()
    parsed = asyncio.run(parse_all(model, [text for _, text, _ in flat]))
    parse_s = time.perf_counter() - started
    baseline = nearest_neighbour(train_vectors, train_intents, embed([t for _, t, _ in flat]))
    per_language: dict[str, Any] = {}
    detection: dict[str, list[bool]] = defaultdict(list)
    for language in heldout:
        rows = [i for i, (lang, _, _) in enumerate(flat) if lang == language]
        gold = [flat[i][2] for i in rows]
        predicted = [parsed[i]["intent"]["name"] for i in rows]
        result = metrics(gold, predicted)
        base = metrics(gold, [baseline[i] for i in rows])
        result["baseline_nn_macro_f1"] = base["macro_f1"]
        result["ratio_to_baseline"] = (
            round(result["macro_f1"] / base["macro_f1"], 3) if base["macro_f1"] else None
        )
        result["trained"] = language in trained_languages
        result["errors"] = [
            {"text": flat[i][1], "gold": flat[i][2], "predicted": parsed[i]["intent"]["name"]}
            for i in rows
            if parsed[i]["intent"]["name"] != flat[i][2]
        ]
        if language in trained_languages:
            for i in rows:
                detection[language].append(parsed[i].get("language") == language)
        per_language[language] = result
    groups = {}
    for name, trained in (("trained", True), ("unseen", False)):
        rows = [
            i for i, (lang, _, _) in enumerate(flat) if per_language[lang]["trained"] == trained
        ]
        if rows:
            groups[name] = metrics(
                [flat[i][2] for i in rows], [parsed[i]["intent"]["name"] for i in rows]
            )
            groups[name]["worst_language_macro_f1"] = min(
                per_language[lang]["macro_f1"]
                for lang in per_language
                if per_language[lang]["trained"] == trained
            )
    return {
        "per_language": per_language,
        "groups": groups,
        "language_detection_accuracy": {
            lang: round(sum(ok) / len(ok), 4) for lang, ok in sorted(detection.items())
        },
        "parse_ms_per_message": round(1000 * parse_s / max(1, len(flat)), 2),
    }


def sib_benchmark(folds: int = 5) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    from nlu.use_featurizer import embed

    path = SIB / "test.jsonl"
    if not path.exists():
        return {"error": f"{path} not found"}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    vectors = embed([r["text"] for r in rows])
    ids = sorted({r["index_id"] for r in rows})
    rng = np.random.default_rng(42)
    fold_of = {index_id: k % folds for k, index_id in enumerate(rng.permutation(ids))}
    gold: dict[str, list[str]] = defaultdict(list)
    predicted: dict[str, list[str]] = defaultdict(list)
    for fold in range(folds):
        train = [
            i
            for i, r in enumerate(rows)
            if r["language"] == "eng_Latn" and fold_of[r["index_id"]] != fold
        ]
        test = [i for i, r in enumerate(rows) if fold_of[r["index_id"]] == fold]
        classifier = LogisticRegression(max_iter=2000, C=4.0)
        classifier.fit(vectors[train], [rows[i]["category"] for i in train])
        for i, label in zip(test, classifier.predict(vectors[test]), strict=True):
            gold[rows[i]["language"]].append(rows[i]["category"])
            predicted[rows[i]["language"]].append(str(label))
    result = {}
    for language in sorted(gold):
        result[language] = {
            "macro_f1": round(
                float(
                    f1_score(gold[language], predicted[language], average="macro", zero_division=0)
                ),
                4,
            ),
            "accuracy": round(float(accuracy_score(gold[language], predicted[language])), 4),
            "n": len(gold[language]),
        }
    return {
        "method": f"USE-m3 sentence features + logistic regression, trained on English "
        f"only, {folds}-fold CV by sentence",
        "per_language": result,
    }


def print_tables(report: dict[str, Any]) -> None:
    intents = report["intents"]
    print("\nIntent classification on held-out examples (whole NLU pipeline)")
    print(
        f"{'lang':6}{'trained':>8}{'n':>5}{'macroF1':>9}{'acc':>7}{'NN-base':>9}{'ratio':>7}"
        f"{'lang-id':>9}"
    )
    for lang, r in sorted(
        intents["per_language"].items(), key=lambda x: (not x[1]["trained"], x[0])
    ):
        lid = intents["language_detection_accuracy"].get(lang)
        print(
            f"{lang:6}{'yes' if r['trained'] else 'no':>8}{r['n']:>5}{r['macro_f1']:>9.3f}"
            f"{r['accuracy']:>7.3f}{r['baseline_nn_macro_f1']:>9.3f}"
            f"{r['ratio_to_baseline'] or 0:>7.2f}"
            f"{lid if lid is not None else '-':>9}"
        )
    for name, g in intents["groups"].items():
        target = TARGET_TRAINED if name == "trained" else TARGET_UNSEEN
        verdict = "meets" if g["worst_language_macro_f1"] >= target else "BELOW"
        print(
            f"{name:8} macro-F1 {g['macro_f1']:.3f} acc {g['accuracy']:.3f}  worst language "
            f"{g['worst_language_macro_f1']:.3f} ({verdict} target {target})"
        )
    sib = report["sib200"]
    if "per_language" in sib:
        print(f"\nSIB-200 topic transfer ({sib['method']})")
        for lang, r in sib["per_language"].items():
            print(f"{lang:10}{r['macro_f1']:>8.3f}{r['accuracy']:>8.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "haven.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "nlu.json")
    parser.add_argument(
        "--heldout",
        type=Path,
        default=HELDOUT,
        help="directory of evaluation files (default: the held-out set; "
        "benchmarks/data/nlu_dev for development)",
    )
    parser.add_argument("--skip-sib", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no per-message debug lines
    if not args.model.exists():
        print(f"no trained model at {args.model}: run `make train` first", file=sys.stderr)
        return 2
    report = {
        "model": str(args.model),
        "heldout": str(args.heldout),
        "intents": intent_benchmark(args.model, args.heldout),
        "sib200": {"skipped": True} if args.skip_sib else sib_benchmark(),
    }
    print_tables(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
