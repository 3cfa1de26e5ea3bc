"""The web widget in headless Chromium: embedded on another site, Arabic, buttons, reloads."""

from __future__ import annotations

import pytest

from tests.browser.cdp import Page
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ROOT = "document.querySelector('#haven-webchat').shadowRoot"
QUESTION = "هل يحق لي أن أعمل في هذا البلد؟"


def js(expression: str) -> str:
    return f"(() => {{ const r = {ROOT}; return {expression}; }})()"


async def open_page(chromium, url: str) -> Page:
    page = await Page.open(chromium.page_websocket())
    await page.phone_screen()
    await page.navigate(url)
    await page.wait_for(f"!!document.querySelector('#haven-webchat') && !!{ROOT}")
    return page


async def test_arabic_conversation_survives_a_reload(chromium, embedding_page):
    page = await open_page(chromium, embedding_page)
    try:
        # Keyboard only: focus the launcher, press Enter, the input gets the focus.
        assert (
            await page.evaluate(js("r.querySelector('.launch').getAttribute('aria-expanded')"))
            == "false"
        )
        await page.evaluate(js("r.querySelector('.launch').focus()"))
        await page.press("Enter", "Enter", 13)
        await page.wait_for(js("!r.querySelector('.panel').hidden"))
        assert await page.evaluate(js("r.activeElement === r.querySelector('input')"))
        assert await page.evaluate(js("r.querySelector('.panel').getAttribute('dir')")) == "rtl"
        assert await page.evaluate(js("r.querySelector('.privacy').textContent.length")) > 20
        log = await page.evaluate(
            js("['role', 'aria-live'].map(a => r.querySelector('.log').getAttribute(a))")
        )
        assert log == ["log", "polite"]

        await page.type_text(QUESTION)
        await page.press("Enter", "Enter", 13)
        await page.wait_for(js("r.querySelectorAll('.msg.bot').length >= 1"))
        bot = await page.evaluate(js(
            "(() => { const m = [...r.querySelectorAll('.msg.bot')].pop();"
            " return {dir: m.getAttribute('dir'), lang: m.getAttribute('lang'),"
            " computed: getComputedStyle(m).direction, text: m.textContent,"
            " buttons: [...m.querySelectorAll('.buttons button')].map(b => b.textContent)}; })()"
        ))  # fmt: skip
        assert bot["dir"] == "rtl" and bot["computed"] == "rtl"
        assert any("\u0600" <= ch <= "\u06ff" for ch in bot["text"])
        assert bot["buttons"], "the answer shows its buttons"
        user = await page.evaluate(js("r.querySelector('.msg.user').textContent"))
        assert user == QUESTION
        # Phone-sized screen: the open panel takes the whole width.
        width = await page.evaluate(js("r.querySelector('.panel').getBoundingClientRect().width"))
        assert width == pytest.approx(390, abs=1)
        await page.screenshot(ARTIFACTS / "widget-arabic.png")

        before = await page.evaluate(js("[...r.querySelectorAll('.msg')].map(m => m.textContent)"))
        await page.reload()
        await page.wait_for(js("r.querySelectorAll('.msg').length > 0"))
        after = await page.evaluate(js("[...r.querySelectorAll('.msg')].map(m => m.textContent)"))
        assert after == before, "the conversation is kept across reloads"
        assert await page.evaluate(js("!r.querySelector('.panel').hidden"))
        await page.screenshot(ARTIFACTS / "widget-after-reload.png")

        # A button still works after the reload: its title is shown, its payload answered.
        bots = await page.evaluate(js("r.querySelectorAll('.msg.bot').length"))
        await page.evaluate(js("r.querySelector('.msg.bot .buttons button').click()"))
        await page.wait_for(js(f"r.querySelectorAll('.msg.bot').length > {bots}"))
        shown = await page.evaluate(js("[...r.querySelectorAll('.msg.user')].pop().textContent"))
        assert shown == bot["buttons"][0]

        # Escape closes the panel and gives the focus back to the launcher.
        await page.evaluate(js("r.querySelector('input').focus()"))
        await page.press("Escape", "Escape", 27)
        await page.wait_for(js("r.querySelector('.panel').hidden"))
        assert await page.evaluate(js("r.activeElement === r.querySelector('.launch')"))
    finally:
        await page.evaluate("localStorage.clear()")
        await page.close()


async def test_real_bot_answers_arabic_right_to_left_with_buttons(chromium, real_embedding_page):
    page = await open_page(chromium, real_embedding_page)
    try:
        await page.evaluate(js("r.querySelector('.launch').click()"))
        await page.wait_for(js("!r.querySelector('.panel').hidden"))
        for number, text in enumerate(["مرحبا", QUESTION], 1):
            await page.evaluate(js("r.querySelector('input').focus()"))
            await page.type_text(text)
            await page.press("Enter", "Enter", 13)
            await page.wait_for(
                js(f"r.querySelectorAll('.msg.user').length === {number} && "
                   "r.querySelector('.status').textContent === ''"),
                timeout=60,
            )  # fmt: skip
        bots = await page.evaluate(js(
            "[...r.querySelectorAll('.msg.bot')].map(m => ({dir: m.getAttribute('dir'),"
            " computed: getComputedStyle(m).direction, text: m.textContent,"
            " buttons: m.querySelectorAll('.buttons button').length}))"
        ))  # fmt: skip
        assert bots, "the bot answered"
        assert all(b["computed"] == "rtl" for b in bots), bots
        assert all(any("\u0600" <= ch <= "\u06ff" for ch in b["text"]) for b in bots)
        assert any(b["buttons"] for b in bots), "an answer shows buttons"
        await page.screenshot(ARTIFACTS / "widget-real-bot-arabic.png")
        count = len(bots)
        await page.reload()
        await page.wait_for(js(f"r.querySelectorAll('.msg.bot').length === {count}"))
        await page.screenshot(ARTIFACTS / "widget-real-bot-after-reload.png")
    finally:
        await page.evaluate("localStorage.clear()")
        await page.close()
