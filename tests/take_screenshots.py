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
from tests.browser.actions import answer, choose, idle, open_tab, start_interview  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402
from ui.app import create_app  # noqa: E402
from ui.strings import t  # noqa: E402

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
    idle(page)


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
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            page.goto(f"http://127.0.0.1:{port}/")
            expect(page.locator("#start")).to_be_visible()
            interview_id = run_interview(page)
            page.locator("#chat").scroll_into_view_if_needed()
            page.screenshot(path=str(shots[0]), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1000})
            open_in_review(page, interview_id)
            page.screenshot(path=str(shots[1]), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1100})
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
