"""Transcripts out: the JSON contract shape and a readable Markdown page.

to_json(store.get(interview_id))       # {"id", "company", ..., "turns": [...], "summary": {...}}
to_markdown(store.get(interview_id), corpus)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.corpus import Corpus
from agent.errors import InputError

TURN_KEYS = ("index", "move", "question", "question_id", "topic_id", "sources", "reason", "answer", "score", "fallback")


def to_json(record: dict[str, Any]) -> dict[str, Any]:
    """The `kaoda interview --json` shape (plus timestamps)."""
    summary = record.get("summary") or {"overall": record.get("overall") or 0, "weak_topics": []}
    return {
        "id": record["id"],
        "company": record["company"],
        "role": record["role"],
        "lang": record["lang"],
        "mode": record["mode"],
        "status": record.get("status"),
        "created_at": record.get("created_at"),
        "finished_at": record.get("finished_at"),
        "turns": [{k: t.get(k) for k in TURN_KEYS} for t in record["turns"]],
        "summary": summary,
    }


def _fence(text: str) -> str:
    """Quote user text so Markdown renders it verbatim."""
    return "\n".join("> " + line for line in (text or "").splitlines()) or "> —"


def to_markdown(record: dict[str, Any], corpus: Corpus | None = None) -> str:
    zh = record["lang"] == "zh"
    summary = record.get("summary") or {}
    title = (
        corpus.companies[record["company"]].name
        if corpus and record["company"] in corpus.companies
        else record["company"]
    )
    lines = [
        f"# {'模拟面试' if zh else 'Mock interview'} · {title} · {record['role']}",
        "",
        f"- id: `{record['id']}`  ·  {record.get('created_at', '')}  ·  mode: {record['mode']}",
        f"- {'总分' if zh else 'Overall'}: **{summary.get('overall', '—')}/100**",
        f"- {'薄弱点' if zh else 'Weak topics'}: {', '.join(summary.get('weak_topics', [])) or '—'}",
        "",
    ]
    for t in record["turns"]:
        lines += [f"## {t['index']}. [{t['move']}] {t['question']}", ""]
        if t.get("sources"):
            lines += [f"*{'来源' if zh else 'Sources'}: {', '.join(t['sources'])}*", ""]
        if t["move"] == "wrap_up":
            continue
        lines += [f"**{'回答' if zh else 'Answer'}:**", "", _fence(t.get("answer") or ""), ""]
        score = t.get("score")
        if score:
            dims = ", ".join(f"{k} {v}" for k, v in score["dimensions"].items())
            lines += [f"**{'得分' if zh else 'Score'}: {score['score']}/5** ({dims})", ""]
            for kp in score["key_points"]:
                mark = "✅" if kp["hit"] else "❌"
                evidence = f" — “{kp['evidence']}”" if kp.get("evidence") else ""
                lines.append(f"- {mark} {kp['text']}{evidence}")
            lines += ["", f"{'反馈' if zh else 'Feedback'}: {score['feedback']}", ""]
            if score.get("model_answer"):
                lines += [f"{'参考答案' if zh else 'Model answer'}: {score['model_answer']}", ""]
    return "\n".join(lines)


def safe_output_path(target: str, base: Path | None = None) -> Path:
    """An export target that stays inside `base` (the working directory): no traversal out of it."""
    base = (base or Path.cwd()).resolve()
    path = (base / target).resolve()
    if base != path and base not in path.parents:
        raise InputError(f"export path {target!r} leaves {base}; give a path inside it")
    if path.is_dir():
        raise InputError(f"export path {target!r} is a folder; give a file name")
    return path
