"""Load benchmark: Haven against a bare ``rasa init`` bot under the same simulated users.

    make bench-load OUT=benchmarks/results/load.json            # full run (~12 min)
    make bench-load OUT=/tmp/quick.json LOAD_ARGS="--quick"     # a 3-minute check

Each simulated user sends a message on the REST channel, waits for the reply, then pauses
3–10 s (like a person typing on a phone). Levels of 10, 50, 100 and 200 users; then a
saturation run (users sending without pause) gives the highest sustained throughput. Haven runs
as deployed (PostgreSQL tracker store, Redis lock store, Sanic workers); the bare bot runs in
one Rasa process with its defaults. Prints a table, writes JSON (``--out``) and a PNG plot
next to it, with the cost of each stage of one message.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.load import servers, stages, telegram  # noqa: E402
from benchmarks.load.memory import PeakMemory, group_cpu_seconds  # noqa: E402
from benchmarks.load.plot import plot  # noqa: E402
from benchmarks.load.users import run_level  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="JSON file to write (PNG next to it)")
    parser.add_argument("--levels", default="10,50,100,200", help="users per level")
    parser.add_argument("--think", default="3,10", help="pause between messages, min,max s")
    parser.add_argument("--measure", type=float, default=30, help="seconds measured per level")
    parser.add_argument("--saturation-users", type=int, default=50)
    parser.add_argument("--saturation-s", type=float, default=30)
    parser.add_argument("--rasa-workers", type=int, default=2, help="Haven's Sanic workers")
    parser.add_argument("--action-workers", type=int, default=1)
    parser.add_argument(
        "--telegram-levels",
        default="10,100",
        help="users per level on the Telegram webhook (Haven only; '' for none)",
    )
    parser.add_argument("--model", type=Path, default=None,
                        help="Haven model (default models/haven.tar.gz)")  # fmt: skip
    parser.add_argument("--skip-baseline", action="store_true", help="Haven only (no ratios)")
    parser.add_argument("--quick", action="store_true",
                        help="levels 10,50; 15 s each; 15 s saturation")  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.levels, args.measure, args.saturation_s = "10,50", 15, 15
        args.telegram_levels = "10"
    args.levels = [int(n) for n in args.levels.split(",") if n.strip()]
    args.telegram_levels = [int(n) for n in args.telegram_levels.split(",") if n.strip()]
    low, high = (float(x) for x in args.think.split(","))
    args.think = (low, high)
    return args


def load_bot(
    bot: servers.Bot, args: argparse.Namespace, api: telegram.FakeBotApi | None = None
) -> dict[str, object]:
    """Stage costs, the paced levels and the saturation run against one bot."""
    run_id = uuid.uuid4().hex[:6]
    print(f"\n== {bot.name}: stage costs", file=sys.stderr)
    figures: dict[str, object] = {"stages": stages.measure(bot), "config": bot.config}
    levels = []
    with PeakMemory(bot.processes) as memory:
        for users in args.levels:
            print(f"== {bot.name}: {users} users, think {args.think} s", file=sys.stderr)
            result = asyncio.run(run_level(bot.rest_url, users, args.think, args.measure, run_id))
            levels.append(result.summary())
            print(f"   {levels[-1]}", file=sys.stderr)
        telegram_levels = []
        for users in args.telegram_levels if api else []:
            print(f"== {bot.name}: Telegram webhook, {users} users", file=sys.stderr)
            url = f"{bot.rasa.url}/webhooks/telegram/webhook"
            result = asyncio.run(telegram.run_level(url, api, users, args.think, args.measure))
            telegram_levels.append(result.summary())
            print(f"   {telegram_levels[-1]}", file=sys.stderr)
        print(f"== {bot.name}: saturation, {args.saturation_users} users", file=sys.stderr)
        cpu_before = {n: group_cpu_seconds(s.process.pid) for n, s in bot.processes.items()}
        result = asyncio.run(
            run_level(bot.rest_url, args.saturation_users, None, args.saturation_s, run_id)
        )
        cpu = {n: group_cpu_seconds(s.process.pid) - cpu_before[n]
               for n, s in bot.processes.items()}  # fmt: skip
        saturation = result.summary()
        saturation["cpu_ms_per_msg"] = {
            name: round(1000 * seconds / max(result.completed, 1), 1)
            for name, seconds in cpu.items()
        }
        print(f"   {saturation}", file=sys.stderr)
    figures.update(levels=levels, saturation=saturation, memory_mb=memory.peaks_mb(),
                   telegram_levels=telegram_levels)  # fmt: skip
    return figures


def ratio(a: object, b: object) -> float | None:
    if isinstance(a, int | float) and isinstance(b, int | float) and b:
        return round(a / b, 2)
    return None


def combine(haven: dict, bare: dict | None, args: argparse.Namespace) -> dict[str, object]:
    """The JSON report: Haven's levels (with the bare bot's figures and ratios beside them)."""
    keys = ("throughput_msg_s", "p50_ms", "p95_ms", "p99_ms", "error_rate")
    levels = []
    for n, level in enumerate(haven["levels"]):
        entry = dict(level)
        if bare:
            base = bare["levels"][n]
            entry["bare_rasa"] = {k: base[k] for k in (*keys, "requests")}
            entry["ratio_to_bare"] = {k: ratio(level[k], base[k]) for k in keys[:4]}
        levels.append(entry)
    saturation = {
        "users": args.saturation_users,
        "haven_msg_s": haven["saturation"]["throughput_msg_s"],
        "haven": haven["saturation"],
        "bare_rasa_msg_s": bare["saturation"]["throughput_msg_s"] if bare else None,
        "bare_rasa": bare["saturation"] if bare else None,
    }
    saturation["ratio"] = ratio(saturation["haven_msg_s"], saturation["bare_rasa_msg_s"])
    haven_cpu = sum(haven["saturation"]["cpu_ms_per_msg"].values())
    bare_cpu = sum(bare["saturation"]["cpu_ms_per_msg"].values()) if bare else None
    saturation["cpu_ms_per_msg"] = {"haven": round(haven_cpu, 1), "bare_rasa": bare_cpu}
    saturation["cpu_ratio"] = ratio(haven_cpu, bare_cpu)
    return {
        "benchmark": "load",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "channel": "rest",
        "levels": levels,
        "telegram_levels": haven["telegram_levels"],
        "saturation": saturation,
        "stages_ms": {"haven": haven["stages"], "bare_rasa": bare["stages"] if bare else None},
        "memory_mb": {"haven": haven["memory_mb"],
                      "bare_rasa": bare["memory_mb"] if bare else None},
        "config": {"haven": haven["config"], "bare_rasa": bare["config"] if bare else None,
                   "think_s": list(args.think), "measure_s": args.measure,
                   "saturation_s": args.saturation_s},
        "targets": targets(levels, saturation),
    }  # fmt: skip


def targets(levels: list[dict], saturation: dict) -> dict[str, object]:
    """The issue's targets: p95 < 500 ms for KB answers at 100 paced users, no errors;
    saturation throughput at least the bare bot's."""
    at_100 = next((level for level in levels if level["users"] == 100), None)
    result: dict[str, object] = {}
    if at_100:
        p95 = at_100.get("p95_kb_ms")
        result["p95_kb_under_500ms_at_100_users"] = p95 is not None and p95 < 500
        result["no_errors_at_100_users"] = at_100.get("error_rate") == 0
    if saturation.get("ratio") is not None:
        result["saturation_at_least_bare_rasa"] = saturation["ratio"] >= 1
    return result


