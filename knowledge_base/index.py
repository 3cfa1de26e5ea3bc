"""Build the search index from a content folder: a new versioned directory, then an atomic switch.

Layout of an index directory (``kb.index_dir``)::

    CURRENT                     name of the version being served (replaced atomically)
    versions/<version>/         one complete, immutable index
        manifest.json           embedder, counts, dense index type, file checksums
        content.pickle          the typed content the index was built from (a snapshot; written
                                and read only by this package, checked by CRC before loading)
        documents.json          every phrasing: entry number, language, text
        dense.faiss             FAISS inner-product index over the document vectors
        lexical.npz, lexical_vocabulary.json   term counts for BM25 (per-language statistics)
    cache/<embedder id>/        embedding cache: vectors keyed by the SHA-256 of each text

A build never touches the version being served. It embeds only texts the cache does not hold,
writes everything into a temporary folder, checks it loads, renames it into ``versions/`` and only
then replaces ``CURRENT``. Broken content stops the build before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import pickle
import shutil
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_base.content import Content, FaqEntry, load_content
from knowledge_base.embedding import Embedder
from knowledge_base.lexical import FEATURES_VERSION, LexicalIndex

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
VERSIONS_DIR = "versions"
CACHE_DIR = "cache"
KEEP_VERSIONS = 3
EXACT_LIMIT = 50_000
"""Up to this many vectors the dense index is exact (flat); above, IVF (see :func:`dense_index`)."""


class IndexLoadError(Exception):
    """An index directory is missing, incomplete or corrupt; the message says which file."""


@dataclass(frozen=True)
class Document:
    """One searchable phrasing: a question or alternative of an FAQ entry in one language."""

    entry: int  # position of the entry in Content.faqs
    language: str
    text: str
    kind: str  # "question" | "alternative"


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    version: str
    path: Path
    documents: int
    embedded: int  # texts that were not in the cache
    seconds: float
    dense_type: str


def documents_of(content: Content) -> list[Document]:
    """Every phrasing of every FAQ entry in every language, in a stable order."""
    documents = []
    for number, entry in enumerate(content.faqs):
        for language, text in entry.translations.items():
            documents.append(Document(number, language, text.question, "question"))
            documents.extend(
                Document(number, language, alt, "alternative") for alt in text.alternatives
            )
    return documents


def text_key(text: str) -> str:
    """Cache key of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Embedding cache
# ---------------------------------------------------------------------------------------------


