"""Transcripts out (JSON, Markdown) and back in (JSON import, validated).

to_json(store.get(interview_id))       # {"format", "id", "company", ..., "turns": [...], "summary": {...}}
to_markdown(store.get(interview_id), corpus)
from_json(json.loads(text))            # a record for TranscriptStore.import_record, or InputError
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.corpus import Corpus
from agent.errors import InputError

FORMAT = "kaoda-transcript/1"
TURN_KEYS = (
    "index",
    "move",
    "question",
    "question_id",
    "topic_id",
    "sources",
    "reason",
    "answer",
    "score",
    "fallback",
    "meta",
    "asked_at",
    "answered_at",
)
HEADER_KEYS = ("id", "company", "role", "lang", "mode")


def to_json(record: dict[str, Any]) -> dict[str, Any]:
    """The `kaoda interview --json` shape, with everything an import needs to restore the transcript."""
    summary = record.get("summary") or {"overall": record.get("overall") or 0, "weak_topics": []}
    unfinished = record.get("status") != "finished" and record.get("state_json")
    return {
        "format": FORMAT,
        "id": record["id"],
        "company": record["company"],
        "role": record["role"],
        "lang": record["lang"],
        "mode": record["mode"],
        "kind": record.get("kind") or "interview",
        "status": record.get("status"),
        "created_at": record.get("created_at"),
        "finished_at": record.get("finished_at"),
        "turns": [{k: t.get(k) for k in TURN_KEYS} for t in record["turns"]],
        "summary": summary,
        **({"state_json": record["state_json"]} if unfinished else {}),  # lets an import be continued
    }


def from_json(data: Any, source: str = "transcript") -> dict[str, Any]:
    """Check an exported transcript and return it as a record to import; InputError names the problem."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a JSON object (a `kaoda transcripts export --format json` file)")
    if data.get("format", FORMAT) != FORMAT:
        raise InputError(f"{source}: format {data.get('format')!r} is not {FORMAT!r}")
    for key in HEADER_KEYS:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(f"{source}: field {key!r} must be a non-empty string")
    turns = data.get("turns")
    if not isinstance(turns, list):
        raise InputError(f"{source}: field 'turns' must be a list")
    for position, turn in enumerate(turns):
        where = f"{source}: turns[{position}]"
        if not isinstance(turn, dict):
            raise InputError(f"{where} must be an object")
        if turn.get("index") != position:
            raise InputError(f"{where}.index must be {position}")
        for key in ("move", "question"):
            if not isinstance(turn.get(key), str):
                raise InputError(f"{where}.{key} must be a string")
        if turn.get("answer") is not None and not isinstance(turn["answer"], str):
            raise InputError(f"{where}.answer must be a string or null")
        if turn.get("score") is not None:
            _check_score(turn["score"], f"{where}.score")
        if not isinstance(turn.get("sources", []), list) or not isinstance(turn.get("meta") or {}, dict):
            raise InputError(f"{where}: 'sources' must be a list and 'meta' an object")
    summary = data.get("summary")
    if summary is not None and not isinstance(summary, dict):
        raise InputError(f"{source}: field 'summary' must be an object")
    record = {k: data.get(k) for k in (*HEADER_KEYS, "kind", "status", "created_at", "finished_at", "state_json")}
    record["summary"] = summary
    record["turns"] = [{**t, "sources": t.get("sources") or [], "meta": t.get("meta") or {}} for t in turns]
    return record


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_score(score: Any, where: str) -> None:
    """A turn's score as Review, `transcripts show` and progress read it; InputError names the field."""
    if not isinstance(score, dict) or not _is_number(score.get("score")):
        raise InputError(f"{where} must be null or an object with a numeric 'score'")
    dimensions = score.get("dimensions")
    if not isinstance(dimensions, dict) or not all(isinstance(k, str) and _is_number(v) for k, v in dimensions.items()):
        raise InputError(f'{where}.dimensions must be an object of numbers, like {{"correctness": 4}}')
    key_points = score.get("key_points")
    if not isinstance(key_points, list):
        raise InputError(f"{where}.key_points must be a list")
    for i, kp in enumerate(key_points):
        if not (isinstance(kp, dict) and isinstance(kp.get("text"), str) and isinstance(kp.get("hit"), bool)):
            raise InputError(f"{where}.key_points[{i}] must be an object with a string 'text' and a true/false 'hit'")
        if kp.get("evidence") is not None and not isinstance(kp["evidence"], str):
            raise InputError(f"{where}.key_points[{i}].evidence must be a string or null")
    if not isinstance(score.get("feedback"), str):
        raise InputError(f"{where}.feedback must be a string")
    for key in ("flags", "study"):
        if not isinstance(score.get(key, []), list):
            raise InputError(f"{where}.{key} must be a list")
    if score.get("model_answer") is not None and not isinstance(score["model_answer"], str):
        raise InputError(f"{where}.model_answer must be a string or null")


def dimension_label(corpus: Corpus | None, name: str, lang: str) -> str:
    """A rubric dimension as a reader sees it: 正确性 in zh, "technical depth" in en."""
    if lang == "zh" and corpus:
        for rubric in corpus.rubrics.values():
            for dimension in rubric.dimensions:
                if dimension.name == name:
                    return dimension.name_zh
    return name.replace("_", " ")


def _fence(text: str) -> str:
    """Quote user text so Markdown renders it verbatim."""
    return "\n".join("> " + line for line in (text or "").splitlines()) or "> —"


def to_markdown(record: dict[str, Any], corpus: Corpus | None = None) -> str:
    zh = record["lang"] == "zh"
    summary = record.get("summary") or {}
    title, role, weak = record["company"], record["role"], list(summary.get("weak_topics", []))
    if corpus:
        if title in corpus.companies:
            title = corpus.companies[title].name if zh else corpus.companies[title].name_en
        if role in corpus.roles:
            role = corpus.roles[role].name if zh else corpus.roles[role].name_en
        weak = [(corpus.cards[w].title if zh else corpus.cards[w].title_en) if w in corpus.cards else w for w in weak]
    drill = record.get("kind") == "drill"
    heading = ("专项练习" if drill else "模拟面试") if zh else ("Drill" if drill else "Mock interview")
    lines = [
        f"# {heading} · {title} · {role}",
        "",
        f"- id: `{record['id']}`  ·  {record.get('created_at', '')}  ·  mode: {record['mode']}",
        f"- {'总分' if zh else 'Overall'}: **{summary.get('overall', '—')}/100**",
        f"- {'薄弱点' if zh else 'Weak topics'}: {', '.join(weak) or '—'}",
        "",
    ]
    for t in record["turns"]:
        lines += [f"### {t['index']}. {t['question']}", "", f"*{t['move']}*", ""]
        if t.get("sources"):
            lines += [f"*{'来源' if zh else 'Sources'}: {', '.join(t['sources'])}*", ""]
        if t["move"] == "wrap_up":
            continue
        lines += [f"**{'回答' if zh else 'Answer'}:**", "", _fence(t.get("answer") or ""), ""]
        score = t.get("score")
        if score:
            dims = ", ".join(
                f"{dimension_label(corpus, k, record['lang'])} {v}" for k, v in score["dimensions"].items()
            )
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
