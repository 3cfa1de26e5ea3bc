"""The console over HTTP, as a browser uses it: login, CSRF, roles, save → index, revert, inbox."""

from __future__ import annotations

import csv
import io
import re
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from haven.inbox import InboxStore
from knowledge_base.index import current_version
from tests.actions_env.console.helpers import (
    Browser,
    Workspace,
    console_server,
    create_users,
    csrf_of,
    form_values,
    make_workspace,
)

pytestmark = pytest.mark.integration
ENTRY = "/faq/work-right-to-work"


def drop_translation(content: Path, entry_id: str, language: str) -> None:
    """Remove one language of one FAQ entry from the workspace copy of the content."""
    from ruamel.yaml import YAML

    yaml = YAML()
    path = content / "faq" / f"{entry_id.split('-')[0]}.yml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    [entry] = [e for e in data["faqs"] if e["id"] == entry_id]
    del entry["translations"][language]
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = make_workspace(tmp_path_factory.mktemp("console"))
    # Every sample entry has all its languages: take one away so a page has a gap to show.
    drop_translation(workspace.content, "work-right-to-work", "so")
    create_users(workspace)
    store = InboxStore(workspace.root / "inbox.db")
    for text in (
        "can i work here",
        "am i allowed to work here",
        "can i work here",
        "My name is Omar and I need a lawyer for my appeal",
    ):
        store.add("declined", text, "en")
    return workspace


@pytest.fixture(scope="module")
def base(workspace: Workspace) -> Iterator[str]:
    with console_server(workspace) as server:
        yield server.url


def logged_in(base: str, name: str) -> Browser:
    browser = Browser(base)
    assert browser.login(name) == 302
    return browser


def test_pages_need_a_login(base: str) -> None:
    status, _, headers = Browser(base).get("/faq")
    assert status == 302 and headers["location"].startswith("/login")
    status = Browser(base).post(ENTRY, {"en.answer": "x"})[0]
    assert status == 403


def test_wrong_password_is_refused(base: str) -> None:
    browser = Browser(base)
    assert browser.login("edith", "not the password") == 401
    assert browser.login("nobody", "not the password") == 401
    assert not any(c.name == "haven_console" for c in browser.cookies)
    assert browser.get("/")[0] == 302


def test_login_form_needs_its_token(base: str) -> None:
    status, page, _ = Browser(base).post("/login", {"name": "edith", "password": "x" * 12})
    assert status == 403 and "expired" in page


def test_session_cookie_flags(base: str) -> None:
    browser = Browser(base)
    _, page, _ = browser.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page).group(1)
    status, _, headers = browser.request(
        "POST", "/login", {"login_token": token, "name": "edith",
                           "password": "correct horse battery staple"},
    )  # fmt: skip
    assert status == 302
    cookie = headers["set-cookie"]
    assert "haven_console=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    _, _, headers = browser.get("/")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_forged_requests_are_refused(base: str, workspace: Workspace) -> None:
    browser = logged_in(base, "edith")
    _, page, _ = browser.get(ENTRY)
    form = form_values(page)
    form["ar.answer"] = "إجابة مزورة"
    before = (workspace.content / "faq" / "work.yml").read_bytes()
    without = {k: v for k, v in form.items() if k != "csrf"}
    assert browser.post(ENTRY, without)[0] == 403
    assert browser.post(ENTRY, {**form, "csrf": "guessed"})[0] == 403
    evil = {"Origin": "https://evil.example"}
    assert browser.post(ENTRY, form, headers=evil)[0] == 403
    assert (workspace.content / "faq" / "work.yml").read_bytes() == before


def test_viewer_reads_but_cannot_change(base: str) -> None:
    browser = logged_in(base, "vera")
    status, page, _ = browser.get(ENTRY)
    assert status == 200 and "Save and publish" not in page and "readonly" in page
    form = form_values(page)
    status, page, _ = browser.post(ENTRY, {**form, "ar.answer": "تغيير"})
    assert status == 403 and "role" in page
    assert browser.get("/faq/new")[0] == 403


def test_translator_changes_translations_only(base: str, workspace: Workspace) -> None:
    browser = logged_in(base, "tariq")
    _, page, _ = browser.get(ENTRY)
    form = form_values(page)
    english = form["en.answer"]
    form.update({"en.answer": "Changed by a translator", "topic": "health",
                 "fa.answer": "پاسخ تازه از مترجم دربارهٔ اجازهٔ کار."})  # fmt: skip
    status, _, headers = browser.post(ENTRY, form)
    assert status == 302, headers
    _, page, _ = browser.get(headers["location"])
    assert "پاسخ تازه از مترجم" in page and english.split()[0] in page
    text = (workspace.content / "faq" / "work.yml").read_text(encoding="utf-8")
    assert "Changed by a translator" not in text and "topic: work" in text
    assert browser.get("/faq/new")[0] == 403


