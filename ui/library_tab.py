"""The Library tab (search, topic cards, companies, ingest) and the Settings tab (endpoint, UI language)."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from agent.context import Context
from ui.handlers import Handlers
from ui.i18n import Labels
from ui.interview_tab import InterviewTab
from ui.library import LibraryHandlers, test_connection
from ui.strings import t

KINDS = ["", "topic", "question", "experience", "company", "project", "behavioral", "coding", "note"]


def library_tab(lib: LibraryHandlers, h: Handlers, lang: str, L: Labels, ui_lang: Any) -> None:
    companies = lambda lg: [("", ""), *h.company_choices(lg)]  # noqa: E731
    with gr.Row():
        query = L.label(gr.Textbox(label=t("search", lang), scale=3, elem_id="library-query"), "search")
        kind = L.label(gr.Dropdown(KINDS, value="", label=t("kind", lang), scale=1, elem_id="library-kind"), "kind")
        company = L.custom(
            gr.Dropdown(companies(lang), value="", label=t("company", lang), scale=1, elem_id="library-company"),
            lambda lg: gr.update(choices=companies(lg), label=t("company", lg)),
        )
    results = gr.Markdown(elem_id="library-results")
    query.submit(lib.search, [query, kind, company, ui_lang], results, api_name="search")
    with gr.Row():
        topic = L.custom(
            gr.Dropdown(lib.topic_choices(lang), label=t("topic", lang), scale=2, elem_id="topic"),
            lambda lg: gr.update(choices=lib.topic_choices(lg), label=t("topic", lg)),
        )
        source = L.label(gr.Textbox(label=t("source_id", lang), scale=1, elem_id="source-id"), "source_id")
    card = gr.Markdown(elem_id="topic-card")
    topic.change(lib.topic, [topic, ui_lang], card, api_name="topic")
    source.submit(lib.source, [source, ui_lang], card, api_name="source")
    gr.Dataframe(
        headers=["slug", t("col_company", lang), "#", ""], value=lib.companies(lang), interactive=False, wrap=True
    )
    with gr.Row():
        files = L.label(
            gr.File(
                label=t("ingest", lang),
                file_count="multiple",
                file_types=[".md", ".txt", ".html", ".pdf"],
                elem_id="ingest-files",
            ),
            "ingest",
        )
        with gr.Column():
            ingest_company = L.custom(
                gr.Dropdown(companies(lang), value="", label=t("company", lang), elem_id="ingest-company"),
                lambda lg: gr.update(choices=companies(lg), label=t("company", lg)),
            )
            ingest_kind = L.label(
                gr.Dropdown(["", "experience", "note"], value="", label=t("kind", lang), elem_id="ingest-kind"), "kind"
            )
            ingest = L.value(gr.Button(t("ingest_button", lang), elem_id="ingest"), "ingest_button")
    ingest_report = gr.Markdown(elem_id="ingest-report")

    def run_ingest(f: Any, c: str, k: str, lg: str, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return lib.ingest(f, c, k, progress, lg)

    # ui_lang is session state, not an API parameter: /ingest still takes (files, company, kind)
    ingest.click(run_ingest, [files, ingest_company, ingest_kind, ui_lang], ingest_report, api_name="ingest")


def settings_tab(ctx: Context, lang: str, L: Labels, llm: gr.State, iv: InterviewTab, shown_lang: Any) -> gr.Radio:
    """Returns the UI-language radio (wired by the app, which owns every label); `shown_lang` holds the UI language."""
    ui_lang = gr.Radio(
        ["zh", "en"], value=lang, label=f"{t('ui_lang', 'zh')} / {t('ui_lang', 'en')}", elem_id="ui-lang"
    )
    L.value(gr.Markdown(t("mode_note", lang)), "mode_note")
    base_url = L.label(
        gr.Textbox(
            label=t("base_url", lang),
            value=ctx.settings.llm_base_url,
            placeholder="https://api.deepseek.com/v1",
            elem_id="base-url",
        ),
        "base_url",
    )
    api_key = L.label(gr.Textbox(label=t("api_key", lang), type="password", elem_id="api-key"), "api_key")
    model = L.label(gr.Textbox(label=t("model", lang), value=ctx.settings.llm_model, elem_id="model"), "model")
    with gr.Row():
        check = L.value(gr.Button(t("test_connection", lang), elem_id="test-connection"), "test_connection")
        apply = L.value(gr.Button(t("apply", lang), variant="primary", elem_id="apply-endpoint"), "apply")
    verdict = gr.Markdown(elem_id="connection")
    check.click(
        lambda b, k, m, lg: test_connection(b, k, m, ctx, lg),
        [base_url, api_key, model, shown_lang],
        verdict,
        api_name=False,
    )

    def use_endpoint(b: str, k: str, m: str, lg: str) -> tuple[dict[str, str], str, Any]:
        chosen = {"base_url": b, "api_key": k, "model": m}
        mode = "llm" if k else ctx.settings.mode
        return chosen, "✅ " + (html.escape(m) if k else t("mode_note", lg)), gr.update(value=mode)

    apply.click(use_endpoint, [base_url, api_key, model, shown_lang], [llm, verdict, iv.mode], api_name=False)
    return ui_lang
