"""Review and Progress handlers: the transcript table, one transcript in detail, exports, mastery, drills.

Every handler takes the browser's owner token last and reads the store through `Owners`
(ui/owners.py), which decides what this browser may see.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd

from agent.context import Context
from agent.drill import plan_drill
from agent.errors import KaodaError
from agent.export import dimension_label, to_json, to_markdown
from agent.interview import InterviewSession
from agent.mastery import previous_attempts, progress
from agent.printable import to_html
from agent.store import exports_dir
from ui.handlers import Handlers, as_text
from ui.strings import STRINGS, t

SORTS = ("sort_date_desc", "sort_date_asc", "sort_score_desc", "sort_score_asc")
TABLE_KEYS = ("col_id", "col_date", "col_company", "col_role", "col_mode", "col_kind", "col_status", "col_overall")


def escaped(value: Any) -> Any:
    """A copy of a stored record with every string HTML-escaped (answers also keep their line breaks).

    The record's text comes from the candidate, an LLM or an imported file; to_markdown puts some of
    it (evidence, feedback, questions) into the page as is, and gr.Markdown would render HTML in it.
    """
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, list):
        return [escaped(item) for item in value]
    if isinstance(value, dict):
        copy = {html.escape(k) if isinstance(k, str) else k: escaped(v) for k, v in value.items()}
        if isinstance(value.get("answer"), str):
            copy["answer"] = as_text(value["answer"])
        return copy
    return value


class ReviewHandlers:
    def __init__(self, ctx: Context, interview: Handlers) -> None:
        self.ctx, self.interview = ctx, interview
        self.owners = interview.owners  # one rule for both (ui/owners.py)

    # -- the table -------------------------------------------------------------------------------
    def table(
        self, company: str = "", mode: str = "", text: str = "", sort: str = "", lang: str = "zh", owner: str = ""
    ) -> Any:
        """Saved interviews, filtered (company, mode, free text over id/company/role) and sorted."""
        rows = self.owners.list(owner)
        needle = (text or "").strip().lower()
        rows = [
            r
            for r in rows
            if (not company or r["company"] == company)
            and (not mode or r["mode"] == mode)
            and (not needle or needle in f"{r['id']} {r['company']} {r['role']}".lower())
        ]
        sort = sort if sort in SORTS else SORTS[0]
        key = "created_at" if "date" in sort else "overall"
        rows.sort(key=lambda r: (r[key] is not None, r[key] or 0), reverse=sort.endswith("desc"))
        roles = self.ctx.corpus.roles

        def shown(value: str) -> str:
            return t(f"val_{value}", lang) if lang == "zh" and f"val_{value}" in STRINGS else value

        data = [
            [
                r["id"],
                r["created_at"],
                r["company"],
                (roles[r["role"]].name if lang == "zh" else roles[r["role"]].name_en)
                if r["role"] in roles
                else r["role"],
                shown(r["mode"]),
                shown(r["kind"]),
                shown(r["status"]),
                r["overall"],
            ]
            for r in rows
        ]
        return pd.DataFrame(data, columns=[t(k, lang) for k in TABLE_KEYS])

    # -- one transcript --------------------------------------------------------------------------
    def detail(self, interview_id: str, owner: str = "") -> str:
        """Every turn as Markdown: question, sources, answer, scores, evidence, feedback (all shown as text)."""
        try:
            record = self.owners.record((interview_id or "").strip(), owner)
        except KaodaError as exc:
            return f"⚠️ {html.escape(str(exc))}"
        return to_markdown(escaped(record), self.ctx.corpus)

    def charts(self, interview_id: str, lang: str = "zh", owner: str = "") -> tuple[Any, str]:
        """(per-dimension means for the bar chart, comparison with the previous attempts at the same topics)."""
        try:
            record = self.owners.record((interview_id or "").strip(), owner)
        except KaodaError:
            return pd.DataFrame({"dimension": [], "score": []}), ""
        rows = previous_attempts(record, self.owners.scored_turns(owner))
        means = self.dimension_means(record)
        means["dimension"] = [dimension_label(self.ctx.corpus, name, lang) for name in means["dimension"]]
        return means, self.compare(rows, lang)

    @staticmethod
    def dimension_means(record: dict[str, Any]) -> Any:
        sums: dict[str, list[float]] = {}
        for turn in record["turns"]:
            for name, value in ((turn.get("score") or {}).get("dimensions") or {}).items():
                sums.setdefault(name, []).append(float(value))
        return pd.DataFrame(
            {"dimension": list(sums), "score": [round(sum(v) / len(v), 2) for v in sums.values()]},
        )

    def compare(self, rows: list[dict[str, Any]], lang: str) -> str:
        if not rows:
            return t("no_previous", lang)
        cards = self.ctx.corpus.cards
        lines = [
            f"| {t('col_topic', lang)} | {t('col_previous', lang)} | {t('col_now', lang)} | Δ |",
            "|---|---|---|---|",
        ]
        for row in rows:
            card = cards.get(row["topic_id"])
            title = (card.title if lang == "zh" else card.title_en) if card else html.escape(str(row["topic_id"]))
            arrow = "▲" if row["delta"] > 0 else "▼" if row["delta"] < 0 else "="
            lines.append(f"| {title} | {row['previous']} | {row['now']} | {arrow} {row['delta']:+} |")
        return "\n".join(lines)

    def export(self, interview_id: str, fmt: str, owner: str = "") -> str | None:
        """A file to download: md, json or html (None when there is no such interview for this browser)."""
        try:
            record = self.owners.record((interview_id or "").strip(), owner)
        except KaodaError:
            return None
        if fmt == "json":
            text = json.dumps(to_json(record), ensure_ascii=False, indent=2)
        elif fmt == "html":
            text = to_html(record, self.ctx.corpus)
        else:
            text = to_markdown(record, self.ctx.corpus)
        # one file per transcript and format (overwritten, deleted with the transcript);
        # Gradio serves its own cached copy, which the app's delete_cache sweeps
        path = exports_dir(self.ctx.store.path) / f"kaoda-{record['id']}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return str(path)

    def export_status(self, interview_id: str, path: str | None, lang: str = "zh", owner: str = "") -> str:
        """Why there is nothing to download (shown beside the export buttons), or "" when there is."""
        if path or not (interview_id or "").strip():
            return ""
        try:
            self.owners.record(interview_id.strip(), owner)
        except KaodaError as exc:
            return f"⚠️ {html.escape(str(exc))}"
        return f"⚠️ {t('error', lang)}"

    def resume(
        self, interview_id: str, lang: str = "zh", owner: str = ""
    ) -> tuple[str, list[dict[str, str]], str, str]:
        """(interview id, chat, plan, status) of an unfinished interview, to carry on in the Interview tab."""
        try:
            self.owners.check((interview_id or "").strip(), owner)
            session = InterviewSession.resume(self.ctx, (interview_id or "").strip())
        except KaodaError as exc:
            return "", [], "", f"⚠️ {html.escape(str(exc))}"
        if session.finished:
            return "", self.interview.chat(session), "", t("cannot_continue", lang)
        return session.state.id, self.interview.chat(session), self.interview.plan_markdown(session), ""

    def delete(
        self, interview_id: str, lang: str = "zh", owner: str = "", filters: tuple[str, ...] = ()
    ) -> tuple[str, Any]:
        """Delete an interview for good (rows, then the file is vacuumed; its exports too): (status, table)."""
        chosen = (interview_id or "").strip()
        if not chosen:  # nothing typed, or the confirmation was cancelled
            return "", self.table(*filters, lang=lang, owner=owner)
        try:
            self.owners.check(chosen, owner)
            self.ctx.store.delete(chosen)
        except KaodaError as exc:
            return f"⚠️ {html.escape(str(exc))}", self.table(*filters, lang=lang, owner=owner)
        return f"🗑 {t('deleted', lang)}: `{html.escape(chosen)}`", self.table(*filters, lang=lang, owner=owner)

    # -- progress --------------------------------------------------------------------------------
    def progress(self, lang: str = "zh", owner: str = "") -> tuple[Any, Any, str]:
        """(mastery history for the line chart, weakest/due topics table, per-track summary)."""
        report = progress(self.owners.scored_turns(owner), self.ctx.corpus)
        history = pd.DataFrame(report.history or [], columns=["date", "track", "mastery"])
        history["date"] = pd.to_datetime(history["date"])
        columns = [t(k, lang) for k in ("col_topic", "col_track", "col_mastery", "col_last", "col_due")]
        weak = [
            [
                topic.title if lang == "zh" else topic.title_en,
                topic.track,
                f"{topic.mastery:.0%}",
                topic.last_score,
                (topic.due.isoformat() + (" ⏰" if topic.is_due(report.today) else "")) if topic.due else "",
            ]
            for topic in report.weakest(15)
        ]
        if not report.topics:
            return history, pd.DataFrame([], columns=columns), t("no_progress", lang)
        tracks = " · ".join(f"{track} {value:.0%}" for track, value in report.tracks().items())
        return history, pd.DataFrame(weak, columns=columns), f"**{t('track_mastery', lang)}**: {tracks}"

    def drill(self, n: float, lang: str = "zh", owner: str = "") -> tuple[str, list[dict[str, str]], str, str]:
        """Start a drill on this browser's due/weak topics: (interview id, chat, plan, status)."""
        if not self.owners.can_start(owner):
            return "", [], "", t("no_owner", lang)
        try:
            report = progress(self.owners.scored_turns(owner), self.ctx.corpus)
            items = plan_drill(report, self.ctx.corpus, int(n))
            session = InterviewSession.start_drill(self.ctx, items, lang)
            self.owners.adopt(session.state.id, owner)
        except KaodaError as exc:
            return "", [], "", f"⚠️ {exc}"
        return session.state.id, self.interview.chat(session), self.interview.plan_markdown(session), ""
