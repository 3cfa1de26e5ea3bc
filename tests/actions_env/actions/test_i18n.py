"""Translated strings: the .po reader, fallbacks, the completeness check and RTL marking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from haven import i18n

ROOT = Path(__file__).resolve().parents[3]
SUPPORTED = ("en", "fr", "es", "ar", "fa", "uk", "ru", "tr", "ps", "ti", "so")

PO = r"""
msgid ""
msgstr ""
"Language: xx\n"

#. a comment
#, python-brace-format
msgctxt "hello"
msgid "Hello {name}"
msgstr "Salut "
"{name}"

#, fuzzy
msgctxt "fuzzy"
msgid "Rough"
msgstr "Approximatif"

msgctxt "empty"
msgid "Nothing"
msgstr ""

msgctxt "quote"
msgid "Say \"hi\"\nthen go"
msgstr "Dis \"salut\"\npuis pars"
"""


def make_locales(tmp_path: Path, translations: dict[str, str]) -> Path:
    (tmp_path / "haven.pot").write_text(PO.replace('"Language: xx\\n"', ""), encoding="utf-8")
    for language, text in translations.items():
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "haven.po").write_text(text, encoding="utf-8")
    return tmp_path


def test_parser_reads_contexts_continuations_escapes_and_flags():
    entries = {e.key: e for e in i18n.parse_po(PO)}
    assert entries["hello"].msgstr == "Salut {name}"
    assert "python-brace-format" in entries["hello"].flags
    assert entries["quote"].msgstr == 'Dis "salut"\npuis pars'
    assert not entries["fuzzy"].translated and not entries["empty"].translated


def test_broken_line_is_reported_with_file_and_line():
    with pytest.raises(i18n.CatalogError, match=r"x.po:2"):
        i18n.parse_po('msgid "a"\nthis is not po\n', "x.po")


def test_fuzzy_and_empty_fall_back_and_are_reported_missing(tmp_path):
    locales = make_locales(
        tmp_path,
        {
            "fr": PO,
            "en": PO.replace('msgstr ""\n\nmsgctxt "quote"', 'msgstr "Nothing"\n\nmsgctxt "quote"'),
        },
    )
    translator = i18n.Translator(locales, fallback="en", supported=["en", "fr"])
    assert translator.translate("hello", "fr", name="Ana") == "Salut Ana"
    assert translator.translate("fuzzy", "fr") == "Rough"  # from the template: no en entry
    assert translator.translate("empty", "fr") == "Nothing"  # from English
    assert translator.missing()["fr"] == ["empty", "fuzzy"]


def test_translation_with_wrong_placeholder_falls_back(tmp_path):
    broken = PO.replace('"{name}"', '"{nom}"')
    locales = make_locales(tmp_path, {"fr": broken, "en": PO})
    translator = i18n.Translator(locales, fallback="en", supported=["en", "fr"])
    assert translator.placeholder_mismatches()["fr"] == ["hello"]
    assert translator.translate("hello", "fr", name="Ana") == "Salut Ana"  # en catalogue


def test_unknown_key_shows_the_key_rather_than_crashing(tmp_path):
    translator = i18n.Translator(make_locales(tmp_path, {}), supported=["en"])
    assert translator.translate("no-such-key", "fr") == "no-such-key"


def test_every_supported_language_has_every_string():
    translator = i18n.Translator(supported=SUPPORTED)
    assert translator.missing() == {}
    assert translator.placeholder_mismatches() == {}


def test_the_check_command_fails_on_missing_translations(tmp_path, capsys):
    locales = make_locales(tmp_path, {"fr": PO})
    assert i18n.main(["--locale-dir", str(locales), "--languages", "fr"]) == 1
    assert "fr: 2 missing: empty, fuzzy" in capsys.readouterr().out
    assert i18n.main(["--languages", *SUPPORTED]) == 0


def test_every_key_the_actions_use_exists():
    keys = set(i18n.Translator().template())
    used: set[str] = set()
    for path in (ROOT / "actions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:\.t|say_key|translate)\(\s*"([\w.-]+)"', source))
        used |= set(re.findall(r'\(self\.t\("([\w.-]+)"\)', source))
        used |= {
            f"category.{c}"
            for c in (
                "health",
                "legal-aid",
                "shelter",
                "language-school",
                "employment",
                "child-protection",
                "psychosocial-support",
            )
        }
        used |= set(re.findall(r'key(?:, with_menu)? = "action_\w+", "([\w.-]+)"', source))
    assert used and used <= keys, sorted(used - keys)


@pytest.mark.parametrize(
    "language, direction",
    [("ar", "rtl"), ("fa", "rtl"), ("ps", "rtl"), ("en", "ltr"), ("ti", "ltr"), (None, "ltr")],
)
def test_direction(language, direction):
    assert i18n.direction(language) == direction