class EmbeddingCache:
    """Vectors of texts already embedded by one embedder, keyed by the SHA-256 of the text.

    Stored as append-only shards (``shard-N.keys.npy`` + ``shard-N.vectors.npy``, memory-mapped):
    a build writes one small shard with what it embedded, so an incremental build of a large
    base does not rewrite the cache. :meth:`save` compacts the shards into one when more than
    half of the cached vectors are no longer used.
    """

    def __init__(self, folder: Path, dim: int) -> None:
        self.folder = folder
        self.dim = dim
        self._where: dict[str, tuple[int, int]] = {}
        self._shards: list[np.ndarray] = []
        self._new: dict[str, np.ndarray] = {}
        self._load()

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        for keys_file in sorted(self.folder.glob("shard-*.keys.npy"), key=_shard_number):
            vectors_file = keys_file.with_name(keys_file.name.replace(".keys.", ".vectors."))
            try:
                keys = np.load(keys_file, allow_pickle=False)
                vectors = np.load(vectors_file, allow_pickle=False, mmap_mode="r")
                if len(keys) != len(vectors) or vectors.shape[1] != self.dim:
                    raise ValueError("keys and vectors do not match")
            except (OSError, ValueError) as error:
                logger.warning(
                    "embedding cache shard %s is unreadable (%s); ignoring it", keys_file, error
                )
                continue
            shard = len(self._shards)
            self._shards.append(vectors)
            for row, key in enumerate(keys.tolist()):
                self._where[key] = (shard, row)

    def __len__(self) -> int:
        return len(self._where) + len(self._new)

    def lookup(self, texts: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """Vectors for texts (zero rows where missing) and the positions of the missing ones."""
        result = np.zeros((len(texts), self.dim), np.float32)
        missing = []
        wanted: dict[int, tuple[list[int], list[int]]] = {}
        for position, text in enumerate(texts):
            key = text_key(text)
            found = self._where.get(key)
            if found is not None:
                rows, positions = wanted.setdefault(found[0], ([], []))
                rows.append(found[1])
                positions.append(position)
            elif key in self._new:
                result[position] = self._new[key]
            else:
                missing.append(position)
        for shard, (rows, positions) in wanted.items():
            order = np.argsort(rows)  # read the memory map in file order
            result[np.asarray(positions)[order]] = self._shards[shard][np.asarray(rows)[order]]
        return result, missing

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Remember new vectors (written by :meth:`save`)."""
        for text, vector in zip(texts, vectors, strict=True):
            self._new[text_key(text)] = np.asarray(vector, np.float32)

    def save(self, used: set[str] | None = None) -> None:
        """Write new vectors as a shard; compact when over half the cache is unused."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._new:
            number = 1 + max(
                (_shard_number(p) for p in self.folder.glob("shard-*.keys.npy")), default=0
            )
            keys = list(self._new)
            self._write_shard(number, keys, np.stack([self._new[k] for k in keys]))
            shard = len(self._shards)
            self._shards.append(np.load(self.folder / f"shard-{number}.vectors.npy", mmap_mode="r"))
            for row, key in enumerate(keys):
                self._where[key] = (shard, row)
            self._new = {}
        if used is not None and len(self._shards) > 1 and len(used) < len(self._where) / 2:
            self._compact(used)

    def _compact(self, used: set[str]) -> None:
        keys = [k for k in self._where if k in used]
        vectors, _ = self.lookup_keys(keys)
        old = list(self.folder.glob("shard-*.npy"))
        number = 1 + max(_shard_number(p) for p in self.folder.glob("shard-*.keys.npy"))
        self._write_shard(number, keys, vectors)
        for path in old:
            path.unlink(missing_ok=True)
        self._where, self._shards = {}, []
        self._load()

    def lookup_keys(self, keys: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """Like :meth:`lookup` but by cache key."""
        result = np.zeros((len(keys), self.dim), np.float32)
        missing = []
        for position, key in enumerate(keys):
            found = self._where.get(key)
            if found is None:
                missing.append(position)
            else:
                result[position] = self._shards[found[0]][found[1]]
        return result, missing

    def _write_shard(self, number: int, keys: list[str], vectors: np.ndarray) -> None:
        # vectors first, keys last: a shard without its keys file is never read
        for suffix, array in (
            ("vectors", np.asarray(vectors, np.float32)),
            ("keys", np.asarray(keys, dtype="U64")),
        ):
            tmp = self.folder / f".shard-{number}.{suffix}.tmp"
            with open(tmp, "wb") as handle:
                np.save(handle, array, allow_pickle=False)
            os.replace(tmp, self.folder / f"shard-{number}.{suffix}.npy")


def _shard_number(path: Path) -> int:
    try:
        return int(path.name.split(".")[0].split("-")[1])
    except (IndexError, ValueError):
        return 0


def embed_with_cache(
    texts: Sequence[str],
    embedder: Embedder,
    cache: EmbeddingCache,
    batch_size: int = 256,
    progress: bool = False,
) -> tuple[np.ndarray, int]:
    """Vectors of ``texts``, embedding only texts the cache lacks. Returns (vectors, n new)."""
    vectors, missing = cache.lookup(texts)
    if missing:
        unique = list(dict.fromkeys(texts[i] for i in missing))
        bar = _progress(len(unique), "embedding", progress)
        computed: dict[str, np.ndarray] = {}
        for start in range(0, len(unique), batch_size):
            chunk = unique[start : start + batch_size]
            chunk_vectors = embedder.encode(chunk)
            computed.update(zip(chunk, chunk_vectors, strict=True))
            bar(len(chunk))
        bar(0, close=True)
        cache.add(list(computed), np.stack(list(computed.values())))
        for position in missing:
            vectors[position] = computed[texts[position]]
        return vectors, len(unique)
    return vectors, 0


def _progress(total: int, label: str, enabled: bool) -> Callable[..., None]:
    if not enabled or total < 200:
        return lambda n, close=False: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="text")

    def update(n: int, close: bool = False) -> None:
        bar.update(n)
        if close:
            bar.close()

    return update


# ---------------------------------------------------------------------------------------------
# Dense index
# ---------------------------------------------------------------------------------------------


def dense_index(vectors: np.ndarray, previous: Any = None) -> tuple[Any, str]:
    """A FAISS inner-product index: exact up to :data:`EXACT_LIMIT` vectors, IVF above.

    IVF uses about sqrt(n) lists trained with a short k-means on a sample; ``nprobe`` is then
    raised until recall@10 against exact search reaches :data:`TARGET_RECALL` on probe queries
    (stored vectors with noise). When ``previous`` is an IVF index of the same dimension its
    coarse quantizer is reused, so an incremental rebuild does not retrain.
    """
    import faiss

    count, dim = vectors.shape
    if count <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index, "flat"
    if isinstance(previous, faiss.IndexIVFFlat) and previous.d == dim:
        centroids = previous.quantizer.reconstruct_n(0, previous.nlist)
        quantizer = faiss.IndexFlatIP(dim)
        quantizer.add(centroids)
        index = faiss.IndexIVFFlat(quantizer, dim, previous.nlist, faiss.METRIC_INNER_PRODUCT)
        index.is_trained = True
    else:
        nlist = int(np.sqrt(count))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = 10
        rng = np.random.default_rng(0)
        index.train(vectors[rng.choice(count, size=min(count, 32 * nlist), replace=False)])
    index.add(vectors)
    index.nprobe, recall = tune_nprobe(index, vectors)
    logger.info("IVF index: %d lists, nprobe %d, recall@10 %.3f", index.nlist, index.nprobe, recall)
    return index, f"ivf{index.nlist}-nprobe{index.nprobe}"


TARGET_RECALL = 0.95


def tune_nprobe(index: Any, vectors: np.ndarray, probes: int = 100) -> tuple[int, float]:
    """The smallest nprobe whose recall@10 against exact search reaches the target."""
    rng = np.random.default_rng(1)
    sample = vectors[rng.choice(len(vectors), size=min(probes, len(vectors)), replace=False)]
    queries = sample + rng.standard_normal(sample.shape).astype(np.float32) * 0.02
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    scores = queries @ vectors.T
    exact = np.argpartition(-scores, 9, axis=1)[:, :10]
    nprobe, recall = 4, 0.0
    while nprobe <= index.nlist:
        index.nprobe = nprobe
        _, found = index.search(queries, 10)
        recall = float(
            np.mean(
                [
                    len(set(f) & set(e)) / 10
                    for f, e in zip(found.tolist(), exact.tolist(), strict=True)
                ]
            )
        )
        if recall >= TARGET_RECALL:
            break
        nprobe *= 2
    return min(nprobe, index.nlist), recall


# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------


def build(
    content_dir: str | Path | None,
    index_dir: str | Path,
    embedder: Embedder,
    *,
    progress: bool = False,
    content: Content | None = None,
    cache_dir: str | Path | None = None,
    delta: bool = True,
) -> BuildReport:
    """Validate, embed (only new texts), write a new version and make it current.

    When few FAQ entries changed since the last full version (at most :data:`DELTA_LIMIT`
    entries or 1%), only a *delta* version is written: the changed entries, searched on top of
    the full base version that a running server already holds in memory. ``delta=False``
    forces a full version.

    ``content`` skips reading ``content_dir`` (benchmarks build from memory); ``cache_dir``
    puts the embedding cache elsewhere than ``<index_dir>/cache`` (shared between indexes).

    Raises:
        knowledge_base.content.ContentError: the content has errors; nothing was written.
    """
    started = time.perf_counter()
    if content is None:
        if content_dir is None:
            raise ValueError("give content_dir or content")
        content = load_content(content_dir)
    index_dir = Path(index_dir)
    digests = {entry.id: entry_digest(entry) for entry in content.faqs}
    cache_root = Path(cache_dir) if cache_dir is not None else index_dir / CACHE_DIR
    cache = EmbeddingCache(cache_root / _safe(embedder.id), embedder.dim)
    plan = _delta_plan(index_dir, embedder.id, digests) if delta else None
    if plan is not None:
        return _build_delta(index_dir, content, plan, embedder, cache, started)
    documents = documents_of(content)
    texts = [doc.text for doc in documents]
    vectors, embedded = embed_with_cache(texts, embedder, cache, progress=progress)
    previous = _previous_dense(index_dir, embedder.id)
    dense, dense_type = dense_index(vectors, previous)
    lexical = LexicalIndex.from_texts(
        texts, [d.language for d in documents], *_previous_lexical(index_dir)
    )
    version = _new_version_name(index_dir)
    path = _write_version(
        index_dir, version, content, documents, dense, dense_type, embedder, lexical, digests
    )
    cache.save(used={text_key(t) for t in texts} if cache_dir is None else None)
    switch_current(index_dir, version)
    prune_versions(index_dir)
    seconds = time.perf_counter() - started
    logger.info(
        "built index %s: %d documents, %d newly embedded, %.1fs",
        version,
        len(documents),
        embedded,
        seconds,
    )
    return BuildReport(version, path, len(documents), embedded, seconds, dense_type)


DELTA_LIMIT = 200
"""A build writes a delta version when at most this many entries (or 1%) changed."""


def entry_digest(entry: FaqEntry) -> str:
    """A short hash of everything an FAQ entry says (not where it is written)."""
    parts = [
        entry.id,
        entry.topic,
        entry.source.title,
        entry.source.url or "",
        entry.last_reviewed.isoformat(),
        entry.review_by.isoformat(),
        ",".join(entry.tags),
        ",".join(entry.related),
        ",".join(entry.service_categories),
    ]
    for language, text in entry.translations.items():
        parts += [
            language,
            text.question,
            "\x1e".join(text.alternatives),
            text.answer,
            text.details or "",
        ]
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=12).hexdigest()


