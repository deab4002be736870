"""The Gradio app: Interview, Review, Library and Settings tabs over plain handler functions.

app = create_app(build_context(load_settings()))
app.launch(server_name="127.0.0.1", prevent_thread_lock=True)
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls to Gradio's servers
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from typing import Any

import gradio as gr

from agent.config import Settings
from agent.context import Context, build_context
from ui.handlers import Handlers
from ui.library import LibraryHandlers, test_connection
from ui.strings import t

CONCURRENCY = 8  # answers scored at once; the rest queue
KINDS = ["", "topic", "question", "experience", "company", "project", "behavioral", "coding", "note"]


def _interview_tab(h: Handlers, lang: str, interview_id: gr.State, llm: gr.State) -> None:
    with gr.Row():
        with gr.Column(scale=1):
            company = gr.Dropdown(h.company_choices(lang), value="generic", label=t("company", lang))
            company_info = gr.Markdown(h.company_summary("generic", lang), elem_id="company-info")
            role = gr.Dropdown(h.role_choices(lang), value="algorithm", label=t("role", lang))
            interview_lang = gr.Radio(["zh", "en"], value=lang, label=t("lang", lang))
            n_questions = gr.Slider(1, 12, value=5, step=1, label=t("questions", lang))
            resume = gr.Textbox(lines=4, label=t("resume", lang))
            resume_file = gr.File(label=t("resume_file", lang), file_types=[".pdf", ".md", ".txt"])
            start = gr.Button(t("start", lang), variant="primary", elem_id="start")
            plan = gr.Markdown(elem_id="plan")
        with gr.Column(scale=2):
            chat = gr.Chatbot(height=460, elem_id="chat", sanitize_html=True)
            status = gr.Markdown(elem_id="status")
            answer = gr.Textbox(lines=4, label=t("answer", lang), placeholder=t("answer_placeholder", lang))
            with gr.Row():
                submit = gr.Button(t("submit", lang), variant="primary", elem_id="submit")
                hint = gr.Button(t("hint", lang), elem_id="hint")
                dont_know = gr.Button(t("dont_know", lang), elem_id="dont-know")
                skip = gr.Button(t("skip", lang), elem_id="skip")
                end = gr.Button(t("end", lang), variant="stop", elem_id="end")
            with gr.Accordion(t("score_panel", lang), open=True):
                score = gr.Markdown(elem_id="score")

    def send(iid: str, text: str, session_llm: dict) -> Any:
        yield from h.reply_stream(iid, text, llm=session_llm)

    def dont_know_answer(iid: str, session_llm: dict) -> Any:
        yield from h.reply_stream(iid, "不知道" if lang == "zh" else "I don't know", llm=session_llm)

    def skip_answer(iid: str, session_llm: dict) -> Any:
        yield from h.reply_stream(iid, "", skipped=True, llm=session_llm)

    turn_outputs = [chat, score, answer, status]
    company.change(h.company_summary, [company, interview_lang], company_info, api_name="company_summary")
    start.click(
        h.start,
        [company, role, interview_lang, n_questions, resume, resume_file, llm],
        [interview_id, chat, plan, status],
        api_name="start",
    )
    submit.click(send, [interview_id, answer, llm], turn_outputs, api_name="reply")
    answer.submit(send, [interview_id, answer, llm], turn_outputs, api_name=False)
    dont_know.click(dont_know_answer, [interview_id, llm], turn_outputs, api_name="dont_know")
    skip.click(skip_answer, [interview_id, llm], turn_outputs, api_name="skip")
    hint.click(h.hint, [interview_id], [status], api_name="hint")
    end.click(h.end, [interview_id], [chat, score, status], api_name="end")


def _review_tab(h: Handlers, lang: str) -> None:
    headers = [
        t(k, lang) for k in ("col_id", "col_date", "col_company", "col_role", "col_mode", "col_status", "col_overall")
    ]
    refresh = gr.Button(t("refresh", lang), elem_id="refresh")
    table = gr.Dataframe(headers=headers, value=h.transcripts, interactive=False, elem_id="transcripts")
    with gr.Row():
        chosen = gr.Textbox(label=t("transcript_id", lang), elem_id="transcript-id")
        open_button = gr.Button(t("open", lang), elem_id="open")
        export = gr.Button(t("export_md", lang), elem_id="export")
    download = gr.File(label=t("export_md", lang), interactive=False)
    detail = gr.Markdown(elem_id="detail")
    refresh.click(h.transcripts, None, table, api_name="transcripts")
    open_button.click(h.open_transcript, chosen, detail, api_name="open_transcript")
    export.click(h.export_markdown, chosen, download, api_name="export_markdown")

    def pick(evt: gr.SelectData, rows: Any) -> str:
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return str(rows.iloc[row, 0]) if hasattr(rows, "iloc") else str(rows[row][0])

    table.select(pick, [table], chosen)


def _library_tab(lib: LibraryHandlers, h: Handlers, lang: str) -> None:
    with gr.Row():
        query = gr.Textbox(label=t("search", lang), scale=3, elem_id="library-query")
        kind = gr.Dropdown(KINDS, value="", label=t("kind", lang), scale=1)
        company = gr.Dropdown([("", ""), *h.company_choices(lang)], value="", label=t("company", lang), scale=1)
    results = gr.Markdown(elem_id="library-results")
    query.submit(lambda q, k, c: lib.search(q, k, c, lang), [query, kind, company], results, api_name="search")
    with gr.Row():
        topic = gr.Dropdown(lib.topic_choices(lang), label=t("topic", lang), scale=2)
        source = gr.Textbox(label=t("source_id", lang), scale=1, elem_id="source-id")
    card = gr.Markdown(elem_id="topic-card")
    topic.change(lambda i: lib.topic(i, lang), topic, card, api_name="topic")
    source.submit(lambda i: lib.source(i, lang), source, card, api_name="source")
    gr.Dataframe(
        headers=["slug", t("col_company", lang), "#", ""], value=lib.companies(lang), interactive=False, wrap=True
    )
    with gr.Row():
        files = gr.File(label=t("ingest", lang), file_count="multiple", file_types=[".md", ".txt", ".html", ".pdf"])
        with gr.Column():
            ingest_company = gr.Dropdown([("", ""), *h.company_choices(lang)], value="", label=t("company", lang))
            ingest_kind = gr.Dropdown(["", "experience", "note"], value="", label=t("kind", lang))
            ingest = gr.Button(t("ingest_button", lang), elem_id="ingest")
    ingest_report = gr.Markdown(elem_id="ingest-report")

    def run_ingest(f: Any, c: str, k: str, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return lib.ingest(f, c, k, progress)

    ingest.click(run_ingest, [files, ingest_company, ingest_kind], ingest_report, api_name="ingest")


def _settings_tab(ctx: Context, lang: str, llm: gr.State) -> None:
    gr.Markdown(t("mode_note", lang))
    base_url = gr.Textbox(
        label=t("base_url", lang), value=ctx.settings.llm_base_url, placeholder="https://api.deepseek.com/v1"
    )
    api_key = gr.Textbox(label=t("api_key", lang), type="password")
    model = gr.Textbox(label=t("model", lang), value=ctx.settings.llm_model)
    with gr.Row():
        check = gr.Button(t("test_connection", lang), elem_id="test-connection")
        apply = gr.Button(t("apply", lang), variant="primary", elem_id="apply-endpoint")
    verdict = gr.Markdown(elem_id="connection")
    check.click(lambda b, k, m: test_connection(b, k, m, ctx), [base_url, api_key, model], verdict, api_name=False)
    apply.click(
        lambda b, k, m: ({"base_url": b, "api_key": k, "model": m}, "✅ " + (m if k else t("mode_note", lang))),
        [base_url, api_key, model],
        [llm, verdict],
        api_name=False,
    )


def create_app(ctx: Context) -> gr.Blocks:
    h, lib = Handlers(ctx), LibraryHandlers(ctx)
    lang = ctx.settings.lang
    with gr.Blocks(title="kaoda") as app:
        gr.Markdown(f"## {t('title', lang)}")
        interview_id = gr.State("")
        llm = gr.State({})  # this browser's own endpoint, if set in Settings (never stored server-side)
        with gr.Tab(t("tab_interview", lang)):
            _interview_tab(h, lang, interview_id, llm)
        with gr.Tab(t("tab_review", lang)):
            _review_tab(h, lang)
        with gr.Tab(t("tab_library", lang)):
            _library_tab(lib, h, lang)
        with gr.Tab(t("tab_settings", lang)):
            _settings_tab(ctx, lang, llm)
        app.queue(default_concurrency_limit=CONCURRENCY)
    return app


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None) -> None:
    """Build and serve the app (blocking)."""
    ctx = build_context(settings)
    credentials = tuple(auth.split(":", 1)) if auth else None
    create_app(ctx).launch(server_name=host, server_port=port, auth=credentials, show_error=True)
