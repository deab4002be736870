"""What a user does in the app, as small functions over a Playwright page (waits on visible state only)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

IDLE_JS = (
    "() => [...document.querySelectorAll('[data-testid=status-tracker]')].every(e => e.classList.contains('hide'))"
)


def idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until no component shows Gradio's pending or generating state."""
    page.wait_for_function(IDLE_JS, timeout=timeout)


def open_app(page: Page, url: str) -> None:
    """Load the app and wait for its load event (restoring this browser's UI language) to be done."""
    with page.expect_response(lambda response: "/queue/join" in response.url):
        page.goto(url)
    expect(page.locator("#start")).to_be_visible()
    idle(page)  # nothing the load event updates can now land on a field a test has just filled


def choose(page: Page, dropdown: Locator, option: str | re.Pattern[str]) -> None:
    """Open a Gradio dropdown (its block, by elem_id) and click the visible option whose text matches."""
    dropdown.locator("input").click()
    page.get_by_role("option", name=option).locator("visible=true").click()
    expect(page.get_by_role("listbox").locator("visible=true")).to_have_count(0)


def open_tab(page: Page, tab_id: str) -> None:
    """Select a tab by its id (interview, review, progress, library, settings), whatever the UI language."""
    button = page.locator(f"#tab-{tab_id}-button")
    button.click()
    expect(button).to_have_attribute("aria-selected", "true")
    settled(page)


def settled(page: Page) -> None:
    """Two animation frames, then idle: a freshly shown tab has mounted its components and run its events."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    idle(page)


def field(page: Page, elem_id: str) -> Locator:
    """The text field of a gr.Textbox (a textarea, or an input for one-line and password boxes)."""
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first


def type_in(page: Page, elem_id: str, text: str) -> Locator:
    """Fill a text field and check it holds the text (a field filled while it mounts can lose it)."""
    box = field(page, elem_id)
    box.fill(text)
    expect(box).to_have_value(text)
    return box


def bot_messages(page: Page) -> Locator:
    return page.locator("#chat [data-testid=bot]")


def user_messages(page: Page) -> Locator:
    return page.locator("#chat [data-testid=user]")


def answer_box(page: Page) -> Locator:
    return field(page, "answer")


def press_and_wait_for_question(page: Page, button: str) -> None:
    """Press an answering button (#submit, #skip, #dont-know) and wait for the next interviewer message."""
    asked = bot_messages(page).count()
    page.locator(button).click()
    expect(bot_messages(page)).not_to_have_count(asked)  # the next question (or the wrap-up) arrived
    idle(page)


def answer(page: Page, text: str) -> None:
    type_in(page, "answer", text)
    press_and_wait_for_question(page, "#submit")


def set_slider(page: Page, elem_id: str, value: int) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Enter")
    expect(page.locator(f"#{elem_id} input[type=range]")).to_have_value(str(value))


def start_interview(page: Page, questions: int | None = None) -> str:
    """Press Start (after setting the number of main questions); returns the interview id shown in the plan."""
    if questions is not None:
        set_slider(page, "n-questions", questions)
    page.locator("#start").click()
    expect(page.locator("#plan")).to_contain_text("ID")
    expect(bot_messages(page)).to_have_count(1)
    idle(page)
    found = re.search(r"ID\s*`?([0-9a-f]{8,})", page.locator("#plan").inner_text())
    assert found, page.locator("#plan").inner_text()
    return found.group(1)
