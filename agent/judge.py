"""The LLM judge, reconciled with the offline scorer.

    result = judge_answer(ctx, model, task, answer, offline_result, lang)   # a ScoreResult
    result = judged_score(ctx, model, task, answer, lang)   # the same, the offline scorer running meanwhile

The answer reaches the judge cleaned of gaming (agent/guard.py) — when gaming was found, only its
on-topic sentences do — wrapped in delimiters with a random nonce. Evidence quotes must appear
verbatim in the answer; those that don't are discarded. Reconciliation with offline coverage: the
judge's score counts at most what the key points hit (offline or by a verified quote) support, plus
one point for depth and clarity; the final score averages that with the offline score and moves at
most one point from it; a flagged answer never scores above its offline score, and one that tried
to talk to the grader loses that point. If the judge fails, the offline score stands and the reason
is kept in `judge.error`.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel, Field

from agent.dimensions import rubric_type
from agent.guard import inspect_answer
from agent.llm import CallRecord, prompt_chain, structured_call
from agent.rubric import PENALIZED, KeyPointResult, ScoreResult, ScoringTask, model_answer
from agent.text import normalize

MAX_SHIFT = 1.0  # the judge may move the offline score by at most this much
SUPPORT_SLACK = 1.0  # what the judge may give beyond key-point coverage (depth, clarity, examples)
GAMING = (
    "injection",
    "keyword_stuffing",
    "obfuscation",
    "repetitive",
    "gibberish",
    "padding",
    "repeats_question",
    "off_topic_part",
)


class JudgedPoint(BaseModel):
    index: int
    hit: bool
    quote: str = ""


class Verdict(BaseModel):
    dimensions: dict[str, float] = Field(default_factory=dict)
    key_points: list[JudgedPoint] = Field(default_factory=list)
    score: float = Field(ge=0, le=5)
    feedback: str = ""
    flags: list[str] = Field(default_factory=list)


def _squash(text: str) -> str:
    return "".join(normalize(text).split()).lower()


def verified(quote: str, answer: str) -> bool:
    """A quote counts only if it appears in the answer verbatim (whitespace and width aside)."""
    return len(_squash(quote)) >= 4 and _squash(quote) in _squash(answer)


def _rubric_text(ctx: Any, kind: str, lang: str) -> str:
    rubric = ctx.corpus.rubrics.get(kind)
    if rubric is None:
        return "correctness, completeness, depth, clarity"
    lines = []
    for d in rubric.dimensions:
        levels = "; ".join(f"{lv.score}: {lv.zh if lang == 'zh' else lv.en}" for lv in d.levels)
        lines.append(f"- {d.name} ({d.name_zh}, weight {d.weight}): {levels}")
    return "\n".join(lines)


def _exemplars(task: ScoringTask, lang: str) -> str:
    """Graded examples built for this question from its own key points and pitfalls.

    Full (5), half (2), half plus the question's first known wrong belief (1: confidently wrong),
    off-topic (0).
    """
    half = task.key_points[: max(1, len(task.key_points) // 2)]
    off = "我觉得这个主要看经验，多做项目就好了。" if lang == "zh" else "I think it mostly depends on experience."
    lines = [f"- score 5: {model_answer(task.key_points, lang)}", f"- score 2: {model_answer(half, lang)}"]
    if task.pitfalls:
        wrong = task.pitfalls[0].zh if lang == "zh" else task.pitfalls[0].en
        lines.append(f"- score 1: {model_answer(half[:1], lang)} {wrong}")
    lines.append(f"- score 0: {off}")
    return "\n".join(lines)


def judge_answer(ctx: Any, model: Any, task: ScoringTask, answer: str, offline: ScoreResult, lang: str) -> ScoreResult:
    """The offline score reconciled with the judge's verdict on the answer (one judge call, after scoring)."""
    cleaned, gamed = _judge_input(inspect_answer(answer, task.question), offline)
    verdict, record = _ask_judge(ctx, model, task, cleaned, lang)
    return _reconcile(offline, verdict, record, cleaned, gamed)


