"""A user ends an interview early, then finds it in Review, reads its turns and scores, exports and deletes it;
HTML in an answer stays text; on a shared app each browser sees only its own interviews.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from agent.context import Context
from agent.errors import NotFoundError
from tests.app_server import served
from tests.browser.actions import answer, choose, field, idle, open_app, open_tab, start_interview, type_in
from tests.browser.conftest import VIEWPORT
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
    expect(row).to_contain_text(t("val_finished", "zh"))
    row.get_by_text(interview_id, exact=True).click()  # picking a row fills in its id
    expect(field(page, "transcript-id")).to_have_value(interview_id)

    page.locator("#open").click()
    detail = page.locator("#detail")
    expect(detail).to_contain_text(interview_id)
    expect(detail).to_contain_text("交叉编码器重排")  # the answers are there, as typed
    expect(detail).to_contain_text("KV cache 把已经算过的")
    expect(detail.get_by_text(re.compile(r"得分: [\d.]+/5"))).not_to_have_count(0)  # and their scores

    expect(page.locator("#dimension-chart canvas, #dimension-chart svg").first).to_be_visible()  # mean per dimension
    expect(page.locator("#compare")).to_have_text(t("no_previous", "zh"))  # a first attempt at these topics

    page.locator("#export").click()
    text = download_text(page, f"kaoda-{interview_id}.md")
    record = app_ctx.store.get(interview_id)
    assert text.startswith("# 模拟面试")
    assert f"`{interview_id}`" in text and INTRO in text and SECOND in text
    scored = [turn for turn in record["turns"] if turn["score"]]
    assert scored and text.count("**得分:") == len(scored)


def test_filter_continue_an_unfinished_interview_and_export_json_and_html(page: Page, app_ctx: Context) -> None:
    choose(page, page.locator("#company"), re.compile(r"\(didi\)"))
    unfinished = start_interview(page)
    answer(page, INTRO)  # then the user leaves this one half done and starts another
    choose(page, page.locator("#company"), re.compile(r"\(generic\)"))
    finished = start_interview(page, questions=1)
    answer(page, "我写过 <b>粗体</b> 的笔记系统。")
    page.locator("#end").click()
    expect(page.locator("#status")).to_contain_text(t("finished", "zh"))
    idle(page)

    open_tab(page, "review")  # opening the tab lists the interviews
    rows = page.locator("#transcripts").get_by_role("row")
    expect(rows.filter(has_text=unfinished)).to_have_count(1)
    expect(rows.filter(has_text=finished)).to_have_count(1)
    choose(page, page.locator("#filter-company"), re.compile(r"\(didi\)"))
    expect(rows.filter(has_text=finished)).to_have_count(0)
    expect(rows.filter(has_text=unfinished)).to_have_count(1)
    expect(rows.filter(has_text="generic")).to_have_count(0)
    choose(page, page.locator("#filter-company"), re.compile(r"^$|^\s*$"))
    type_in(page, "filter-text", finished[:6]).press("Enter")
    expect(rows.filter(has_text=unfinished)).to_have_count(0)
    expect(rows.filter(has_text=finished)).to_have_count(1)

    type_in(page, "transcript-id", finished)
    page.locator("#export-json").click()
    data = json.loads(download_text(page, f"kaoda-{finished}.json"))
    assert data["format"] == "kaoda-transcript/1" and data["id"] == finished and data["status"] == "finished"
    assert "我写过 <b>粗体</b> 的笔记系统。" in [turn["answer"] for turn in data["turns"]]
    page.locator("#export-html").click()
    printable = download_text(page, f"kaoda-{finished}.html")
    assert "<html" in printable.lower() and finished in printable
    assert "&lt;b&gt;粗体&lt;/b&gt;" in printable and "<b>粗体</b>" not in printable  # the answer stays text

    type_in(page, "filter-text", "").press("Enter")
    type_in(page, "transcript-id", unfinished)
    page.locator("#continue").click()
    expect(page.locator("#tab-interview-button")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#plan")).to_contain_text(unfinished)
    expect(page.locator("#chat [data-testid=user]")).to_have_count(1)
    expect(page.locator("#chat [data-testid=user]").first).to_contain_text("交叉编码器重排")
    idle(page)
    answer(page, SECOND)  # the interview goes on where it stopped
    answered = [turn["answer"] for turn in app_ctx.store.get(unfinished)["turns"] if turn["answer"] is not None]
    assert answered == [INTRO, SECOND]


PAYLOAD = '<img src=x onerror="window.kaodaInjected=1">'  # quoted: an unquoted "=" is not HTML to Markdown


def test_html_in_an_answer_shows_as_text_in_the_score_panel_and_review(page: Page, app_ctx: Context) -> None:
    interview_id = start_interview(page, questions=1)
    answer(page, INTRO)
    asked = app_ctx.store.get(interview_id)["turns"][-1]
    _card, question = app_ctx.corpus.question(asked["question_id"])
    text = "".join(f"{kp.zh} {PAYLOAD}。" for kp in question.key_points)  # every sentence hits a key point
    answer(page, text)
    scored = next(turn for turn in app_ctx.store.get(interview_id)["turns"] if turn["answer"] == text)
    assert any(PAYLOAD in (kp["evidence"] or "") for kp in scored["score"]["key_points"])  # quoted as evidence
    expect(page.locator("#score")).to_contain_text(PAYLOAD)  # shown as text
    assert page.locator("#score img, #chat img").count() == 0

    open_tab(page, "review")
    type_in(page, "transcript-id", interview_id)
    page.locator("#open").click()
    expect(page.locator("#detail")).to_contain_text(interview_id)
    idle(page)
    assert page.locator("#detail img").count() == 0  # no element made from the answer's HTML
    expect(page.locator("#detail")).to_contain_text(PAYLOAD)  # it reads as typed
    assert page.evaluate("() => window.kaodaInjected") is None


def test_delete_asks_first_then_removes_the_interview(page: Page, app_ctx: Context) -> None:
    interview_id = start_interview(page, questions=1)
    answer(page, INTRO)
    open_tab(page, "review")
    rows = page.locator("#transcripts").get_by_role("row").filter(has_text=interview_id)
    expect(rows).to_have_count(1)
    type_in(page, "transcript-id", interview_id)

    page.once("dialog", lambda dialog: dialog.dismiss())  # changed my mind: nothing happens
    page.locator("#delete").click()
    idle(page)
    expect(rows).to_have_count(1)
    assert app_ctx.store.get(interview_id)["id"] == interview_id

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#delete").click()
    expect(page.locator("#review-status")).to_contain_text(t("deleted", "zh"))
    expect(rows).to_have_count(0)
    with pytest.raises(NotFoundError):
        app_ctx.store.get(interview_id)


@pytest.fixture(scope="module")
def shared_url(app_ctx: Context) -> Iterator[str]:
    """The same app as `kaoda ui --host 0.0.0.0` or `--auth` serves it (shared), on loopback."""
    with served(app_ctx, shared=True) as url:
        yield url


def test_a_shared_app_lists_each_browsers_own_interviews(browser: Browser, shared_url: str) -> None:
    mine, theirs = (browser.new_context(viewport=VIEWPORT, locale="zh-CN") for _ in range(2))
    try:
        page, other = mine.new_page(), theirs.new_page()
        open_app(page, shared_url)
        interview_id = start_interview(page, questions=1)
        page.reload()  # the owner token is kept in this browser's localStorage
        open_app(page, shared_url)
        open_tab(page, "review")
        expect(page.locator("#shared-note")).to_contain_text(t("shared_note", "zh")[:10])
        expect(page.locator("#transcripts").get_by_role("row").filter(has_text=interview_id)).to_have_count(1)

        open_app(other, shared_url)  # someone else's browser
        open_tab(other, "review")
        expect(other.locator("#transcripts").get_by_role("row").filter(has_text=interview_id)).to_have_count(0)
        type_in(other, "transcript-id", interview_id)
        other.locator("#open").click()
        expect(other.locator("#detail")).to_contain_text("no interview")
        other.locator("#continue").click()
        expect(other.locator("#review-status")).to_contain_text("no interview")
        other.locator("#export").click()
        expect(other.locator("#review-status")).to_contain_text("no interview")
        expect(other.locator("#export-file")).to_be_hidden()
    finally:
        mine.close()
        theirs.close()


def download_text(page: Page, name: str) -> str:
    """Click the download link of the exported file `name` and return the file's text."""
    stem, suffix = name.rsplit(".", 1)  # the file row shows the name as two pieces: stem, .suffix
    row = page.locator("#export-file").get_by_role("row").filter(has_text=stem).filter(has_text=f".{suffix}")
    link = row.get_by_role("link")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == name
    return Path(download.path()).read_text(encoding="utf-8")
