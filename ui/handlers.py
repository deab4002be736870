"""Web handlers as plain functions over a Context (testable without a browser).

Per-browser state is the interview id and the browser's owner token (ui/owners.py); every handler
reloads the session from SQLite, so two browsers never share an interview and a restarted app
carries on where it stopped.
"""

from __future__ import annotations

import html
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.context import Context
from agent.errors import KaodaError
from agent.export import dimension_label
from agent.files import read_user_file
from agent.interview import InterviewSession
from ui.owners import Owners
from ui.strings import t

Chat = list[dict[str, str]]


def as_text(user_text: str) -> str:
    """User text shown literally: HTML escaped, Markdown specials kept as typed."""
    return html.escape(user_text or "").replace("\n", "  \n")


def elapsed(turn: dict[str, Any], lang: str) -> str:
    """· ⏱ 42 s: time from the question to the answer (from the saved timestamps)."""
    from datetime import datetime

    if not turn.get("asked_at") or not turn.get("answered_at"):
        return ""
    seconds = (datetime.fromisoformat(turn["answered_at"]) - datetime.fromisoformat(turn["asked_at"])).total_seconds()
    return f" · ⏱ {t('elapsed', lang)} {int(seconds) // 60}:{int(seconds) % 60:02d}"


LLMSettings = dict[str, str]  # per-browser endpoint: base_url, api_key, model ({} = the app's settings)


