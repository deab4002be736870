"""The Gradio app: Interview, Review, Progress, Library and Settings tabs over plain handler functions.

app = create_app(build_context(load_settings()))
app.launch(server_name="127.0.0.1", prevent_thread_lock=True)

Each tab lives in its own module (ui/*_tab.py); the handlers they call are plain classes
(ui/handlers.py, ui/review.py, ui/library.py) testable without a browser. Every label is
registered with `Labels`, so the UI-language switch (Settings) relabels the app in one event and
the choice is kept in the browser's localStorage (gr.BrowserState). So is the browser's owner token:
on a shared app (`shared=True`: not loopback, or a password) each browser sees only its own
interviews (ui/owners.py).
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls to Gradio's servers
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from typing import Any

import gradio as gr

from agent.config import Settings
from agent.context import Context, build_context
from ui.handlers import Handlers
from ui.i18n import Labels
from ui.interview_tab import InterviewTab
from ui.library import LibraryHandlers
from ui.library_tab import library_tab, settings_tab
from ui.owners import OWNER_KEY, claim, is_shared
from ui.review import ReviewHandlers
from ui.review_tab import INTERVIEW_TAB, progress_tab, review_tab
from ui.strings import t

CONCURRENCY = 8  # answers scored at once; the rest queue
MAX_UPLOAD = "20mb"  # resumes and notes; bigger files are refused by Gradio before they reach us


def create_app(ctx: Context, shared: bool = False) -> gr.Blocks:
    """The app; `shared` (see `launch`) scopes Review, Progress and drills to each browser's own interviews."""
    h, lib = Handlers(ctx, shared=shared), LibraryHandlers(ctx)
    review = ReviewHandlers(ctx, h)
    lang = ctx.settings.lang
    L = Labels()
    with gr.Blocks(title="kaoda", delete_cache=(3600, 3600)) as app:  # served copies of files: an hour
        L.custom(gr.Markdown(f"## {t('title', lang)}"), lambda lg: gr.update(value=f"## {t('title', lg)}"))
        # the choice lives in this browser's localStorage (survives reloads); handlers read the session copy
        stored_lang = gr.BrowserState(lang, storage_key="kaoda-ui-lang", secret="kaoda-ui-lang")
        ui_lang = gr.State(lang)
        # who this browser is: a random token kept in its localStorage (a fixed secret, so a restarted
        # app still reads it); handlers read the session copy, set by the load event below
        stored_owner = gr.BrowserState("", storage_key=OWNER_KEY, secret=OWNER_KEY)
        owner = gr.State("")
        interview_id = gr.State("")
        llm = gr.State({})  # this browser's own endpoint, if set in Settings (never stored server-side)
        with gr.Tabs() as tabs:
            with L.label(gr.Tab(t("tab_interview", lang), id=INTERVIEW_TAB, elem_id="tab-interview"), "tab_interview"):
                iv = InterviewTab(h, lib, lang, L, interview_id, llm, owner)
            with L.label(gr.Tab(t("tab_review", lang), id="review", elem_id="tab-review"), "tab_review") as rt:
                review_tab(review, lang, L, ui_lang, iv, interview_id, tabs, rt, owner)
            with L.label(gr.Tab(t("tab_progress", lang), id="progress", elem_id="tab-progress"), "tab_progress") as pt:
                progress_tab(review, lang, L, ui_lang, iv, interview_id, tabs, pt, owner)
            with L.label(gr.Tab(t("tab_library", lang), id="library", elem_id="tab-library"), "tab_library"):
                library_tab(lib, h, lang, L, ui_lang)
            with L.label(gr.Tab(t("tab_settings", lang), id="settings", elem_id="tab-settings"), "tab_settings"):
                lang_radio = settings_tab(ctx, lang, L, llm, iv, ui_lang)

        def switch(chosen: str) -> list[Any]:
            return [chosen, chosen, *L.updates(chosen)]

        def restore(stored: str) -> list[Any]:
            chosen = stored if stored in ("zh", "en") else lang
            return [gr.update(value=chosen), chosen, *L.updates(chosen)]

        lang_radio.input(switch, lang_radio, [stored_lang, ui_lang, *L.components], api_name=False)
        app.load(restore, stored_lang, [lang_radio, ui_lang, *L.components], api_name=False)

        def identify(stored: Any) -> tuple[str, str]:
            token = claim(stored)  # the kept one, or a new one (then kept in localStorage)
            return token, token

        # an API client without a browser calls /owner with a token of its own before anything else
        app.load(identify, stored_owner, [stored_owner, owner], api_name="owner")
        app.queue(default_concurrency_limit=CONCURRENCY)
    return app


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None) -> None:
    """Build and serve the app (blocking)."""
    ctx = build_context(settings)
    threading.Thread(target=ctx.warm_up, daemon=True, name="kaoda-warm-up").start()  # model, jieba, index
    credentials = tuple(auth.split(":", 1)) if auth else None
    create_app(ctx, shared=is_shared(host, auth)).launch(
        server_name=host, server_port=port, auth=credentials, show_error=True, max_file_size=MAX_UPLOAD
    )
