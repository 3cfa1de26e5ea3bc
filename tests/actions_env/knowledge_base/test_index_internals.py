"""Dense index choice (exact vs IVF with recall check), embedding cache, command-line build."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge_base import index as index_module
from knowledge_base.cli import main
from knowledge_base.index import EmbeddingCache, dense_index, text_key

from .conftest import CONTENT


def _clustered(count: int, dim: int = 64, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((count // 20, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), count)]
    vectors += 0.3 * rng.standard_normal((count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_exact_index_below_the_limit_and_ivf_above(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = _clustered(4000)
    small, kind = dense_index(vectors[:500])
    assert kind == "flat" and small.ntotal == 500
    monkeypatch.setattr(index_module, "EXACT_LIMIT", 1000)
    ivf, kind = dense_index(vectors)
    assert kind.startswith("ivf") and ivf.ntotal == 4000
    queries = vectors[:50] + 0.05 * np.random.default_rng(3).standard_normal((50, 64)).astype(
        np.float32
    )
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    _, found = ivf.search(queries, 10)
    recall = np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found, exact, strict=True)])
    assert recall >= 0.9
    # an incremental rebuild reuses the trained quantizer
    again, kind_again = dense_index(vectors[:3900], previous=ivf)
    assert again.nlist == ivf.nlist and kind_again.startswith(f"ivf{ivf.nlist}")
    assert np.allclose(
        again.quantizer.reconstruct_n(0, again.nlist), ivf.quantizer.reconstruct_n(0, ivf.nlist)
    )


def test_embedding_cache_shards_and_compaction(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, 4)
    cache.add(["a", "b"], np.eye(4, dtype=np.float32)[:2])
    cache.save()
    cache = EmbeddingCache(tmp_path, 4)
    cache.add(["c"], np.eye(4, dtype=np.float32)[2:3])
    cache.save()
    assert len(list(tmp_path.glob("shard-*.keys.npy"))) == 2
    vectors, missing = EmbeddingCache(tmp_path, 4).lookup(["c", "x", "a"])
    assert missing == [1] and vectors[0, 2] == 1.0 and vectors[2, 0] == 1.0
    cache.save(used={text_key("c")})  # most of the cache unused: compacted into one shard
    assert len(list(tmp_path.glob("shard-*.keys.npy"))) == 1
    assert EmbeddingCache(tmp_path, 4).lookup(["c", "a"])[1] == [1]
    (tmp_path / next(p.name for p in tmp_path.glob("shard-*.vectors.npy"))).write_bytes(b"junk")
    assert EmbeddingCache(tmp_path, 4).lookup(["c"])[1] == [0]  # unreadable shard: re-embed


def test_cli_build_and_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], embedder: object
) -> None:
    args = ["--content", str(CONTENT), "--index", str(tmp_path), "-q"]
    assert main([*args, "build"]) == 0
    assert "is live" in capsys.readouterr().out
    assert main([*args, "search", "do I need a work permit", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ANSWER") and "work-permit" in out
    assert main([*args, "search", "recipe for chocolate cake", "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("DECLINED")
