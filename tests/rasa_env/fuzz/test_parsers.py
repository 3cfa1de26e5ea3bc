"""Properties of the pieces the webhooks rely on, without servers: the REST body parser only
ever accepts or refuses with a reason, and metrics labels never carry what a client sent."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from channels import metrics
from channels.rest import BadRequestError, parse_body
from tests.rasa_env.fuzz.test_webhooks import json_values, raw_bodies, texts


@settings(max_examples=300, deadline=None)
@given(body=raw_bodies | st.fixed_dictionaries(
    {"sender": json_values, "message": json_values | texts}, optional={"metadata": json_values}
).map(lambda value: json.dumps(value).encode("utf-8", "surrogatepass")))  # fmt: skip
def test_rest_parser_accepts_or_refuses_with_a_client_error(body):
    try:
        sender, text, metadata = parse_body(body, max_chars=4000)
    except BadRequestError as error:
        assert error.status in (400, 413) and str(error)
        return
    assert isinstance(sender, str) and sender.strip() and len(sender) <= 128
    assert isinstance(text, str) and text.strip() and len(text) <= 4000
    text.encode("utf-8")  # storable and loggable: no lone surrogates left
    assert metadata is None or isinstance(metadata, dict)


@settings(max_examples=200, deadline=None)
@given(channel=st.none() | st.text(max_size=30), language=json_values)
def test_metric_labels_only_take_known_values(channel, language):
    assert metrics.channel_label(channel) in (*metrics.KNOWN_CHANNELS, "other")
    assert metrics.language_label(language) in (
        *metrics.i18n.supported_languages(),
        "unknown",
    )


def test_a_turn_is_counted_by_reply_language_and_answer_kind():
    before = metrics.KB_QUESTIONS.labels("no_answer")._value.get()
    replies = [{"text": "…", "metadata": {"language": "fa", "kind": "no_answer"}}]
    metrics.record_turn("telegram", 0.2, replies)
    assert metrics.KB_QUESTIONS.labels("no_answer")._value.get() == before + 1
    assert metrics.MESSAGES.labels("telegram", "fa")._value.get() >= 1
    exposition = metrics.exposition().decode()
    assert 'haven_messages_total{channel="telegram",language="fa"}' in exposition
