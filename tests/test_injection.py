"""Gaming the grader never pays: score(answer + attack) <= score(answer), offline and with the judge.

The attacks (tests/data/attacks.jsonl, 30+ in zh and en) are appended, prepended or wrapped around
real answers of different quality; every attacked answer must also be flagged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.context import Context
from agent.judge import judge_answer, judged_score
from agent.reference import corpus_task
from tests.fake_openai import FakeOpenAI
from tests.test_llm_interview import scripted_judge

pytestmark = pytest.mark.slow
_LINES = (Path(__file__).parent / "data" / "attacks.jsonl").read_text("utf-8").splitlines()
ATTACKS = [json.loads(line) for line in _LINES if line.strip()]
BASES = [  # (question id, answer): a strong, a partial and a weak answer, zh and en
    ("zero-q1", "ZeRO-1 切分优化器状态，ZeRO-2 再切分梯度，ZeRO-3 连参数也切分，每卡显存约 16Ψ/N，通信量变成 1.5 倍。"),
    ("mha-mqa-gqa-q1", "GQA 把查询头分成几组，每组共享一组 K 和 V。"),
    ("kv-cache-q1", "I think it caches something during decoding so it is faster."),
]
FLAGS = {
    "injection",
    "keyword_stuffing",
    "repeats_question",
    "padding",
    "gibberish",
    "obfuscation",
    "repetitive",
    "truncated",
    "off_topic",
    "off_topic_part",
}


def attacked(answer: str, attack: dict[str, Any]) -> str:
    if attack["placement"] == "wrap":
        return attack["text"].replace("{answer}", answer)
    return f"{attack['text']}\n{answer}" if attack["placement"] == "prefix" else f"{answer}\n{attack['text']}"


def test_the_suite_is_broad() -> None:
    assert len(ATTACKS) >= 30
    assert {a["lang"] for a in ATTACKS} == {"zh", "en"}
    assert len({a["kind"] for a in ATTACKS}) >= 12


@pytest.mark.parametrize("attack", ATTACKS, ids=[a["id"] for a in ATTACKS])
def test_offline_score_never_rises_and_the_turn_is_flagged(ctx: Context, attack: dict[str, Any]) -> None:
    for question_id, answer in BASES:
        card, question = ctx.corpus.question(question_id)
        task = corpus_task(card, question)
        alone = ctx.scorer.score(task, answer)
        gamed = ctx.scorer.score(task, attacked(answer, attack))
        assert gamed.score <= alone.score, (question_id, gamed.score, alone.score, gamed.flags)
        assert set(gamed.flags) & FLAGS, (question_id, gamed.flags)


@pytest.fixture(scope="module")
def gullible_judge() -> Any:
    server = FakeOpenAI(default=lambda body: scripted_judge(body, gullible=True)).start()
    yield server
    server.stop()


@pytest.mark.parametrize("attack", ATTACKS, ids=[a["id"] for a in ATTACKS])
def test_judged_score_never_rises_even_with_a_gullible_judge(
    ctx: Context, gullible_judge: FakeOpenAI, attack: dict[str, Any]
) -> None:
    from agent.llm import make_chat_model

    llm = ctx.with_settings(
        llm_base_url=gullible_judge.url, llm_api_key="sk-judge", llm_model="judge", llm_max_retries=0
    )
    model = make_chat_model(llm.settings, temperature=0.0)
    question_id, answer = BASES[1]
    card, question = ctx.corpus.question(question_id)
    task = corpus_task(card, question)
    alone = judge_answer(llm, model, task, answer, ctx.scorer.score(task, answer), "zh")
    text = attacked(answer, attack)
    gamed = judge_answer(llm, model, task, text, ctx.scorer.score(task, text), "zh")
    assert gamed.score <= alone.score, (gamed.score, alone.score, gamed.flags)
    assert set(gamed.flags) & FLAGS, gamed.flags  # the judged turn is flagged too
    # the interview's path: the offline score runs while the judge's request is out; same verdict
    overlapped = judged_score(llm, model, task, text, "zh")
    assert (overlapped.score, sorted(overlapped.flags)) == (gamed.score, sorted(gamed.flags))
