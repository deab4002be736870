"""Settings as a user meets them: the UI language switch (kept per browser) and an LLM endpoint of one's own."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from agent.context import Context
from tests.browser.actions import answer, bot_messages, idle, open_app, open_tab, start_interview, type_in
from tests.browser.conftest import VIEWPORT
from tests.fake_openai import FakeOpenAI
from tests.test_llm_interview import scripted_model
from ui.strings import t

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KEY = "sk-browser-test-7f3a"


def labels_are(page: Page, lang: str) -> None:
    """The visible labels of several tabs are in `lang`."""
    expect(page.locator("#start")).to_have_text(t("start", lang))
    expect(page.locator("#submit")).to_have_text(t("submit", lang))
    expect(page.locator("#tab-interview-button")).to_have_text(t("tab_interview", lang))
    expect(page.locator("#tab-review-button")).to_have_text(t("tab_review", lang))
    expect(page.locator("#answer")).to_contain_text(t("answer", lang))
    expect(page.locator("#answer textarea")).to_have_attribute("placeholder", t("answer_placeholder", lang))
    expect(page.locator("#company")).to_contain_text(t("company", lang))


def pick_ui_lang(page: Page, lang: str) -> None:
    open_tab(page, "settings")
    page.locator("#ui-lang").get_by_label(lang, exact=True).check()
    expect(page.locator("#test-connection")).to_have_text(t("test_connection", lang))
    idle(page)
    open_tab(page, "interview")


def test_ui_language_switch_persists_in_this_browser_only(page: Page, browser: Browser, app_url: str) -> None:
    labels_are(page, "zh")
    pick_ui_lang(page, "en")
    labels_are(page, "en")
    expect(page.locator("#interview-lang").get_by_label("en", exact=True)).to_be_checked()  # interviews follow

    page.reload()  # the choice is kept in this browser (localStorage), not in the server's settings
    labels_are(page, "en")
    open_tab(page, "settings")
    expect(page.locator("#ui-lang").get_by_label("en", exact=True)).to_be_checked()

    other = browser.new_context(viewport=VIEWPORT)  # someone else's browser still gets the default
    try:
        other_page = other.new_page()
        open_app(other_page, app_url)
        labels_are(other_page, "zh")
    finally:
        other.close()

    pick_ui_lang(page, "zh")
    page.reload()
    labels_are(page, "zh")


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(default=scripted_model).start()
    try:
        yield server
    finally:
        server.stop()


def test_own_endpoint_is_tested_and_used_for_the_next_interview(
    page: Page, fake_llm: FakeOpenAI, app_ctx: Context
) -> None:
    open_tab(page, "settings")
    type_in(page, "base-url", fake_llm.url)
    type_in(page, "api-key", KEY)
    type_in(page, "model", "fake-model")
    fake_llm.enqueue("ok")
    page.locator("#test-connection").click()
    expect(page.locator("#connection")).to_contain_text(f"✅ {t('connection_ok', 'zh')}: fake-model")
    page.locator("#apply-endpoint").click()
    expect(page.locator("#connection")).to_contain_text("✅")
    idle(page)

    open_tab(page, "interview")
    expect(page.locator("#mode").get_by_label(re.compile(t("mode_llm", "zh")[:5]))).to_be_checked()
    asked_before = len(fake_llm.requests)
    interview_id = start_interview(page, questions=1)
    expect(page.locator("#plan")).to_contain_text("llm")
    answer(page, "我做过一个 RAG 问答系统，负责召回和重排。")
    expect(bot_messages(page).last).to_contain_text("我们换个话题")  # the scripted model asked this one
    assert len(fake_llm.requests) > asked_before
    assert {h.get("authorization") for h in fake_llm.headers[asked_before:]} == {f"Bearer {KEY}"}
    assert app_ctx.store.get(interview_id)["mode"] == "llm"
    assert KEY not in page.content()  # the key is never echoed into the page
