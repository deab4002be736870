"""The Interview tab's options: practice with hidden scores, source chips, the per-answer timer, difficulty, mode."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from agent.context import Context
from tests.browser.actions import answer, bot_messages, idle, start_interview
from ui.strings import t

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FINISHED = t("finished", "zh")
INTRO = "我做过一个 RAG 问答系统：文档切块、向量召回加 BM25，再用交叉编码器重排，命中率提高了 20%。"
ANSWER = "先看显存和通信开销，再在吞吐和延迟之间做取舍，最后用实验数据验证。"


def test_scores_stay_hidden_until_the_end(page: Page) -> None:
    page.locator("#hide-scores input[type=checkbox]").check()
    start_interview(page, questions=1)
    answer(page, INTRO)
    for _ in range(10):
        if FINISHED in page.locator("#status").inner_text():
            break
        expect(page.locator("#score")).to_have_text(t("scores_hidden", "zh"))  # nothing of the score leaks
        answer(page, ANSWER)
    expect(page.locator("#status")).to_contain_text(FINISHED)
    scores = page.locator("#score").get_by_text(re.compile(r"得分: [\d.]+/5"))
    expect(scores).not_to_have_count(0)  # at the end every answer's score is shown
    expect(page.locator("#score")).to_contain_text(t("summary", "zh"))


def test_source_chip_opens_the_cited_material(page: Page, app_ctx: Context) -> None:
    start_interview(page)
    expect(page.locator("#sources")).to_be_hidden()  # the self-introduction cites nothing
    answer(page, INTRO)
    question = bot_messages(page).last
    cited = re.search(r"来源: (.+)", question.inner_text())
    assert cited, question.inner_text()
    ids = [s.strip() for s in cited.group(1).split(",")]
    chips = page.locator("#sources label")
    expect(chips).to_have_count(len(ids))
    expect(chips).to_have_text(ids)  # one chip per cited id, in the order the question shows them

    chips.last.click()
    view = page.locator("#source-view")
    expect(view).to_be_visible()  # the accordion opens on the material
    corpus = app_ctx.corpus
    cid = ids[-1]
    title = corpus.cards[cid].title if cid in corpus.cards else corpus.question(cid)[0].title
    expect(view).to_contain_text(title)


def test_timer_restarts_with_each_question(page: Page) -> None:
    start_interview(page)
    timer = page.locator("#timer")
    expect(timer).to_have_text(re.compile(r"⏱ 0:0[3-9]"), timeout=15_000)  # it runs while the user thinks
    answer(page, INTRO)
    expect(timer).to_have_text(re.compile(r"⏱ 0:0[0-2]"))  # and starts again for the next question


def test_difficulty_shows_in_the_plan(page: Page, app_ctx: Context) -> None:
    page.locator("#difficulty").get_by_label(t("difficulty_hard", "zh")).check()
    interview_id = start_interview(page, questions=2)
    expect(page.locator("#plan")).to_contain_text(t("difficulty_hard", "zh"))
    expect(page.locator("#plan")).to_contain_text("offline")
    assert app_ctx.store.get(interview_id)["mode"] == "offline"


def test_llm_mode_without_an_endpoint_says_how_to_set_one(page: Page) -> None:
    page.locator("#mode").get_by_label(t("mode_llm", "zh")).check()
    page.locator("#start").click()
    expect(page.locator("#status")).to_contain_text("Settings")  # the fix is named
    idle(page)
    expect(page.locator("#plan")).to_have_text("")
    expect(bot_messages(page)).to_have_count(0)
