"""Loading and validating content: typed entries, and errors with file and line for staff."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge_base.content import ContentError, Problem, check_content, load_content

from .conftest import CONTENT


def errors(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if p.is_error]


def warnings(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if not p.is_error]


def test_fixture_content_loads_typed() -> None:
    content = load_content(CONTENT, today=dt.date(2026, 11, 23))
    faqs = content.faq_by_id()
    assert set(faqs) == {
        "work-permit",
        "work-unpaid-wages",
        "health-see-a-doctor",
        "health-pregnancy-care",
        "housing-deposit-back",
        "emergencies-violence-at-home",
    }
    permit = faqs["work-permit"]
    assert permit.last_reviewed == dt.date(2026, 11, 1)
    assert permit.translations["en"].alternatives == ("do I need a work permit", "can I get a job")
    assert permit.source.url == "https://www.ohchr.org/en/icescr"
    assert permit.file == "faq/work.yml" and permit.line == 2
    service = next(s for s in content.services if s.id == "lindmark-health-centre")
    assert service.opening_hours_text() == "mo-fr 08:00-18:00"
    assert service.latitude == pytest.approx(47.0712)
    assert [c.id for c in content.emergency["XA"]] == ["police", "ambulance"]
    assert content.danger.phrases["en"]["violence"] == ("he hits me",)
    assert content.taxonomy.languages["fa"].rtl


def test_round_trip_through_json_data() -> None:
    from knowledge_base.content import Content

    content = load_content(CONTENT)
    assert Content.from_data(content.to_data()) == content


def test_warnings_for_stale_entries_and_missing_translations() -> None:
    _, problems = check_content(CONTENT, today=dt.date(2026, 11, 23))
    assert not errors(problems)
    text = "\n".join(warnings(problems))
    assert (
        "faq/housing.yml, line 6: 'housing-deposit-back' should have been reviewed by 2026-10-01"
        in text
    )
    assert "'housing-deposit-back' has no translation in Spanish (es)" in text


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_yaml_names_file_and_line(content_copy: Path) -> None:
    _edit(
        content_copy,
        "faq/health.yml",
        'question: "How can I see a doctor?"',
        'question: "How can I see a doctor?',
    )
    content, problems = check_content(content_copy)
    (message,) = errors(problems)
    assert message.startswith("ERROR: faq/health.yml, line ")
    assert "not valid YAML" in message and "quotes" in message
    assert content is not None and "work-permit" in content.faq_by_id()  # other files still read
    with pytest.raises(ContentError, match=r"faq/health\.yml"):
        load_content(content_copy)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "faq/health.yml",
            "id: health-pregnancy-care",
            "id: work-permit",
            "faq/work.yml, line 2: the id 'work-permit' is used twice: it is also used in "
            "faq/health.yml, line 36",
        ),
        (
            "faq/work.yml",
            '        answer: "Les réfugiés travaillent sans permis. Les demandeurs '
            "d'asile peuvent demander un permis après 6 mois.\"\n",
            "",
            "faq/work.yml, line 16: 'work-permit' has no answer in French (fr)",
        ),
        (
            "faq/work.yml",
            '      tr:\n        question: "Burada',
            '      xx:\n        question: "Burada',
            "faq/work.yml, line 39: 'work-permit': 'xx' is not a known language code",
        ),
        (
            "faq/work.yml",
            "last_reviewed: 2026-11-01",
            "last_reviewed: 2026-13-01",
            "faq/work.yml, line 6: 'work-permit': last_reviewed '2026-13-01' is not a valid date",
        ),
        (
            "faq/work.yml",
            "related: [work-unpaid-wages]",
            "related: [work-nonexistent]",
            "faq/work.yml, line 8: 'work-permit' lists 'work-nonexistent' under related, but there "
            "is no FAQ entry with that id",
        ),
        (
            "faq/work.yml",
            "topic: work\n    tags",
            "topic: jobs\n    tags",
            "faq/work.yml, line 3: 'work-permit': topic 'jobs' is not listed in taxonomy.yml",
        ),
        (
            "services/lindmark.yml",
            "city: port-solenne",
            "city: atlantis",
            "services/lindmark.yml, line 44: 'port-solenne-clinic': city 'atlantis' is not listed",
        ),
    ],
)
def test_each_error_is_explained_with_file_and_line(
    content_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    _edit(content_copy, file, old, new)
    _, problems = check_content(content_copy)
    found = errors(problems)
    assert any(expected in message for message in found), found


def test_duplicate_key_is_an_error(content_copy: Path) -> None:
    _edit(
        content_copy,
        "faq/work.yml",
        "    topic: work\n    tags",
        "    topic: work\n    topic: health\n    tags",
    )
    _, problems = check_content(content_copy)
    assert any("'topic' is written twice" in m and "line 4" in m for m in errors(problems))


def test_missing_taxonomy_is_reported(tmp_path: Path) -> None:
    content, problems = check_content(tmp_path)
    assert content is None
    assert errors(problems) == ["ERROR: taxonomy.yml: this file is missing"]


def test_content_module_is_pure_python() -> None:
    code = (
        "import sys, knowledge_base.content, knowledge_base.yaml_lines;"
        "heavy = {'numpy', 'faiss', 'torch', 'scipy'} & set(sys.modules); print(sorted(heavy))"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root)},
        check=True,
    ).stdout.strip()
    assert out == "[]"
