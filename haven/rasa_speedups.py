"""Speed-ups for Rasa 3.6 internals that cost the Haven server most of its CPU under load.

Applied when the Rasa server imports Haven's channels or NLU components (both packages import
this module), so every Rasa process that serves Haven's model has them. Each one keeps Rasa's
behaviour exactly and only removes repeated work.

* **Action-response validation.** ``RemoteAction._validate_action_result`` calls
  ``jsonschema.validate(result, spec)`` for every custom-action response. With jsonschema 4.17
  that first checks the *schema itself* against the 2020-12 meta-schema, every time: 57 ms of
  CPU per action call, measured on this machine (py-spy showed 42 % of the Rasa server's time
  there under load). The validator is now built and the schema checked once; validating a
  response then costs about 3 ms. A response that does not match still raises the same
  ``jsonschema.ValidationError`` with Rasa's explanation appended.
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)

_APPLIED = False


@functools.lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    """A jsonschema validator for Rasa's action-server response format, built once."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result`` with a validator built once."""
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            "For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


_EVENT_CLASSES: dict[str, Any] = {}


def _resolve_event_type(type_name: str, default: Any = None) -> Any:
    """Rasa's ``Event.resolve_by_type``, remembering the class found for each type name."""
    cls = _EVENT_CLASSES.get(type_name)
    if cls is None:
        cls = _original_resolve_by_type(type_name, default)
        if cls is not None and cls is not default:
            _EVENT_CLASSES[type_name] = cls
    return cls


_original_resolve_by_type: Any = None
_original_past_states: Any = None
_STATES_CACHE_SIZE = 4
# (tracker, its last event, key, rule_only_data, states): the tracker and event are kept
# referenced so that their ids cannot be reused by other objects while they are cached.
_states_cache: list[tuple[Any, Any, tuple[Any, ...], Any, list[dict[str, Any]]]] = []
_states_lock = threading.Lock()


def _copy_states(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy Rasa may edit: states are edited by deleting keys of their sub-states."""
    return [{key: dict(sub) for key, sub in state.items()} for state in states]


def _past_states(
    self: Any,
    domain: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rasa's ``DialogueStateTracker.past_states``, remembering the last few results."""
    events = self.events
    last = events[-1] if events else None
    key = (len(events), id(domain), omit_unset_slots, ignore_rule_only_turns)
    with _states_lock:
        for tracker, event, cached_key, cached_rule_data, states in _states_cache:
            if (
                tracker is self
                and event is last
                and cached_key == key
                and cached_rule_data == rule_only_data
            ):
                return _copy_states(states)
    states = _original_past_states(
        self,
        domain,
        omit_unset_slots=omit_unset_slots,
        ignore_rule_only_turns=ignore_rule_only_turns,
        rule_only_data=rule_only_data,
    )
    with _states_lock:
        entry = (self, last, key, copy.deepcopy(rule_only_data), _copy_states(states))
        _states_cache.insert(0, entry)
        del _states_cache[_STATES_CACHE_SIZE:]
    return states


def apply() -> None:
    """Install the speed-ups (idempotent; does nothing where Rasa is not installed)."""
    global _APPLIED
    if _APPLIED:
        return
    try:
        from rasa.core.actions.action import RemoteAction
    except ImportError:  # the action server's environment has rasa-sdk, not rasa
        return
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    global _original_resolve_by_type, _original_past_states
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _original_resolve_by_type = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(_resolve_event_type)  # type: ignore[method-assign]
    _original_past_states = DialogueStateTracker.past_states
    DialogueStateTracker.past_states = _past_states  # type: ignore[method-assign]
    _APPLIED = True
    logger.debug("Rasa speed-ups applied")
