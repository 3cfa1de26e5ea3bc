"""Import services from an Open Referral HSDS data package (CSV folder or JSON).

Accepted inputs:

* a folder (or ``datapackage.json`` in it) with HSDS CSV tables: ``services.csv`` and, when
  present, ``organizations.csv``, ``locations.csv``, ``service_at_location.csv`` (or
  ``services_at_location.csv``), ``physical_addresses.csv`` (or ``addresses.csv``),
  ``phones.csv``, ``languages.csv``, ``schedules.csv`` / ``regular_schedules.csv``,
  ``eligibility.csv``, ``taxonomy_terms.csv`` + ``service_taxonomy.csv`` / ``attributes.csv``;
* a JSON file holding an HSDS 3 service object, a list of them, or ``{"services": [...]}``
  (nested ``organization``, ``phones``, ``schedules``, ``service_at_locations``, ``languages``,
  ``attributes``).

Each service becomes an entry in ``services/<city>.yml`` (same id → replaced). The city comes
from the address matched against the taxonomy's city names (or ``--city``), the categories from
taxonomy terms matched against the taxonomy's category words (or ``--category term=id``).
Imported entries get today's date as ``last_reviewed`` and are listed so staff review them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from knowledge_base.content import DAYS, Taxonomy, load_taxonomy
from knowledge_base.spreadsheet import SpreadsheetError, _write_checked, _yaml

_WEEKDAYS = {
    "1": "mo",
    "2": "tu",
    "3": "we",
    "4": "th",
    "5": "fr",
    "6": "sa",
    "7": "su",
    "0": "su",
    "monday": "mo",
    "tuesday": "tu",
    "wednesday": "we",
    "thursday": "th",
    "friday": "fr",
    "saturday": "sa",
    "sunday": "su",
}


def read_hsds(path: str | Path) -> list[dict[str, Any]]:
    """HSDS services in one flat shape (see :func:`_service_from_json`), from CSV or JSON.

    Raises:
        SpreadsheetError: the input is not an HSDS package (with the reason).
    """
    path = Path(path)
    if path.is_dir() or path.name == "datapackage.json":
        folder = path if path.is_dir() else path.parent
        return _from_csv_folder(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SpreadsheetError([f"{path} is not a readable HSDS JSON file: {error}"]) from error
    if isinstance(data, dict) and "services" in data:
        data = data["services"]
    items = data if isinstance(data, list) else [data]
    services = [_service_from_json(item) for item in items if isinstance(item, dict)]
    if not services:
        raise SpreadsheetError([f"{path} holds no HSDS service objects"])
    return services


def _service_from_json(item: dict[str, Any]) -> dict[str, Any]:
    organization = item.get("organization") or {}
    location: dict[str, Any] = {}
    for link in item.get("service_at_locations") or []:
        location = link.get("location") or {}
        break
    if not location and item.get("locations"):
        location = item["locations"][0]
    address = (location.get("addresses") or location.get("physical_addresses") or [{}])[0]
    phones = item.get("phones") or location.get("phones") or []
    schedules = item.get("schedules") or item.get("regular_schedules") or []
    terms = [a.get("taxonomy_term", a) for a in item.get("attributes") or []]
    terms += item.get("taxonomy_terms") or []
    return {
        "id": str(item.get("id", "")),
        "name": item.get("name") or "",
        "description": item.get("description") or "",
        "url": item.get("url") or "",
        "email": item.get("email") or "",
        "organization": organization.get("name") or "",
        "organization_url": organization.get("website") or organization.get("url") or "",
        "eligibility": item.get("eligibility_description") or item.get("eligibility") or "",
        "fees": item.get("fees_description") or item.get("fees") or "",
        "latitude": location.get("latitude"),
        "longitude": location.get("longitude"),
        "address": _address_text(address),
        "city": address.get("city") or "",
        "phone": (phones[0].get("number") if phones else "") or "",
        "languages": [
            lang.get("code") or lang.get("language") or lang.get("name") or ""
            if isinstance(lang, dict)
            else str(lang)
            for lang in item.get("languages") or []
        ],
        "schedules": [_schedule(s) for s in schedules],
        "terms": [
            str(t.get("name") or t.get("term") or t.get("code") or "")
            for t in terms
            if isinstance(t, dict)
        ],
    }


def _address_text(address: dict[str, Any]) -> str:
    street = ", ".join(str(address[k]) for k in ("address_1", "address_2") if address.get(k))
    town = " ".join(str(address[k]) for k in ("postal_code", "city") if address.get(k))
    return ", ".join(p for p in (street, town) if p)


def _schedule(row: dict[str, Any]) -> tuple[list[str], str, str]:
    raw_days = str(row.get("byday") or row.get("weekday") or "")
    days = []
    for part in re.split(r"[,\s;]+", raw_days.strip()):
        key = part.lower()
        day = _WEEKDAYS.get(key) or (key[:2] if key[:2] in DAYS else None)
        if day and day not in days:
            days.append(day)
    return days, str(row.get("opens_at") or "")[:5], str(row.get("closes_at") or "")[:5]


def _table(folder: Path, *names: str) -> list[dict[str, str]]:
    for name in names:
        path = folder / name
        if path.exists():
            with open(path, encoding="utf-8-sig", newline="") as handle:
                return [
                    {k: (v or "").strip() for k, v in row.items() if k}
                    for row in csv.DictReader(handle)
                ]
    return []


def _from_csv_folder(folder: Path) -> list[dict[str, Any]]:
    services = _table(folder, "services.csv")
    if not services:
        raise SpreadsheetError([f"{folder} has no services.csv: not an HSDS CSV data package"])
    organizations = {r["id"]: r for r in _table(folder, "organizations.csv")}
    locations = {r["id"]: r for r in _table(folder, "locations.csv")}
    addresses = {
        r.get("location_id"): r for r in _table(folder, "physical_addresses.csv", "addresses.csv")
    }
    at_location: dict[str, list[str]] = defaultdict(list)
    for r in _table(folder, "service_at_location.csv", "services_at_location.csv"):
        at_location[r.get("service_id", "")].append(r.get("location_id", ""))
    by_service: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for table, names in (
        ("phones", ("phones.csv",)),
        ("languages", ("languages.csv",)),
        ("schedules", ("schedules.csv", "regular_schedules.csv")),
        ("eligibility", ("eligibility.csv",)),
        ("attributes", ("attributes.csv", "service_taxonomy.csv")),
    ):
        for r in _table(folder, *names):
            key = r.get("service_id") or r.get("link_id") or ""
            by_service[key][table].append(r)
    terms = {r["id"]: r for r in _table(folder, "taxonomy_terms.csv", "taxonomy.csv")}
    result = []
    for s in services:
        sid = s.get("id", "")
        org = organizations.get(s.get("organization_id", ""), {})
        location = locations.get((at_location.get(sid) or [""])[0], {})
        address = addresses.get(location.get("id"), {})
        extra = by_service[sid]
        term_names = [
            terms.get(a.get("taxonomy_term_id") or a.get("taxonomy_id") or "", {}).get("name")
            or a.get("taxonomy_detail")
            or ""
            for a in extra["attributes"]
        ]
        result.append(
            {
                "id": sid,
                "name": s.get("name", ""),
                "description": s.get("description", ""),
                "url": s.get("url", ""),
                "email": s.get("email", ""),
                "organization": org.get("name", ""),
                "organization_url": org.get("website") or org.get("url", ""),
                "eligibility": s.get("eligibility_description")
                or "; ".join(e.get("eligibility", "") for e in extra["eligibility"]),
                "fees": s.get("fees_description") or s.get("fees", ""),
                "latitude": location.get("latitude") or None,
                "longitude": location.get("longitude") or None,
                "address": _address_text(address),
                "city": address.get("city", ""),
                "phone": (extra["phones"][0].get("number") if extra["phones"] else ""),
                "languages": [r.get("code") or r.get("language", "") for r in extra["languages"]],
                "schedules": [_schedule(r) for r in extra["schedules"]],
                "terms": [t for t in term_names if t],
            }
        )
    return result


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").strip()


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", _fold(text))).strip("-") or "service"


def _match_city(taxonomy: Taxonomy, city: str) -> str | None:
    folded = _fold(city)
    for city_id, info in taxonomy.cities.items():
        names = {_fold(city_id)} | {_fold(n) for names in info.names.values() for n in names}
        if folded in names:
            return city_id
    return None


def _match_categories(
    taxonomy: Taxonomy, terms: Iterable[str], mapping: dict[str, str]
) -> list[str]:
    found = []
    for term in terms:
        category = mapping.get(term) or mapping.get(_fold(term))
        if category is None:
            folded = _fold(term)
            for cat_id, words in taxonomy.categories.items():
                vocabulary = {_fold(cat_id)} | {_fold(w) for ws in words.values() for w in ws}
                if folded in vocabulary or any(w and w in folded.split() for w in vocabulary):
                    category = cat_id
                    break
        if category and category not in found:
            found.append(category)
    return found


def import_hsds(
    path: str | Path,
    content_dir: str | Path,
    *,
    language: str = "en",
    default_city: str | None = None,
    category_map: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> list[str]:
    """Write the services of an HSDS package into ``services/<city>.yml``; returns their ids.

    Raises:
        SpreadsheetError: a service has no city or category we can map, or the content would
            not validate afterwards; nothing was written.
    """
    from ruamel.yaml.comments import CommentedMap

    content_dir = Path(content_dir)
    taxonomy = load_taxonomy(content_dir)
    today = today or dt.date.today()
    mapping = {_fold(k): v for k, v in (category_map or {}).items()}
    yaml = _yaml()
    documents: dict[Path, Any] = {}
    problems, imported = [], []
    for number, service in enumerate(read_hsds(path), start=1):
        label = f"service {number} ('{service['name'] or service['id']}')"
        city = _match_city(taxonomy, service["city"]) if service["city"] else None
        city = city or default_city
        if city is None or city not in taxonomy.cities:
            problems.append(
                f"{label}: city '{service['city']}' is not in taxonomy.yml; add its "
                "spelling there or pass --city"
            )
            continue
        categories = _match_categories(taxonomy, service["terms"] + [service["name"]], mapping)
        if not categories:
            problems.append(
                f"{label}: no category matches its taxonomy terms "
                f"{service['terms']}; pass --category TERM=CATEGORY"
            )
            continue
        file = content_dir / "services" / f"{city}.yml"
        if file not in documents:
            documents[file] = (
                yaml.load(file.read_text(encoding="utf-8"))
                if file.exists()
                else yaml.load("services: []\n")
            )
        entries = documents[file]["services"]
        entry_id = _slug(f"{city}-{service['name'] or service['id']}")
        item = CommentedMap()
        item["id"] = entry_id
        item["organization"] = CommentedMap(name=service["organization"] or service["name"])
        if service["organization_url"]:
            item["organization"]["url"] = service["organization_url"]
        item["categories"] = categories
        item["city"] = city
        for key in ("address", "phone", "email", "url"):
            if service[key]:
                item[key] = service[key]
        if service["latitude"] not in (None, "") and service["longitude"] not in (None, ""):
            item["latitude"] = float(service["latitude"])
            item["longitude"] = float(service["longitude"])
        hours = [
            CommentedMap(days=d, opens=o, closes=c)
            for d, o, c in service["schedules"]
            if d and o and c
        ]
        if hours:
            item["opening_hours"] = hours
        languages = [code for code in service["languages"] if code in taxonomy.languages]
        if languages:
            item["languages"] = languages
        item["last_reviewed"] = today
        item["review_by"] = today + dt.timedelta(days=182)
        item["source"] = CommentedMap(
            title=f"Open Referral HSDS import ({Path(path).name})",
            url=service["organization_url"] or service["url"] or None,
        )
        text = CommentedMap(name=service["name"] or entry_id, description=service["description"])
        for key in ("eligibility", "fees"):
            if service[key]:
                text[key] = service[key]
        item["translations"] = CommentedMap({language: text})
        existing = [i for i, e in enumerate(entries) if str(e.get("id")) == entry_id]
        if existing:
            entries[existing[0]] = item
        else:
            entries.append(item)
        imported.append(entry_id)
    if problems:
        raise SpreadsheetError(problems)
    _write_checked(content_dir, documents, yaml, today)
    return imported
