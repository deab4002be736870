"""Browser fixtures: the real app on a free loopback port, Debian's Chromium driven by Playwright.

Each test module gets its own app on its own copy of the indexed home; each test gets a fresh
browser context (its own cookies and localStorage, so its own gr.State and gr.BrowserState).
A failing test leaves a screenshot of every open page in tests/artifacts/<test>[-N].png.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from agent.config import load_settings
from agent.context import Context, build_context
from tests.app_server import served
from tests.browser.actions import open_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
VIEWPORT = {"width": 1280, "height": 900}

expect.set_options(timeout=20_000)  # scoring an answer on a busy 2-core machine can take seconds


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def app_ctx(indexed_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """A context on this module's own copy of the indexed home."""
    folder = tmp_path_factory.mktemp("browser")
    home = folder / "kaoda-home"
    shutil.copytree(indexed_home, home)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KAODA_HOME", str(home))
        mp.setenv("GRADIO_TEMP_DIR", str(folder / "gradio"))
        yield build_context(load_settings({"home": home}, env={}))


@pytest.fixture(scope="module")
def app_url(app_ctx: Context) -> Iterator[str]:
    """The real app served on 127.0.0.1 for this module's tests."""
    with served(app_ctx) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, app_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new user's tab on the app's start page (fresh context: nothing stored in this browser yet)."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
    tab = context.new_page()
    open_app(tab, app_url)
    try:
        yield tab
    finally:
        reports = [getattr(request.node, f"report_{when}", None) for when in ("setup", "call")]
        if any(report is not None and report.failed for report in reports):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for i, open_page in enumerate(context.pages):
                suffix = f"-{i}" if i else ""
                open_page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True)
        context.close()
