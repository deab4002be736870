"""The Interview tab: setup panel, chat with sources chips and a timer, answer buttons, score panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from ui.handlers import Handlers
from ui.i18n import Labels
from ui.library import LibraryHandlers
from ui.strings import t

TIMER_JS = (Path(__file__).parent / "static" / "timer.js").read_text(encoding="utf-8")
DIFFICULTIES = ("easy", "normal", "hard")


class InterviewTab:
    """Builds the tab; the components other tabs need (to continue an interview here) are attributes."""

    def __init__(
        self,
        h: Handlers,
        lib: LibraryHandlers,
        lang: str,
        labels: Labels,
        interview_id: gr.State,
        llm: gr.State,
        owner: gr.State,
    ) -> None:
        L = labels
        with gr.Row():
            with gr.Column(scale=1):
                company = L.custom(
                    gr.Dropdown(h.company_choices(lang), value="generic", label=t("company", lang), elem_id="company"),
                    lambda lg: gr.update(choices=h.company_choices(lg), label=t("company", lg)),
                )
                company_info = gr.Markdown(h.company_summary("generic", lang), elem_id="company-info")
                role = L.custom(
                    gr.Dropdown(h.role_choices(lang), value="algorithm", label=t("role", lang), elem_id="role"),
                    lambda lg: gr.update(choices=h.role_choices(lg), label=t("role", lg)),
                )
                interview_lang = L.custom(
                    gr.Radio(["zh", "en"], value=lang, label=t("lang", lang), elem_id="interview-lang"),
                    lambda lg: gr.update(value=lg, label=t("lang", lg)),
                )
                n_questions = L.label(
                    gr.Slider(1, 12, value=5, step=1, label=t("questions", lang), elem_id="n-questions"), "questions"
                )
                difficulty = L.custom(
                    gr.Radio(
                        self.difficulties(lang), value="normal", label=t("difficulty", lang), elem_id="difficulty"
                    ),
                    lambda lg: gr.update(choices=self.difficulties(lg), label=t("difficulty", lg)),
                )
                mode = self.mode = L.custom(
                    gr.Radio(self.modes(lang), value=h.ctx.settings.mode, label=t("mode", lang), elem_id="mode"),
                    lambda lg: gr.update(choices=self.modes(lg), label=t("mode", lg)),
                )
                resume = L.label(gr.Textbox(lines=4, label=t("resume", lang), elem_id="resume"), "resume")
                resume_file = L.label(
                    gr.File(label=t("resume_file", lang), file_types=[".pdf", ".md", ".txt"], elem_id="resume-file"),
                    "resume_file",
                )
                start = L.value(gr.Button(t("start", lang), variant="primary", elem_id="start"), "start")
                self.plan = gr.Markdown(elem_id="plan")
            with gr.Column(scale=2):
                self.chat = gr.Chatbot(height=460, elem_id="chat", sanitize_html=True)
                with gr.Row():
                    self.status = gr.Markdown(elem_id="status")
                    gr.HTML('<span class="kaoda-timer">⏱ 0:00</span>', js_on_load=TIMER_JS, elem_id="timer")
                sources = L.label(
                    gr.Radio([], label=t("question_sources", lang), elem_id="sources", visible=False),
                    "question_sources",
                )
                with L.label(gr.Accordion(t("source_view", lang), open=False), "source_view") as source_box:
                    source_view = gr.Markdown(elem_id="source-view")
                answer = L.custom(
                    gr.Textbox(
                        lines=4, label=t("answer", lang), placeholder=t("answer_placeholder", lang), elem_id="answer"
                    ),
                    lambda lg: gr.update(label=t("answer", lg), placeholder=t("answer_placeholder", lg)),
                )
                with gr.Row():
                    submit = L.value(gr.Button(t("submit", lang), variant="primary", elem_id="submit"), "submit")
                    hint = L.value(gr.Button(t("hint", lang), elem_id="hint"), "hint")
                    dont_know = L.value(gr.Button(t("dont_know", lang), elem_id="dont-know"), "dont_know")
                    skip = L.value(gr.Button(t("skip", lang), elem_id="skip"), "skip")
                    end = L.value(gr.Button(t("end", lang), variant="stop", elem_id="end"), "end")
                hide_scores = L.label(
                    gr.Checkbox(False, label=t("hide_scores", lang), elem_id="hide-scores"), "hide_scores"
                )
                with L.label(gr.Accordion(t("score_panel", lang), open=True), "score_panel"):
                    score = gr.Markdown(elem_id="score")

        def send(iid: str, text: str, session_llm: dict, hidden: bool) -> Any:
            yield from h.reply_stream(iid, text, llm=session_llm, hide_scores=hidden)

        def dont_know_answer(iid: str, session_llm: dict, hidden: bool, lg: str) -> Any:
            yield from h.reply_stream(iid, t("dont_know", lg), llm=session_llm, hide_scores=hidden)

        def skip_answer(iid: str, session_llm: dict, hidden: bool) -> Any:
            yield from h.reply_stream(iid, "", skipped=True, llm=session_llm, hide_scores=hidden)

        turn_outputs = [self.chat, score, answer, self.status]
        company.change(h.company_summary, [company, interview_lang], company_info, api_name="company_summary")
        start.click(
            h.start,
            [company, role, interview_lang, n_questions, resume, resume_file, llm, difficulty, mode, owner],
            [interview_id, self.chat, self.plan, self.status],
            api_name="start",
        ).then(h.sources, interview_id, sources, api_name=False).then(lambda: "", None, score, api_name=False)
        submit.click(send, [interview_id, answer, llm, hide_scores], turn_outputs, api_name="reply").then(
            h.sources, interview_id, sources, api_name=False
        )
        answer.submit(send, [interview_id, answer, llm, hide_scores], turn_outputs, api_name=False).then(
            h.sources, interview_id, sources, api_name=False
        )
        dont_know.click(
            dont_know_answer, [interview_id, llm, hide_scores, interview_lang], turn_outputs, api_name="dont_know"
        ).then(h.sources, interview_id, sources, api_name=False)
        skip.click(skip_answer, [interview_id, llm, hide_scores], turn_outputs, api_name="skip").then(
            h.sources, interview_id, sources, api_name=False
        )
        hint.click(h.hint, [interview_id], [self.status], api_name="hint")
        end.click(h.end, [interview_id, hide_scores], [self.chat, score, self.status], api_name="end").then(
            h.sources, interview_id, sources, api_name=False
        )
        sources.input(
            lambda cid, lg: (lib.source(cid, lg), gr.update(open=True)),
            [sources, interview_lang],
            [source_view, source_box],
            api_name="question_source",
        )
        self.sources = sources

    @staticmethod
    def difficulties(lang: str) -> list[tuple[str, str]]:
        return [(t(f"difficulty_{d}", lang), d) for d in DIFFICULTIES]

    @staticmethod
    def modes(lang: str) -> list[tuple[str, str]]:
        return [(t("mode_offline", lang), "offline"), (t("mode_llm", lang), "llm")]
