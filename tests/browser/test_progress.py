"""Progress as a user follows it: mastery per topic after an interview, then a drill of the weak topics."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from agent.context import Context
from tests.browser.actions import (
    answer,
    bot_messages,
    idle,
    open_tab,
    press_and_wait_for_question,
    start_interview,
    type_in,
)
from ui.strings import t

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FINISHED = t("finished", "zh")


def test_progress_shows_weak_topics_and_a_drill_asks_them_again(page: Page, app_ctx: Context) -> None:
    open_tab(page, "progress")
    page.locator("#progress-refresh").click()
    expect(page.locator("#track-mastery")).to_have_text(t("no_progress", "zh"))  # nothing answered yet

    open_tab(page, "interview")
    start_interview(page, questions=2)
    answer(page, "我做过一个大模型微调项目，用 LoRA 在 8 张卡上训练，效果提升明显。")
    for _ in range(12):  # every knowledge question answered "I don't know": all weak
        if FINISHED in page.locator("#status").inner_text():
            break
        press_and_wait_for_question(page, "#dont-know")
    expect(page.locator("#status")).to_contain_text(FINISHED)
    idle(page)

    open_tab(page, "progress")  # opening the tab refreshes it
    weak = page.locator("#weak-table").get_by_role("row")
    expect(weak).not_to_have_count(0)
    expect(page.locator("#weak-table")).to_contain_text("0%")
    expect(page.locator("#track-mastery")).to_contain_text(t("track_mastery", "zh"))
    expect(page.locator("#mastery-chart canvas, #mastery-chart svg").first).to_be_visible()

    page.locator("#drill").click()
    expect(page.locator("#tab-interview-button")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#plan")).to_contain_text("专项练习")
    drill_id = re.search(r"ID\s*`?([0-9a-f]{8,})", page.locator("#plan").inner_text()).group(1)
    expect(bot_messages(page)).to_have_count(1)
    idle(page)
    answer(page, "注意力先算 QK 的点积再除以根号 d，softmax 之后乘 V；因果 mask 屏蔽未来位置，复杂度 O(n²d)。")
    assert app_ctx.store.get(drill_id)["kind"] == "drill"
    page.locator("#end").click()
    expect(page.locator("#status")).to_contain_text(FINISHED)
    idle(page)

    open_tab(page, "review")  # the drill is compared with the earlier attempt at the same topic
    type_in(page, "transcript-id", drill_id)
    page.locator("#open").click()
    expect(page.locator("#compare")).to_contain_text("Δ")
    expect(page.locator("#compare tbody tr")).not_to_have_count(0)
