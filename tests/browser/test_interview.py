"""A new user runs a whole offline interview in the browser: setup, plan, hint, skip, "I don't know", end."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from agent.context import Context
from tests.browser.actions import (
    answer,
    answer_box,
    bot_messages,
    choose,
    idle,
    press_and_wait_for_question,
    start_interview,
    user_messages,
)
from ui.strings import t

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FINISHED = t("finished", "zh")
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def test_full_offline_interview_with_hint_skip_and_dont_know(page: Page, app_ctx: Context) -> None:
    choose(page, page.locator("#company"), re.compile(r"\(didi\)"))
    expect(page.locator("#company-info")).to_contain_text("DiDi")
    choose(page, page.locator("#role"), re.compile("AI Infra"))
    interview_id = start_interview(page, questions=3)

    plan = page.locator("#plan")
    expect(plan).to_contain_text(f"{t('rounds', 'zh')}: 技术面")  # the company's rounds
    expect(plan.locator("li")).to_have_count(3)  # then one line per planned main question and its topic
    expect(bot_messages(page).first).to_contain_text("滴滴")  # the interviewer speaks in the chosen company's style

    answer(page, "我在上一家公司做大模型训练平台，用 ZeRO-3 和激活重计算训练 7B 模型，把吞吐提高了 30%。")

    page.locator("#hint").click()
    expect(page.locator("#status")).to_contain_text(t("hint_prefix", "zh"))
    hint_text = page.locator("#status").inner_text().split(":", 1)[-1].strip()
    assert len(hint_text) > 3, page.locator("#status").inner_text()  # a key point is revealed, not an empty hint
    answer(page, "我的理解是先看显存占用和通信开销，再做取舍。")
    expect(page.locator("#score")).to_contain_text("hint_used")  # the score notes the hint

    press_and_wait_for_question(page, "#skip")
    expect(page.locator("#score")).to_contain_text("skipped")
    expect(user_messages(page).last).to_have_text("…")

    press_and_wait_for_question(page, "#dont-know")
    expect(page.locator("#score")).to_contain_text("dont_know")
    expect(user_messages(page).last).to_have_text("不知道")

    for _ in range(15):  # follow-ups vary: answer until the interviewer wraps up
        if FINISHED in page.locator("#status").inner_text():
            break
        answer(page, "数据并行每张卡一份完整模型，反向后对梯度做 all-reduce；显存不够时用张量并行或 ZeRO 切分。")
    expect(page.locator("#status")).to_contain_text(FINISHED)
    expect(page.locator("#score")).to_contain_text(t("summary", "zh"))
    expect(page.locator("#score")).to_contain_text(t("overall", "zh"))
    assert answer_box(page).input_value() == ""

    page.locator("#end").click()  # ending an interview that is over keeps it as it is
    expect(page.locator("#status")).to_contain_text(FINISHED)
    idle(page)

    record = app_ctx.store.get(interview_id)
    assert record["status"] == "finished" and record["company"] == "didi" and record["role"] == "infra"
    flags = [flag for turn in record["turns"] if turn["score"] for flag in turn["score"]["flags"]]
    assert {"hint_used", "skipped", "dont_know"} <= set(flags), flags
    assert sum(1 for turn in record["turns"] if turn["answer"] is not None) == user_messages(page).count()


def test_answer_with_html_shows_as_text(page: Page) -> None:
    start_interview(page)
    answer(page, f"我做过 RAG 项目 {XSS}")
    expect(user_messages(page).first).to_contain_text(XSS)  # shown literally, as typed
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    expect(page.locator("#chat script")).to_have_count(0)
    expect(page.locator("#chat img[src='x']")).to_have_count(0)
