"""Every console string is in the template catalog and translated into Arabic and Farsi."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from console import i18n
from haven.i18n import parse_po

CONSOLE = Path(__file__).resolve().parents[3] / "console"
CALL = re.compile(
    r"""(?<![\w.])_\(\s*(?:"((?:[^"\\]|\\.)*)"(?:\s*"((?:[^"\\]|\\.)*)")?|'([^']*)')"""
)
ROLES_AND_ACTIONS = ("editor", "translator", "viewer", "create", "edit", "retire", "restore",
                     "import", "revert")  # fmt: skip


def used_strings() -> set[str]:
    found = set(ROLES_AND_ACTIONS)
    code = [p for p in CONSOLE.glob("*.py") if p.name != "i18n.py"]
    for path in [*CONSOLE.glob("templates/*.html"), *code]:
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            if match.group(1) is not None:
                found.add(match.group(1) + (match.group(2) or ""))
            else:
                found.add(match.group(3))
    return {s for s in found if s.strip()}


def test_template_lists_every_string() -> None:
    pot = CONSOLE / "locales" / "console.pot"
    msgids = {e.msgid for e in parse_po(pot.read_text(encoding="utf-8"), pot)}
    assert sorted(used_strings() - msgids) == []


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_catalogs_are_complete(language: str) -> None:
    catalog = i18n.catalog(language)
    missing = sorted(s for s in used_strings() if not catalog.get(s))
    assert missing == []
    for source, translated in catalog.items():
        assert set(re.findall(r"{(\w+)}", source)) == set(re.findall(r"{(\w+)}", translated))


def test_missing_translation_falls_back_to_english() -> None:
    _ = i18n.gettext("xx")
    assert _("Log in") == "Log in" and _("{n} days", n=7) == "7 days"
    assert i18n.gettext("ar")("{n} days", n=7) == "7 يومًا"
