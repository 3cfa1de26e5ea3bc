"""Incremental builds, atomic switch, live reload and keeping the last good index."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from knowledge_base.content import ContentError
from knowledge_base.embedding import Embedder
from knowledge_base.index import CURRENT_FILE, VERSIONS_DIR, IndexLoadError, build, current_version
from knowledge_base.search import KnowledgeBase

from .conftest import CONTENT


def _rename_question(content: Path) -> None:
    path = content / "faq" / "housing.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'alternatives: ["landlord will not return the deposit"]',
            'alternatives: ["landlord will not return the deposit", '
            '"my flat owner stole my security money"]',
        ),
        encoding="utf-8",
    )


def test_rebuild_embeds_only_changed_texts(
    tmp_path: Path, content_copy: Path, embedder: Embedder
) -> None:
    index = tmp_path / "fresh"
    first = build(content_copy, index, embedder)
    assert 0 < first.embedded <= first.documents
    again = build(content_copy, index, embedder)
    assert again.embedded == 0 and again.version != first.version
    _rename_question(content_copy)
    third = build(content_copy, index, embedder)  # one entry changed: a delta version
    assert third.embedded == 1 and third.dense_type == "delta" and third.documents == 4
    assert current_version(index) == third.version
    full = build(content_copy, index, embedder, delta=False)
    assert full.embedded == 0 and full.documents == first.documents + 1


def test_broken_content_never_replaces_the_live_index(
    index_copy: Path, content_copy: Path, embedder: Embedder
) -> None:
    kb = KnowledgeBase.open(index_copy, embedder, reload_interval_s=0)
    before = current_version(index_copy)
    (content_copy / "faq" / "work.yml").write_text("faqs:\n  - id: [oops\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"faq/work.yml, line \d+: this file is not valid YAML"):
        build(content_copy, index_copy, embedder)
    assert current_version(index_copy) == before
    result = kb.search_faq("do I need a work permit", language="en")
    assert result.answer is not None and result.answer.entry_id == "work-permit"


def test_new_version_goes_live_without_restart(
    index_copy: Path, content_copy: Path, embedder: Embedder
) -> None:
    kb = KnowledgeBase.open(index_copy, embedder, reload_interval_s=0)
    old = kb.version
    _rename_question(content_copy)
    report = build(content_copy, index_copy, embedder)
    kb.search_faq("anything", language="en")  # notices CURRENT changed, loads in background
    kb.wait_for_reload()
    assert kb.version == report.version != old
    result = kb.search_faq("my flat owner stole my security money", language="en")
    assert result.answer is not None and result.answer.entry_id == "housing-deposit-back"


def test_corrupt_index_keeps_last_good_serving(
    index_copy: Path, content_copy: Path, embedder: Embedder
) -> None:
    kb = KnowledgeBase.open(index_copy, embedder, reload_interval_s=0)
    good = kb.version
    _rename_question(content_copy)
    bad = build(content_copy, index_copy, embedder).version
    dense = index_copy / VERSIONS_DIR / bad / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:1000])  # truncated on disk
    with pytest.raises(IndexLoadError, match=r"dense\.faiss is corrupt"):
        kb.reload()
    assert kb.version == good and "corrupt" in (kb.last_error or "")
    assert kb.search_faq("do I need a work permit", language="en").answer is not None
    # a restarted server also falls back to the newest version that loads
    restarted = KnowledgeBase.open(index_copy, embedder)
    assert restarted.version == good


def test_missing_index_gives_a_clear_error(tmp_path: Path, embedder: Embedder) -> None:
    with pytest.raises(IndexLoadError, match=r"no index has been built .* make kb ARGS=build"):
        KnowledgeBase.open(tmp_path, embedder)


def test_index_of_another_embedder_is_refused(index_copy: Path, embedder: Embedder) -> None:
    version = current_version(index_copy)
    manifest_path = index_copy / VERSIONS_DIR / str(version) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["embedder"] = "st-some-other-model"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match="built with the embedder 'st-some-other-model'"):
        KnowledgeBase.open(index_copy, embedder)


def test_reload_under_concurrent_queries_fails_none(
    index_copy: Path, content_copy: Path, embedder: Embedder
) -> None:
    kb = KnowledgeBase.open(index_copy, embedder, reload_interval_s=0)
    failures: list[BaseException] = []
    answers: list[str | None] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                result = kb.search_faq("do I need a work permit", language="en")
                answers.append(result.answer.entry_id if result.answer else None)
            except BaseException as error:
                failures.append(error)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    versions = set()
    for round_number in range(3):
        path = content_copy / "faq" / "health.yml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                '"I need medical care"', f'"I need medical care {round_number}"'
            ),
            encoding="utf-8",
        )
        versions.add(build(content_copy, index_copy, embedder).version)
        kb.search_faq("trigger", language="en")
        kb.wait_for_reload()
    stop.set()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(answers) > 20 and set(answers) == {"work-permit"}
    assert kb.version in versions
    assert (index_copy / CURRENT_FILE).read_text().strip() == kb.version


def test_fixture_index_is_not_touched_by_tests(built_index: Path) -> None:
    assert len(list((built_index / VERSIONS_DIR).iterdir())) == 1
    assert CONTENT.exists()


def test_delta_versions_edit_add_and_remove_entries(
    index_copy: Path, content_copy: Path, embedder: Embedder
) -> None:
    kb = KnowledgeBase.open(index_copy, embedder, reload_interval_s=0)
    base = kb._snapshot
    _rename_question(content_copy)  # edit housing-deposit-back
    work = content_copy / "faq" / "work.yml"
    text = work.read_text(encoding="utf-8")
    start = text.index("  - id: work-unpaid-wages")
    kept = text[:start].replace("    related: [work-unpaid-wages]\n", "")
    work.write_text(kept, encoding="utf-8")  # remove work-unpaid-wages (and the link to it)
    (content_copy / "faq" / "money.yml").write_text(
        "faqs:\n  - id: health-dentist\n    topic: health\n"
        "    source: {title: Demo, url: 'https://dentist.example'}\n"
        "    last_reviewed: 2026-11-01\n    review_by: 2030-01-01\n"
        "    translations:\n      en:\n"
        "        question: Where can I see a dentist for a toothache?\n"
        "        answer: The dental clinic at the health centre treats toothache for free.\n",
        encoding="utf-8",
    )
    report = build(content_copy, index_copy, embedder)
    assert report.dense_type == "delta"
    assert kb.reload()
    assert kb._snapshot.base is base  # the base stayed in memory: only the delta was read
    edited = kb.search_faq("my flat owner stole my security money", language="en")
    assert edited.answer is not None and edited.answer.entry_id == "housing-deposit-back"
    added = kb.search_faq("I have a toothache, where is a dentist?", language="en")
    assert added.answer is not None and added.answer.entry_id == "health-dentist"
    removed = kb.search_faq("my employer does not pay my salary", language="en")
    assert all(s.entry_id != "work-unpaid-wages" for s in removed.suggestions)
    assert kb.faq_answer("work-unpaid-wages", "en") is None
    assert "work-unpaid-wages" not in kb.content.faq_by_id()
    permit = kb.search_faq("do I need a work permit", language="fr").answer
    assert permit is not None and permit.entry_id == "work-permit"
    # a server started now loads base + delta from disk and answers the same
    fresh = KnowledgeBase.open(index_copy, embedder)
    assert fresh.version == report.version
    assert (
        fresh.search_faq("toothache dentist", language="en").suggestions[0].entry_id
        == "health-dentist"
    )
