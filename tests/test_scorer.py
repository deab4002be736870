"""The offline scorer with the real model: ranking, evidence, pitfalls, refusals."""

from __future__ import annotations

import json
import re

import pytest

from agent.context import Context
from agent.dimensions import DIMENSION_NAMES, hedged, hedging_share
from agent.rubric import ScoringTask
from agent.text import sentences

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
    # 2.9 with the fitted weights (completeness and correctness carry the score; cross-lingual coverage is lower)
    assert result.score >= 2.5
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


HEDGES = {  # sentence -> is it the speaker's doubt (True) or a confident / conditional statement (False)
    "我猜可能是因为显存不够吧": True,
    "它可能是把 KV 缓存起来了": True,
    "好像是 GQA 共享 K/V": True,
    "具体数字我记不太清了": True,
    "应该是 16 字节吧": True,
    "Maybe it caches the keys": True,
    "I'm not sure, but it is 16 bytes": True,
    "I think it might be 16 bytes": True,
    "If I remember correctly it's 8 heads": True,
    "batch 太大时可能导致 OOM": False,
    "可能导致 OOM": False,
    "loss 不降可能是学习率太大，也可能是数据有问题": False,
    "如果学习率太大，可能是 loss spike 的原因": False,
    "通信量大概 1.5 倍": False,
    "大概率是数据问题": False,
    "RM 集成或不确定性惩罚": False,
    "ZeRO-3 不可能降低通信量": False,
    "就好像查字典一样": False,
    "It might overflow in fp16 when the logits are large": False,
    "If the data is noisy, the model will probably overfit": False,
    "I think ZeRO-3 shards the parameters": False,
    "A Bloom filter is a kind of bit array": False,
}


def test_hedges_are_the_speakers_doubt_not_conditional_mechanisms() -> None:
    wrong = {s: hedged(s) for s, expected in HEDGES.items() if (hedged(s) is not None) != expected}
    assert not wrong, wrong
    assert hedging_share(["我猜是 A", "B 是 C", "可能导致 OOM", "I'm not sure"]) == 0.5


def test_key_points_and_notes_of_the_corpus_read_as_confident(ctx: Context) -> None:
    """The corpus is written by people who know: almost none of its sentences may read as hedged."""
    texts = [
        t for card in ctx.corpus.cards.values() for q in card.questions for kp in q.key_points for t in (kp.zh, kp.en)
    ]
    texts += [s for card in ctx.corpus.cards.values() for note in (card.note_zh, card.note_en) for s in sentences(note)]
    flagged = [t for t in texts if hedged(t)]
    assert len(texts) > 5000 and len(flagged) <= 5, flagged


def test_hedged_answer_is_flagged_with_feedback_and_never_scores_higher(ctx: Context, zero_task: ScoringTask) -> None:
    confident = ctx.scorer.score(zero_task, PARTIAL)
    unsure = ctx.scorer.score(zero_task, "我不太确定，好像是 " + PARTIAL + " 具体数字我记不清了。")
    assert "hedging" in unsure.flags and "hedging" not in confident.flags
    assert unsure.signals["hedging"] > 0 and confident.signals["hedging"] == 0
    assert [h["marker"] for h in unsure.signals["hedged"]][:1] == ["不太确定"]
    assert unsure.score <= confident.score
    assert "说得肯定些" in unsure.feedback or "核实一下" in unsure.feedback
    english = ctx.scorer.score(zero_task, "I'm not sure. " + ENGLISH, lang="en")
    assert "hedging" in english.flags and ("confidence" in english.feedback or "check it" in english.feedback)


def test_conditional_mechanisms_raise_no_hedging_flag(ctx: Context) -> None:
    _card, question = ctx.corpus.question("kv-cache-q1")
    task = ScoringTask(question.q, list(question.key_points), list(question.pitfalls), topic_id="kv-cache")
    answer = "KV cache 缓存之前 token 的 K 和 V，解码时不用重算。序列很长、batch 很大时，KV cache 可能导致 OOM。"
    result = ctx.scorer.score(task, answer)
    assert "hedging" not in result.flags and result.signals["hedging"] == 0.0
    assert result.study == ["kv-cache"]  # a topic question always links its card


def test_rubrics_are_complete_and_calibration_is_what_the_scorer_uses(ctx: Context) -> None:
    assert set(ctx.corpus.rubrics) == {"technical", "project", "behavioral", "coding"}
    for kind, rubric in ctx.corpus.rubrics.items():
        assert [d.name for d in rubric.dimensions] == list(DIMENSION_NAMES[kind])
        for dimension in rubric.dimensions:
            assert [lv.score for lv in dimension.levels] == [0, 1, 2, 3, 4, 5]
            assert all(lv.zh.strip() and lv.en.strip() for lv in dimension.levels)
    stored = json.loads((ctx.settings.corpus_root / "rubrics" / "calibration.json").read_text("utf-8"))
    for kind, weights in stored["weights"].items():
        assert set(weights) == set(DIMENSION_NAMES[kind]) and ctx.scorer.weights(kind) == weights
    assert set(stored["hedging"]) <= set(DIMENSION_NAMES) and all(v >= 0 for v in stored["hedging"].values())


def test_overall_is_the_score_on_100(ctx: Context, zero_task: ScoringTask) -> None:
    for text in (FULL, PARTIAL, WRONG, OFF_TOPIC, ""):
        result = ctx.scorer.score(zero_task, text)
        assert 0 <= result.score <= 5 and result.overall == round(result.score * 20)


@pytest.mark.parametrize("question_id", ["dpo-q1", "grpo-q1", "activations-q2", "bert-gpt-t5-q1", "dpo-variants-q1"])
def test_the_model_answer_is_written_from_the_topic_note_and_covers_the_points(ctx: Context, question_id: str) -> None:
    """Where the note states a key point its sentence is used; scored, the answer does as well as the points."""
    from agent.reference import corpus_task
    from agent.rubric import model_answer

    card, question = ctx.corpus.question(question_id)
    task = corpus_task(card, question)
    for lang, note in (("zh", card.note_zh), ("en", card.note_en)):
        answer = ctx.scorer.score(task, "", lang).model_answer
        pieces = [p.strip() for p in re.split(r"。|\.\s", answer) if len(p.strip()) >= 12]
        assert [p for p in pieces if p[:12] in note], (lang, answer)  # some of it in the note's own words
        points_only = ctx.scorer.score(task, model_answer(task.key_points, lang), lang).score
        result = ctx.scorer.score(task, answer, lang)
        assert result.score >= min(4.0, points_only - 0.5), (lang, result.score, points_only, answer)
        assert not set(result.flags) & {"off_topic", "pitfall"}, (lang, result.flags)
