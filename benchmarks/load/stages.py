"""The cost of each stage of one message, measured one request at a time on an idle server.

* ``nlu_ms``: ``POST /model/parse`` (language detection, featurizers, DIET, matchers);
* ``policy_ms``: ``POST /conversations/<id>/predict`` (the policies pick the next action);
* ``action_ms``: the action server's ``/webhook`` running ``action_answer_question``
  (tracker and domain as Rasa sends them; includes the knowledge-base search);
* ``kb_search_ms``: ``KnowledgeBase.search_faq`` in-process (measured by ``kb_stage.py``);
* ``turn_ms``: a whole REST turn (all of the above plus tracker store and lock store);
* ``graph_nodes_ms``: each NLU component and policy, timed in-process (``components.py``).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable

from benchmarks.load.messages import MESSAGES
from benchmarks.load.servers import Bot
from haven.processes import ACTIONS_PYTHON, RASA_PYTHON, ROOT, http_json, server_env

REPEAT = 3


def _median_ms(call: Callable[[], object], times: int) -> float:
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


def _timed_each(calls: list[Callable[[], object]]) -> float:
    timings = []
    for call in calls * REPEAT:
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


def measure(bot: Bot) -> dict[str, float | None]:
    """Median milliseconds of each stage on ``bot``."""
    url = bot.rasa.url
    texts = [text for _, text in MESSAGES]
    questions = [text for kind, text in MESSAGES if kind == "kb"]
    figures: dict[str, float | None] = {}
    figures["nlu_ms"] = _timed_each(
        [lambda t=t: http_json("POST", f"{url}/model/parse", {"text": t}) for t in texts]
    )

    def predict(text: str) -> None:
        sender = f"stage-{uuid.uuid4().hex[:8]}"
        http_json("POST", f"{url}/conversations/{sender}/messages",
                  {"text": text, "sender": "user"})  # fmt: skip
        started = time.perf_counter()
        http_json("POST", f"{url}/conversations/{sender}/predict")
        timings.append((time.perf_counter() - started) * 1000)

    timings: list[float] = []
    for text in texts * REPEAT:
        predict(text)
    figures["policy_ms"] = round(statistics.median(timings), 1)

    figures["turn_ms"] = _timed_each(
        [lambda t=t: http_json("POST", bot.rest_url, {"sender": f"turn-{uuid.uuid4().hex[:8]}",
                                                      "message": t}) for t in texts]
    )  # fmt: skip
    actions = bot.processes.get("action_server")
    figures["action_ms"] = _action_ms(url, actions.url, questions) if actions else None
    figures["kb_search_ms"] = _kb_search_ms() if actions else None
    figures.update(_components(bot.model))
    return figures


def _components(model) -> dict:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [str(RASA_PYTHON), str(ROOT / "benchmarks" / "load" / "components.py"), str(model)],
        env=server_env(), cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    try:
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"graph_nodes_ms": None}
    nodes = figures["nodes_ms"]
    return {
        "turn_in_process_ms": figures["turn_in_process_ms"],
        "graph_nodes_ms": {name: ms for name, ms in nodes.items() if ms >= 0.1},
    }


def _action_ms(rasa_url: str, action_url: str, questions: list[str]) -> float:
    _, domain = http_json("GET", f"{rasa_url}/domain", headers={"Accept": "application/json"})
    calls = []
    for text in questions:
        sender = f"stage-{uuid.uuid4().hex[:8]}"
        http_json("POST", f"{rasa_url}/conversations/{sender}/messages",
                  {"text": text, "sender": "user"})  # fmt: skip
        _, tracker = http_json("GET", f"{rasa_url}/conversations/{sender}/tracker")
        body = {"next_action": "action_answer_question", "sender_id": sender,
                "tracker": tracker, "domain": domain, "version": "3.6.21"}  # fmt: skip
        calls.append(lambda body=body: http_json("POST", f"{action_url}/webhook", body))
    calls[0]()  # the first call loads the knowledge base
    return _timed_each(calls)


def _kb_search_ms() -> float | None:
    done = subprocess.run(
        [str(ACTIONS_PYTHON), str(ROOT / "benchmarks" / "load" / "kb_stage.py")],
        env=server_env(), cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    try:
        return float(json.loads(done.stdout.strip().splitlines()[-1])["kb_search_ms"])
    except (IndexError, KeyError, ValueError):
        return None
