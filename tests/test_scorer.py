"""The offline scorer with the real model: ranking, evidence, pitfalls, refusals."""

from __future__ import annotations

import pytest

from agent.context import Context
from agent.rubric import ScoringTask

pytestmark = pytest.mark.slow

FULL = (
    "混合精度训练下每个参数要 16 字节：fp16 参数 2 字节、梯度 2 字节、fp32 的主权重、动量和方差共 12 字节。"
    "普通数据并行每张卡都存一份，完全冗余。ZeRO-1 切分优化器状态，每卡 4Ψ+12Ψ/N；ZeRO-2 再切分梯度，2Ψ+14Ψ/N；"
    "ZeRO-3 把参数也切了，每卡只要 16Ψ/N，随卡数线性下降。"
)
PARTIAL = "ZeRO-1 切优化器状态，ZeRO-2 切梯度，ZeRO-3 切参数，这样每张卡存的东西少了。"
WRONG = "ZeRO-3 是模型并行，把不同的层放到不同的卡上计算，所以省显存。"
OFF_TOPIC = "我觉得这个问题主要和数据有关系，数据越多越好，清洗也很重要。"
ENGLISH = (
    "Each parameter costs 16 bytes with mixed precision Adam. ZeRO-1 shards optimizer states, ZeRO-2 also "
    "shards gradients, ZeRO-3 also shards the parameters, so memory per GPU is 16Ψ/N."
)


@pytest.fixture
def zero_task(ctx: Context) -> ScoringTask:
    _card, question = ctx.corpus.question("zero-q1")
    return ScoringTask(question.q, list(question.key_points), list(question.pitfalls))


def test_scores_rank_full_over_partial_over_empty_and_off_topic(ctx: Context, zero_task: ScoringTask) -> None:
    score = {
        name: ctx.scorer.score(zero_task, text).score
        for name, text in {"full": FULL, "partial": PARTIAL, "off": OFF_TOPIC, "empty": "", "idk": "不知道"}.items()
    }
    assert score["full"] >= 4.0
    assert score["full"] > score["partial"] > score["off"]
    assert score["empty"] == score["idk"] == 0.0
    assert score["off"] <= 1.0


def test_every_hit_carries_a_sentence_of_the_answer_as_evidence(ctx: Context, zero_task: ScoringTask) -> None:
    result = ctx.scorer.score(zero_task, FULL)
    hits = [kp for kp in result.key_points if kp.hit]
    assert len(hits) >= 4
    for kp in hits:
        assert kp.evidence and kp.evidence.replace(" ", "") in FULL.replace(" ", "")
    assert all(kp.evidence is None for kp in result.key_points if not kp.hit)


def test_english_answer_to_a_chinese_question_scores_high(ctx: Context, zero_task: ScoringTask) -> None:
    result = ctx.scorer.score(zero_task, ENGLISH, lang="en")
    assert result.score >= 3.0
    assert result.score >= ctx.scorer.score(zero_task, OFF_TOPIC, lang="en").score + 2
    assert "Missed" in result.feedback or "covered" in result.feedback.lower()


def test_confidently_wrong_answer_is_flagged_and_capped(ctx: Context, zero_task: ScoringTask) -> None:
    result = ctx.scorer.score(zero_task, WRONG)
    assert "pitfall" in result.flags
    assert result.score <= 2.5
    assert result.pitfalls_hit and "数据并行" in result.pitfalls_hit[0]["correction"]


def test_feedback_lists_missed_points_and_model_answer(ctx: Context, zero_task: ScoringTask) -> None:
    result = ctx.scorer.score(zero_task, PARTIAL)
    missed = [kp.text for kp in result.key_points if not kp.hit]
    assert missed and all(text in result.feedback for text in missed)
    assert "16" in result.model_answer
    json_shape = result.as_json()
    assert set(json_shape) >= {"score", "overall", "dimensions", "key_points", "feedback", "flags"}
    assert 0 <= json_shape["overall"] <= 100
    assert all(0 <= v <= 5 for v in json_shape["dimensions"].values())


def test_hint_costs_points(ctx: Context, zero_task: ScoringTask) -> None:
    plain = ctx.scorer.score(zero_task, PARTIAL)
    hinted = ctx.scorer.score(zero_task, PARTIAL, hints_used=1)
    assert hinted.score < plain.score and "hint_used" in hinted.flags
