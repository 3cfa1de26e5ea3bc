"""SMS length planning: how many segments a text costs, and how much of it fits in a budget.

A text written only with the GSM 03.38 alphabet (7-bit) fits 160 characters in one SMS and 153
per segment of a longer message; any other character (Arabic, Cyrillic, most emoji) switches
the whole message to UCS-2: 70 UTF-16 code units alone, 67 per segment. Characters of the GSM
extension table (``€ [ ] { } \\ ~ ^ |``) take two septets. So an Arabic answer is split far
sooner than a French one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}  # (single message, per segment of a long one)


@dataclass(frozen=True)
class SegmentPlan:
    """The encoding of a text, its length in that encoding's units and its segment count."""

    encoding: str
    units: int
    segments: int


def encoding_of(text: str) -> str:
    """``"GSM-7"`` when every character is in the GSM alphabet, else ``"UCS-2"``."""
    allowed = GSM7_BASIC | GSM7_EXTENSION
    return GSM7 if all(char in allowed for char in text) else UCS2


def plan(text: str) -> SegmentPlan:
    """How ``text`` is encoded and into how many segments it is cut."""
    encoding = encoding_of(text)
    if encoding == GSM7:
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    else:
        units = len(text.encode("utf-16-le")) // 2  # characters beyond the BMP take two units
    single, per_segment = LIMITS[encoding]
    segments = 0 if units == 0 else 1 if units <= single else math.ceil(units / per_segment)
    return SegmentPlan(encoding, units, segments)


_BOUNDARY = re.compile(r"(?<=[.!?؟۔።])\s+|\n+|\s+")


def _break_points(text: str) -> list[int]:
    """Positions where the text may be cut, sentence ends first in preference."""
    return [m.start() for m in _BOUNDARY.finditer(text)] + [len(text)]


TWILIO_MAX_BODY = 1600  # characters Twilio accepts in one message body


def fits(text: str, max_segments: int, max_chars: int = TWILIO_MAX_BODY) -> bool:
    """Whether ``text`` costs at most ``max_segments`` and is short enough to send at all."""
    return len(text) <= max_chars and plan(text).segments <= max_segments


def fit(
    text: str, max_segments: int, pointer: str, max_chars: int = TWILIO_MAX_BODY
) -> tuple[str, str]:
    """Cut ``text`` so that it fits ``max_segments``; return ``(to_send, rest)``.

    When the text is too long, the part sent ends at the last sentence end that fits (else at a
    space, else anywhere) and is followed by ``pointer`` (such as "Reply MORE for the rest.").
    ``rest`` is what was left out ("" when everything fits).
    """
    text = text.strip()
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    if fits(text, max_segments, max_chars):
        return text, ""
    points = _break_points(text)
    sentence_ends = {m.end() - len(m.group()) for m in re.finditer(r"(?<=[.!?؟۔።])\s+|\n+", text)}
    best_any = best_sentence = 0
    for point in points:
        head = text[:point].rstrip()
        if not fits(f"{head}\n{pointer}", max_segments, max_chars):
            break
        best_any = point
        if point in sentence_ends:
            best_sentence = point
    # A sentence end is nicer, but not when it wastes more than half of the budget.
    cut = best_sentence if best_sentence >= best_any / 2 else best_any
    if cut == 0:  # not even one word fits: cut inside it
        cut = 1
        while cut < len(text) and fits(f"{text[: cut + 1]}\n{pointer}", max_segments, max_chars):
            cut += 1
    head = text[:cut].rstrip()
    return f"{head}\n{pointer}", text[cut:].strip()
