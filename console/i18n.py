"""The console's own user-interface strings, translated with gettext catalogs.

Catalogs live in ``console/locales/<lang>/LC_MESSAGES/console.po`` (template
``console/locales/console.pot``); the ``msgid`` is the English text, so a missing translation
shows English. Parsed with :func:`haven.i18n.parse_po` (no compilation step). The UI language is
chosen per browser (cookie); Arabic, Farsi and Pashto get a right-to-left layout.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from haven.i18n import parse_po

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "console"


@lru_cache(maxsize=32)
def catalog(language: str) -> dict[str, str]:
    """msgid -> translation for a UI language (empty for English or a missing catalog)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    entries = parse_po(path.read_text(encoding="utf-8"), path)
    return {e.msgid: e.msgstr for e in entries if e.msgid and e.translated}


def available() -> list[str]:
    """UI languages that have a catalog, plus English."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return ["en", *sorted(found - {"en"})]


def gettext(language: str) -> Callable[..., str]:
    """A ``_("text", name=value)`` function for one UI language."""
    messages = catalog(language)

    def translate(text: str, **values: object) -> str:
        translated = messages.get(text) or text
        if not values:
            return translated
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError):
            return text.format(**values)

    return translate
