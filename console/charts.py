"""Small charts as inline SVG, drawn on the server (no JavaScript, no chart library).

Every chart has a ``<title>`` and an ``aria-label`` and is followed in the page by the same
numbers as a table, so it reads at a glance and works with a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#0b5d4b", "#e07a1f", "#3b6fb6", "#9c2f5a", "#6b8e23", "#7a5195")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return float(value)


def daily_bars(days: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], title: str) -> str:
    """Grouped vertical bars per day (e.g. conversations and messages), with a legend."""
    width, height, left, bottom, top = 640, 220, 36, 28, 26
    plot_w, plot_h = width - left - 8, height - bottom - top
    top_value = _nice_max(max((max(v, default=0) for _, v in series), default=0))
    n = max(len(days), 1)
    slot = plot_w / n
    bar = max(1.0, slot * 0.8 / max(len(series), 1))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#555">{top_value * fraction:g}</text>'
        )
    for s, (name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        for i, value in enumerate(values):
            h = plot_h * value / top_value
            x = left + i * slot + slot * 0.1 + s * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(days[i])}: '
                f"{value} {escape(name)}</title></rect>"
            )
        parts.append(
            f'<rect x="{left + s * 150}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + s * 150 + 16}" y="14" font-size="12">{escape(name)}</text>'
        )
    step = max(1, n // 7)
    for i in range(0, n, step):
        x = left + i * slot + slot / 2
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" '
            f'fill="#555">{escape(days[i][5:])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(items: Sequence[tuple[str, float]], title: str, percent: bool = False) -> str:
    """One labelled horizontal bar per item, biggest first."""
    items = list(items)[:10]
    row, label_w, width = 26, 150, 640
    height = max(row * len(items) + 8, 40)
    top_value = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if not items:
        parts.append('<text x="8" y="24" font-size="13" fill="#555">–</text>')
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - 70) * value / (1 if percent else top_value)
        shown = f"{value:.0%}" if percent else f"{value:g}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="13">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 8}" '
            f'fill="{PALETTE[0]}" rx="3"/>'
            f'<text x="{label_w + max(w, 1) + 6:.1f}" y="{y + 16}" font-size="13">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def gauge(value: float | None, title: str) -> str:
    """A single share (0–1) as a big number over a bar; ``–`` when unknown."""
    width, height = 160, 62
    shown = "–" if value is None else f"{value:.0%}"
    w = 0 if value is None else (width - 8) * max(0.0, min(1.0, value))
    colour = "#b23b3b" if value is not None and value < 0.5 else PALETTE[0]
    return (
        f'<svg class="gauge" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}: {shown}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}: {shown}</title>"
        f'<text x="4" y="34" font-size="34" font-weight="bold" fill="{colour}">{shown}</text>'
        f'<rect x="4" y="44" width="{width - 8}" height="12" fill="#e6e6e6" rx="6"/>'
        f'<rect x="4" y="44" width="{w:.1f}" height="12" fill="{colour}" rx="6"/></svg>'
    )