@dataclass(frozen=True)
class DeltaPlan:
    """What a delta version holds: changed entries on top of ``base``."""

    base: str
    changed: frozenset[str]  # new or edited entry ids
    removed: frozenset[str]  # ids of the base that no longer exist


def _delta_plan(index_dir: Path, embedder_id: str, digests: dict[str, str]) -> DeltaPlan | None:
    base = full_version(index_dir)
    if base is None:
        return None
    folder = index_dir / VERSIONS_DIR / base
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        base_digests = json.loads((folder / "entry_digests.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        manifest.get("embedder") != embedder_id
        or manifest.get("format") != FORMAT_VERSION
        or manifest.get("lexical_features", 1) != FEATURES_VERSION
    ):
        return None
    changed = frozenset(i for i, d in digests.items() if base_digests.get(i) != d)
    removed = frozenset(i for i in base_digests if i not in digests)
    if len(changed) + len(removed) > max(DELTA_LIMIT, len(base_digests) // 100):
        return None
    return DeltaPlan(base, changed, removed)


def _build_delta(
    index_dir: Path,
    content: Content,
    plan: DeltaPlan,
    embedder: Embedder,
    cache: EmbeddingCache,
    started: float,
) -> BuildReport:
    import dataclasses

    import faiss

    delta_content = dataclasses.replace(
        content, faqs=tuple(e for e in content.faqs if e.id in plan.changed)
    )
    documents = documents_of(delta_content)
    texts = [doc.text for doc in documents]
    vectors, embedded = embed_with_cache(texts, embedder, cache)
    dense = faiss.IndexFlatIP(embedder.dim)
    dense.add(vectors)
    lexical = LexicalIndex.from_texts(texts, [d.language for d in documents])
    version = _new_version_name(index_dir)
    versions = index_dir / VERSIONS_DIR
    tmp = versions / f".tmp-{version}"
    tmp.mkdir(parents=True)
    try:
        _write_content_files(tmp, delta_content, documents)
        _write_json(
            tmp / "delta.json", {"changed": sorted(plan.changed), "removed": sorted(plan.removed)}
        )
        faiss.write_index(dense, str(tmp / "dense.faiss"))
        names = [
            "content.pickle",
            "documents.json",
            "delta.json",
            "dense.faiss",
            *lexical.save(tmp),
        ]
        _write_json(
            tmp / "manifest.json",
            {
                "format": FORMAT_VERSION,
                "lexical_features": FEATURES_VERSION,
                "kind": "delta",
                "base": plan.base,
                "version": version,
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "embedder": embedder.id,
                "dim": embedder.dim,
                "embedder_languages": sorted(embedder.languages) if embedder.languages else None,
                "documents": len(documents),
                "faqs": len(content.faqs),
                "services": len(content.services),
                "dense_type": "flat (delta)",
                "files": {name: _file_digest(tmp / name) for name in names},
            },
        )
        _fsync_dir(tmp)
        os.rename(tmp, versions / version)
        _fsync_dir(versions)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    cache.save()
    switch_current(index_dir, version)
    prune_versions(index_dir)
    seconds = time.perf_counter() - started
    logger.info(
        "built delta %s on %s: %d entries changed, %d removed, %.1fs",
        version,
        plan.base,
        len(plan.changed),
        len(plan.removed),
        seconds,
    )
    return BuildReport(version, versions / version, len(documents), embedded, seconds, "delta")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _new_version_name(index_dir: Path) -> str:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return f"v{stamp}"


def full_version(index_dir: str | Path) -> str | None:
    """The full version the current one is (or is based on), or None."""
    version = current_version(index_dir)
    if version is None:
        return None
    try:
        manifest = json.loads(
            (Path(index_dir) / VERSIONS_DIR / version / "manifest.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return None
    return str(manifest.get("base", version)) if manifest.get("kind") == "delta" else version


def _previous_dense(index_dir: Path, embedder_id: str) -> Any:
    version = full_version(index_dir)
    if version is None:
        return None
    path = index_dir / VERSIONS_DIR / version
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("embedder") != embedder_id or not str(
            manifest.get("dense_type")
        ).startswith("ivf"):
            return None
        import faiss

        return faiss.read_index(str(path / "dense.faiss"))
    except Exception:  # a broken previous version just means no reuse
        return None


def _previous_lexical(index_dir: Path) -> tuple[LexicalIndex | None, list[str] | None]:
    """The current full version's lexical index and phrasings, to reuse unchanged rows."""
    version = full_version(index_dir)
    if version is None:
        return None, None
    path = index_dir / VERSIONS_DIR / version
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("lexical_features", 1) != FEATURES_VERSION:
            return None, None  # counted with other features: count everything again
        documents = json.loads((path / "documents.json").read_text(encoding="utf-8"))
        return LexicalIndex.load(path, documents["language"]), documents["text"]
    except Exception:  # a broken previous version just means no reuse
        return None, None


def _write_content_files(folder: Path, content: Content, documents: list[Document]) -> None:
    """``content.pickle`` and ``documents.json`` (one column per field) of a version folder."""
    with open(folder / "content.pickle", "wb") as handle:
        pickle.dump(content, handle, protocol=pickle.HIGHEST_PROTOCOL)
    _write_json(
        folder / "documents.json",
        {
            "entry": [d.entry for d in documents],
            "language": [d.language for d in documents],
            "text": [d.text for d in documents],
            "kind": [d.kind for d in documents],
        },
    )


def _write_version(
    index_dir: Path,
    version: str,
    content: Content,
    documents: list[Document],
    dense: Any,
    dense_type: str,
    embedder: Embedder,
    lexical: LexicalIndex,
    digests: dict[str, str],
) -> Path:
    import faiss

    versions = index_dir / VERSIONS_DIR
    versions.mkdir(parents=True, exist_ok=True)
    tmp = versions / f".tmp-{version}"
    tmp.mkdir()
    try:
        _write_content_files(tmp, content, documents)
        faiss.write_index(dense, str(tmp / "dense.faiss"))
        _write_json(tmp / "entry_digests.json", digests)
        names = [
            "content.pickle",
            "documents.json",
            "dense.faiss",
            "entry_digests.json",
            *lexical.save(tmp),
        ]
        files = {name: _file_digest(tmp / name) for name in names}
        manifest = {
            "format": FORMAT_VERSION,
            "lexical_features": FEATURES_VERSION,
            "kind": "full",
            "version": version,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "embedder": embedder.id,
            "dim": embedder.dim,
            "embedder_languages": sorted(embedder.languages) if embedder.languages else None,
            "documents": len(documents),
            "faqs": len(content.faqs),
            "services": len(content.services),
            "dense_type": dense_type,
            "files": files,
        }
        _write_json(tmp / "manifest.json", manifest)
        _fsync_dir(tmp)
        final = versions / version
        os.rename(tmp, final)
        _fsync_dir(versions)
        return final
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        handle.flush()
        os.fsync(handle.fileno())


def _file_digest(path: Path) -> dict[str, Any]:
    """Size and CRC-32 (detects truncated or damaged files; fast enough for 400 MB indexes)."""
    crc = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            crc = zlib.crc32(block, crc)
    return {"size": path.stat().st_size, "crc32": f"{crc:08x}"}


def verify_files(path: Path, manifest: dict[str, Any]) -> None:
    """Check every file of a version against the manifest.

    Raises:
        IndexLoadError: a file is missing, truncated or changed since the build.
    """
    for name, expected in manifest.get("files", {}).items():
        file = path / name
        if not file.exists():
            raise IndexLoadError(f"index file {file} is missing")
        actual = _file_digest(file)
        if actual != expected:
            raise IndexLoadError(
                f"index file {file} is corrupt (size or checksum differs from "
                "the build); rebuild the index"
            )


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def current_version(index_dir: str | Path) -> str | None:
    """The version named in ``CURRENT``, or None when nothing was built yet."""
    try:
        name = (Path(index_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def switch_current(index_dir: str | Path, version: str) -> None:
    """Point ``CURRENT`` at ``version`` atomically (write a temporary file, then rename)."""
    index_dir = Path(index_dir)
    tmp = index_dir / f".{CURRENT_FILE}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(version + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)


def prune_versions(index_dir: str | Path, keep: int = KEEP_VERSIONS) -> None:
    """Delete old versions, keeping the newest ``keep`` (always including the current one)."""
    versions = Path(index_dir) / VERSIONS_DIR
    protected = {current_version(index_dir), full_version(index_dir)}
    names = sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))
    for name in names[:-keep]:
        if name not in protected:
            shutil.rmtree(versions / name, ignore_errors=True)
