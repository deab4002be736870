"""The Review tab (filterable table, one transcript in detail, charts, exports, continue) and the Progress tab."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from ui.i18n import Labels
from ui.interview_tab import InterviewTab
from ui.review import SORTS, TABLE_KEYS, ReviewHandlers
from ui.strings import t

INTERVIEW_TAB = "interview"  # the id of the Interview tab, selected when an interview is continued


def review_tab(
    r: ReviewHandlers,
    lang: str,
    L: Labels,
    ui_lang: Any,
    iv: InterviewTab,
    interview_id: gr.State,
    tabs: gr.Tabs,
    tab: gr.Tab,
    owner: gr.State,
) -> None:
    """The table refreshes whenever the tab is opened, with the current filters; it lists what `owner` may see."""
    companies = [("", ""), *r.interview.company_choices(lang)]
    if r.owners.shared:
        L.value(gr.Markdown(t("shared_note", lang), elem_id="shared-note"), "shared_note")
    with gr.Row():
        company = L.label(
            gr.Dropdown(companies, value="", label=t("filter_company", lang), elem_id="filter-company"),
            "filter_company",
        )
        mode = L.label(
            gr.Dropdown(["", "offline", "llm"], value="", label=t("filter_mode", lang), elem_id="filter-mode"),
            "filter_mode",
        )
        text = L.label(gr.Textbox("", label=t("filter_text", lang), elem_id="filter-text"), "filter_text")
        sort = L.custom(
            gr.Dropdown([(t(k, lang), k) for k in SORTS], value=SORTS[0], label=t("sort", lang), elem_id="sort"),
            lambda lg: gr.update(choices=[(t(k, lg), k) for k in SORTS], label=t("sort", lg)),
        )
        refresh = L.value(gr.Button(t("refresh", lang), elem_id="refresh"), "refresh")
    table = gr.Dataframe(
        value=r.table(lang=lang),
        headers=[t(k, lang) for k in TABLE_KEYS],
        interactive=False,
        show_search="search",
        elem_id="transcripts",
    )
    with gr.Row():
        chosen = L.label(gr.Textbox(label=t("transcript_id", lang), elem_id="transcript-id", scale=2), "transcript_id")
        open_button = L.value(gr.Button(t("open", lang), elem_id="open"), "open")
        resume = L.value(gr.Button(t("continue", lang), elem_id="continue"), "continue")
        export_md = L.value(gr.Button(t("export_md", lang), elem_id="export"), "export_md")
        export_json = L.value(gr.Button(t("export_json", lang), elem_id="export-json"), "export_json")
        export_html = L.value(gr.Button(t("export_html", lang), elem_id="export-html"), "export_html")
        delete = L.value(gr.Button(t("delete", lang), variant="stop", elem_id="delete"), "delete")
    download = L.label(
        gr.File(label=t("download", lang), interactive=False, visible=False, elem_id="export-file"), "download"
    )
    status = gr.Markdown(elem_id="review-status")
    with gr.Row():
        chart = L.label(
            gr.BarPlot(
                x="dimension", y="score", y_lim=[0, 5], label=t("dimension_chart", lang), elem_id="dimension-chart"
            ),
            "dimension_chart",
        )
        compare = gr.Markdown(elem_id="compare")
    detail = gr.Markdown(elem_id="detail")

    filters = [company, mode, text, sort, ui_lang, owner]

    def shown(path: Any) -> Any:
        return gr.update(visible=bool(path))

    refresh.click(r.table, filters, table, api_name="transcripts")
    for control in (company, mode, sort):
        control.change(r.table, filters, table, api_name=False)
    text.submit(r.table, filters, table, api_name=False)
    tab.select(r.table, filters, table, api_name=False)
    open_button.click(r.detail, [chosen, owner], detail, api_name="open_transcript").then(
        r.charts, [chosen, ui_lang, owner], [chart, compare], api_name="transcript_charts"
    )
    for button, fmt, api in (
        (export_md, "md", "export_markdown"),
        (export_json, "json", "export_json"),
        (export_html, "html", "export_html"),
    ):
        button.click(lambda i, o, fmt=fmt: r.export(i, fmt, o), [chosen, owner], download, api_name=api).then(
            shown, download, download, api_name=False
        ).then(r.export_status, [chosen, download, ui_lang, owner], status, api_name=False)

    def carry_on(iid: str, lg: str, who: str) -> tuple[Any, ...]:
        new_id, chat, plan, message = r.resume(iid, lg, who)
        switch = gr.Tabs(selected=INTERVIEW_TAB) if new_id else gr.Tabs()
        return new_id, chat, plan, message, message, switch

    resume.click(
        carry_on,
        [chosen, ui_lang, owner],
        [interview_id, iv.chat, iv.plan, iv.status, status, tabs],
        api_name="continue_interview",
    ).then(r.interview.sources, interview_id, iv.sources, api_name=False)

    def remove(iid: str, c: str, m: str, q: str, s: str, lg: str, who: str) -> tuple[Any, ...]:
        message, rows = r.delete(iid, lg, who, (c, m, q, s))
        return message, rows, gr.update(value=None, visible=False)

    # the browser asks first; a cancelled confirmation sends no id (and deletes nothing)
    confirm = json.dumps(f"{t('delete_confirm', 'zh')} / {t('delete_confirm', 'en')}", ensure_ascii=False)
    delete.click(
        remove,
        [chosen, company, mode, text, sort, ui_lang, owner],
        [status, table, download],
        js=f"(iid, c, m, q, s, lg, who) => [window.confirm({confirm}) ? iid : '', c, m, q, s, lg, who]",
        api_name="delete_transcript",
    )

    def pick(evt: gr.SelectData, rows: Any) -> str:
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return str(rows.iloc[row, 0]) if hasattr(rows, "iloc") else str(rows[row][0])

    table.select(pick, [table], chosen, api_name=False)


def progress_tab(
    r: ReviewHandlers,
    lang: str,
    L: Labels,
    ui_lang: Any,
    iv: InterviewTab,
    interview_id: gr.State,
    tabs: gr.Tabs,
    tab: gr.Tab,
    owner: gr.State,
) -> None:
    """Mastery chart, weakest topics and the drill button; refreshed whenever the tab is opened."""
    refresh = L.value(gr.Button(t("progress_refresh", lang), elem_id="progress-refresh"), "progress_refresh")
    tracks = gr.Markdown(elem_id="track-mastery")
    chart = L.label(
        gr.LinePlot(
            x="date", y="mastery", color="track", y_lim=[0, 1], label=t("mastery_chart", lang), elem_id="mastery-chart"
        ),
        "mastery_chart",
    )
    weak = L.label(gr.Dataframe(interactive=False, label=t("weak_topics", lang), elem_id="weak-table"), "weak_topics")
    with gr.Row():
        n = L.label(gr.Slider(1, 10, value=5, step=1, label=t("drill_n", lang), elem_id="drill-n"), "drill_n")
        drill = L.value(gr.Button(t("drill", lang), variant="primary", elem_id="drill"), "drill")
    status = gr.Markdown(elem_id="drill-status")
    refresh.click(r.progress, [ui_lang, owner], [chart, weak, tracks], api_name="progress")
    tab.select(r.progress, [ui_lang, owner], [chart, weak, tracks], api_name=False)

    def start_drill(count: float, lg: str, who: str) -> tuple[Any, ...]:
        new_id, chat, plan, message = r.drill(count, lg, who)
        switch = gr.Tabs(selected=INTERVIEW_TAB) if new_id else gr.Tabs()
        return new_id, chat, plan, message, message, switch

    drill.click(
        start_drill,
        [n, ui_lang, owner],
        [interview_id, iv.chat, iv.plan, iv.status, status, tabs],
        api_name="drill",
    ).then(r.interview.sources, interview_id, iv.sources, api_name=False)
