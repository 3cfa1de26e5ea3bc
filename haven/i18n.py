"""Translated bot strings from the gettext catalogs under ``bot/locales/``.

Every string the bot says lives in a standard gettext catalog that translators open with
their usual tools (Poedit, Weblate, Lokalize)::

    bot/locales/haven.pot                     the template (English source text)
    bot/locales/<lang>/LC_MESSAGES/haven.po   one catalog per language

Each message is identified by its context (``msgctxt``, a stable key such as ``"greet"``);
the ``msgid`` holds the English source text, so translators see what to translate and the
code never depends on the exact English wording. Placeholders use Python's brace syntax
(``{name}``) and the entries carry the ``python-brace-format`` flag.

This module needs only the standard library, so both the Rasa server and the action server
import it. It reads ``.po`` files directly (no compilation step); fuzzy or empty entries are
treated as missing and fall back to the configured fallback language.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from haven import settings

DOMAIN = "haven"
DEFAULT_LOCALE_DIR = settings.PROJECT_ROOT / "bot" / "locales"
DEFAULT_FALLBACK = "en"
DEFAULT_RTL = ("ar", "fa", "ps")


class CatalogError(Exception):
    """A ``.po`` file cannot be read; the message names the file and line."""


@dataclass
class PoEntry:
    """One message of a ``.po`` file."""

    msgctxt: str | None
    msgid: str
    msgstr: str
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The key code uses to look the message up: its context, else its msgid."""
        return self.msgctxt if self.msgctxt is not None else self.msgid

    @property
    def translated(self) -> bool:
        """Whether the entry has a usable translation (non-empty and not fuzzy)."""
        return bool(self.msgstr) and "fuzzy" not in self.flags


_KEYWORD = re.compile(r'^(msgctxt|msgid|msgstr|msgid_plural|msgstr\[\d+\])\s+(".*")\s*$')


def _unquote(literal: str, path: Path, line: int) -> str:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError) as error:
        raise CatalogError(f"{path}:{line}: bad string literal {literal!r}") from error
    if not isinstance(value, str):
        raise CatalogError(f"{path}:{line}: expected a quoted string")
    return value


