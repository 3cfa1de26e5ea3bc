"""The shared pieces: splitting, numbered options, SMS segment planning, state stores."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from channels.common import (
    Option,
    chosen_option,
    location_payload,
    message_hint,
    numbered_options,
    split_text,
)
from channels.runner import RateLimiter
from channels.sms_segments import fit, plan
from channels.state import MemoryStore, RedisStore


@pytest.mark.parametrize("limit", [20, 50, 120, 4096])
def test_split_keeps_every_word_and_respects_the_limit(limit):
    text = "First sentence here. Second one is a bit longer! Third?\n\nNew paragraph. " * 20
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_split_prefers_sentence_ends_and_cuts_long_sentences_at_spaces():
    parts = split_text("Short one. " + "word " * 30 + "end.", 40)
    assert parts[0] == "Short one."
    assert all(len(p) <= 40 for p in parts)
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("   ", 10) == []


def test_split_arabic_question_marks():
    text = "هل يحق لي العمل؟ نعم، مع تصريح عمل. اسأل خدمة قانونية."
    assert split_text(text, 20)[0] == "هل يحق لي العمل؟"


def test_numbered_options_accept_digits_of_any_script():
    options = [Option("Health", "/h"), Option("Legal aid", "/l"), Option("Housing", "/x")]
    assert numbered_options(options) == "1. Health\n2. Legal aid\n3. Housing"
    assert chosen_option("2", options).payload == "/l"
    assert chosen_option(" 3. ", options).payload == "/x"
    assert chosen_option("٢", options).payload == "/l"  # Arabic-Indic
    assert chosen_option("۳", options).payload == "/x"  # Persian
    assert chosen_option("housing", options).payload == "/x"
    assert chosen_option("4", options) is None
    assert chosen_option("0", options) is None
    assert chosen_option("I need 2 things", options) is None


def test_hints_at_top_level_in_metadata_or_in_custom():
    assert message_hint({"sms": "short"}, "sms") == "short"
    assert message_hint({"metadata": {"language": "fa", "direction": "rtl"}}, "direction") == "rtl"
    assert message_hint({"custom": {"language": "ar"}}, "language") == "ar"
    assert message_hint({"text": "x"}, "sms") is None


def test_location_payload():
    assert location_payload(47.07123456, 9.4521) == (
        '/share_location{"latitude": 47.071235, "longitude": 9.4521}'
    )


def test_segments_by_encoding():
    assert plan("a" * 160) == plan("a" * 160).__class__("GSM-7", 160, 1)
    assert plan("a" * 161).segments == 2
    assert plan("a" * 306).segments == 2 and plan("a" * 307).segments == 3
    assert plan("€" * 80).units == 160  # extension characters take two septets
    assert plan("ب" * 70).segments == 1 and plan("ب" * 71).segments == 2
    assert plan("ب" * 134).segments == 2 and plan("ب" * 135).segments == 3
    assert plan("é").encoding == "GSM-7" and plan("ê").encoding == "UCS-2"
    assert plan("😀").units == 2  # outside the BMP: a surrogate pair
    assert plan("").segments == 0


@pytest.mark.parametrize(
    "sentence",
    ["You have the right to work. ", "Вы имеете право работать. ", "لديك الحق في العمل. "],
)
@pytest.mark.parametrize("max_segments", [1, 2, 3])
def test_fit_stays_within_the_budget_and_loses_nothing(sentence, max_segments):
    text = sentence * 30
    pointer = "Reply MORE for the rest."
    head, rest = fit(text, max_segments, pointer)
    assert plan(head).segments <= max_segments
    assert head.endswith(pointer)
    sent = head.removesuffix(pointer).strip()
    assert sent.endswith(".")  # cut at a sentence end
    assert " ".join(f"{sent} {rest}".split()) == " ".join(text.split())


def test_fit_short_text_is_untouched():
    assert fit("Hello.", 1, "MORE") == ("Hello.", "")


async def exercise(store) -> None:
    key = f"test:{secrets.token_hex(8)}"
    assert await store.add_if_absent(key, 60) is True
    assert await store.add_if_absent(key, 60) is False
    await store.set(key + ":v", {"a": [1, "ب"]}, 60)
    assert await store.get(key + ":v") == {"a": [1, "ب"]}
    await store.delete(key + ":v")
    assert await store.get(key + ":v") is None
    short = key + ":short"
    assert await store.add_if_absent(short, 0.2)
    await asyncio.sleep(0.35)
    assert await store.add_if_absent(short, 0.2)  # expired, so new again
    # concurrent duplicates: exactly one wins
    race = key + ":race"
    results = await asyncio.gather(*(store.add_if_absent(race, 60) for _ in range(20)))
    assert results.count(True) == 1


async def test_memory_store():
    await exercise(MemoryStore())


async def test_memory_store_is_bounded():
    store = MemoryStore(max_entries=3)
    for n in range(5):
        await store.set(f"k{n}", n)
    assert await store.get("k0") is None and await store.get("k4") == 4


async def test_redis_store():
    store = RedisStore("redis://127.0.0.1:6379/0")
    try:
        await exercise(store)
    finally:
        await store.close()


def test_rate_limiter_allows_a_burst_then_the_rate(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("channels.runner.time.monotonic", lambda: now[0])
    limiter = RateLimiter(per_minute=6, burst=3)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # buckets are per key
    now[0] += 10  # one token per 10 s
    assert limiter.allow("a") and not limiter.allow("a")