def judged_score(ctx: Any, model: Any, task: ScoringTask, answer: str, lang: str, hints_used: int = 0) -> ScoreResult:
    """`judge_answer` with the offline scorer running while the judge's request is in flight.

    The judge sees the guard-cleaned answer. When the offline score then finds gaming the guard did
    not (a long off-topic stretch), that verdict is thrown away and the judge is asked again with only
    the on-topic sentences, exactly as `judge_answer` would have asked (a failed call is not repeated).
    """
    guard = inspect_answer(answer, task.question)
    guarded, guard_flags = guard
    if guard_flags:  # the judge may see only the on-topic sentences, which the offline score finds
        return judge_answer(ctx, model, task, answer, ctx.scorer.score(task, answer, lang, hints_used), lang)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kaoda-offline-score") as pool:
        scoring = pool.submit(ctx.scorer.score, task, answer, lang, hints_used)
        verdict, record = _ask_judge(ctx, model, task, guarded, lang)
        offline = scoring.result()
    cleaned, gamed = _judge_input(guard, offline)
    if gamed and verdict is not None:  # a failed call stays failed: the offline score stands with its reason
        result = judge_answer(ctx, model, task, answer, offline, lang)
        result.judge = {**(result.judge or {}), "discarded_verdict": "asked again with the on-topic sentences only"}
        return result
    return _reconcile(offline, verdict, record, cleaned, gamed)


def _judge_input(guard: tuple[str, list[str]], offline: ScoreResult) -> tuple[str, bool]:
    """(the text the judge sees, whether gaming was found) from the guard's (cleaned answer, flags):
    the cleaned answer, or when the guard or the offline scorer found gaming, only the on-topic sentences."""
    cleaned, guard_flags = guard
    gamed = bool(guard_flags) or any(f in GAMING for f in offline.flags)
    # whatever slipped past the guard must not reach the judge: only on-topic sentences do
    return (offline.on_topic_text if gamed else cleaned), gamed


def _ask_judge(ctx: Any, model: Any, task: ScoringTask, cleaned: str, lang: str) -> tuple[Verdict | None, CallRecord]:
    """One judge call on `cleaned`, fenced by a random nonce."""
    kind = rubric_type(task.question_type)
    nonce = secrets.token_hex(4)
    fence_open, fence_close = f"<<<ANSWER-{nonce}>>>", f"<<<END-{nonce}>>>"
    quoted = f"{fence_open}\n{cleaned.replace('<<<', '‹‹‹')}\n{fence_close}"
    points = "\n".join(f"{i}. {kp.zh if lang == 'zh' else kp.en}" for i, kp in enumerate(task.key_points))
    variables = {
        "rubric": _rubric_text(ctx, kind, lang),
        "question": task.question,
        "key_points": points,
        "exemplars": _exemplars(task, lang),
        "answer": quoted,
    }
    return structured_call(prompt_chain("judge", lang, model), variables, Verdict)


def _reconcile(
    offline: ScoreResult, verdict: Verdict | None, record: CallRecord, cleaned: str, gamed: bool
) -> ScoreResult:
    """The final score from the offline result and the verdict (the module docstring has the rules)."""
    result = ScoreResult(**{**offline.__dict__})
    result.key_points = [KeyPointResult(**kp.__dict__) for kp in offline.key_points]
    if verdict is None:
        result.judge = {**record.as_json(), "error": record.error}
        return result
    for point in verdict.key_points:  # a judged hit needs a quote that is really in the answer
        if 0 <= point.index < len(result.key_points) and point.hit and verified(point.quote, cleaned):
            kp = result.key_points[point.index]
            if not kp.hit:
                kp.hit, kp.evidence = True, point.quote
    supported = 5.0 * sum(kp.hit for kp in result.key_points) / max(1, len(result.key_points)) + SUPPORT_SLACK
    blended = (min(verdict.score, supported) + offline.score) / 2
    final = min(offline.score + MAX_SHIFT, max(offline.score - MAX_SHIFT, blended))
    if gamed or "injection" in verdict.flags:
        final = min(final, offline.score)
    if any(f in PENALIZED for f in offline.flags) or "injection" in verdict.flags:
        final = max(0.0, final - MAX_SHIFT)  # trying to game the grader costs what the judge could add
    result.score = round(final, 1)
    result.overall = round(result.score * 20)
    result.flags = sorted(set(offline.flags) | ({"injection"} if "injection" in verdict.flags else set()))
    if verdict.feedback:
        result.feedback = f"{verdict.feedback}\n{offline.feedback}"
    result.scorer = "offline+llm-judge"
    result.judge = {
        **record.as_json(),
        "score": verdict.score,
        "supported": round(min(5.0, supported), 2),
        "dimensions": verdict.dimensions,
        "discarded_quotes": sum(1 for p in verdict.key_points if p.hit and not verified(p.quote, cleaned)),
    }
    return result