class Handlers:
    def __init__(self, ctx: Context, shared: bool = False) -> None:
        """`shared`: the app is reachable by others (ui/owners.py), so each browser sees only its own interviews."""
        self.ctx = ctx
        self.owners = Owners(ctx.store, shared)

    def context(self, llm: LLMSettings | None) -> Context:
        """The app's context, or one using this browser's own endpoint (kept in its session only)."""
        if not llm or not llm.get("api_key"):
            return self.ctx
        return self.ctx.with_settings(
            llm_base_url=llm.get("base_url", ""),
            llm_api_key=llm["api_key"],
            llm_model=llm.get("model") or "gpt-4o-mini",
        )

    # -- setup -----------------------------------------------------------------------------------
    def company_choices(self, lang: str) -> list[tuple[str, str]]:
        companies = sorted(self.ctx.corpus.companies.values(), key=lambda c: (c.slug == "generic", -len(c.evidence)))
        return [((c.name if lang == "zh" else c.name_en) + f" ({c.slug})", c.slug) for c in companies]

    def role_choices(self, lang: str) -> list[tuple[str, str]]:
        return [(r.name if lang == "zh" else r.name_en, r.slug) for r in self.ctx.corpus.roles.values()]

    def company_summary(self, slug: str, lang: str) -> str:
        company = self.ctx.corpus.companies.get(slug)
        if company is None:
            return ""
        summary = company.summary if lang == "zh" else company.summary_en
        tone = company.tone if lang == "zh" else company.tone_en
        backing = f"{len(company.evidence)} {t('reports', lang)}" if company.evidence else t("no_reports", lang)
        return f"**{company.name} · {company.name_en}** — {backing}\n\n{summary}\n\n*{tone}*"

    def start(
        self,
        company: str,
        role: str,
        lang: str,
        n_questions: float,
        resume_text: str,
        resume_file: Any,
        llm: LLMSettings | None = None,
        difficulty: str = "normal",
        mode: str = "",
        owner: str = "",
    ) -> tuple[str, Chat, str, str]:
        """Returns (interview id, chat, plan markdown, status); the interview is stored as `owner`'s."""
        if not self.owners.can_start(owner):
            return "", [], "", t("no_owner", lang)
        try:
            text = resume_text or ""
            if resume_file:
                text += "\n" + read_user_file(Path(getattr(resume_file, "name", resume_file)))
            session = InterviewSession.start(
                self.context(llm),
                company,
                role,
                text,
                lang,
                int(n_questions),
                difficulty=difficulty or "normal",
                mode=mode or None,
            )
            self.owners.adopt(session.state.id, owner)
        except KaodaError as exc:
            return "", [], "", f"⚠️ {exc}"
        return session.state.id, self.chat(session), self.plan_markdown(session), ""

    def plan_markdown(self, session: InterviewSession) -> str:
        """The rounds of the company's style, then the planned main questions and their topics."""
        state, lang = session.state, session.state.lang
        zh = lang == "zh"
        head = t("plan_drill" if state.kind == "drill" else "plan", lang)
        lines = [f"**{head}** · ID `{state.id}` · {state.mode} · {t('difficulty_' + state.difficulty, lang)}", ""]
        rounds = [r.name if zh else r.name_en for r in session.company.rounds]
        if rounds and state.kind != "drill":
            lines += [f"{t('rounds', lang)}: " + " → ".join(rounds), ""]
        for i, item in enumerate(state.plan, 1):
            card = self.ctx.corpus.cards[item.card_id]
            title = card.title if zh else card.title_en
            claim = f" — “{html.escape(item.claim[:40])}”" if item.claim else ""
            lines.append(f"{i}. {t('kind_' + item.kind, lang)}: {title}{claim}")
        return "\n".join(lines)

    def sources(self, interview_id: str) -> Any:
        """The open question's source ids as chips (a radio); choosing one shows the material."""
        import gradio as gr

        session = self._session(interview_id) if interview_id else None
        turn = session.current() if session else None
        choices = list(turn["sources"]) if turn else []
        return gr.update(choices=choices, value=None, visible=bool(choices))

    # -- interview -------------------------------------------------------------------------------
    def chat(self, session: InterviewSession) -> Chat:
        messages: Chat = []
        for turn in session.state.turns:
            sources = html.escape(", ".join(turn["sources"]))
            note = f"\n\n<sub>{t('sources', session.state.lang)}: {sources}</sub>" if sources else ""
            messages.append({"role": "assistant", "content": html.escape(turn["question"]) + note})
            if turn["answer"] is not None:
                messages.append({"role": "user", "content": as_text(turn["answer"]) or "…"})
        return messages

    def _session(self, interview_id: str, llm: LLMSettings | None = None) -> InterviewSession | None:
        return InterviewSession.resume(self.context(llm), interview_id) if interview_id else None

    def reply(
        self,
        interview_id: str,
        answer: str,
        skipped: bool = False,
        llm: LLMSettings | None = None,
        hide_scores: bool = False,
    ) -> tuple[Chat, str, str, str]:
        """Score the answer and ask the next question. Returns (chat, score markdown, answer box, status)."""
        *_, final = self.reply_stream(interview_id, answer, skipped, llm, hide_scores)
        return final

    def reply_stream(
        self,
        interview_id: str,
        answer: str,
        skipped: bool = False,
        llm: LLMSettings | None = None,
        hide_scores: bool = False,
    ) -> Iterator[tuple[Chat, str, str, str]]:
        """Like reply, yielding the chat while the next question streams in (LLM mode).

        With `hide_scores` (practice mode) the score panel stays empty until the interview ends,
        then shows every answer's score.
        """
        try:
            session = self._session(interview_id, llm)
        except KaodaError as exc:  # e.g. the transcript was deleted while this page held its id
            yield [], "", answer, f"⚠️ {exc}"
            return
        if session is None:
            yield [], "", answer, t("no_interview", "zh")
            return
        lang = session.state.lang
        if session.recovered:  # the next question was missing (a crash): show it, keep the box as typed
            yield self.chat(session), "", answer, ""
            return
        if session.current() is None:
            yield self.chat(session), "", answer, t("finished", lang)  # nothing stored: keep the text
            return
        answering = session.current()["index"]
        partial: queue.Queue[str | None] = queue.Queue()
        failure: list[Exception] = []

        def work() -> None:
            try:
                session.answer(answer, skipped=skipped, on_question=partial.put)
            except Exception as exc:  # any failure must reach the user and never look saved
                failure.append(exc)
            finally:
                partial.put(None)

        pending = [*self.chat(session), {"role": "user", "content": as_text(answer) or "…"}]  # before the worker runs
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        while (text := partial.get()) is not None:
            yield [*pending, {"role": "assistant", "content": html.escape(text) + " ▍"}], "", "", ""
        worker.join()
        if failure:
            try:  # ask the store, not the session: the answer may be in memory but not saved
                saved = self.ctx.store.get(session.state.id)["turns"][answering]["answer"] is not None
            except (KaodaError, IndexError):
                saved = False  # can't tell: keep the text in the box
            if saved:  # only the next question failed
                yield self.chat(session), "", "", f"⚠️ {t('saved_next_failed', lang)} ({failure[0]})"
            else:
                yield self.chat(session), "", answer, f"⚠️ {failure[0]}"  # the answer stays in the box
            return
        answered = [turn for turn in session.state.turns if turn["answer"] is not None]
        status = t("finished", lang) if session.finished else ""
        if hide_scores and not session.finished:
            score_md = t("scores_hidden", lang)
        elif hide_scores:
            score_md = "\n\n---\n\n".join(self.score_markdown(turn, lang) for turn in answered if turn.get("score"))
        else:
            score_md = self.score_markdown(answered[-1], lang) if answered else ""
        if session.finished:
            score_md += "\n\n" + self.summary_markdown(session)
        yield self.chat(session), score_md, "", status

    def hint(self, interview_id: str) -> str:
        try:
            session = self._session(interview_id)
        except KaodaError as exc:
            return f"⚠️ {exc}"
        if session is None:
            return t("no_interview", "zh")
        shown = session.hint()
        return f"💡 {t('hint_prefix', session.state.lang)}: {shown}" if shown else ""

    def end(self, interview_id: str, hide_scores: bool = False) -> tuple[Chat, str, str]:
        try:
            session = self._session(interview_id)
        except KaodaError as exc:
            return [], "", f"⚠️ {exc}"
        if session is None:
            return [], "", t("no_interview", "zh")
        if not session.finished:
            session.end()
        lang = session.state.lang
        scores = [self.score_markdown(turn, lang) for turn in session.state.turns if turn.get("score")]
        shown = "\n\n---\n\n".join(scores) + "\n\n" if hide_scores and scores else ""
        return self.chat(session), shown + self.summary_markdown(session), t("finished", lang)

    def score_markdown(self, turn: dict[str, Any], lang: str) -> str:
        score = turn.get("score")
        if not score:
            return ""
        lines = [f"### {t('score', lang)}: {score['score']}/5 · {score['overall']}/100{elapsed(turn, lang)}"]
        lines.append(
            " · ".join(f"{dimension_label(self.ctx.corpus, k, lang)} {v}" for k, v in score["dimensions"].items())
        )
        for kp in score["key_points"]:
            evidence = f" — “{html.escape(kp['evidence'])}”" if kp.get("evidence") else ""
            lines.append(f"- {'✅' if kp['hit'] else '❌'} {html.escape(kp['text'])}{evidence}")
        lines.append(f"\n**{t('feedback', lang)}**: {html.escape(score['feedback'])}")
        if score.get("model_answer"):
            lines.append(f"\n**{t('model_answer', lang)}**: {html.escape(score['model_answer'])}")
        if score.get("study"):
            lines.append(f"\n**{t('study', lang)}**: " + " · ".join(self.study_links(score["study"], lang)))
        if score.get("flags"):
            lines.append(f"\n`{', '.join(score['flags'])}`")
        return "\n".join(lines)

    def study_links(self, topic_ids: list[str], lang: str) -> list[str]:
        """Topic cards to study, by title, with the id to open in Library (or from the sources chips)."""
        cards = self.ctx.corpus.cards
        return [
            f"{(cards[i].title if lang == 'zh' else cards[i].title_en)} `{i}`" if i in cards else f"`{i}`"
            for i in topic_ids
        ]

    def summary_markdown(self, session: InterviewSession) -> str:
        lang, summary = session.state.lang, session.state.summary or {}
        cards = self.ctx.corpus.cards
        weak = [
            (cards[w].title if lang == "zh" else cards[w].title_en)
            for w in summary.get("weak_topics", [])
            if w in cards
        ]
        return (
            f"### {t('summary', lang)}\n{t('overall', lang)}: **{summary.get('overall', 0)}/100**\n\n"
            f"{t('weak', lang)}: {', '.join(weak) or '—'}"
        )
