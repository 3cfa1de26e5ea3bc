"""Spreadsheet round trip, HSDS import, coverage and stale lists."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from knowledge_base.cli import main
from knowledge_base.content import load_content
from knowledge_base.hsds import import_hsds
from knowledge_base.spreadsheet import (
    COLUMNS,
    SpreadsheetError,
    content_from_csv,
    export_faq_csv,
    import_faq_csv,
)
from knowledge_base.tools import coverage_table, stale_items

from .conftest import CONTENT, FIXTURES


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.yml"))
    }


def _export(folder: Path) -> list[dict[str, str]]:
    buffer = io.StringIO()
    export_faq_csv(load_content(folder), buffer)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_export_has_the_issue_columns_and_round_trips_unchanged(
    content_copy: Path, tmp_path: Path
) -> None:
    rows = _export(content_copy)
    assert tuple(rows[0])[: len(COLUMNS)] == COLUMNS
    permit_en = next(r for r in rows if r["id"] == "work-permit" and r["language"] == "en")
    assert permit_en["question"] == (
        "Am I allowed to work here? | do I need a work permit | can I get a job"
    )
    before = _snapshot(content_copy)
    applied, created, _ = import_faq_csv(_write(tmp_path / "faq.csv", rows), content_copy)
    assert (applied, created) == (len(rows), 0)
    assert _snapshot(content_copy) == before  # comments, quotes and layout untouched


def test_import_applies_edits_and_creates_entries(content_copy: Path, tmp_path: Path) -> None:
    rows = [
        {
            "id": "work-permit",
            "language": "es",
            "question": "¿Puedo trabajar aquí? | ¿me dejan trabajar?",
            "answer": "Sí, con permiso.",
            "topic": "work",
            "source_url": "https://www.ohchr.org/en/icescr",
            "last_reviewed": "2026-11-20",
            "notes": "column for staff, ignored",
        },
        {
            "id": "housing-find-a-flat",
            "language": "en",
            "question": "How do I find a flat?",
            "answer": "Ask the housing desk.",
            "topic": "housing",
            "source_url": "https://housing.example",
            "last_reviewed": "2026-11-20",
            "notes": "",
        },
    ]
    import_faq_csv(_write(tmp_path / "edit.csv", rows), content_copy)
    content = load_content(content_copy)
    permit = content.faq_by_id()["work-permit"]
    assert permit.translations["es"].answer == "Sí, con permiso."
    assert permit.translations["es"].alternatives == ("¿me dejan trabajar?",)
    assert permit.last_reviewed == dt.date(2026, 11, 20)
    assert permit.translations["en"].answer.startswith("Refugees can work")
    new = content.faq_by_id()["housing-find-a-flat"]
    assert new.file == "faq/housing.yml" and new.source.url == "https://housing.example"


def test_bad_csv_changes_nothing_and_names_rows(content_copy: Path, tmp_path: Path) -> None:
    before = _snapshot(content_copy)
    rows = _export(content_copy)
    rows[3]["answer"] = ""
    rows[5]["last_reviewed"] = "20/11/2026"
    rows[6]["language"] = "klingon"
    with pytest.raises(SpreadsheetError) as caught:
        import_faq_csv(_write(tmp_path / "bad.csv", rows), content_copy)
    text = str(caught.value)
    assert "row 5: the answer is empty" in text
    assert "row 7: last_reviewed '20/11/2026' is not a date" in text
    assert "row 8: 'klingon' is not a known language code" in text
    assert "nothing was changed" in text
    assert _snapshot(content_copy) == before


def test_csv_that_would_break_content_is_refused(content_copy: Path, tmp_path: Path) -> None:
    before = _snapshot(content_copy)
    rows = [
        {
            "id": "brand-new",
            "language": "en",
            "question": "Q?",
            "answer": "A.",
            "topic": "no-such-topic",
            "source_url": "https://x.example",
            "last_reviewed": "2026-11-01",
        }
    ]
    with pytest.raises(SpreadsheetError, match="topic 'no-such-topic' is not listed"):
        import_faq_csv(_write(tmp_path / "t.csv", rows), content_copy)
    assert _snapshot(content_copy) == before
    missing = tmp_path / "cols.csv"
    missing.write_text("id,language,question\nx,en,y\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError, match="missing: answer, topic, source_url, last_reviewed"):
        import_faq_csv(missing, content_copy)


def test_semicolon_csv_from_a_spreadsheet_program(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text(
        "\ufeffid;language;question;answer;topic;source_url;last_reviewed\n"
        'a-1;en;Hello? | hi;"Yes; really.";work;https://x.example;2026-01-02\n',
        encoding="utf-8",
    )
    content = content_from_csv(path)
    (entry,) = content.faqs
    assert entry.translations["en"].alternatives == ("hi",)
    assert entry.translations["en"].answer == "Yes; really."


def test_hsds_csv_package_import(content_copy: Path) -> None:
    ids = import_hsds(FIXTURES / "hsds_csv", content_copy, today=dt.date(2026, 11, 23))
    assert ids == ["port-solenne-solenne-night-shelter", "port-solenne-solenne-family-doctors"]
    services = {s.id: s for s in load_content(content_copy).services}
    shelter = services["port-solenne-solenne-night-shelter"]
    assert shelter.categories == ("shelter",) and shelter.city == "port-solenne"
    assert shelter.phone == "+999 20 555 0199" and shelter.languages == ("en", "ar")
    assert shelter.opening_hours_text() == "mo-fr 18:00-23:59"
    assert shelter.translations["en"].fees == "Free"
    assert shelter.address == "3 Dock Road, 2020 Port Solenne"
    assert services["port-solenne-solenne-family-doctors"].categories == ("health",)
    assert "lindmark-health-centre" in services  # existing services kept


def test_hsds_json_import_and_unknown_city(content_copy: Path, tmp_path: Path) -> None:
    ids = import_hsds(
        FIXTURES / "hsds_service.json", content_copy, category_map={"Legal services": "legal-aid"}
    )
    service = next(s for s in load_content(content_copy).services if s.id == ids[0])
    assert service.city == "lindmark" and service.categories == ("legal-aid",)
    assert service.opening_hours_text() == "tu,th 09:00-12:00"
    moved = tmp_path / "elsewhere.json"
    moved.write_text((FIXTURES / "hsds_service.json").read_text().replace("LINDMARK", "Atlantis"))
    with pytest.raises(SpreadsheetError, match=r"city 'Atlantis' is not in taxonomy\.yml"):
        import_hsds(moved, content_copy, category_map={"Legal services": "legal-aid"})


def test_coverage_and_stale() -> None:
    content = load_content(CONTENT)
    header, rows = coverage_table(content)
    assert header[:4] == ["topic", "entries", "en", "fr"]
    housing = next(r for r in rows if r[0] == "housing")
    assert housing[header.index("en")] == "all" and housing[header.index("es")] == "0/1"
    stale = stale_items(content, dt.date(2026, 11, 23))
    assert [item[1] for item in stale] == ["housing-deposit-back"]


def test_cli_validate_reports_errors_with_exit_status(
    content_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--content", str(content_copy), "validate"]) == 0
    (content_copy / "faq" / "work.yml").write_text(
        "faqs:\n  - id: x\n    topic: [\n", encoding="utf-8"
    )
    assert main(["--content", str(content_copy), "validate"]) == 1
    out = capsys.readouterr().out
    assert "ERROR: faq/work.yml, line 4: this file is not valid YAML" in out
