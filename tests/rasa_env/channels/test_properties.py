"""Property-based tests of the text handling every channel relies on (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from channels.common import Option, chosen_option, split_text
from channels.sms_segments import fit, plan
from channels.twilio_messaging import FormParams

# Words in the scripts the users write in, with sentence ends and odd characters mixed in.
WORD = st.text(
    alphabet=st.sampled_from(list("abcdeéêçßабвгґєاببتثپچ፩ሰላምşğ😀€[]{}0123456789\u200f\u200b")),
    min_size=1,
    max_size=12,
)
SEPARATOR = st.sampled_from([" ", " ", " ", ". ", "? ", "؟ ", "! ", "\n", "\n\n", "。"])
TEXT = st.lists(st.tuples(WORD, SEPARATOR), max_size=250).map(
    lambda pairs: "".join(w + s for w, s in pairs)
)


def squeeze(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=1, max_value=500))
def test_split_never_exceeds_the_limit_and_loses_nothing(text, limit):
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert squeeze("".join(parts)) == squeeze(text)


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=1, max_value=15))
def test_sms_fit_stays_in_budget_and_loses_nothing(text, max_segments):
    pointer = "Reply MORE for the rest."
    head, rest = fit(text, max_segments, pointer)
    assert len(head) <= 1600
    if rest:
        assert head.endswith(pointer)
        assert plan(head).segments <= max_segments
        assert squeeze(head.removesuffix(pointer) + rest) == squeeze(text)
    else:
        assert head == text.strip()


@given(st.text(max_size=20), st.integers(min_value=0, max_value=12))
def test_chosen_option_is_one_of_the_options_or_none(reply, count):
    options = [Option(f"Option {n}", f"/payload_{n}") for n in range(count)]
    assert chosen_option(reply, options) in [*options, None]


@given(st.binary(max_size=300))
def test_form_parsing_never_crashes_except_on_bad_utf8(body):
    try:
        params = FormParams.parse(body)
    except UnicodeDecodeError:
        return
    assert all(isinstance(v, list) for v in params.values())
