"""Query the knowledge base: FAQ answers, local services and emergency contacts.

:class:`KnowledgeBase` serves one index version at a time (a :class:`Snapshot`). It checks the
index directory's ``CURRENT`` pointer at most every ``reload_interval_s`` seconds and loads a new
version in a background thread; requests keep using the old snapshot until the new one is fully
loaded, and a version that fails to load (corrupt file, wrong embedder) is never served: the last
good one keeps answering and the error is logged.

FAQ ranking fuses per entry the dense (FAISS) cosine of the best phrasing in any language, the
BM25 match (words, character n-grams, consonant skeletons) against phrasings in the query's
language, and the BM25 match in the fallback language. A logistic calibration
(``calibration.py``) turns the fused score, its margin over the runner-up and a few features of
the ranking into a 0..1 confidence that the base can answer the message; below the threshold the
result has no answer ("declined").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import math
import pickle
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_base import calibration
from knowledge_base.content import Content, FaqEntry, Service
from knowledge_base.embedding import Embedder, QueryEncoder, make_embedder
from knowledge_base.index import (
    CURRENT_FILE,
    VERSIONS_DIR,
    IndexLoadError,
    current_version,
    verify_files,
)
from knowledge_base.lexical import LexicalIndex

logger = logging.getLogger(__name__)

METHODS = ("hybrid", "dense", "bm25")
DENSE_CANDIDATES = 256  # nearest phrasings; an entry has up to ~80 (11 languages, alternatives)
LEXICAL_CANDIDATES = 50


@dataclass(frozen=True)
class FaqAnswer:
    """An FAQ entry rendered in one language."""

    entry_id: str
    question: str
    answer: str
    details: str | None
    language: str
    requested_language: str
    is_fallback: bool
    source_title: str
    source_url: str | None
    last_reviewed: dt.date
    review_by: dt.date
    topic: str
    service_categories: tuple[str, ...]
    related: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class SearchResult:
    """The outcome of :meth:`KnowledgeBase.search_faq`.

    ``answer`` is None when the search declined (confidence below the threshold);
    ``suggestions`` still lists the closest entries (for "did you mean …?" or a human handover).
    """

    query_language: str | None
    answer: FaqAnswer | None
    confidence: float
    suggestions: tuple[FaqAnswer, ...]
    method: str
    index_version: str

    @property
    def declined(self) -> bool:
        """True when the base has no answer it is confident about."""
        return self.answer is None


@dataclass(frozen=True)
class ServiceMatch:
    """A local service rendered in one language."""

    service_id: str
    name: str
    description: str
    eligibility: str | None
    fees: str | None
    organization: str
    categories: tuple[str, ...]
    city: str
    address: str | None
    phone: str | None
    email: str | None
    url: str | None
    opening_hours: str
    languages: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    distance_km: float | None
    language: str
    is_fallback: bool
    last_reviewed: dt.date
    source_title: str | None
    source_url: str | None


@dataclass(frozen=True)
class EmergencyContact:
    """An emergency contact rendered in one language."""

    contact_id: str
    name: str
    description: str
    phone: str
    hours: str | None
    language: str
    is_fallback: bool

    @property
    def id(self) -> str:
        """Same as ``contact_id``."""
        return self.contact_id


@dataclass(frozen=True)
class Ranked:
    """One candidate entry with its scores (for benchmarks and explanations)."""

    entry: int
    score: float  # calibrated log-odds
    dense: float
    lexical: float
    profile: str = ""  # calibration profile that scored it (see calibration.profile)
    lexical_any: float = 0.0  # best lexical coverage in the query or the fallback language
    topic: str = ""


def _limit_faiss_threads() -> None:
    """One OpenMP thread per search (``kb.faiss_threads``): a single query gains nothing from
    more, and on a busy machine OpenMP's spinning threads multiply tail latency."""
    import faiss

    from haven import settings

    faiss.omp_set_num_threads(int(settings.get("kb.faiss_threads", 1)))


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of one version folder; ``IndexLoadError`` when it cannot be read."""
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexLoadError(
            f"index version {path} has no readable manifest.json: {error}"
        ) from error


def _read_version(path: Path) -> tuple[dict[str, Any], Content, dict[str, Any], Any, LexicalIndex]:
    """Manifest, content, documents, dense index and lexical index of one version folder."""
    import faiss

    manifest = _read_manifest(path)
    verify_files(path, manifest)
    try:
        with open(path / "content.pickle", "rb") as handle:
            content = pickle.load(handle)
        if not isinstance(content, Content):
            raise TypeError("content.pickle does not hold Content")
        documents = json.loads((path / "documents.json").read_text(encoding="utf-8"))
        dense = faiss.read_index(str(path / "dense.faiss"))
    except Exception as error:
        raise IndexLoadError(f"index version {path} cannot be loaded: {error}") from error
    if dense.ntotal != len(documents["entry"]):
        raise IndexLoadError(
            f"index version {path} is inconsistent: {dense.ntotal} "
            f"vectors for {len(documents['entry'])} phrasings; rebuild it"
        )
    try:
        lexical = LexicalIndex.load(path, documents["language"])
    except Exception as error:
        raise IndexLoadError(f"index version {path} has a broken lexical index: {error}") from error
    return manifest, content, documents, dense, lexical


class Snapshot:
    """One loaded, immutable full index version."""

    def __init__(self, path: Path) -> None:
        _limit_faiss_threads()
        self.path = path
        self.version = path.name
        self.manifest, self.content, documents, self.dense, lexical = _read_version(path)
        if self.manifest.get("kind", "full") != "full":
            raise IndexLoadError(f"index version {path} is a delta; load it with its base")
        self.lexical = lexical.prepare()
        self.doc_entry = np.asarray(documents["entry"], dtype=np.int64)
        self.doc_language = documents["language"]
        self.doc_text = documents["text"]
        self.embedder_id: str = self.manifest["embedder"]
        langs = self.manifest.get("embedder_languages")
        self.embedder_languages = frozenset(langs) if langs else None
        self.entries: list[FaqEntry | None] = list(self.content.faqs)
        self.faq_ids = [entry.id for entry in self.content.faqs]
        self.entry_languages = [frozenset(entry.translations) for entry in self.content.faqs]
        self.faq_number = {entry_id: n for n, entry_id in enumerate(self.faq_ids)}
        self.fallback_language = self.content.taxonomy.fallback_language
        self.base_version = self.version

    @property
    def size(self) -> int:
        """Number of searchable phrasings."""
        return int(self.dense.ntotal)

    def dense_scores(
        self, vector: np.ndarray, masked: np.ndarray | None = None, extra: int = 0
    ) -> dict[int, float]:
        """Best cosine per entry among the nearest phrasings (entries in ``masked`` skipped)."""
        k = min(DENSE_CANDIDATES + extra, self.dense.ntotal)
        if k == 0:
            return {}
        scores, docs = self.dense.search(np.asarray(vector, np.float32).reshape(1, -1), k)
        result: dict[int, float] = {}
        for doc, score in zip(docs[0].tolist(), scores[0].tolist(), strict=True):
            if doc < 0:
                continue
            entry = int(self.doc_entry[doc])
            if masked is not None and masked[entry]:
                continue
            if score > result.get(entry, -1.0):
                result[entry] = float(score)
        return result

    def lexical_scores(
        self, query: str, language: str | None, masked: np.ndarray | None = None, extra: int = 0
    ) -> dict[int, float]:
        """Best lexical coverage per entry (entries in ``masked`` skipped)."""
        docs, _, coverage = self.lexical.search(query, language, LEXICAL_CANDIDATES + extra)
        result: dict[int, float] = {}
        for entry, value in zip(self.doc_entry[docs].tolist(), coverage.tolist(), strict=True):
            if masked is not None and masked[entry]:
                continue
            if value > result.get(entry, 0.0):
                result[entry] = value
        return result


class DeltaSnapshot:
    """A delta version (changed FAQ entries) searched on top of its full base version.

    Entries of the base that were edited or removed are masked; edited entries keep their
    number, new ones are appended. Services, emergency contacts and the taxonomy come whole
    from the delta.
    """

    def __init__(self, path: Path, base: Snapshot) -> None:
        self.path = path
        self.version = path.name
        self.manifest, delta_content, documents, self.delta_dense, lexical = _read_version(path)
        if self.manifest.get("base") != base.version:
            raise IndexLoadError(
                f"index version {path} is a delta on "
                f"{self.manifest.get('base')}, not on {base.version}"
            )
        try:
            changes = json.loads((path / "delta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise IndexLoadError(f"index version {path} has no readable delta.json") from error
        self.base = base
        self.base_version = base.version
        self.embedder_id = self.manifest["embedder"]
        self.embedder_languages = base.embedder_languages
        self.lexical = lexical.use_statistics_of(base.lexical).prepare()
        self.entries = list(base.entries)
        self.faq_number = dict(base.faq_number)
        masked = np.zeros(len(self.entries), dtype=bool)
        for entry_id in [*changes["changed"], *changes["removed"]]:
            number = base.faq_number.get(entry_id)
            if number is not None:
                masked[number] = True
                self.entries[number] = None
                self.faq_number.pop(entry_id, None)
        self.masked = masked
        self.masked_docs = int(np.isin(base.doc_entry, np.flatnonzero(masked)).sum())
        local_to_number = []
        for entry in delta_content.faqs:
            number = base.faq_number.get(entry.id)
            if number is None:
                number = len(self.entries)
                self.entries.append(entry)
            else:
                self.entries[number] = entry
            self.faq_number[entry.id] = number
            local_to_number.append(number)
        self.delta_entry = (
            np.asarray(local_to_number, np.int64)[np.asarray(documents["entry"], np.int64)]
            if documents["entry"]
            else np.zeros(0, np.int64)
        )
        self.faq_ids = [e.id if e is not None else "" for e in self.entries]
        self.entry_languages = [
            frozenset(e.translations) if e is not None else frozenset() for e in self.entries
        ]
        self.content = Content(
            delta_content.taxonomy,
            tuple(e for e in self.entries if e is not None),
            delta_content.services,
            delta_content.emergency,
            delta_content.danger,
        )
        self.fallback_language = delta_content.taxonomy.fallback_language

    @property
    def size(self) -> int:
        """Number of searchable phrasings."""
        return self.base.size - self.masked_docs + int(self.delta_dense.ntotal)

    def dense_scores(self, vector: np.ndarray) -> dict[int, float]:
        """Base scores without the masked entries, merged with the delta's."""
        result = self.base.dense_scores(vector, self.masked, self.masked_docs)
        k = min(DENSE_CANDIDATES, self.delta_dense.ntotal)
        if k:
            scores, docs = self.delta_dense.search(np.asarray(vector, np.float32).reshape(1, -1), k)
            for doc, score in zip(docs[0].tolist(), scores[0].tolist(), strict=True):
                if doc >= 0:
                    entry = int(self.delta_entry[doc])
                    result[entry] = max(result.get(entry, -1.0), float(score))
        return result

    def lexical_scores(self, query: str, language: str | None) -> dict[int, float]:
        """Base coverage without the masked entries, merged with the delta's."""
        result = self.base.lexical_scores(query, language, self.masked, self.masked_docs)
        docs, _, coverage = self.lexical.search(query, language, LEXICAL_CANDIDATES)
        for entry, value in zip(self.delta_entry[docs].tolist(), coverage.tolist(), strict=True):
            result[entry] = max(result.get(entry, 0.0), value)
        return result


