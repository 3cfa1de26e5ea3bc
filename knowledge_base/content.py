"""Load and type the knowledge-base content (``knowledge_base/content/``).

Pure Python + PyYAML: the Rasa server imports this module (NLU matchers use the taxonomy and the
danger phrases), so it must never import numpy, faiss or torch.

:func:`check_content` reads a content folder and returns the typed :class:`Content` together with
every :class:`Problem` found, each with file and line and written for content staff.
:func:`load_content` does the same but raises :class:`ContentError` when there is an error.
The file format is described in ``docs/content-format.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from knowledge_base import yaml_lines
from knowledge_base.yaml_lines import LineDict, LineList

CORE_LANGUAGES = ("en", "fr", "es", "ar", "fa", "uk", "ru", "tr")
"""Every FAQ entry and service should have these languages (``docs/content-format.md``)."""
EMERGENCY_LANGUAGES = ("ps", "ti", "so")
"""Entries about emergencies and danger also have these."""
EMERGENCY_TOPICS = ("emergencies", "safety")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
_T = TypeVar("_T")
_TIME = re.compile(r"^([01]\d|2[0-4]):[0-5]\d$")


# ---------------------------------------------------------------------------------------------
# Typed content
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where an answer comes from; shown to the user."""

    title: str
    url: str | None = None


@dataclass(frozen=True)
class FaqText:
    """One language of an FAQ entry."""

    question: str
    answer: str
    alternatives: tuple[str, ...] = ()
    details: str | None = None

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The question followed by its alternative phrasings."""
        return (self.question, *self.alternatives)


@dataclass(frozen=True)
class FaqEntry:
    """A question on rights or obligations, with its answer in every language it has."""

    id: str
    topic: str
    source: Source
    last_reviewed: dt.date
    review_by: dt.date
    translations: dict[str, FaqText]
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    service_categories: tuple[str, ...] = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class OpeningHours:
    """Days of the week (``mo`` … ``su``) and the times a service is open on them."""

    days: tuple[str, ...]
    opens: str
    closes: str

    def text(self) -> str:
        """Compact human-readable form, e.g. ``mo-fr 08:00-18:00``."""
        days = self.days
        if len(days) > 2 and all(
            DAYS.index(b) == DAYS.index(a) + 1 for a, b in itertools.pairwise(days)
        ):
            day_text = f"{days[0]}-{days[-1]}"
        else:
            day_text = ",".join(days)
        return f"{day_text} {self.opens}-{self.closes}"


@dataclass(frozen=True)
class ServiceText:
    """One language of a service entry."""

    name: str
    description: str = ""
    eligibility: str | None = None
    fees: str | None = None


@dataclass(frozen=True)
class Service:
    """A local service (fields follow the Open Referral HSDS where they matter)."""

    id: str
    categories: tuple[str, ...]
    city: str
    translations: dict[str, ServiceText]
    last_reviewed: dt.date
    review_by: dt.date
    organization_name: str = ""
    organization_url: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    opening_hours: tuple[OpeningHours, ...] = ()
    languages: tuple[str, ...] = ()
    source: Source | None = None
    file: str = ""
    line: int = 0

    def opening_hours_text(self) -> str:
        """Opening hours as one line, e.g. ``mo-fr 08:00-18:00; sa 09:00-12:00``."""
        return "; ".join(hours.text() for hours in self.opening_hours)


@dataclass(frozen=True)
class EmergencyText:
    """One language of an emergency contact."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class EmergencyContactEntry:
    """An emergency contact of one country, in every language it has."""

    id: str
    phone: str
    translations: dict[str, EmergencyText]
    hours: str | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Language:
    """A language the content may be written in."""

    code: str
    name: str
    native: str = ""
    rtl: bool = False


@dataclass(frozen=True)
class City:
    """A city: its names and spellings per language and the coordinates of its centre."""

    id: str
    names: dict[str, tuple[str, ...]]
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Taxonomy:
    """Country, languages, topics, service categories and cities."""

    country_code: str = "XA"
    country_names: dict[str, str] = field(default_factory=dict)
    default_country: str = "XA"
    fallback_language: str = "en"
    languages: dict[str, Language] = field(default_factory=dict)
    topics: dict[str, dict[str, str]] = field(default_factory=dict)
    categories: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    cities: dict[str, City] = field(default_factory=dict)


