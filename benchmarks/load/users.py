"""Simulated users: send a message, wait for the reply, pause like a person typing on a phone."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

from benchmarks.load.messages import MESSAGES

REQUEST_TIMEOUT_S = 30.0


@dataclass
class Sample:
    """One request: when it started, how long it took, whether it succeeded."""

    started: float
    seconds: float
    ok: bool
    kind: str
    error: str = ""


@dataclass
class LevelResult:
    """Figures of one load level."""

    users: int
    think_s: tuple[float, float] | None
    window_s: float
    samples: list[Sample] = field(default_factory=list)
    completed: int = 0  # every answered request, in the window or not (for CPU per message)

    def summary(self) -> dict[str, object]:
        """The JSON figures of the level."""
        done = [s for s in self.samples if s.ok]
        latencies = sorted(s.seconds * 1000 for s in done)
        kb = sorted(s.seconds * 1000 for s in done if s.kind == "kb")
        total = len(self.samples)
        return {
            "users": self.users,
            "think_s": list(self.think_s) if self.think_s else 0,
            "requests": total,
            "throughput_msg_s": round(len(done) / self.window_s, 2),
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99),
            "p95_kb_ms": percentile(kb, 95),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "error_rate": round(1 - len(done) / total, 4) if total else None,
            "errors": dict(Counter(s.error for s in self.samples if not s.ok)),
        }


def percentile(sorted_values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile of sorted values (``None`` when empty)."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.5)))
    return round(sorted_values[rank - 1], 1)


Check = Callable[[int, object], bool]


def rest_ok(status: int, body: object) -> bool:
    """A REST answer counts when it is a 200 list of messages without Haven's "try again".

    An empty list is a normal answer of the bare bot (it stays silent after some intents);
    Haven's channels never answer with an empty list (they say "try again" instead).
    """
    return (
        status == 200
        and isinstance(body, list)
        and not any(isinstance(m, dict) and m.get("kind") == "error" for m in body)
    )


async def _user(
    session: aiohttp.ClientSession,
    url: str,
    number: int,
    think_s: tuple[float, float] | None,
    start_at: float,
    window: tuple[float, float],
    result: LevelResult,
    run_id: str,
) -> None:
    rng = random.Random(number)
    sender = f"load-{run_id}-{number}"
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    while time.monotonic() < window[1]:
        kind, text = rng.choice(MESSAGES)
        started = time.monotonic()
        error = ""
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                body = await response.json(content_type=None)
                ok = rest_ok(response.status, body)
                error = (
                    "" if ok else ("try_again" if response.status == 200 else str(response.status))
                )
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exception:
            ok, error = False, type(exception).__name__
        seconds = time.monotonic() - started
        result.completed += ok
        if window[0] <= started < window[1]:
            result.samples.append(Sample(started, seconds, ok, kind, error))
        if think_s:
            await asyncio.sleep(rng.uniform(*think_s))


async def run_level(
    url: str,
    users: int,
    think_s: tuple[float, float] | None,
    measure_s: float,
    run_id: str,
) -> LevelResult:
    """Run ``users`` simulated users; measure requests started in the window after ramp-up."""
    ramp_s = think_s[1] if think_s else 2.0
    now = time.monotonic()
    window = (now + ramp_s, now + ramp_s + measure_s)
    result = LevelResult(users, think_s, measure_s)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [
            _user(session, url, n, think_s, now + ramp_s * n / users, window, result, run_id)
            for n in range(users)
        ]
        await asyncio.gather(*tasks)
    return result
