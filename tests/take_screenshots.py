"""Screenshots of the running app for the README: docs/screenshots/interview.png and review.png.

    .venv/bin/python tests/take_screenshots.py                 # indexes a temp home first (~1-2 min)
    .venv/bin/python tests/take_screenshots.py --home ~/.kaoda # or copies an indexed home

Needs Debian's chromium (`make browser`); Chinese text needs a CJK font (Debian's fonts-noto-cjk) and
the ✅/❌ marks a colour emoji font (fonts-noto-color-emoji), or they show as boxes.
Not collected by pytest (its name does not start with test_).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OFFLINE_ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
for name, value in OFFLINE_ENV.items():
    os.environ.setdefault(name, value)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from agent.config import load_settings  # noqa: E402
from agent.context import build_context  # noqa: E402
from tests.app_server import free_port  # noqa: E402
from tests.browser.actions import answer, choose, idle, open_app, open_tab, start_interview  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from ui.app import create_app  # noqa: E402
from ui.strings import t  # noqa: E402

WIDTH = 1280
ANSWERS = [
    "我在上一家公司负责大模型训练平台：用 ZeRO-3 加激活重计算训练 7B 模型，吞吐提高了 30%，显存峰值降了一半。",
    "数据并行每张卡放一份完整模型，反向传播后对梯度做 all-reduce；ZeRO 把优化器状态、梯度和参数切到各卡上，"
    "用通信换显存。",
]


def run_interview(page: Page) -> str:
    """A short interview in the didi style, two answers given and scored; returns its id."""
    choose(page, page.locator("#company"), re.compile(r"\(didi\)"))
    choose(page, page.locator("#role"), re.compile("AI Infra"))
    interview_id = start_interview(page)
    for text in ANSWERS:
        answer(page, text)
    page.locator("#hint").click()
    expect(page.locator("#status")).to_contain_text(t("hint_prefix", "zh"))
    idle(page)
    expect(page.locator("#timer")).to_have_text(re.compile(r"⏱ 0:(0[5-9]|[1-5]\d)"), timeout=20_000)  # mid-thought
    return interview_id


def open_in_review(page: Page, interview_id: str) -> None:
    page.locator("#end").click()
    expect(page.locator("#status")).to_contain_text(t("finished", "zh"))
    idle(page)
    open_tab(page, "review")
    page.locator("#refresh").click()
    page.locator("#transcripts").get_by_role("row").filter(has_text=interview_id).get_by_text(interview_id).click()
    page.locator("#open").click()
    expect(page.locator("#detail")).to_contain_text(interview_id)
    expect(page.locator("#dimension-chart canvas, #dimension-chart svg").first).to_be_visible()
    page.locator("#export").click()
    expect(page.locator("#export-file")).to_contain_text(interview_id)
    idle(page)


def bottom_of(page: Page, selector: str, margin: int = 6) -> float:
    """Page y coordinate just below the first element matching `selector` (for a full-page clip)."""
    return float(
        page.locator(selector).first.evaluate(f"e => e.getBoundingClientRect().bottom + window.scrollY + {margin}")
    )


def shoot(page: Page, path: Path, below: str) -> None:
    """The full page width, from the top down to just below `below`."""
    page.screenshot(
        path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": bottom_of(page, below)}
    )


def take(home: Path, out: Path) -> list[Path]:
    ctx = build_context(load_settings({"home": home}, env={}))
    app = create_app(ctx)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    out.mkdir(parents=True, exist_ok=True)
    shots = [out / "interview.png", out / "review.png"]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": WIDTH, "height": 900}, locale="zh-CN")
            open_app(page, f"http://127.0.0.1:{port}/")
            interview_id = run_interview(page)
            shoot(page, shots[0], "#score ul")  # setup, chat, hint, sources, and the last answer's key points
            open_in_review(page, interview_id)
            shoot(page, shots[1], "#detail ul")  # table, exports, dimension chart and the summary
            browser.close()
    finally:
        app.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an indexed KAODA_HOME to copy (default: index a temp one)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kaoda-shots-") as scratch:
        home = Path(scratch) / "home"
        os.environ["GRADIO_TEMP_DIR"] = str(Path(scratch) / "gradio")
        if args.home:
            shutil.copytree(args.home.expanduser(), home)
        else:
            ctx = build_context(load_settings({"home": home}, env={}))
            ctx.kb.index_corpus(ctx.corpus)
        for shot in take(home, args.out):
            print(shot)


if __name__ == "__main__":
    main()