def test_validation_errors_are_shown_in_plain_words(base: str, workspace: Workspace) -> None:
    browser = logged_in(base, "edith")
    _, page, _ = browser.get(ENTRY)
    form = form_values(page)
    form["fr.answer"] = ""
    form["review_by"] = "2020-01-01"
    before = (workspace.content / "faq" / "work.yml").read_bytes()
    status, page, _ = browser.post(ENTRY, form)
    assert status == 422 and "Not saved" in page
    assert "review_by 2020-01-01 is before last_reviewed" in page
    assert "Ai-je le droit de travailler" in page, "what the user typed stays on the form"
    assert (workspace.content / "faq" / "work.yml").read_bytes() == before


def test_save_publishes_and_is_recorded_and_reversible(base: str, workspace: Workspace) -> None:
    browser = logged_in(base, "edith")
    _, page, _ = browser.get(ENTRY)
    form = form_values(page)
    old = form["ar.answer"]
    form["ar.answer"] = "جواب محدَّث: يحق لك العمل بعد الحصول على تصريح."
    version = current_version(workspace.index)
    started = time.monotonic()
    status, _, headers = browser.post(ENTRY, form)
    assert status == 302 and time.monotonic() - started < 30
    assert current_version(workspace.index) != version, "saving rebuilt and switched the index"
    _, page, _ = browser.get(headers["location"])
    assert "Saved." in page
    assert f"Last reviewed: {time.strftime('%Y-%m-%d')}" in page, "last_reviewed is stamped"
    change = int(headers["location"].rsplit("=", 1)[1])
    _, page, _ = browser.get(f"/history/{change}")
    assert "translations.ar.answer" in page and "edith" in page and old[:20] in page
    status, _, headers = browser.post(f"/history/{change}/revert", {"csrf": csrf_of(page)})
    assert status == 302
    _, page, _ = browser.get(ENTRY)
    assert form_values(page)["ar.answer"] == old
    _, page, _ = browser.get("/history")
    assert re.search(rf"revert\s+#{change}", page)


def test_inbox_groups_and_drafts(base: str, workspace: Workspace) -> None:
    browser = logged_in(base, "edith")
    status, page, _ = browser.get("/inbox")
    assert status == 200 and "Omar" not in page and "&lt;name&gt;" in page
    counts = [int(c) for c in re.findall(r'<span class="count"[^>]*>(\d+)</span>', page)]
    assert counts == [3, 1], "the three work questions form one group"
    ids = re.search(r'name="ids" value="([\d,]+)"', page).group(1)
    status, _, headers = browser.post("/inbox/draft", {"csrf": csrf_of(page), "ids": ids})
    assert status == 302
    status, page, _ = browser.get(headers["location"])
    form = form_values(page)
    assert status == 200 and form["en.question"] and form["inbox"] == ids
    form.update(
        {
            "id": "work-can-i-work-here",
            "topic": "work",
            "source_title": "ICESCR art. 6",
            "en.answer": "Ask a legal aid service whether your residence card allows work.",
        }
    )
    status, _, headers = browser.post("/faq/new", form)
    assert status == 302 and headers["location"].startswith("/faq/work-can-i-work-here")
    assert InboxStore(workspace.root / "inbox.db").counts() == {"drafted": 3, "open": 1}


def test_spreadsheet_round_trip(base: str, workspace: Workspace) -> None:
    browser = logged_in(base, "edith")
    status, body, headers = browser.get("/spreadsheet/faq.csv")
    assert status == 200 and "text/csv" in headers["content-type"]
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:6] == ["id", "language", "question", "answer", "topic", "source_url"]
    row = next(r for r in rows if r[0] == "health-register-doctor" and r[1] == "fa")
    row[3] = "پاسخ تازه از صفحه‌گسترده."
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0], row])
    _, page, _ = browser.get("/spreadsheet")
    status, page, _ = browser.upload(
        "/spreadsheet/import", {"csrf": csrf_of(page)}, "file", "faq.csv", out.getvalue().encode()
    )
    assert status == 200 and "1 rows read, 0 new entries, 1 entries changed" in page, page[-800:]
    _, page, _ = browser.get(f"/faq/{row[0]}")
    assert "پاسخ تازه از صفحه‌گسترده." in page
    _, page, _ = browser.get("/history")
    assert re.search(rf"import</td><td dir=\"ltr\">{row[0]}", page)
    bad = "id,language,question,answer,topic,source_url,last_reviewed\nBad Id,xx,,,,,\n"
    status, page, _ = browser.upload(
        "/spreadsheet/import", {"csrf": csrf_of(page)}, "file", "bad.csv", bad.encode()
    )
    assert status == 422 and "row 2" in page and "Nothing was changed" in page
    assert browser.upload("/spreadsheet/import", {}, "file", "x.csv", bad.encode())[0] == 403


