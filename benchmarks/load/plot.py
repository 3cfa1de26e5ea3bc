"""The load benchmark's figure: latency and throughput per level, Haven against bare Rasa."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot(report: dict, path: Path) -> None:
    """Two panels: p50/p95 latency by users, throughput by users (+ saturation)."""
    levels = report["levels"]
    users = [level["users"] for level in levels]
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, marker in (("p50_ms", "o"), ("p95_ms", "s")):
        label = key[:3]
        latency.plot(users, [level[key] for level in levels], f"{marker}-", color="C0",
                     label=f"Haven {label}")  # fmt: skip
        if levels and "bare_rasa" in levels[0]:
            latency.plot(users, [level["bare_rasa"][key] for level in levels], f"{marker}--",
                         color="C1", label=f"bare Rasa {label}")  # fmt: skip
    telegram = report.get("telegram_levels") or []
    if telegram:
        latency.plot([t["users"] for t in telegram], [t["p95_ms"] for t in telegram], "^:",
                     color="C2", label="Haven p95, Telegram webhook")  # fmt: skip
    latency.axhline(500, color="grey", linestyle=":", label="500 ms target")
    latency.set(xlabel="simulated users (3–10 s pauses)", ylabel="latency (ms)", yscale="log",
                title="Reply latency")  # fmt: skip
    latency.legend(fontsize=8)
    width = 0.38
    positions = range(len(users))
    throughput.bar(
        [p - width / 2 for p in positions],
        [level["throughput_msg_s"] for level in levels],
        width,
        label="Haven",
    )
    if levels and "bare_rasa" in levels[0]:
        throughput.bar([p + width / 2 for p in positions],
                       [level["bare_rasa"]["throughput_msg_s"] for level in levels], width,
                       label="bare Rasa", alpha=0.6)  # fmt: skip
    throughput.set_xticks(list(positions), [str(u) for u in users])
    sat = report["saturation"]
    throughput.axhline(sat["haven_msg_s"], color="C0", linestyle="--",
                       label=f"Haven saturation {sat['haven_msg_s']}")  # fmt: skip
    if sat.get("bare_rasa_msg_s"):
        throughput.axhline(sat["bare_rasa_msg_s"], color="C1", linestyle="--",
                           label=f"bare Rasa saturation {sat['bare_rasa_msg_s']}")  # fmt: skip
    throughput.set(xlabel="simulated users", ylabel="messages / s", title="Throughput")
    throughput.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