@dataclass(frozen=True)
class DangerPhrases:
    """Reviewed phrases that signal immediate danger, per language and category."""

    categories: tuple[str, ...] = ()
    phrases: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Content:
    """Everything in a content folder, typed."""

    taxonomy: Taxonomy
    faqs: tuple[FaqEntry, ...] = ()
    services: tuple[Service, ...] = ()
    emergency: dict[str, tuple[EmergencyContactEntry, ...]] = field(default_factory=dict)
    danger: DangerPhrases = field(default_factory=DangerPhrases)

    def faq_by_id(self) -> dict[str, FaqEntry]:
        """FAQ entries by id."""
        return {entry.id: entry for entry in self.faqs}

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-able data (dates as ISO strings); :meth:`from_data` reads it back."""
        return _to_data(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Content:
        """Rebuild content saved with :meth:`to_data` (no validation: it was valid when saved)."""
        return _from_data(cls, data)


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """An error or warning about a content file, worded for content staff."""

    severity: str  # "error" | "warning"
    file: str
    line: int
    message: str

    @property
    def is_error(self) -> bool:
        """True for errors (the content cannot be published), False for warnings."""
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{self.severity.upper()}: {where}: {self.message}"


class ContentError(Exception):
    """The content has errors; ``problems`` lists all of them (errors and warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        lines = "\n".join(f"  {p}" for p in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"the content has {len(errors)} error(s):\n{lines}{more}")


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def load_content(content_dir: str | Path, *, today: dt.date | None = None) -> Content:
    """Load a content folder.

    Raises:
        ContentError: a file is missing, unreadable or has an error (all errors are listed).
    """
    content, problems = check_content(content_dir, today=today)
    if content is None or any(p.is_error for p in problems):
        raise ContentError(problems)
    return content


def check_content(
    content_dir: str | Path, *, today: dt.date | None = None
) -> tuple[Content | None, list[Problem]]:
    """Read and validate a content folder; return the content and every problem found.

    The content is ``None`` only when ``taxonomy.yml`` cannot be read. Otherwise it holds every
    entry that could be read (entries with errors are left out).
    """
    root = Path(content_dir)
    reader = _Reader(root, today or dt.date.today())
    return reader.read(), sorted(reader.problems, key=lambda p: (p.file, p.line, p.message))


def load_taxonomy(content_dir: str | Path) -> Taxonomy:
    """Only the taxonomy (for the NLU matchers). Raises :class:`ContentError` on errors."""
    reader = _Reader(Path(content_dir), dt.date.today())
    taxonomy = reader.read_taxonomy()
    if taxonomy is None or any(p.is_error for p in reader.problems):
        raise ContentError(reader.problems)
    return taxonomy


def load_danger_phrases(content_dir: str | Path) -> DangerPhrases:
    """Only the danger phrases (for the NLU matcher). Raises :class:`ContentError` on errors."""
    reader = _Reader(Path(content_dir), dt.date.today())
    taxonomy = reader.read_taxonomy() or Taxonomy()
    danger = reader.read_danger(taxonomy)
    if any(p.is_error for p in reader.problems):
        raise ContentError(reader.problems)
    return danger


class _Reader:
    """Reads one content folder, collecting problems instead of stopping at the first."""

    def __init__(self, root: Path, today: dt.date) -> None:
        self.root = root
        self.today = today
        self.problems: list[Problem] = []
        self.ids: dict[str, tuple[str, int]] = {}
        self.file = ""
        # (file, line, entry id, referenced id) of every FAQ `related`, checked once all is read
        self.related_refs: list[tuple[str, int, str, str]] = []

    # -- reporting -------------------------------------------------------------------------
    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem("error", self.file, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem("warning", self.file, line, message))

    # -- files -----------------------------------------------------------------------------
    def parse(self, path: Path, required: bool = True) -> Any:
        self.file = (
            path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
        )
        if not path.exists():
            if required:
                self.error(0, "this file is missing")
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            self.error(
                0,
                f"this file is not saved as UTF-8 text ({error.reason}); save it again "
                "as UTF-8 in your editor",
            )
            return None
        except OSError as error:
            self.error(0, f"this file cannot be read: {error.strerror}")
            return None
        try:
            return yaml_lines.load(text)
        except yaml.YAMLError as error:
            self.error(
                yaml_lines.error_line(error),
                f"this file is not valid YAML: {yaml_lines.error_text(error)}",
            )
            return None

    def files(self, folder: str) -> Iterator[Path]:
        directory = self.root / folder
        if directory.is_dir():
            yield from sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml"))

    def read(self) -> Content | None:
        taxonomy = self.read_taxonomy()
        if taxonomy is None:
            return None
        faqs = [entry for path in self.files("faq") for entry in self.read_faq_file(path, taxonomy)]
        self.check_related(faqs)
        services = [
            s for path in self.files("services") for s in self.read_service_file(path, taxonomy)
        ]
        emergency = self.read_emergency(taxonomy)
        danger = self.read_danger(taxonomy)
        return Content(taxonomy, tuple(faqs), tuple(services), emergency, danger)

    # -- taxonomy --------------------------------------------------------------------------
    def read_taxonomy(self) -> Taxonomy | None:
        data = self.parse(self.root / "taxonomy.yml")
        if data is None:
            return None
        if not isinstance(data, dict):
            self.error(
                1, "this file must hold 'country', 'languages', 'topics', 'categories' and 'cities'"
            )
            return None
        languages = {}
        for code, info in _mapping(data.get("languages")).items():
            info = info if isinstance(info, dict) else {}
            languages[str(code)] = Language(
                str(code),
                str(info.get("name", code)),
                str(info.get("native", "")),
                bool(info.get("rtl", False)),
            )
        if not languages:
            self.error(_line(data, "languages"), "'languages' must list at least one language")
        country = _mapping(data.get("country"))
        topics = {
            str(k): {str(lang): str(name) for lang, name in _mapping(v).items()}
            for k, v in _mapping(data.get("topics")).items()
        }
        categories = {
            str(k): {
                str(lang): tuple(str(w) for w in _as_list(words))
                for lang, words in _mapping(v).items()
            }
            for k, v in _mapping(data.get("categories")).items()
        }
        cities = {}
        for city_id, info in _mapping(data.get("cities")).items():
            info = _mapping(info)
            names = {
                str(lang): tuple(str(n) for n in _as_list(v))
                for lang, v in _mapping(info.get("names")).items()
            }
            cities[str(city_id)] = City(
                str(city_id), names, _float(info.get("latitude")), _float(info.get("longitude"))
            )
        fallback = str(data.get("fallback_language", "en"))
        if languages and fallback not in languages:
            self.error(
                _line(data, "fallback_language"),
                f"fallback_language '{fallback}' is not one of the languages listed",
            )
        return Taxonomy(
            country_code=str(country.get("code", "XA")),
            country_names={str(k): str(v) for k, v in _mapping(country.get("names")).items()},
            default_country=str(data.get("default_country", country.get("code", "XA"))),
            fallback_language=fallback,
            languages=languages,
            topics=topics,
            categories=categories,
            cities=cities,
        )

    # -- common fields ---------------------------------------------------------------------
    def entries(self, data: Any, key: str) -> list[LineDict]:
        if data is None:
            return []
        if not isinstance(data, dict) or key not in data:
            self.error(
                getattr(data, "line", 1),
                f"this file must start with '{key}:' followed by a list of entries",
            )
            return []
        items = data[key]
        if items is None:
            return []
        if not isinstance(items, list):
            self.error(
                _line(data, key),
                f"'{key}' must be a list of entries (each starting with '- id: ...')",
            )
            return []
        good = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.error(
                    _item_line(items, index),
                    f"entry number {index + 1} is not a set of "
                    "fields (it should start with '- id: ...')",
                )
        return good

    def entry_id(self, item: LineDict) -> str | None:
        raw = item.get("id")
        if raw is None or str(raw).strip() == "":
            self.error(item.line, "this entry has no 'id'")
            return None
        entry_id = str(raw)
        if not ID_PATTERN.match(entry_id):
            self.error(
                _line(item, "id"),
                f"the id '{entry_id}' may only use lowercase letters, "
                "digits and single hyphens (e.g. work-right-to-work)",
            )
        if entry_id in self.ids:
            other_file, other_line = self.ids[entry_id]
            self.error(
                _line(item, "id"),
                f"the id '{entry_id}' is used twice: it is also used in "
                f"{other_file}, line {other_line}; every id must be unique",
            )
            return None
        self.ids[entry_id] = (self.file, _line(item, "id"))
        return entry_id

    def date(self, item: LineDict, key: str, entry_id: str) -> dt.date | None:
        value = item.get(key)
        line = _line(item, key)
        if value is None:
            self.error(item.line, f"'{entry_id}' has no '{key}' date (write it like 2026-11-01)")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.error(
                line,
                f"'{entry_id}': {key} '{value}' is not a valid date; write it as "
                "year-month-day, e.g. 2026-11-01",
            )
            return None

    def source(self, item: LineDict, entry_id: str, required: bool) -> Source | None:
        value = item.get("source")
        if value is None:
            if required:
                self.error(
                    item.line,
                    f"'{entry_id}' has no 'source' (title and url of where the answer comes from)",
                )
            return None
        if not isinstance(value, dict) or not str(value.get("title") or "").strip():
            self.error(_line(item, "source"), f"'{entry_id}': the source needs a 'title'")
            return None
        url = value.get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            self.warn(
                _line(value, "url"),
                f"'{entry_id}': the source url '{url}' should start with https://",
            )
        return Source(str(value["title"]).strip(), str(url).strip() if url else None)

    def review_dates(self, item: LineDict, entry_id: str) -> tuple[dt.date | None, dt.date | None]:
        reviewed = self.date(item, "last_reviewed", entry_id)
        review_by = self.date(item, "review_by", entry_id)
        if reviewed and reviewed > self.today:
            self.warn(
                _line(item, "last_reviewed"),
                f"'{entry_id}': last_reviewed {reviewed} is in the future",
            )
        if review_by and review_by < self.today:
            self.warn(
                _line(item, "review_by"),
                f"'{entry_id}' should have been reviewed by "
                f"{review_by}; check the answer is still right and "
                "update the dates",
            )
        if reviewed and review_by and review_by < reviewed:
            self.error(
                _line(item, "review_by"),
                f"'{entry_id}': review_by {review_by} is before last_reviewed {reviewed}",
            )
        return reviewed, review_by

    def language_ok(self, taxonomy: Taxonomy, code: Any, line: int, entry_id: str) -> bool:
        if str(code) in taxonomy.languages:
            return True
        known = ", ".join(taxonomy.languages)
        self.error(line, f"'{entry_id}': '{code}' is not a known language code (known: {known})")
        return False

    def missing_languages(
        self,
        taxonomy: Taxonomy,
        item: LineDict,
        entry_id: str,
        present: Iterable[str],
        expected: Iterable[str],
    ) -> None:
        missing = [code for code in expected if code in taxonomy.languages and code not in present]
        if missing:
            names = ", ".join(f"{taxonomy.languages[c].name} ({c})" for c in missing)
            self.warn(_line(item, "translations"), f"'{entry_id}' has no translation in {names}")

    def ids_in(
        self, item: LineDict, key: str, known: dict[str, Any], what: str, entry_id: str
    ) -> tuple[str, ...]:
        values = item.get(key) or []
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            self.error(_line(item, key), f"'{entry_id}': '{key}' must be a list like [a, b]")
            return ()
        result = []
        for index, value in enumerate(values):
            if str(value) not in known:
                line = (
                    _item_line(values, index) if isinstance(values, LineList) else _line(item, key)
                )
                self.error(
                    line,
                    f"'{entry_id}': '{value}' is not a {what} listed in taxonomy.yml "
                    f"(known: {', '.join(known)})",
                )
            else:
                result.append(str(value))
        return tuple(result)

    # -- FAQ -------------------------------------------------------------------------------
    def read_file(
        self, path: Path, key: str, read_one: Callable[[LineDict], _T | None]
    ) -> list[_T]:
        """Every valid entry listed under ``key`` in one file (problems are collected)."""
        entries = (read_one(item) for item in self.entries(self.parse(path), key))
        return [entry for entry in entries if entry is not None]

    def read_faq_file(self, path: Path, taxonomy: Taxonomy) -> list[FaqEntry]:
        return self.read_file(path, "faqs", lambda item: self.read_faq(item, taxonomy))

    def read_faq(self, item: LineDict, taxonomy: Taxonomy) -> FaqEntry | None:
        entry_id = self.entry_id(item)
        if entry_id is None:
            return None
        errors_before = sum(p.is_error for p in self.problems)
        topic = item.get("topic")
        if topic is None:
            self.error(item.line, f"'{entry_id}' has no 'topic'")
        elif str(topic) not in taxonomy.topics:
            self.error(
                _line(item, "topic"),
                f"'{entry_id}': topic '{topic}' is not listed in "
                f"taxonomy.yml (known: {', '.join(taxonomy.topics)})",
            )
        source = self.source(item, entry_id, required=True)
        reviewed, review_by = self.review_dates(item, entry_id)
        categories = self.ids_in(
            item, "service_categories", taxonomy.categories, "service category", entry_id
        )
        related = tuple(str(r) for r in _as_list(item.get("related")))
        for ref in related:
            self.related_refs.append((self.file, _line(item, "related"), entry_id, ref))
        translations = self.faq_translations(item, taxonomy, entry_id)
        expected = list(CORE_LANGUAGES)
        if str(topic) in EMERGENCY_TOPICS:
            expected += EMERGENCY_LANGUAGES
        self.missing_languages(taxonomy, item, entry_id, translations, expected)
        if sum(p.is_error for p in self.problems) > errors_before or not translations:
            return None
        assert source and reviewed and review_by  # errors were reported otherwise
        return FaqEntry(
            id=entry_id,
            topic=str(topic),
            source=source,
            last_reviewed=reviewed,
            review_by=review_by,
            translations=translations,
            tags=tuple(str(t) for t in _as_list(item.get("tags"))),
            related=related,
            service_categories=categories,
            file=self.file,
            line=item.line,
        )

    def faq_translations(
        self, item: LineDict, taxonomy: Taxonomy, entry_id: str
    ) -> dict[str, FaqText]:
        raw = item.get("translations")
        if not isinstance(raw, dict) or not raw:
            self.error(
                _line(item, "translations"),
                f"'{entry_id}' has no 'translations' (at least "
                "one language with a question and an answer)",
            )
            return {}
        result = {}
        for code, text in raw.items():
            line = _line(raw, code)
            if not self.language_ok(taxonomy, code, line, entry_id):
                continue
            language = taxonomy.languages[str(code)].name
            if not isinstance(text, dict):
                self.error(
                    line,
                    f"'{entry_id}' ({language}): write 'question:' and 'answer:' "
                    "under the language code",
                )
                continue
            question = _text(text.get("question"))
            answer = _text(text.get("answer"))
            if not question:
                self.error(text.line, f"'{entry_id}' has no question in {language} ({code})")
            if not answer:
                self.error(text.line, f"'{entry_id}' has no answer in {language} ({code})")
            alternatives = text.get("alternatives") or []
            if isinstance(alternatives, str):
                alternatives = [alternatives]
            if not isinstance(alternatives, list):
                self.error(
                    _line(text, "alternatives"),
                    f"'{entry_id}' ({language}): alternatives "
                    "must be a list, one phrasing per line "
                    "starting with '- '",
                )
                alternatives = []
            if question and answer:
                result[str(code)] = FaqText(
                    question=question,
                    answer=answer,
                    alternatives=tuple(a for a in (_text(x) for x in alternatives) if a),
                    details=_text(text.get("details")) or None,
                )
        return result

    def check_related(self, faqs: list[FaqEntry]) -> None:
        known = {entry.id for entry in faqs} | set(self.ids)
        for file, line, entry_id, ref in self.related_refs:
            if ref not in known:
                self.problems.append(
                    Problem(
                        "error",
                        file,
                        line,
                        f"'{entry_id}' lists '{ref}' under related, but there is no FAQ entry with "
                        "that id",
                    )
                )

    # -- services --------------------------------------------------------------------------
    def read_service_file(self, path: Path, taxonomy: Taxonomy) -> list[Service]:
        return self.read_file(path, "services", lambda item: self.read_service(item, taxonomy))

    def read_service(self, item: LineDict, taxonomy: Taxonomy) -> Service | None:
        entry_id = self.entry_id(item)
        if entry_id is None:
            return None
        errors_before = sum(p.is_error for p in self.problems)
        categories = self.ids_in(
            item, "categories", taxonomy.categories, "service category", entry_id
        )
        if not _as_list(item.get("categories")):
            self.error(item.line, f"'{entry_id}' has no 'categories'")
        city = item.get("city")
        if city is None:
            self.error(item.line, f"'{entry_id}' has no 'city'")
        elif str(city) not in taxonomy.cities:
            self.error(
                _line(item, "city"),
                f"'{entry_id}': city '{city}' is not listed in "
                f"taxonomy.yml (known: {', '.join(taxonomy.cities)})",
            )
        reviewed, review_by = self.review_dates(item, entry_id)
        source = self.source(item, entry_id, required=False)
        latitude, longitude = self.coordinates(item, entry_id)
        languages = tuple(str(c) for c in _as_list(item.get("languages")))
        for code in languages:
            if code not in taxonomy.languages:
                self.warn(
                    _line(item, "languages"),
                    f"'{entry_id}': staff language '{code}' is not in taxonomy.yml",
                )
        hours = self.opening_hours(item, entry_id)
        translations = self.service_translations(item, taxonomy, entry_id)
        self.missing_languages(taxonomy, item, entry_id, translations, CORE_LANGUAGES)
        if sum(p.is_error for p in self.problems) > errors_before or not translations:
            return None
        assert reviewed and review_by
        organization = _mapping(item.get("organization"))
        return Service(
            id=entry_id,
            categories=categories,
            city=str(city),
            translations=translations,
            last_reviewed=reviewed,
            review_by=review_by,
            organization_name=_text(organization.get("name")),
            organization_url=_text(organization.get("url")) or None,
            address=_text(item.get("address")) or None,
            latitude=latitude,
            longitude=longitude,
            phone=_text(item.get("phone")) or None,
            email=_text(item.get("email")) or None,
            url=_text(item.get("url")) or None,
            opening_hours=hours,
            languages=languages,
            source=source,
            file=self.file,
            line=item.line,
        )

    def coordinates(self, item: LineDict, entry_id: str) -> tuple[float | None, float | None]:
        lat, lon = item.get("latitude"), item.get("longitude")
        if lat is None and lon is None:
            return None, None
        try:
            latitude, longitude = float(lat), float(lon)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.error(
                _line(item, "latitude"),
                f"'{entry_id}': latitude and longitude must both be numbers like 47.0712",
            )
            return None, None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            self.error(
                _line(item, "latitude"),
                f"'{entry_id}': latitude must be between -90 and "
                "90 and longitude between -180 and 180",
            )
            return None, None
        return latitude, longitude

    def opening_hours(self, item: LineDict, entry_id: str) -> tuple[OpeningHours, ...]:
        result = []
        raw = item.get("opening_hours") or []
        if not isinstance(raw, list):
            self.error(
                _line(item, "opening_hours"),
                f"'{entry_id}': opening_hours must be a list "
                'like - {days: [mo], opens: "08:00", '
                'closes: "12:00"}',
            )
            return ()
        for index, slot in enumerate(raw):
            line = _item_line(raw, index)
            if not isinstance(slot, dict):
                self.error(line, f"'{entry_id}': each opening_hours line needs days, opens, closes")
                continue
            days = tuple(str(d).lower() for d in _as_list(slot.get("days")))
            bad = [d for d in days if d not in DAYS]
            opens, closes = _clock(slot.get("opens")), _clock(slot.get("closes"))
            if not days or bad:
                self.error(line, f"'{entry_id}': opening days must be among {', '.join(DAYS)}")
            elif not (_TIME.match(opens) and _TIME.match(closes)):
                self.error(
                    line, f"'{entry_id}': opening times must be written like \"08:00\" (in quotes)"
                )
            else:
                result.append(OpeningHours(days, opens, closes))
        return tuple(result)

    def service_translations(
        self, item: LineDict, taxonomy: Taxonomy, entry_id: str
    ) -> dict[str, ServiceText]:
        raw = item.get("translations")
        if not isinstance(raw, dict) or not raw:
            self.error(
                _line(item, "translations"),
                f"'{entry_id}' has no 'translations' (at least one language with a name)",
            )
            return {}
        result = {}
        for code, text in raw.items():
            line = _line(raw, code)
            if not self.language_ok(taxonomy, code, line, entry_id):
                continue
            if not isinstance(text, dict) or not _text(text.get("name")):
                self.error(
                    line,
                    f"'{entry_id}' has no name in {taxonomy.languages[str(code)].name} ({code})",
                )
                continue
            result[str(code)] = ServiceText(
                name=_text(text["name"]),
                description=_text(text.get("description")),
                eligibility=_text(text.get("eligibility")) or None,
                fees=_text(text.get("fees")) or None,
            )
        return result

    # -- emergency and danger --------------------------------------------------------------
    def read_emergency(self, taxonomy: Taxonomy) -> dict[str, tuple[EmergencyContactEntry, ...]]:
        data = self.parse(self.root / "emergency.yml", required=False)
        if data is None:
            return {}
        countries = data.get("countries") if isinstance(data, dict) else None
        if not isinstance(countries, dict):
            self.error(
                getattr(data, "line", 1),
                "this file must start with 'countries:' and a country code such as XA",
            )
            return {}
        result = {}
        for country, info in countries.items():
            contacts = []
            for item in self.entries(info, "contacts"):
                raw_id = item.get("id")
                if not raw_id:
                    self.error(item.line, "this emergency contact has no 'id'")
                    continue
                contact_id = str(raw_id)
                if not _text(item.get("phone")):
                    self.error(item.line, f"emergency contact '{contact_id}' has no phone number")
                    continue
                texts = {}
                for code, text in _mapping(item.get("translations")).items():
                    if not self.language_ok(
                        taxonomy, code, _line(item["translations"], code), contact_id
                    ):
                        continue
                    if not isinstance(text, dict) or not _text(text.get("name")):
                        self.error(
                            _line(item["translations"], code),
                            f"emergency contact '{contact_id}' has no name in '{code}'",
                        )
                        continue
                    texts[str(code)] = EmergencyText(
                        _text(text["name"]), _text(text.get("description"))
                    )
                if not texts:
                    self.error(item.line, f"emergency contact '{contact_id}' has no translations")
                    continue
                self.missing_languages(
                    taxonomy, item, contact_id, texts, CORE_LANGUAGES + EMERGENCY_LANGUAGES
                )
                contacts.append(
                    EmergencyContactEntry(
                        contact_id,
                        _text(item["phone"]),
                        texts,
                        _text(item.get("hours")) or None,
                        self.file,
                        item.line,
                    )
                )
            result[str(country)] = tuple(contacts)
        return result

    def read_danger(self, taxonomy: Taxonomy) -> DangerPhrases:
        data = self.parse(self.root / "danger_phrases.yml", required=False)
        if data is None:
            return DangerPhrases()
        if not isinstance(data, dict):
            self.error(1, "this file must hold 'categories' and 'phrases'")
            return DangerPhrases()
        categories = tuple(str(c) for c in _as_list(data.get("categories")))
        phrases: dict[str, dict[str, tuple[str, ...]]] = {}
        for code, by_category in _mapping(data.get("phrases")).items():
            if not self.language_ok(taxonomy, code, _line(data["phrases"], code), "phrases"):
                continue
            phrases[str(code)] = {}
            for category, words in _mapping(by_category).items():
                if categories and str(category) not in categories:
                    self.error(
                        _line(by_category, category),
                        f"danger category '{category}' is "
                        f"not in the categories list ({', '.join(categories)})",
                    )
                    continue
                phrases[str(code)][str(category)] = tuple(
                    _text(w) for w in _as_list(words) if _text(w)
                )
        return DangerPhrases(categories, phrases)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _clock(value: Any) -> str:
    # YAML 1.1 reads unquoted 08:00 as a sexagesimal integer (480): turn it back into a time.
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value // 60:02d}:{value % 60:02d}"
    return _text(value)


def _line(mapping: Any, key: Any) -> int:
    if isinstance(mapping, LineDict):
        return mapping.line_of(key)
    return 0


def _item_line(items: Any, index: int) -> int:
    return items.line_of(index) if isinstance(items, LineList) else 0


def _to_data(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_data(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _from_data(cls: Any, data: Any) -> Any:
    """Inverse of :func:`_to_data`, driven by the dataclass field types."""
    hints = _type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


_HINTS: dict[type, dict[str, Any]] = {}


def _type_hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        import typing

        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _convert(hint: Any, value: Any) -> Any:
    import types
    import typing

    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value)
    if origin is tuple:
        return tuple(_convert(args[0], v) for v in value)
    if origin is dict:
        return {k: _convert(args[1], v) for k, v in value.items()}
    if hint is dt.date:
        return dt.date.fromisoformat(value)
    if dataclasses.is_dataclass(hint):
        return _from_data(hint, value)
    return value
