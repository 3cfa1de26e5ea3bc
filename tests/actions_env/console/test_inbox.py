"""The inbox: personal data never stored, statuses, retention, grouping by meaning and language."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest

from console.inbox_groups import group_questions
from haven import inbox
from haven.inbox import InboxStore, redact_question


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("My name is Amina Khaled, call me on +999 10 555 0101", ["<name>", "<phone>"],
         ["Amina", "Khaled", "555"]),
        ("mail me at amina.k@example.org about case 2026/4471", ["<email>", "<number>"],
         ["amina", "4471", "2026"]),
        ("اسمي فاطمة الزهراء، هل يمكنني العمل؟", ["<name>", "هل يمكنني العمل"], ["فاطمة"]),
        ("اسم من رضا است و ۰۹۱۲۳۴۵۶۷۸۹ شماره من", ["<name>"], ["رضا", "۰۹۱۲"]),
        ("Меня зовут Олег. Могу ли я работать?", ["<name>", "Могу ли я работать"], ["Олег"]),
        ("je m'appelle Jean-Marc et je cherche un médecin", ["<name>"], ["Jean-Marc"]),
        ("born 12.03.1990, see https://x.example/me?id=5", ["<link>"], ["1990", "x.example"]),
    ],
)  # fmt: skip
def test_redaction_removes_personal_data(text: str, kept: list[str], gone: list[str]) -> None:
    clean = redact_question(text)
    for part in kept:
        assert part in clean
    for part in gone:
        assert part not in clean
    assert not re.search(r"\d", clean), "no digits of any script survive"


def test_redaction_limits_length_and_whitespace() -> None:
    assert redact_question("  can   I\nwork?  ") == "can I work?"
    assert len(redact_question("word " * 500)) == 500


def test_store_keeps_only_redacted_text_language_reason_entry_and_day(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox.db")
    day = dt.date(2026, 11, 20)
    first = store.add("declined", "my name is Omar, can I work? +999 10 555 0101", "en", today=day)
    store.add("not_helpful", "how do I rent a flat", "en", entry_id="housing-renting", today=day)
    assert store.add("declined", "/greet", "en") is None  # button payloads are not questions
    assert store.add("declined", "   ", "en") is None
    with pytest.raises(ValueError, match="reason"):
        store.add("spam", "x", "en")
    questions = store.questions()
    assert [q.reason for q in questions] == ["not_helpful", "declined"]
    assert questions[1].text == "my name is <name>, can I work? <phone>"
    assert questions[0].entry_id == "housing-renting" and questions[0].created_on == day
    with sqlite3.connect(tmp_path / "inbox.db") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(questions)")]
        dump = "\n".join(db.iterdump())
    assert "sender" not in " ".join(columns) and "Omar" not in dump and "555" not in dump
    assert store.set_status([first], "drafted", "work-right-to-work") == 1
    assert store.counts() == {"open": 1, "drafted": 1}
    assert store.forget_older_than(2, today=dt.date(2026, 11, 23)) == 2


def test_recording_never_breaks_the_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "default_path", lambda: tmp_path / "inbox.db")
    inbox.record_declined("where can I find a lawyer", "en")
    inbox.record_not_helpful("work-right-to-work", "ar", "هل يمكنني العمل")
    assert len(InboxStore(tmp_path / "inbox.db").questions()) == 2
    (tmp_path / "broken").mkdir()
    monkeypatch.setattr(inbox, "default_path", lambda: tmp_path / "broken")  # a folder
    inbox.record_declined("where can I find a lawyer", "en")  # logged, not raised


def test_grouping_by_meaning_and_language(tmp_path: Path, encode) -> None:
    store = InboxStore(tmp_path / "inbox.db")
    asked = [
        ("en", "can i work here"), ("en", "am i allowed to work here"), ("en", "can i work here"),
        ("en", "where can i find a doctor"), ("en", "my landlord kept my deposit"),
        ("ar", "هل يمكنني العمل هنا"), ("ar", "هل يسمح لي بالعمل هنا"),
    ]  # fmt: skip
    for language, text in asked:
        store.add("declined", text, language)
    groups = group_questions(store.questions(), encode, threshold=0.8)
    summary = sorted((g.language, g.count, tuple(sorted(g.texts))) for g in groups)
    assert summary == [
        ("ar", 2, ("هل يسمح لي بالعمل هنا", "هل يمكنني العمل هنا")),
        ("en", 1, ("my landlord kept my deposit",)),
        ("en", 1, ("where can i find a doctor",)),
        ("en", 3, ("am i allowed to work here", "can i work here")),
    ]
    biggest = groups[0]
    assert biggest.count == 3 and biggest.texts[0] == "can i work here"  # most asked first
    assert biggest.reasons == {"declined": 3} and len(biggest.key) == 12
