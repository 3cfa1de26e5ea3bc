"""Rasa graph component: cities, service categories, language names and option numbers.

A blank multilingual spaCy pipeline (``spacy.blank("xx")``) with a ``PhraseMatcher`` built
at load time from the content taxonomy: every spelling of every city and every word people
use for a service category, in every language and script. Adding a city or a spelling to
``taxonomy.yml`` needs no retraining (the file is re-read when it changes).

Matching runs on normalised text (:mod:`nlu.text`: case, diacritics, Arabic-script letter
variants), and entities are reported on the original text with the taxonomy id as value::

    {"entity": "city", "value": "port-solenne", "start": 9, "end": 21, ...}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.matcher import PhraseMatcher

from nlu.content_source import Watched, content_dir
from nlu.text import DIGITS, normalise, normalise_with_offsets

EXTRACTOR = "HavenEntityMatcher"
SHORT = 6  # category words shorter than this match only in messages of their language

#: Names people type for the supported languages (besides the taxonomy's name and native).
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "english",
        "anglais",
        "inglés",
        "ingles",
        "englisch",
        "انگلیسی",
        "الانجليزية",
        "انجليزي",
        "англійська",
        "английский",
        "ingilizce",
        "ingiriis",
    ),
    "fr": (
        "french",
        "français",
        "francais",
        "francés",
        "frances",
        "فرنسي",
        "الفرنسية",
        "فرانسوی",
        "французька",
        "французский",
        "fransızca",
        "faransiis",
    ),
    "es": (
        "spanish",
        "español",
        "espanol",
        "espagnol",
        "castellano",
        "الاسبانية",
        "اسپانیایی",
        "іспанська",
        "испанский",
        "ispanyolca",
        "isbaanish",
    ),
    "ar": (
        "arabic",
        "arabe",
        "árabe",
        "عربي",
        "عربى",
        "العربية",
        "عربی",
        "арабська",
        "арабский",
        "arapça",
        "carabi",
        "carabiga",
    ),
    "fa": (
        "farsi",
        "persian",
        "dari",
        "persan",
        "فارسی",
        "دری",
        "پارسی",
        "الفارسية",
        "перська",
        "персидский",
        "фарси",
        "дари",
        "farsça",
        "farsiga",
    ),
    "uk": (
        "ukrainian",
        "ukrainien",
        "ucraniano",
        "українська",
        "украинский",
        "українською",
        "ukraynaca",
        "اوکراینی",
        "الاوكرانية",
    ),
    "ru": (
        "russian",
        "russe",
        "ruso",
        "русский",
        "по-русски",
        "по русски",
        "російська",
        "rusça",
        "روسی",
        "الروسية",
        "ruush",
    ),
    "tr": (
        "turkish",
        "turc",
        "turco",
        "türkçe",
        "turkce",
        "ترکی",
        "التركية",
        "турецька",
        "турецкий",
        "turki",
    ),
    "ps": ("pashto", "pachto", "pastún", "پښتو", "پشتو", "البشتو", "пушту", "peştuca"),
    "ti": ("tigrinya", "tigrigna", "tigrinia", "ትግርኛ", "التغرينية", "тигринья"),
    "so": (
        "somali",
        "somalien",
        "somalí",
        "soomaali",
        "af soomaali",
        "الصومالية",
        "سومالیایی",
        "сомалі",
        "сомали",
        "somalice",
    ),
}

_NUMBER_ONLY = re.compile(
    r"^\s*(?:#|no\.?|n°|nr\.?|option|number|numéro|número)?\s*([0-9٠-٩۰-۹]{1,2})\s*[.)]?\s*$",
    re.IGNORECASE,
)


@dataclass
class _Vocabulary:
    """The phrase matcher and what each match id means."""

    matcher: PhraseMatcher
    labels: dict[int, tuple[str, str, str | None]]  # match id → (entity, value, language)


def build_vocabulary(nlp: Any, taxonomy: Any) -> _Vocabulary:
    """A PhraseMatcher over city names, category words and language names."""
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    labels: dict[int, tuple[str, str, str | None]] = {}

    def add(entity: str, value: str, names: Iterable[str], language: str | None = None) -> None:
        key = f"{entity}:{value}:{language or '*'}"
        docs = [nlp.make_doc(n) for n in {normalise(str(name)) for name in names} if n]
        if docs:
            matcher.add(key, docs)
            labels[nlp.vocab.strings[key]] = (entity, value, language)

    if taxonomy is not None:
        for city_id, city in taxonomy.cities.items():
            add("city", city_id, [city_id, *(n for names in city.names.values() for n in names)])
        for category_id, per_language in taxonomy.categories.items():
            for language, category_words in per_language.items():
                # short words ("hasta": Turkish "ill", Spanish "until") count only in
                # messages of their own language; longer ones in any language
                long_words = [w for w in category_words if len(w) >= SHORT]
                add("category", category_id, long_words)
                short_words = [w for w in category_words if len(w) < SHORT]
                add("category", category_id, short_words, language)
        for code, language in taxonomy.languages.items():
            names = [language.name, language.native, *language.native.split("/")]
            add("language", code, [*names, *LANGUAGE_NAMES.get(code, ())])
    else:
        for code, names in LANGUAGE_NAMES.items():
            add("language", code, names)
    return _Vocabulary(matcher, labels)


def _load_taxonomy(folder: str) -> Any:
    from knowledge_base.content import load_taxonomy

    return load_taxonomy(folder)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class HavenEntityMatcher(GraphComponent):
    """Extract ``city``, ``category``, ``language`` and ``number`` entities by dictionary."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``content_dir``: where ``taxonomy.yml`` is (default: haven.yml's)."""
        return {"content_dir": None}

    def __init__(self, config: dict[str, Any]) -> None:
        self.nlp = spacy.blank("xx")
        folder = content_dir(config.get("content_dir"))
        self.vocabulary: Watched[_Vocabulary] = Watched(
            [folder / "taxonomy.yml"],
            lambda: build_vocabulary(self.nlp, _load_taxonomy(str(folder))),
            build_vocabulary(self.nlp, None),
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HavenEntityMatcher:
        """Build the matcher from the taxonomy."""
        return cls(config)

    def extract(self, text: str, language: str | None = None) -> list[dict[str, Any]]:
        """Entities found in a text, with offsets on the original text.

        ``language`` (the detected one, if any) decides whether short, language-specific
        category words count; with no language they all count.
        """
        entities: list[dict[str, Any]] = []
        number = _NUMBER_ONLY.match(text or "")
        if number:
            digits = number.group(1)
            value = str(int(digits.translate(DIGITS)))
            entities.append(self._entity("number", value, number.start(1), number.end(1), digits))
        normalised, offsets = normalise_with_offsets(text or "")
        if not normalised:
            return entities
        vocabulary = self.vocabulary.value
        doc = self.nlp.make_doc(normalised)
        matches = [
            (match_id, start, end)
            for match_id, start, end in vocabulary.matcher(doc)
            if vocabulary.labels[match_id][2] in (None, language) or language is None
        ]
        spans = spacy.util.filter_spans([doc[start:end] for _, start, end in matches])
        for match_id, start, end in matches:
            span = doc[start:end]
            if span not in spans:
                continue
            entity, value, _ = vocabulary.labels[match_id]
            begin = offsets[span.start_char]
            finish = offsets[span.end_char - 1] + 1
            entities.append(self._entity(entity, value, begin, finish, text[begin:finish]))
        return entities

    @staticmethod
    def _entity(entity: str, value: str, start: int, end: int, original: str) -> dict[str, Any]:
        return {
            "entity": entity,
            "value": value,
            "start": start,
            "end": end,
            "confidence_entity": 1.0,
            "extractor": EXTRACTOR,
            "text": original,
        }

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the dictionary entities to each message."""
        for message in messages:
            found = self.extract(message.get(TEXT) or "", message.get("language"))
            if found:
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), *found], add_to_output=True)
        return messages