AnySnapshot = Snapshot | DeltaSnapshot


def load_snapshot(path: Path, loaded: AnySnapshot | None = None) -> AnySnapshot:
    """Load a version; a delta reuses the base held by ``loaded`` when it is the same one."""
    manifest = _read_manifest(path)
    if manifest.get("kind") != "delta":
        return Snapshot(path)
    base_name = str(manifest.get("base"))
    if loaded is not None and loaded.base_version == base_name:
        base = loaded if isinstance(loaded, Snapshot) else loaded.base
    else:
        base = Snapshot(path.parent / base_name)
    return DeltaSnapshot(path, base)


class KnowledgeBase:
    """The knowledge base the actions query. Thread-safe; reloads new index versions by itself."""

    def __init__(
        self,
        index_dir: Path,
        snapshot: AnySnapshot,
        embedder: Embedder,
        reload_interval_s: float = 2.0,
        threshold: float | None = None,
    ) -> None:
        self.index_dir = index_dir
        self._snapshot = snapshot
        self.embedder = embedder
        self.encoder = QueryEncoder(embedder)
        self.reload_interval_s = reload_interval_s
        self.threshold = threshold
        self._last_check = time.monotonic()
        self._reload_lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._failed: dict[str, str] = {}
        self.last_error: str | None = None

    # -- opening and reloading -------------------------------------------------------------
    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        embedder: Embedder | None = None,
        *,
        reload_interval_s: float | None = None,
        threshold: float | None = None,
    ) -> KnowledgeBase:
        """Open the current index of ``index_dir`` (default: ``kb.index_dir`` in haven.yml).

        When the current version is corrupt the newest older version that loads is served.

        Raises:
            IndexLoadError: no version of the index can be loaded (the message says why).
            knowledge_base.embedding.EmbedderError: the configured embedder cannot be loaded.
        """
        from haven import settings

        if index_dir is None:
            index_dir = settings.project_path(settings.get("kb.index_dir", "var/index"))
        if reload_interval_s is None:
            reload_interval_s = float(settings.get("kb.reload_interval_s", 2))
        if threshold is None:
            configured = settings.get("kb.threshold")
            threshold = float(configured) if configured is not None else None
        index_dir = Path(index_dir)
        snapshot = _load_best(index_dir)
        if embedder is None:
            embedder = make_embedder()
        if embedder.id != snapshot.embedder_id:
            raise IndexLoadError(
                f"the index in {index_dir} was built with the embedder "
                f"'{snapshot.embedder_id}' but this process uses '{embedder.id}'; "
                "rebuild the index (make kb ARGS=build) with the same settings"
            )
        return cls(index_dir, snapshot, embedder, reload_interval_s, threshold)

    @property
    def version(self) -> str:
        """The index version being served."""
        return self._snapshot.version

    @property
    def content(self) -> Content:
        """The content of the version being served."""
        return self._snapshot.content

    def reload(self) -> bool:
        """Load the version named in ``CURRENT`` now, if it is new. True when it switched.

        Raises:
            IndexLoadError: the new version cannot be loaded (the old one keeps serving).
        """
        with self._reload_lock:
            name = current_version(self.index_dir)
            if name is None or name == self._snapshot.version:
                return False
            try:
                snapshot = load_snapshot(self.index_dir / VERSIONS_DIR / name, self._snapshot)
                if snapshot.embedder_id != self.embedder.id:
                    raise IndexLoadError(
                        f"index version {name} was built with the embedder "
                        f"'{snapshot.embedder_id}', not '{self.embedder.id}'"
                    )
            except Exception as error:
                message = str(error)
                self._failed[name] = message
                self.last_error = message
                logger.error(
                    "index version %s not loaded, still serving %s: %s",
                    name,
                    self._snapshot.version,
                    message,
                )
                raise (
                    error if isinstance(error, IndexLoadError) else IndexLoadError(message)
                ) from error
            self._snapshot = snapshot  # one reference assignment: readers see old or new, whole
            self.last_error = None
            logger.info("now serving index version %s", name)
            return True

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._last_check < self.reload_interval_s:
            return
        self._last_check = now
        name = current_version(self.index_dir)
        if name is None or name == self._snapshot.version or name in self._failed:
            return
        if self._loading is not None and self._loading.is_alive():
            return
        loader = threading.Thread(target=self._reload_quietly, name="kb-reload", daemon=True)
        loader.start()
        self._loading = loader  # assigned once started, so wait_for_reload can always join it

    def _reload_quietly(self) -> None:
        with contextlib.suppress(Exception):  # logged by reload(); the old snapshot serves on
            self.reload()

    def wait_for_reload(self, timeout: float = 30.0) -> None:
        """Block until a background reload in progress has finished (tests, CLI)."""
        loading = self._loading
        if loading is not None:
            loading.join(timeout)

    # -- FAQ -------------------------------------------------------------------------------
    def search_faq(
        self,
        query: str,
        language: str | None = None,
        *,
        method: str = "hybrid",
        suggestions: int = 3,
    ) -> SearchResult:
        """The best FAQ answer for ``query``, in ``language`` when the entry has it.

        Args:
            query: the user's message.
            language: the user's language (ISO 639-1); lexical matching uses it, and the answer
                is given in it, or in the fallback language with ``is_fallback`` set.
            method: ``hybrid`` (default), ``dense`` or ``bm25`` (for comparisons).
            suggestions: how many closest entries to list in ``SearchResult.suggestions``.
        """
        self._maybe_reload()
        snapshot = self._snapshot
        ranked = self.rank(query, language, method=method, snapshot=snapshot)
        requested = language or snapshot.fallback_language
        confidence = calibration.confidence(
            [r.score for r in ranked], method, calibration.confidence_features(ranked, query)
        )
        threshold = self.threshold if self.threshold is not None else calibration.threshold(method)
        rendered = tuple(
            self._render(snapshot, r, requested) for r in ranked[: max(suggestions, 1)]
        )
        answer = rendered[0] if rendered and confidence >= threshold else None
        return SearchResult(
            language, answer, confidence, rendered[:suggestions], method, snapshot.version
        )

    def rank(
        self,
        query: str,
        language: str | None,
        *,
        method: str = "hybrid",
        snapshot: AnySnapshot | None = None,
        limit: int = 10,
        query_vector: np.ndarray | None = None,
    ) -> list[Ranked]:
        """Candidate entries, best first, with their dense, lexical and fused scores."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        snapshot = snapshot or self._snapshot
        query = (query or "").strip()
        if not query or snapshot.size == 0:
            return []
        dense: dict[int, float] = {}
        lexical: dict[int, float] = {}
        lexical_any: dict[int, float] = {}
        if method != "bm25":
            vector = query_vector if query_vector is not None else self.encoder.encode_one(query)
            dense = snapshot.dense_scores(vector)
        if method != "dense":
            lexical = snapshot.lexical_scores(query, language)
        if method == "hybrid":
            # Messages mix in words of the fallback language (English loanwords, "work permit"
            # in an Arabic sentence); matching every language instead gained nothing on dev
            # and costs a search over the whole base.
            # A language the base has no text in (de, it, pt, ur…) looks in every language:
            # cognates and shared loanwords (Urdu ڈاکٹر / Pashto ډاکټر, Italian / Spanish).
            fallback = snapshot.fallback_language
            if language is None or language == fallback:
                lexical_any = lexical
            elif language not in snapshot.content.taxonomy.languages:
                lexical_any = snapshot.lexical_scores(query, None)
            else:
                lexical_any = snapshot.lexical_scores(query, fallback)
        candidates = list(set(dense) | set(lexical) | set(lexical_any))
        if not candidates:
            return []
        floor = min(dense.values()) if dense else 0.0
        d = np.asarray([dense.get(e, floor) for e in candidates], np.float64)
        lx = np.asarray([lexical.get(e, 0.0) for e in candidates], np.float64)
        la = np.maximum(np.asarray([lexical_any.get(e, 0.0) for e in candidates]), lx)
        has = np.asarray(
            [language is None or language in snapshot.entry_languages[e] for e in candidates]
        )
        names = {
            flag: calibration.profile(method, language, snapshot.embedder_languages, flag)
            for flag in (True, False)
        }
        scores = np.empty(len(candidates))
        for flag, name in names.items():
            k_dense, k_lexical, k_any, intercept = calibration.linear(name)
            mask = has == flag
            scores[mask] = k_dense * d[mask] + k_lexical * lx[mask] + k_any * la[mask] + intercept
        entries = np.asarray(candidates, np.int64)
        order = np.lexsort((entries, -scores))[:limit]
        ranked = []
        for i in order.tolist():
            entry = candidates[i]
            item = snapshot.entries[entry]
            ranked.append(
                Ranked(
                    entry,
                    float(scores[i]),
                    float(d[i]),
                    float(lx[i]),
                    names[bool(has[i])],
                    float(la[i]),
                    item.topic if item is not None else "",
                )
            )
        return ranked

    def faq_answer(self, entry_id: str, language: str) -> FaqAnswer | None:
        """One entry by id in ``language`` (or the fallback), e.g. for a "related" button."""
        snapshot = self._snapshot
        number = snapshot.faq_number.get(entry_id)
        if number is None:
            return None
        return self._render(snapshot, Ranked(number, 1.0, 1.0, 1.0), language)

    @staticmethod
    def _render(snapshot: AnySnapshot, ranked: Ranked, requested: str) -> FaqAnswer:
        entry = snapshot.entries[ranked.entry]
        assert entry is not None  # masked entries are never ranked
        language = _pick_language(entry.translations, requested, snapshot.fallback_language)
        text = entry.translations[language]
        return FaqAnswer(
            entry_id=entry.id,
            question=text.question,
            answer=text.answer,
            details=text.details,
            language=language,
            requested_language=requested,
            is_fallback=language != requested,
            source_title=entry.source.title,
            source_url=entry.source.url,
            last_reviewed=entry.last_reviewed,
            review_by=entry.review_by,
            topic=entry.topic,
            service_categories=entry.service_categories,
            related=entry.related,
            score=ranked.score,
        )

    # -- services --------------------------------------------------------------------------
    def find_services(
        self,
        category: str | None = None,
        city: str | None = None,
        *,
        language: str = "en",
        near: tuple[float, float] | None = None,
        spoken_language: str | None = None,
        limit: int = 3,
    ) -> list[ServiceMatch]:
        """Services filtered by category, city and a language the staff speak.

        Sorted by distance from ``near`` (latitude, longitude) when given; otherwise services
        whose staff speak ``language`` come first, then by name.
        """
        self._maybe_reload()
        snapshot = self._snapshot
        found = []
        for service in snapshot.content.services:
            if category and category not in service.categories:
                continue
            if city and service.city != city:
                continue
            if spoken_language and spoken_language not in service.languages:
                continue
            found.append(service)
        matches = [self._render_service(snapshot, s, language, near) for s in found]
        if near is not None:
            matches.sort(key=lambda m: (m.distance_km is None, m.distance_km or 0.0, m.name))
        else:
            matches.sort(key=lambda m: (language not in m.languages, m.name))
        return matches[:limit]

    @staticmethod
    def _render_service(
        snapshot: AnySnapshot, service: Service, requested: str, near: tuple[float, float] | None
    ) -> ServiceMatch:
        language = _pick_language(service.translations, requested, snapshot.fallback_language)
        text = service.translations[language]
        distance = None
        if near is not None and service.latitude is not None and service.longitude is not None:
            distance = haversine_km(near, (service.latitude, service.longitude))
        return ServiceMatch(
            service_id=service.id,
            name=text.name,
            description=text.description,
            eligibility=text.eligibility,
            fees=text.fees,
            organization=service.organization_name,
            categories=service.categories,
            city=service.city,
            address=service.address,
            phone=service.phone,
            email=service.email,
            url=service.url,
            opening_hours=service.opening_hours_text(),
            languages=service.languages,
            latitude=service.latitude,
            longitude=service.longitude,
            distance_km=distance,
            language=language,
            is_fallback=language != requested,
            last_reviewed=service.last_reviewed,
            source_title=service.source.title if service.source else None,
            source_url=service.source.url if service.source else None,
        )

    # -- emergency -------------------------------------------------------------------------
    def emergency_contacts(
        self, country: str | None = None, language: str = "en"
    ) -> list[EmergencyContact]:
        """Emergency contacts of ``country`` (default: the taxonomy's default country)."""
        self._maybe_reload()
        snapshot = self._snapshot
        country = country or snapshot.content.taxonomy.default_country
        result = []
        for contact in snapshot.content.emergency.get(country, ()):
            chosen = _pick_language(contact.translations, language, snapshot.fallback_language)
            text = contact.translations[chosen]
            result.append(
                EmergencyContact(
                    contact.id,
                    text.name,
                    text.description,
                    contact.phone,
                    contact.hours,
                    chosen,
                    chosen != language,
                )
            )
        return result


def _pick_language(translations: dict[str, Any], requested: str, fallback: str) -> str:
    if requested in translations:
        return requested
    if fallback in translations:
        return fallback
    return next(iter(translations))


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _load_best(index_dir: Path) -> AnySnapshot:
    """The current version, or the newest older version that loads when it is broken."""
    current = current_version(index_dir)
    if current is None:
        raise IndexLoadError(
            f"no index has been built in {index_dir} yet (no {CURRENT_FILE} "
            "file); run: make kb ARGS=build"
        )
    try:
        return load_snapshot(index_dir / VERSIONS_DIR / current)
    except IndexLoadError as error:
        logger.error("current index version %s cannot be loaded: %s", current, error)
        versions = index_dir / VERSIONS_DIR
        older = sorted(
            (
                p
                for p in versions.iterdir()
                if p.is_dir() and not p.name.startswith(".") and p.name < current
            ),
            reverse=True,
        )
        for path in older:
            try:
                snapshot = load_snapshot(path)
            except IndexLoadError:
                continue
            logger.warning("serving the older index version %s instead", path.name)
            return snapshot
        raise
