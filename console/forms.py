"""Turn the console's HTML forms into entry data (the plain form of the YAML) and back.

Field names: ``topic``, ``tags`` (comma separated), ``source_title``, ``source_url``,
``review_by``, ``related``, ``service_categories``; per language ``<lang>.question``,
``<lang>.alternatives`` (one per line), ``<lang>.answer``, ``<lang>.details``. Services:
``organization_name`` … ``opening_hours`` (one line per slot, e.g. ``mo-fr 08:00-18:00``) and
per language ``<lang>.name``, ``<lang>.description``, ``<lang>.eligibility``, ``<lang>.fees``.

A translator's form only changes the texts of languages other than the source language.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from knowledge_base.content import DAYS

FAQ_TEXT_FIELDS = ("question", "alternatives", "answer", "details")
SERVICE_TEXT_FIELDS = ("name", "description", "eligibility", "fees")
_SLOT = re.compile(r"^\s*([a-z,\- ]+?)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")

Getter = Callable[[str], str]


def _words(value: str) -> list[str]:
    return [w.strip() for w in value.replace("،", ",").split(",") if w.strip()]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _clean(value: str | None) -> str:
    """Trim, normalise line ends, drop trailing spaces of every line."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def next_review(today: dt.date, months: int) -> dt.date:
    """``today`` plus ``months`` months (day clipped to 28 so it always exists)."""
    month = today.month - 1 + months
    return dt.date(today.year + month // 12, month % 12 + 1, min(today.day, 28))


def review_by_default(old: str | None, today: dt.date, months: int) -> str:
    """The review date to show on a form: the entry's own unless it has passed."""
    if old:
        try:
            if dt.date.fromisoformat(old) > today:
                return old
        except ValueError:
            return old
    return next_review(today, months).isoformat()


def _texts(
    get: Getter, languages: Iterable[str], fields: tuple[str, ...], old: dict[str, Any]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for language in languages:
        text = dict(old.get(language) or {})
        for name in fields:
            value = _clean(get(f"{language}.{name}"))
            if name == "alternatives":
                items = _lines(value)
                if items:
                    text[name] = items
                else:
                    text.pop(name, None)
            elif value:
                text[name] = value
            else:
                text.pop(name, None)
        if any(text.get(name) for name in fields):
            result[language] = {k: text[k] for k in _ordered(text, fields)}
    return result


def _ordered(text: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    return [f for f in fields if f in text] + [k for k in text if k not in fields]


def _merge_translations(
    old: dict[str, Any], new: dict[str, Any], languages: Iterable[str]
) -> dict[str, Any]:
    """Old translations with the given languages replaced (kept in their file order)."""
    languages = list(languages)
    merged = {k: v for k, v in old.items() if k not in languages or k in new}
    for language in languages:
        if language in new:
            merged[language] = new[language]
    return merged


def faq_from_form(
    get: Getter,
    old: dict[str, Any] | None,
    languages: Iterable[str],
    *,
    full_access: bool,
    source_language: str,
    today: dt.date,
) -> dict[str, Any]:
    """The FAQ entry a submitted form describes (``old`` gives fields the form does not show)."""
    data = copy.deepcopy(old) if old else {}
    editable = [lang for lang in languages if full_access or lang != source_language]
    texts = _texts(get, editable, FAQ_TEXT_FIELDS, data.get("translations") or {})
    translations = _merge_translations(data.get("translations") or {}, texts, editable)
    if full_access:
        data["id"] = _clean(get("id")) if not old else old["id"]
        data["topic"] = _clean(get("topic"))
        data["tags"] = _words(get("tags"))
        data["source"] = {"title": _clean(get("source_title"))}
        if _clean(get("source_url")):
            data["source"]["url"] = _clean(get("source_url"))
        data["review_by"] = _clean(get("review_by"))
        for key in ("related", "service_categories"):
            values = _words(get(key))
            if values:
                data[key] = values
            else:
                data.pop(key, None)
        if not data["tags"]:
            data.pop("tags")
    data["last_reviewed"] = today.isoformat()
    data["translations"] = translations
    order = ["id", "topic", "tags", "source", "last_reviewed", "review_by", "related",
             "service_categories", "translations"]  # fmt: skip
    return {k: data[k] for k in order if k in data} | {k: v for k, v in data.items()
                                                       if k not in order}  # fmt: skip


def parse_opening_hours(text: str) -> list[dict[str, Any]]:
    """``mo-fr 08:00-18:00`` lines into the YAML slots; bad lines are kept as text.

    A line that cannot be read is returned as ``{"days": [line], ...}`` so that the
    knowledge-base validator explains it to the user in plain words.
    """
    slots = []
    for line in _lines(text):
        match = _SLOT.match(line.lower())
        if not match:
            slots.append({"days": [line], "opens": "", "closes": ""})
            continue
        days: list[str] = []
        for part in match.group(1).replace(" ", "").split(","):
            if "-" in part and all(p in DAYS for p in part.split("-", 1)):
                first, last = part.split("-", 1)
                days += list(DAYS[DAYS.index(first) : DAYS.index(last) + 1])
            elif part:
                days.append(part)
        opens, closes = (t.zfill(5) for t in match.group(2, 3))
        slots.append({"days": days, "opens": opens, "closes": closes})
    return slots


def format_opening_hours(slots: list[dict[str, Any]] | None) -> str:
    """The YAML slots as ``mo-fr 08:00-18:00`` lines."""
    lines = []
    for slot in slots or []:
        days = [str(d) for d in slot.get("days") or []]
        if (
            len(days) > 2
            and all(d in DAYS for d in days)
            and [DAYS.index(d) for d in days]
            == list(range(DAYS.index(days[0]), DAYS.index(days[0]) + len(days)))
        ):
            day_text = f"{days[0]}-{days[-1]}"
        else:
            day_text = ",".join(days)
        lines.append(f"{day_text} {slot.get('opens', '')}-{slot.get('closes', '')}")
    return "\n".join(lines)


def _number(value: str) -> float | str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return value  # the validator explains it


def service_from_form(
    get: Getter,
    old: dict[str, Any] | None,
    languages: Iterable[str],
    *,
    full_access: bool,
    source_language: str,
    today: dt.date,
) -> dict[str, Any]:
    """The service a submitted form describes."""
    data = copy.deepcopy(old) if old else {}
    editable = [lang for lang in languages if full_access or lang != source_language]
    texts = _texts(get, editable, SERVICE_TEXT_FIELDS, data.get("translations") or {})
    translations = _merge_translations(data.get("translations") or {}, texts, editable)
    if full_access:
        data["id"] = _clean(get("id")) if not old else old["id"]
        organization = {"name": _clean(get("organization_name"))}
        if _clean(get("organization_url")):
            organization["url"] = _clean(get("organization_url"))
        data["organization"] = organization
        data["categories"] = _words(get("categories"))
        data["city"] = _clean(get("city"))
        for key in ("address", "phone", "email", "url"):
            if _clean(get(key)):
                data[key] = _clean(get(key))
            else:
                data.pop(key, None)
        for key in ("latitude", "longitude"):
            number = _number(get(key))
            if number is None:
                data.pop(key, None)
            else:
                data[key] = number
        hours = parse_opening_hours(get("opening_hours"))
        if hours:
            data["opening_hours"] = hours
        else:
            data.pop("opening_hours", None)
        data["languages"] = _words(get("languages"))
        data["review_by"] = _clean(get("review_by"))
        data["source"] = {"title": _clean(get("source_title"))}
        if _clean(get("source_url")):
            data["source"]["url"] = _clean(get("source_url"))
        if not data["source"]["title"] and len(data["source"]) == 1:
            data.pop("source")
    data["last_reviewed"] = today.isoformat()
    data["translations"] = translations
    order = ["id", "organization", "categories", "city", "address", "latitude", "longitude",
             "phone", "email", "url", "opening_hours", "languages", "last_reviewed",
             "review_by", "source", "translations"]  # fmt: skip
    return {k: data[k] for k in order if k in data} | {k: v for k, v in data.items()
                                                       if k not in order}  # fmt: skip