def print_table(report: dict) -> None:
    header = ("users", "msg/s", "p50 ms", "p95 ms", "p99 ms", "p95 KB", "errors",
              "bare msg/s", "bare p95", "p95 ratio")  # fmt: skip
    rows = []
    for level in report["levels"]:
        bare = level.get("bare_rasa", {})
        rows.append((level["users"], level["throughput_msg_s"], level["p50_ms"], level["p95_ms"],
                     level["p99_ms"], level["p95_kb_ms"], level["error_rate"],
                     bare.get("throughput_msg_s"), bare.get("p95_ms"),
                     level.get("ratio_to_bare", {}).get("p95_ms")))  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print("  ".join(str(x).rjust(w) for x, w in zip(row, widths, strict=True)))
    sat = report["saturation"]
    print(f"saturation ({sat['users']} users, no pause): Haven {sat['haven_msg_s']} msg/s, "
          f"bare Rasa {sat['bare_rasa_msg_s']} msg/s, ratio {sat['ratio']}; CPU per message "
          f"{sat['cpu_ms_per_msg']} ms, ratio {sat['cpu_ratio']}")  # fmt: skip
    for level in report["telegram_levels"]:
        print(f"Telegram webhook, {level['users']} users: {level['throughput_msg_s']} msg/s, "
              f"p50 {level['p50_ms']} ms, p95 {level['p95_ms']} ms, "
              f"errors {level['error_rate']}")  # fmt: skip
    print(f"stages (ms): {json.dumps(report['stages_ms'])}")
    print(f"peak memory (MB): {json.dumps(report['memory_mb'])}")
    print(f"targets: {json.dumps(report['targets'])}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    api = telegram.FakeBotApi() if args.telegram_levels else None
    env = telegram.rasa_env(api) if api else None
    with (
        tempfile.TemporaryDirectory(prefix="haven-load-") as tmp,
        api.running() if api else contextlib.nullcontext(),
        servers.haven(
            args.rasa_workers, args.action_workers, Path(tmp), extra_env=env, model=args.model
        ) as bot,
    ):
        haven = load_bot(bot, args, api)
    bare = None
    if not args.skip_baseline:
        with servers.bare_rasa() as bot:
            bare = load_bot(bot, args)
    report = combine(haven, bare, args)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    plot(report, out.with_suffix(".png"))
    print_table(report)
    print(f"wrote {out} and {out.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
