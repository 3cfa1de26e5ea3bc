"""Editing the YAML: comments stay, bad changes are refused, retire, audit trail, revert."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from console.audit import AuditLog
from console.db import Database
from console.entries import ChangeRejectedError, ContentStore, EntryState
from console.forms import faq_from_form, format_opening_hours, parse_opening_hours
from knowledge_base.content import check_content

ENTRY = "work-right-to-work"
NEW_ARABIC = "نعم، يحق لك العمل إذا كان لديك تصريح عمل. اسأل خدمة المساعدة القانونية عن حالتك."


def _edit_arabic(store: ContentStore, text: str) -> tuple[EntryState, EntryState]:
    before = store.state("faq", ENTRY)
    data = copy.deepcopy(before.data)
    data["translations"]["ar"]["answer"] = text
    store.apply("faq", ENTRY, EntryState("active", before.file, data))
    return before, store.state("faq", ENTRY)


def test_an_edit_changes_only_its_lines_and_keeps_comments(content_copy: Path) -> None:
    path = content_copy / "faq" / "work.yml"
    original = path.read_text(encoding="utf-8").splitlines()
    _edit_arabic(ContentStore(content_copy), NEW_ARABIC)
    edited = path.read_text(encoding="utf-8").splitlines()
    assert edited[:2] == original[:2] and edited[0].startswith("#")  # header comment kept
    removed = [line for line in original if line not in edited]
    assert 1 <= len(removed) <= 4, removed  # only the old Arabic answer lines
    content, problems = check_content(content_copy)
    assert not [p for p in problems if p.is_error]
    entry = content.faq_by_id()[ENTRY]
    assert entry.translations["ar"].answer == NEW_ARABIC


def test_values_are_written_so_pyyaml_reads_them_back_unchanged(content_copy: Path) -> None:
    store = ContentStore(content_copy)
    before = store.state("faq", ENTRY)
    data = copy.deepcopy(before.data)
    long_text = " ".join(["Ask a legal aid service to check your own case."] * 6)
    data["translations"]["en"]["answer"] = long_text
    data["tags"] = [*data["tags"], "no", "08:00", "yes"]
    store.apply("faq", ENTRY, EntryState("active", before.file, data))
    text = (content_copy / before.file).read_text(encoding="utf-8")
    assert "answer: >-" in text
    assert all(len(line) < 110 for line in text.splitlines() if "legal aid service" in line)
    raw = yaml.safe_load(text)
    entry = next(item for item in raw["faqs"] if item["id"] == ENTRY)
    assert entry["translations"]["en"]["answer"] == long_text
    assert entry["tags"][-3:] == ["no", "08:00", "yes"]


def test_a_change_that_breaks_the_content_is_refused_and_nothing_is_written(
    content_copy: Path,
) -> None:
    store = ContentStore(content_copy)
    path = content_copy / "faq" / "work.yml"
    original = path.read_bytes()
    before = store.state("faq", ENTRY)
    data = copy.deepcopy(before.data)
    data["review_by"] = "2020-01-01"
    data["translations"]["fr"] = {"question": "Puis-je travailler ?"}  # no answer
    with pytest.raises(ChangeRejectedError) as refused:
        store.apply("faq", ENTRY, EntryState("active", before.file, data))
    messages = " ".join(p.message for p in refused.value.problems)
    assert "review_by 2020-01-01 is before last_reviewed" in messages
    assert "fr" in messages
    assert path.read_bytes() == original


def test_retiring_an_entry_others_point_at_is_refused(content_copy: Path) -> None:
    store = ContentStore(content_copy)
    referenced = [r for _, e in store.raw_entries("faq") for r in e.get("related") or []]
    before = store.state("faq", referenced[0])
    with pytest.raises(ChangeRejectedError, match="related"):
        store.apply("faq", referenced[0], EntryState("retired", before.file, before.data))
    assert store.state("faq", referenced[0]) == before


def test_retire_an_unreferenced_entry_then_restore(content_copy: Path) -> None:
    store = ContentStore(content_copy)
    referenced = {r for _, e in store.raw_entries("faq") for r in e.get("related") or []}
    entry_id, file = next(
        (e["id"], f) for f, e in store.raw_entries("faq") if e["id"] not in referenced
    )
    before = store.state("faq", entry_id)
    store.apply("faq", entry_id, EntryState("retired", file, before.data))
    assert store.state("faq", entry_id).state == "retired"
    assert (content_copy / "retired" / file).exists()
    content, problems = check_content(content_copy)
    assert entry_id not in content.faq_by_id() and not [p for p in problems if p.is_error]
    store.apply("faq", entry_id, EntryState("active", file, before.data))
    assert store.state("faq", entry_id) == before


def test_every_change_is_recorded_and_reversible(content_copy: Path, tmp_path: Path) -> None:
    store = ContentStore(content_copy)
    audit = AuditLog(Database(tmp_path / "console.db"))
    before, after = _edit_arabic(store, NEW_ARABIC)
    change = audit.record("edith", "edit", "faq", ENTRY, before, after)
    saved = audit.get(change)
    assert saved.user == "edith" and saved.action == "edit" and saved.at
    assert saved.changed_fields() == ["translations.ar.answer"]
    assert saved.before == before and saved.after == after
    # Revert: put the "before" state back; the revert is itself recorded and reversible.
    current = store.state("faq", ENTRY)
    store.apply("faq", ENTRY, saved.before)
    reverted = store.state("faq", ENTRY)
    assert reverted.data == before.data
    undo = audit.record("edith", "revert", "faq", ENTRY, current, reverted, reverts=change)
    assert audit.get(undo).reverts == change
    assert [c.action for c in audit.recent(kind="faq", entry_id=ENTRY)] == ["revert", "edit"]


def test_a_new_entry_goes_to_its_topic_file_and_reverting_removes_it(content_copy: Path) -> None:
    store = ContentStore(content_copy)
    data = {
        "id": "work-night-shifts", "topic": "work",
        "source": {"title": "ILO Night Work Convention, 1990 (No. 171)"},
        "last_reviewed": "2026-11-20", "review_by": "2027-05-20",
        "translations": {"en": {"question": "Can I be made to work at night?",
                                "answer": "Night work has limits; ask a labour rights service."}},
    }  # fmt: skip
    store.apply("faq", "work-night-shifts", EntryState("active", None, data))
    created = store.state("faq", "work-night-shifts")
    assert created.file == "faq/work.yml"
    store.apply("faq", "work-night-shifts", EntryState("absent"))
    assert store.state("faq", "work-night-shifts").state == "absent"


def test_translator_forms_cannot_change_the_source_language_or_the_metadata() -> None:
    old = {
        "id": "x", "topic": "work", "source": {"title": "S"}, "review_by": "2027-01-01",
        "last_reviewed": "2026-01-01",
        "translations": {"en": {"question": "Q", "answer": "A"},
                         "ar": {"question": "س", "answer": "ج"}},
    }  # fmt: skip
    form = {"topic": "health", "en.question": "Changed", "en.answer": "Changed",
            "ar.question": "سؤال", "ar.answer": "جواب جديد", "fa.question": "پرسش",
            "fa.answer": "پاسخ"}  # fmt: skip
    today = dt.date(2026, 11, 23)
    data = faq_from_form(
        lambda k: form.get(k, ""), old, ["en", "ar", "fa"],
        full_access=False, source_language="en", today=today,
    )  # fmt: skip
    assert data["topic"] == "work" and data["translations"]["en"] == old["translations"]["en"]
    assert data["translations"]["ar"] == {"question": "سؤال", "answer": "جواب جديد"}
    assert data["translations"]["fa"]["answer"] == "پاسخ"
    assert data["last_reviewed"] == "2026-11-23"


def test_opening_hours_text_round_trip() -> None:
    slots = parse_opening_hours("mo-fr 8:00-18:00\nsa 09:00 - 12:00\n")
    assert slots == [
        {"days": ["mo", "tu", "we", "th", "fr"], "opens": "08:00", "closes": "18:00"},
        {"days": ["sa"], "opens": "09:00", "closes": "12:00"},
    ]
    assert format_opening_hours(slots) == "mo-fr 08:00-18:00\nsa 09:00-12:00"
    assert parse_opening_hours("whenever")[0]["days"] == ["whenever"]  # validator explains it


def test_a_file_broken_by_hand_is_explained_not_crashed_on(content_copy: Path) -> None:
    store = ContentStore(content_copy)
    before = store.state("faq", ENTRY)
    (content_copy / "faq" / "work.yml").write_text("faqs:\n  - id: [oops\n", encoding="utf-8")
    with pytest.raises(ChangeRejectedError, match=r"faq/work.yml cannot be read.*fix this file"):
        store.apply("faq", ENTRY, EntryState("active", before.file, before.data))