def parse_po(text: str, path: Path | str = "<string>") -> list[PoEntry]:
    """Parse the text of a ``.po`` file into entries (the header entry included)."""
    path = Path(path)
    entries: list[PoEntry] = []
    current: dict[str, str] = {}
    flags: set[str] = set()
    field_name: str | None = None
    start = 0

    def flush() -> None:
        nonlocal current, flags, field_name
        if "msgid" in current:
            entries.append(
                PoEntry(
                    msgctxt=current.get("msgctxt"),
                    msgid=current["msgid"],
                    msgstr=current.get("msgstr", current.get("msgstr[0]", "")),
                    flags=flags,
                    line=start,
                )
            )
        current, flags, field_name = {}, set(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        has_msgstr = "msgstr" in current or "msgstr[0]" in current
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if has_msgstr:
                flush()
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, literal = match.groups()
            if keyword in ("msgctxt", "msgid") and (has_msgstr or keyword in current):
                flush()
            if not current:
                start = number
            field_name = keyword
            current[keyword] = _unquote(literal, path, number)
            continue
        if line.startswith('"') and field_name:
            current[field_name] += _unquote(line, path, number)
            continue
        raise CatalogError(f"{path}:{number}: cannot read this line: {raw!r}")
    flush()
    return entries


@dataclass
class Catalog:
    """The translations of one language, keyed by message context."""

    language: str
    messages: dict[str, str]
    untranslated: set[str]

    @classmethod
    def load(cls, path: Path, language: str) -> Catalog:
        """Read a ``.po`` file; a missing file gives an empty catalog."""
        if not path.exists():
            return cls(language, {}, set())
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CatalogError(f"{path}: cannot read: {error}") from error
        messages: dict[str, str] = {}
        untranslated: set[str] = set()
        for entry in parse_po(text, path):
            if entry.msgid == "" and entry.msgctxt is None:
                continue  # header
            if entry.translated:
                messages[entry.key] = entry.msgstr
            else:
                untranslated.add(entry.key)
        return cls(language, messages, untranslated)


class Translator:
    """Look up bot strings by key and language, with fallback and placeholder filling."""

    def __init__(
        self,
        locale_dir: Path = DEFAULT_LOCALE_DIR,
        fallback: str = DEFAULT_FALLBACK,
        rtl: Iterable[str] = DEFAULT_RTL,
        supported: Iterable[str] | None = None,
    ) -> None:
        self.locale_dir = Path(locale_dir)
        self.fallback = fallback
        self.rtl = frozenset(rtl)
        self._supported = tuple(supported) if supported is not None else None
        self._catalogs: dict[str, Catalog] = {}
        self._template: dict[str, str] | None = None

    @property
    def supported(self) -> tuple[str, ...]:
        """The languages the bot speaks (configured, else those that have a catalog)."""
        if self._supported is not None:
            return self._supported
        catalogs = self.locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        return tuple(sorted(p.parent.parent.name for p in catalogs))

    def catalog(self, language: str) -> Catalog:
        """The catalog of a language (loaded once)."""
        if language not in self._catalogs:
            path = self.locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            self._catalogs[language] = Catalog.load(path, language)
        return self._catalogs[language]

    def template(self) -> dict[str, str]:
        """Key → English source text, from ``haven.pot``."""
        if self._template is None:
            path = self.locale_dir / f"{DOMAIN}.pot"
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            self._template = {
                e.key: e.msgid for e in parse_po(text, path) if e.msgid or e.msgctxt is not None
            }
        return self._template

    def lookup(self, key: str, language: str | None) -> tuple[str, str]:
        """Return ``(text, language_used)`` for a key, falling back when needed.

        Order: the requested language, the fallback language, the template's source text,
        and finally the key itself (so a missing string is visible, never a crash).
        """
        for candidate in (language, self.fallback):
            if candidate:
                text = self.catalog(candidate).messages.get(key)
                if text:
                    return text, candidate
        source = self.template().get(key)
        return (source or key), self.fallback

    def translate(self, key: str, language: str | None, /, **values: object) -> str:
        """The text of ``key`` in ``language`` with ``{placeholders}`` filled in.

        A translation whose placeholders do not match the values given falls back to the
        fallback language rather than showing a broken sentence.
        """
        text, used = self.lookup(key, language)
        try:
            return text.format_map(_Strict(values)) if values or "{" in text else text
        except (KeyError, IndexError, ValueError):
            if used != self.fallback:
                text, _ = self.lookup(key, self.fallback)
                try:
                    return text.format_map(_Strict(values))
                except (KeyError, IndexError, ValueError):
                    pass
            return text

    def is_rtl(self, language: str | None) -> bool:
        """Whether a language is written right to left."""
        return language in self.rtl

    def direction(self, language: str | None) -> str:
        """``"rtl"`` or ``"ltr"``, for channels that render the message."""
        return "rtl" if self.is_rtl(language) else "ltr"

    def missing(self, languages: Iterable[str] | None = None) -> dict[str, list[str]]:
        """Keys of the template that have no usable translation, per language."""
        keys = set(self.template())
        report: dict[str, list[str]] = {}
        for language in languages or self.supported:
            catalog = self.catalog(language)
            absent = sorted(k for k in keys if k not in catalog.messages)
            if absent:
                report[language] = absent
        return report

    def placeholder_mismatches(
        self, languages: Iterable[str] | None = None
    ) -> dict[str, list[str]]:
        """Keys whose translation uses other ``{placeholders}`` than the source text."""
        report: dict[str, list[str]] = {}
        for language in languages or self.supported:
            catalog = self.catalog(language)
            bad = [
                key
                for key, source in self.template().items()
                if key in catalog.messages
                and placeholders(catalog.messages[key]) != placeholders(source)
            ]
            if bad:
                report[language] = sorted(bad)
        return report


class _Strict(dict):  # type: ignore[type-arg]
    """A mapping for ``format_map`` that raises on unknown placeholders."""

    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def placeholders(text: str) -> set[str]:
    """The ``{names}`` used in a format string."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<malformed>"}


@lru_cache(maxsize=1)
def default_translator() -> Translator:
    """The process-wide translator configured from ``haven.yml``."""
    return Translator(
        fallback=settings.get("languages.fallback", DEFAULT_FALLBACK),
        rtl=settings.get("languages.rtl", DEFAULT_RTL),
        supported=settings.get("languages.supported"),
    )


def translate(key: str, language: str | None, /, **values: object) -> str:
    """Shortcut for :meth:`Translator.translate` on the default translator."""
    return default_translator().translate(key, language, **values)


def direction(language: str | None) -> str:
    """Shortcut for :meth:`Translator.direction` on the default translator."""
    return default_translator().direction(language)


def supported_languages() -> tuple[str, ...]:
    """The languages the bot speaks, from ``haven.yml``."""
    return default_translator().supported


def fallback_language() -> str:
    """The configured fallback language."""
    return default_translator().fallback


def format_report(missing: Mapping[str, list[str]], mismatched: Mapping[str, list[str]]) -> str:
    """A human-readable report of missing and broken translations."""
    lines = []
    for language, keys in sorted(missing.items()):
        lines.append(f"{language}: {len(keys)} missing: {', '.join(keys)}")
    for language, keys in sorted(mismatched.items()):
        lines.append(f"{language}: placeholders differ from the source: {', '.join(keys)}")
    return "\n".join(lines) if lines else "all translations present"


def main(argv: list[str] | None = None) -> int:
    """``python -m haven.i18n``: report missing translations; exit 1 when any is missing.

    Options: ``--languages en fr ...`` (default: ``languages.supported`` in haven.yml),
    ``--locale-dir PATH`` (default: ``bot/locales``), ``--warn-only`` (always exit 0).
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m haven.i18n", description=main.__doc__)
    parser.add_argument("--languages", nargs="*")
    parser.add_argument("--locale-dir", type=Path, default=DEFAULT_LOCALE_DIR)
    parser.add_argument("--warn-only", action="store_true")
    args = parser.parse_args(argv)
    configured = default_translator()
    translator = Translator(
        args.locale_dir, configured.fallback, configured.rtl, args.languages or configured.supported
    )
    try:
        if not translator.template():
            print(f"no message template at {args.locale_dir / (DOMAIN + '.pot')}")
            return 0 if args.warn_only else 1
        missing = translator.missing()
        mismatched = translator.placeholder_mismatches()
    except CatalogError as error:
        print(f"broken catalog: {error}")
        return 0 if args.warn_only else 1
    print(format_report(missing, mismatched))
    count = len(translator.template())
    for language in translator.supported:
        done = count - len(missing.get(language, []))
        print(f"  {language}: {done}/{count} translated")
    failed = bool(missing or mismatched)
    return 0 if (args.warn_only or not failed) else 1


if __name__ == "__main__":
    raise SystemExit(main())
