"""Peak resident memory of each server (all processes of its process group), sampled in a thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

from haven.processes import Server

PAGE = os.sysconf("SC_PAGE_SIZE")


TICKS = os.sysconf("SC_CLK_TCK")


def _group_stats(pgid: int) -> Iterator[list[str]]:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # stat field 5, pgrp (fields[0] is field 3, the state)
            yield fields


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time used so far by the live processes of a process group."""
    return sum(int(f[11]) + int(f[12]) for f in _group_stats(pgid)) / TICKS


def group_rss_bytes(pgid: int) -> int:
    """Resident memory of every process in a process group (Sanic workers included)."""
    return sum(int(f[21]) * PAGE for f in _group_stats(pgid))  # stat field 24: rss pages


class PeakMemory:
    """Samples the servers every ``every_s`` seconds; ``peaks_mb()`` gives the maxima."""

    def __init__(self, servers: dict[str, Server], every_s: float = 1.0) -> None:
        self.servers = servers
        self.every_s = every_s
        self.peaks: dict[str, int] = dict.fromkeys(servers, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, server in self.servers.items():
                self.peaks[name] = max(self.peaks[name], group_rss_bytes(server.process.pid))
            self._stop.wait(self.every_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def peaks_mb(self) -> dict[str, float]:
        return {name: round(value / 2**20, 1) for name, value in self.peaks.items()}
