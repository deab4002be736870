"""What to score an answer against when the question comes from outside an interview.

task_from_reference("什么是 GQA？", "GQA 把查询头分组。每组共享 K/V。省 KV cache。")
# ScoringTask with 3 key points, one per reference sentence
"""

from __future__ import annotations

import re

import numpy as np

from agent.context import Context
from agent.corpus_schema import TOPIC_TRACKS, Card, KeyPoint, Question
from agent.errors import InputError
from agent.rubric import ScoringTask
from agent.text import normalize, sentences

MAX_DERIVED_POINTS = 6
SAME_QUESTION = 0.93  # e5 cosine above which two question wordings count as the same question
_TERM = re.compile(r"[A-Za-z][A-Za-z0-9\-+./]{1,}|\d+(?:\.\d+)?\s*[%xX倍]?")


def derive_key_points(reference: str) -> list[KeyPoint]:
    """Key points from a reference answer: its sentences, merged down to at most six."""
    parts = [s for s in sentences(reference, max_chars=120) if len(s) >= 2]
    if not parts:
        raise InputError("the reference answer is empty")
    while len(parts) > MAX_DERIVED_POINTS:  # merge the shortest neighbouring pair
        i = min(range(len(parts) - 1), key=lambda j: len(parts[j]) + len(parts[j + 1]))
        parts[i : i + 2] = [parts[i] + "；" + parts[i + 1]]
    return [_point(p) for p in parts]


def _point(text: str) -> KeyPoint:
    """A key point from plain text: same wording both languages; its English terms and numbers as terms."""
    return KeyPoint(zh=text, en=text, terms=sorted(set(_TERM.findall(text)))[:4])


def corpus_task(
    card: Card, question: Question, asked: str | None = None, indices: list[int] | None = None
) -> ScoringTask:
    """The task of a corpus question (or of some of its key points, for a follow-up on them)."""
    points = [question.key_points[i] for i in indices] if indices is not None else list(question.key_points)
    return ScoringTask(
        asked or question.q,
        points,
        list(question.pitfalls) if indices is None else [],
        question.type,
        card.id if card.track in TOPIC_TRACKS else None,
        {"zh": card.note_zh, "en": card.note_en} if indices is None else {},  # a follow-up's answer: its points
    )


def task_from_reference(question: str, reference: str) -> ScoringTask:
    return ScoringTask(question, derive_key_points(reference))


def task_from_corpus(ctx: Context, question: str) -> ScoringTask | None:
    """The corpus question this text asks (exact wording, else a near-identical one), if any."""
    wanted = normalize(question).strip().lower()
    for _card, q in ctx.corpus.questions.values():
        if wanted in (normalize(q.q).strip().lower(), normalize(q.q_en).strip().lower()):
            return corpus_task(_card, q, question)
    hits = ctx.kb.search(question, k=3, kind="question")
    embedder = ctx.scorer.embedder
    asked = embedder.embed_query(question)
    for hit in hits:
        found = ctx.corpus.questions.get(hit.id)
        if found is None:
            continue
        card, q = found
        similarity = max(float(np.dot(asked, embedder.embed_query(t))) for t in (q.q, q.q_en))
        if similarity >= SAME_QUESTION:
            return corpus_task(card, q, question)
    return None


def task_for_row(ctx: Context, row: dict[str, object]) -> ScoringTask:
    """An evaluation row's task: its corpus question if it names one, else its key points, else derived."""
    question = str(row["question"])
    question_id = row.get("question_id")
    if isinstance(question_id, str) and question_id in ctx.corpus.questions:
        card, q = ctx.corpus.question(question_id)
        return corpus_task(card, q, question)
    points = row.get("key_points")
    if isinstance(points, list) and points:
        return ScoringTask(question, [_point(str(p)) for p in points])
    return task_from_reference(question, str(row["reference_answer"]))
