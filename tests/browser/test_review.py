"""A user ends an interview early, then finds it in Review, reads its turns and scores, and exports Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from agent.context import Context
from tests.browser.actions import answer, idle, open_tab, start_interview
from ui.strings import t

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INTRO = "我负责过一个 RAG 问答系统，文档切块后用 bge 召回，再用交叉编码器重排。"
SECOND = "KV cache 把已经算过的 key 和 value 存下来，解码时每步只算新 token，显存随序列长度线性增长。"


def test_review_opens_the_finished_interview_and_exports_markdown(page: Page, app_ctx: Context) -> None:
    interview_id = start_interview(page)
    answer(page, INTRO)
    answer(page, SECOND)
    page.locator("#end").click()
    expect(page.locator("#status")).to_contain_text(t("finished", "zh"))
    expect(page.locator("#score")).to_contain_text(t("summary", "zh"))
    idle(page)

    open_tab(page, "review")
    page.locator("#refresh").click()
    row = page.locator("#transcripts").get_by_role("row").filter(has_text=interview_id)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("finished")
    row.get_by_text(interview_id, exact=True).click()  # picking a row fills in its id
    expect(page.locator("#transcript-id textarea, #transcript-id input").first).to_have_value(interview_id)

    page.locator("#open").click()
    detail = page.locator("#detail")
    expect(detail).to_contain_text(interview_id)
    expect(detail).to_contain_text("交叉编码器重排")  # the answers are there, as typed
    expect(detail).to_contain_text("KV cache 把已经算过的")
    expect(detail.get_by_text(re.compile(r"得分: [\d.]+/5"))).not_to_have_count(0)  # and their scores

    page.locator("#export").click()
    link = page.locator("#export-file").get_by_role("row").filter(has_text=f"kaoda-{interview_id}").get_by_role("link")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"kaoda-{interview_id}.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    record = app_ctx.store.get(interview_id)
    assert text.startswith("# 模拟面试")
    assert f"`{interview_id}`" in text and INTRO in text and SECOND in text
    scored = [turn for turn in record["turns"] if turn["score"]]
    assert scored and text.count("**得分:") == len(scored)
