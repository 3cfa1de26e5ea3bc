"""Time spent in each graph component (NLU components, featurizers, policies) per message.

Runs a model in-process (Rasa environment) with in-memory stores and no action server, sends
the benchmark's messages through ``Agent.handle_message`` and times every graph node::

    .venv/rasa/bin/python benchmarks/load/components.py models/haven.tar.gz   → JSON on stdout
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.load.messages import MESSAGES  # noqa: E402

REPEAT = 3


def main(model: str) -> None:
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.engine.graph import GraphNode

    spent: dict[str, float] = defaultdict(float)
    original = GraphNode.__call__

    def timed(self, *args):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return original(self, *args)
        finally:
            spent[self._node_name] += time.perf_counter() - started

    agent = Agent.load(model)

    async def turn(text: str) -> None:
        message = UserMessage(text, CollectingOutputChannel(), f"c-{uuid.uuid4().hex[:8]}")
        await agent.handle_message(message)

    for _, text in MESSAGES:  # warm up
        asyncio.run(turn(text))
    GraphNode.__call__ = timed
    count = 0
    started = time.perf_counter()
    for _ in range(REPEAT):
        for _, text in MESSAGES:
            asyncio.run(turn(text))
            count += 1
    total_ms = (time.perf_counter() - started) * 1000 / count
    GraphNode.__call__ = original
    per_message = {name: round(seconds * 1000 / count, 2) for name, seconds in spent.items()}
    ranked = dict(sorted(per_message.items(), key=lambda item: -item[1]))
    print(json.dumps({"turn_in_process_ms": round(total_ms, 1), "nodes_ms": ranked}))


if __name__ == "__main__":
    main(sys.argv[1])
