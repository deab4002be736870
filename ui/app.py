"""The Gradio app: Interview and Review tabs over `ui.handlers.Handlers`.

app = create_app(build_context(load_settings()))
app.launch(server_name="127.0.0.1", prevent_thread_lock=True)
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls to Gradio's servers
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr

from agent.config import Settings
from agent.context import Context, build_context
from ui.handlers import Handlers
from ui.strings import t

CONCURRENCY = 8  # answers scored at once; the rest queue


def create_app(ctx: Context) -> gr.Blocks:
    h = Handlers(ctx)
    lang = ctx.settings.lang
    with gr.Blocks(title="kaoda") as app:
        gr.Markdown(f"## {t('title', lang)}")
        interview_id = gr.State("")
        with gr.Tab(t("tab_interview", lang)):
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

            company.change(h.company_summary, [company, interview_lang], company_info, api_name="company_summary")
            start.click(
                h.start,
                [company, role, interview_lang, n_questions, resume, resume_file],
                [interview_id, chat, plan, status],
                api_name="start",
            )
            submit.click(h.reply, [interview_id, answer], [chat, score, answer, status], api_name="reply")

            def answer_dont_know(iid: str) -> tuple:
                return h.reply(iid, "不知道" if lang == "zh" else "I don't know")

            def answer_skip(iid: str) -> tuple:
                return h.reply(iid, "", skipped=True)

            dont_know.click(answer_dont_know, [interview_id], [chat, score, answer, status], api_name="dont_know")
            skip.click(answer_skip, [interview_id], [chat, score, answer, status], api_name="skip")
            hint.click(h.hint, [interview_id], [status], api_name="hint")
            end.click(h.end, [interview_id], [chat, score, status], api_name="end")

        with gr.Tab(t("tab_review", lang)):
            headers = [
                t(k, lang)
                for k in ("col_id", "col_date", "col_company", "col_role", "col_mode", "col_status", "col_overall")
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

            def pick(evt: gr.SelectData, rows: list) -> str:
                row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
                return str(rows.iloc[row, 0]) if hasattr(rows, "iloc") else str(rows[row][0])

            table.select(pick, [table], chosen)
        app.queue(default_concurrency_limit=CONCURRENCY)
    return app


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None) -> None:
    """Build and serve the app (blocking)."""
    ctx = build_context(settings)
    credentials = tuple(auth.split(":", 1)) if auth else None
    create_app(ctx).launch(server_name=host, server_port=port, auth=credentials, show_error=True)
