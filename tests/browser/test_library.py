"""A user browses the Library: searches, opens a topic card, adds notes of their own and finds them again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import choose, idle, open_tab, type_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTE = """# 我的面经：Zorblax 科技 二面

面试官问了 KV cache 的显存怎么估算：层数 × 2 × 头数 × 头维度 × 序列长度 × 字节数。
还问了 Zorblax 内部的 speculative decoding 方案，为什么草稿模型要和目标模型共享词表。
"""

PROGRESS_WATCH = """() => {
  window.__progressSeen = false;
  new MutationObserver(() => {
    if (document.querySelector('#ingest-report .progress-bar, #ingest-report .progress-text'))
      window.__progressSeen = true;
  }).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def test_library_search_topic_card_and_ingest(page: Page, tmp_path: Path) -> None:
    open_tab(page, "library")

    type_in(page, "library-query", "旋转位置编码").press("Enter")
    results = page.locator("#library-results")
    expect(results).to_contain_text("RoPE")
    expect(results.locator("code").first).to_be_visible()  # each hit shows its source id

    choose(page, page.locator("#topic"), re.compile("RoPE"))
    card = page.locator("#topic-card")
    expect(card.get_by_role("heading")).to_contain_text("RoPE")
    expect(card.locator("li")).not_to_have_count(0)  # the card's questions come with key points

    note = tmp_path / "zorblax-interview.md"
    note.write_text(NOTE, encoding="utf-8")
    other = tmp_path / "kv-cache-notes.txt"  # a second file: progress goes 1/2, 2/2
    other.write_text("KV cache 笔记：GQA 让多个 query 头共享一组 key/value，显存按组数缩小。\n", encoding="utf-8")
    page.locator("#ingest-files input[type=file]").set_input_files([note, other])
    expect(page.locator("#ingest-files")).to_contain_text("zorblax-interview")  # shown as stem + suffix
    expect(page.locator("#ingest-files")).to_contain_text("kv-cache-notes")
    page.evaluate(PROGRESS_WATCH)
    page.locator("#ingest").click()
    report = page.locator("#ingest-report")
    expect(report).to_contain_text("新增 2")
    idle(page)
    assert page.evaluate("() => window.__progressSeen"), "no progress shown while ingesting"
    chunks = int(re.search(r"(\d+) 个片段", report.inner_text()).group(1))
    assert chunks >= 2  # at least one chunk per file

    type_in(page, "library-query", "Zorblax 草稿模型 共享词表").press("Enter")
    expect(results).to_contain_text("Zorblax")
    expect(results.get_by_text(re.compile(r"我的面经：Zorblax"))).not_to_have_count(0)
