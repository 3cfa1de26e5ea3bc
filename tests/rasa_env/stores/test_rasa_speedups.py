"""The Rasa speed-ups keep Rasa's behaviour: same validation verdicts, same event classes."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import channels  # noqa: F401  (importing Haven's channels applies the speed-ups)
from haven import rasa_speedups


def remote_action() -> RemoteAction:
    return RemoteAction("action_x", None)


def test_applied_by_importing_the_channels() -> None:
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result


@pytest.mark.parametrize(
    "result",
    [
        {"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "language", "value": "ar"}],
         "responses": [{"text": "مرحبا", "buttons": [{"title": "1", "payload": "/menu"}]}]},
    ],
)  # fmt: skip
def test_valid_responses_pass(result: dict) -> None:
    assert remote_action()._validate_action_result(result) is True
    jsonschema.validate(result, RemoteAction.action_response_format_spec())  # Rasa agrees


@pytest.mark.parametrize(
    "result",
    [
        {"events": "not a list"},
        {"events": [{"no_event_key": 1}]},
        {"responses": [{"buttons": "x"}], "events": [{"event": 3}]},
    ],
)
def test_invalid_responses_raise_like_rasa(result: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as raised:
        remote_action()._validate_action_result(result)
    assert "Failed to validate Action server response" in raised.value.message
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("event", [UserUttered("hi"), SlotSet("a", 1), ActionExecuted("x"),
                                   SessionStarted()])  # fmt: skip
def test_events_round_trip(event: Event) -> None:
    assert Event.from_parameters(event.as_dict()) == event
    assert Event.resolve_by_type(event.type_name) is type(event)


def test_unknown_event_types_behave_as_in_rasa() -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")


def conversation() -> tuple[Domain, DialogueStateTracker]:
    domain = Domain.from_yaml(
        "version: '3.1'\nintents: [greet, ask]\nslots:\n  language:\n    type: text\n"
        "    mappings: []\nresponses:\n  utter_hi:\n  - text: hi\n"
    )
    tracker = DialogueStateTracker("s", domain.slots)
    for intent in ("greet", "ask"):
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered("x", {"name": intent, "confidence": 1.0}))
        tracker.update(SlotSet("language", "ar"))
        tracker.update(ActionExecuted("utter_hi"))
    return domain, tracker


def test_past_states_equal_rasas_and_follow_new_events() -> None:
    domain, tracker = conversation()
    original = rasa_speedups._original_past_states
    first = tracker.past_states(domain)
    assert first == original(tracker, domain)
    first[-1].clear()  # Rasa edits states in place: the cached copy must not change
    assert tracker.past_states(domain) == original(tracker, domain)
    assert tracker.past_states(
        domain, ignore_rule_only_turns=True, rule_only_data={"slots": []}
    ) == original(tracker, domain, ignore_rule_only_turns=True, rule_only_data={"slots": []})
    tracker.update(ActionExecuted("action_listen"))
    assert tracker.past_states(domain) == original(tracker, domain)
    other = DialogueStateTracker("t", domain.slots)
    assert other.past_states(domain) == original(other, domain)