def test_service_edit_with_opening_hours(base: str, workspace: Workspace) -> None:
    browser = logged_in(base, "edith")
    _, page, _ = browser.get("/services")
    service = re.search(r'<td><a href="/services/([a-z0-9-]+)"', page).group(1)
    _, page, _ = browser.get(f"/services/{service}")
    form = form_values(page)
    form["opening_hours"] = "mo-fr 08:00-17:00\nsa 09:00-12:00"
    form["ar.fees"] = "مجاني"
    status, _, headers = browser.post(f"/services/{service}", form)
    assert status == 302, headers
    _, page, _ = browser.get(headers["location"])
    assert "mo-fr 08:00-17:00" in page and "مجاني" in page
    form["opening_hours"] = "every day 8-17"
    status, page, _ = browser.post(f"/services/{service}", form)
    assert status == 422 and "opening days must be among" in page


def test_dashboard_and_arabic_ui(base: str) -> None:
    browser = logged_in(base, "vera")
    status, page, _ = browser.get("/?ui=ar")
    assert status == 200 and '<html lang="ar" dir="rtl">' in page
    assert "لوحة المعلومات" in page and "<svg" in page
    status, page, _ = browser.get("/faq")  # the choice is remembered
    assert 'dir="rtl"' in page.split("<body>")[0]
    _, page, _ = browser.get(ENTRY)
    assert re.search(r'<section class="lang-card[^"]*" lang="fa" dir="rtl"', page)
    assert re.search(r'<section class="lang-card[^"]*" lang="en" dir="ltr"', page)
    assert re.search(r'<section class="lang-card missing', page), "missing translations stand out"


def test_logout(base: str) -> None:
    browser = logged_in(base, "vera")
    _, page, _ = browser.get("/")
    assert browser.post("/logout", {"csrf": csrf_of(page)})[0] == 302
    assert browser.get("/")[0] == 302


def test_create_retire_and_restore_a_service(base: str, workspace: Workspace) -> None:
    browser = logged_in(base, "edith")
    _, page, _ = browser.get("/services/new")
    form = form_values(page)
    form.update({
        "id": "lindmark-night-shelter", "organization_name": "Lindmark Night Shelter Trust",
        "categories": "shelter", "city": "lindmark", "phone": "+999 10 555 0199",
        "opening_hours": "mo-su 19:00-08:00", "languages": "en, ar",
        "source_title": "Lindmark city directory (demo)",
        "en.name": "Night shelter", "en.description": "Beds for the night, no questions asked.",
        "ar.name": "مأوى ليلي", "ar.description": "أسرّة لليلة دون أسئلة.",
    })  # fmt: skip
    status, _, headers = browser.post("/services/new", form)
    assert status == 302 and headers["location"].startswith("/services/lindmark-night-shelter")
    text = (workspace.content / "services" / "lindmark.yml").read_text(encoding="utf-8")
    assert "id: lindmark-night-shelter" in text and "مأوى ليلي" in text
    status, page, _ = browser.post("/services/new", form)  # the same id again
    assert status == 422 and "already used" in page
    _, page, _ = browser.get("/services/lindmark-night-shelter")
    assert "missing" in page, "the languages it lacks are highlighted"
    status, _, headers = browser.post(
        "/services/lindmark-night-shelter/retire", {"csrf": csrf_of(page)}
    )
    assert status == 302
    services = workspace.content / "services" / "lindmark.yml"
    assert "lindmark-night-shelter" not in services.read_text(encoding="utf-8")
    assert "lindmark-night-shelter" in browser.get("/retired")[1]
    _, page, _ = browser.get("/services/lindmark-night-shelter")
    assert "Restore this entry" in page and "Save and publish" not in page
    status, _, _ = browser.post("/services/lindmark-night-shelter/restore", {"csrf": csrf_of(page)})
    assert status == 302
    assert "lindmark-night-shelter" in services.read_text(encoding="utf-8")


def test_ask_the_bot_from_the_console(base: str) -> None:
    browser = logged_in(base, "vera")
    question = urllib.parse.quote("هل يحق لي أن أعمل في هذا البلد؟")
    status, page, _ = browser.get(f"/try?q={question}&lang=ar")
    assert status == 200 and 'href="/faq/work-right-to-work"' in page
    assert re.search(r'<div lang="ar" dir="rtl" class="bot-answer">', page)
    status, page, _ = browser.get("/try?q=" + urllib.parse.quote("zxqv blorp") + "&lang=en")
    assert status == 200 and "would not answer this" in page
