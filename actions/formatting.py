"""Render knowledge-base results (answers, services, emergency contacts) as message text."""

from __future__ import annotations

from typing import Any

from actions.content import taxonomy
from actions.replies import Reply


def language_name(code: str) -> str:
    """A language's own name ("Français"), for notes about fallback languages."""
    tax = taxonomy()
    language = tax.languages.get(code) if tax is not None else None
    if language is None:
        return code
    return language.native or language.name


def answer_text(reply: Reply, answer: Any) -> str:
    """An FAQ answer, its fallback note, its source and its review date."""
    parts = [answer.answer.strip()]
    if answer.is_fallback:
        parts.append(reply.t("answer_fallback_note", language=language_name(answer.language)))
    source = answer.source_title
    if answer.source_url:
        source = f"{source} ({answer.source_url})"
    parts.append(reply.t("answer_source", source=source, date=answer.last_reviewed.isoformat()))
    return "\n\n".join(parts)


def service_text(reply: Reply, service: Any) -> str:
    """One service: name, description, address, phone, hours, languages, distance."""
    lines = [f"{service.name}" + (f" ({service.organization})" if service.organization else "")]
    if service.description:
        lines.append(service.description)
    if service.address:
        lines.append(reply.t("service_address", address=service.address))
    if service.phone:
        lines.append(reply.t("service_phone", phone=service.phone))
    if service.opening_hours:
        lines.append(reply.t("service_hours", hours=service.opening_hours))
    if service.languages:
        names = ", ".join(language_name(code) for code in service.languages)
        lines.append(reply.t("service_languages", languages=names))
    if service.distance_km is not None:
        lines.append(reply.t("service_distance", km=f"{service.distance_km:.1f}"))
    if service.url:
        lines.append(service.url)
    if service.is_fallback:
        lines.append(reply.t("answer_fallback_note", language=language_name(service.language)))
    return "\n".join(lines)


def category_label(reply: Reply, category: str) -> str:
    """The translated label of a service category id."""
    return reply.t(f"category.{category}")


def city_name(reply: Reply, city: str) -> str:
    """A city's name in the conversation language (first spelling listed in the taxonomy)."""
    tax = taxonomy()
    entry = tax.cities.get(city) if tax is not None else None
    if entry is None:
        return city
    for language in (reply.language, "en"):
        names = entry.names.get(language)
        if names:
            return names[0]
    return city
