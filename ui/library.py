"""Library (browse and search the corpus, ingest files) and Settings (endpoint, test connection) handlers."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from agent.context import Context
from agent.errors import KaodaError
from agent.ingest import ingest_paths
from ui.strings import t


class LibraryHandlers:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def search(self, query: str, kind: str, company: str, lang: str) -> str:
        if not (query or "").strip():
            return ""
        try:
            hits = self.ctx.kb.search(query, k=8, kind=kind or None, company=company or None)
        except KaodaError as exc:
            return f"⚠️ {exc}"
        if not hits:
            return t("no_results", lang)
        return "\n\n".join(
            f"**{i}. [{h.kind}] {html.escape(h.title)}** `{h.id}`\n\n{html.escape(h.text[:300])}…"
            for i, h in enumerate(hits, 1)
        )

    def topic_choices(self, lang: str) -> list[tuple[str, str]]:
        cards = sorted(self.ctx.corpus.topics(), key=lambda c: (c.track, c.id))
        return [(f"{c.track} · {c.title if lang == 'zh' else c.title_en}", c.id) for c in cards]

    def topic(self, topic_id: str, lang: str) -> str:
        """A card as a page: the note, then its questions and key points."""
        card = self.ctx.corpus.cards.get(topic_id or "")
        if card is None:
            return ""
        zh = lang == "zh"
        lines = [f"### {card.title if zh else card.title_en}", "", card.note_zh if zh else card.note_en, ""]
        for q in card.questions:
            lines.append(f"**{q.q if zh else q.q_en}** `{q.id}`")
            lines += [f"- {kp.zh if zh else kp.en}" for kp in q.key_points]
            lines.append("")
        reports = self.ctx.corpus.experiences_asking(card.id)
        if reports:
            lines.append(f"{t('asked_in', lang)}: " + ", ".join(f"`{e.id}`" for e in reports))
        return "\n".join(lines)

    def companies(self, lang: str) -> list[list[Any]]:
        return [
            [
                c.slug,
                c.name if lang == "zh" else c.name_en,
                len(c.evidence),
                c.summary if lang == "zh" else c.summary_en,
            ]
            for c in sorted(self.ctx.corpus.companies.values(), key=lambda c: -len(c.evidence))
        ]

    def source(self, corpus_id: str, lang: str) -> str:
        """What a cited id points at: a topic card, a question, an interview report or a company."""
        corpus, cid = self.ctx.corpus, (corpus_id or "").strip()
        if cid in corpus.cards:
            return self.topic(cid, lang)
        if cid in corpus.questions:
            card, q = corpus.question(cid)
            return f"**{q.q if lang == 'zh' else q.q_en}**\n\n" + self.topic(card.id, lang)
        if cid in corpus.experiences:
            e = corpus.experiences[cid]
            asked = "\n".join(f"- {a.q} (`{a.topic}`)" for a in e.asked)
            return f"### {e.company} · {e.role} · R{e.round} ({e.year or '—'})\n\n{e.body}\n\n{asked}\n\n*{e.source}*"
        if cid in corpus.companies:
            c = corpus.companies[cid]
            return f"### {c.name} · {c.name_en}\n\n{c.summary if lang == 'zh' else c.summary_en}"
        return f"⚠️ {html.escape(cid)}?"

    def ingest(self, files: list[Any] | None, company: str, kind: str, progress: Any = None, lang: str = "en") -> str:
        if not files:
            return ""
        paths = [Path(getattr(f, "name", f)) for f in files]

        def report(done: int, total: int, name: str) -> None:
            if progress is not None:
                progress((done, total), desc=name)

        try:
            result = ingest_paths(self.ctx, paths, company or None, kind or None, report)
        except KaodaError as exc:
            return f"⚠️ {exc}"
        counts = {
            "added": result.files_added,
            "replaced": result.files_replaced,
            "unchanged": result.files_unchanged,
            "chunks": result.chunks_added,
        }
        lines = [t("ingest_report", lang).format(**counts)]
        lines += [f"- ⚠️ {html.escape(reason)}" for _name, reason in result.skipped]
        return "\n".join(lines)


def test_connection(base_url: str, api_key: str, model: str, ctx: Context, lang: str = "en") -> str:
    """One tiny request to the endpoint typed in the Settings tab; the key stays in this browser session."""
    from agent.llm import ping

    if not api_key:
        return t("key_empty", lang)
    try:
        verdict = ping(ctx.with_settings(llm_base_url=base_url, llm_api_key=api_key, llm_model=model).settings)
    except KaodaError as exc:
        return f"⚠️ {t('connection_failed', lang)}: {html.escape(str(exc))}"
    return f"✅ {t('connection_ok', lang)}: {html.escape(verdict)}"
