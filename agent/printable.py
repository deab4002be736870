"""A transcript as one self-contained, printable HTML page (no scripts, no external assets).

Every piece of text is HTML-escaped: an answer containing `<script>` prints as text.

    Path("kaoda-abc.html").write_text(to_html(store.get("abc"), corpus), encoding="utf-8")
"""

from __future__ import annotations

from html import escape
from typing import Any

from agent.corpus import Corpus

CSS = """
body { font: 15px/1.55 system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; max-width: 52rem;
       margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; border-top: 1px solid #ddd;
       padding-top: .8rem; }
.meta, .sources { color: #555; font-size: .9rem; }
blockquote { white-space: pre-wrap; margin: .4rem 0; padding: .5rem .8rem; background: #f5f5f5;
       border-left: 3px solid #999; }
.score { font-weight: 600; } .hit { color: #176b2c; } .miss { color: #a61b1b; }
table.dims { border-collapse: collapse; margin: .3rem 0; } table.dims td { padding: 0 .8rem 0 0; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } section { break-inside: avoid; } }
"""


def _labels(zh: bool) -> dict[str, str]:
    if zh:
        return {"title": "模拟面试", "overall": "总分", "weak": "薄弱点", "answer": "回答", "score": "得分",
                "feedback": "反馈", "model": "参考答案", "sources": "来源", "none": "（未作答）"}  # fmt: skip
    return {"title": "Mock interview", "overall": "Overall", "weak": "Weak topics", "answer": "Answer",
            "score": "Score", "feedback": "Feedback", "model": "Model answer", "sources": "Sources",
            "none": "(no answer)"}  # fmt: skip


def _score_html(score: dict[str, Any], label: dict[str, str]) -> str:
    dims = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in score.get("dimensions", {}).items())
    points = "".join(
        f'<li class="{"hit" if kp["hit"] else "miss"}">{"✓" if kp["hit"] else "✗"} {escape(kp["text"])}'
        + (f" — “{escape(kp['evidence'])}”" if kp.get("evidence") else "")
        + "</li>"
        for kp in score.get("key_points", [])
    )
    model = f"<p><b>{label['model']}:</b> {escape(score['model_answer'])}</p>" if score.get("model_answer") else ""
    return (
        f'<p class="score">{label["score"]}: {score["score"]}/5 · {score.get("overall", "")}/100</p>'
        f'<table class="dims">{dims}</table><ul>{points}</ul>'
        f"<p><b>{label['feedback']}:</b> {escape(score.get('feedback', ''))}</p>{model}"
    )


def to_html(record: dict[str, Any], corpus: Corpus | None = None) -> str:
    """The whole transcript: header, every question with its answer, score, evidence and feedback."""
    zh = record.get("lang") == "zh"
    label = _labels(zh)
    summary = record.get("summary") or {}
    company = record["company"]
    if corpus and company in corpus.companies:
        company = corpus.companies[company].name if zh else corpus.companies[company].name_en
    weak = summary.get("weak_topics", [])
    if corpus:
        weak = [(corpus.cards[w].title if zh else corpus.cards[w].title_en) if w in corpus.cards else w for w in weak]
    parts = [
        f'<!doctype html><html lang="{"zh" if zh else "en"}"><head><meta charset="utf-8">',
        f"<title>kaoda {escape(record['id'])}</title><style>{CSS}</style></head><body>",
        f"<h1>{label['title']} · {escape(company)} · {escape(record['role'])}</h1>",
        f'<p class="meta">id {escape(record["id"])} · {escape(str(record.get("created_at") or ""))} · '
        f"{escape(record['mode'])}</p>",
        f"<p><b>{label['overall']}: {summary.get('overall', '—')}/100</b> · {label['weak']}: "
        f"{escape(', '.join(weak)) or '—'}</p>",
    ]
    for turn in record["turns"]:
        parts.append(f"<section><h2>{turn['index']}. {escape(turn['question'])}</h2>")
        if turn.get("sources"):
            parts.append(f'<p class="sources">{label["sources"]}: {escape(", ".join(turn["sources"]))}</p>')
        if turn["move"] != "wrap_up":
            answer = turn.get("answer")
            parts.append(f"<p><b>{label['answer']}:</b></p><blockquote>{escape(answer or label['none'])}</blockquote>")
            if turn.get("score"):
                parts.append(_score_html(turn["score"], label))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
