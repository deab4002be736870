"""Pieces of the LLM path: JSON repair, leak and language checks, prompts, embeddings backends, ping."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from agent.brains.llm import leaks, wrong_language
from agent.config import load_settings
from agent.embeddings import OpenAIEmbedder, as_langchain, get_embedder
from agent.errors import ConfigError
from agent.judge import judge_answer
from agent.ledger import contradictions, facts_in
from agent.llm import make_chat_model, parse_json_reply
from agent.prompts import PROMPT_VARIABLES, chat_messages
from agent.reference import corpus_task
from tests.fake_openai import FakeOpenAI


def test_json_replies_are_found_in_fences_and_prose() -> None:
    assert parse_json_reply('好的：\n```json\n{"move": "deeper"}\n```') == {"move": "deeper"}
    assert parse_json_reply('Sure! {"a": 1} hope that helps') == {"a": 1}
    for bad in ("", "no json", '{"a": ', "[1, 2]"):
        with pytest.raises(ValueError):
            parse_json_reply(bad)


def test_leak_and_language_checks() -> None:
    point = "GQA 把查询头分组，每组共享一组 K/V"
    assert leaks(f"你知道吗，{point}。为什么？", [point]) == point
    assert leaks("GQA 和 MHA 的区别是什么？", [point]) is None
    assert wrong_language("Tell me about GQA.", "zh") and not wrong_language("讲讲 GQA 的原理？", "zh")
    assert wrong_language("讲讲 GQA 的原理？", "en") and not wrong_language("How does GQA work?", "en")


def test_every_prompt_renders_with_its_declared_variables_only() -> None:
    for name, variables in PROMPT_VARIABLES.items():
        data, left_out = ("answer", "rubric") if name == "judge" else ("material", "plan")
        for lang in ("zh", "en"):
            messages = chat_messages(name, lang, **{v: f"<{v}>" for v in variables})
            assert len(messages) == 2 and f"<{data}>" in messages[1].content
            assert f"<{data}>" not in messages[0].content  # what is graded or quoted never sits in the instructions
            with pytest.raises(Exception, match="undefined"):
                chat_messages(name, lang, **{v: "x" for v in variables if v != left_out})


def test_contradicting_gpu_counts_are_found() -> None:
    facts = facts_in("我们用 8 张 A100 训练。", 1) + facts_in("当时是 64 张卡并行的。", 3) + facts_in("8 张卡", 1)
    found = contradictions(facts)
    assert [(a.value, b.value) for a, b in found] == [(8.0, 64.0)]
    assert not contradictions(facts_in("8 张卡训练 7B，推理用 1 张卡", 2))  # one answer never contradicts itself


@pytest.mark.slow
def test_langchain_adapter_wraps_the_local_model() -> None:
    lc = as_langchain(get_embedder("e5-small"))
    docs = lc.embed_documents(["GQA 共享 K/V", "今天天气很好"])
    query = lc.embed_query("分组查询注意力共享键值")
    assert len(docs) == 2 and len(query) == 384
    assert np.dot(query, docs[0]) > np.dot(query, docs[1])


def test_openai_compatible_embeddings_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeOpenAI().start()
    try:
        monkeypatch.setenv("KAODA_LLM_BASE_URL", server.url)
        monkeypatch.setenv("KAODA_LLM_API_KEY", "sk-emb")
        embedder = OpenAIEmbedder("openai:toy", "toy")
        vectors = embedder.embed_passages(["abc", "xyz", "abc"])
        assert vectors.shape == (3, 16) and np.allclose(vectors[0], vectors[2])
        assert np.isclose(np.linalg.norm(embedder.embed_query("abc")), 1.0)
        assert server.requests[-1]["model"] == "toy"
    finally:
        server.stop()
    monkeypatch.delenv("KAODA_LLM_API_KEY")
    with pytest.raises(ConfigError, match="API key"):
        OpenAIEmbedder("openai:toy", "toy")


def test_unknown_embedding_spec_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match="e5-small"):
        get_embedder("word2vec-please")


def test_settings_tab_test_connection(home) -> None:
    from agent.context import build_context
    from ui.library import test_connection

    ctx = build_context(load_settings({"home": home}, env={}))
    server = FakeOpenAI(default="ok").start()
    try:
        assert test_connection(server.url, "sk-ui", "fake", ctx).startswith("✅")
        assert "⚠️" in test_connection("http://127.0.0.1:9/v1", "sk-ui", "fake", ctx.with_settings(llm_max_retries=0))
        assert "offline" in test_connection(server.url, "", "fake", ctx)
    finally:
        server.stop()


@pytest.mark.slow
def test_judge_prompt_verified_quotes_reconciliation_and_failure_reason(home) -> None:
    from agent.context import build_context

    ctx = build_context(load_settings({"home": home}, env={}))
    card, question = ctx.corpus.question("zero-q1")
    task = corpus_task(card, question)
    answer = "ZeRO-1 切分优化器状态。ZeRO-2 再切分梯度。"
    offline = ctx.scorer.score(task, answer)
    verdict = {
        "dimensions": {"correctness": 5},
        "score": 5,
        "feedback": "不错",
        "flags": [],
        "key_points": [
            {"index": 1, "hit": True, "quote": "ZeRO-2 再切分梯度"},  # really in the answer
            {"index": 2, "hit": True, "quote": "ZeRO-3 把参数也切了"},  # not in the answer: discarded
        ],
    }
    server = FakeOpenAI().start()
    server.enqueue(json.dumps(verdict, ensure_ascii=False), "no json here", "still no json")
    try:
        llm = ctx.with_settings(llm_base_url=server.url, llm_api_key="sk-j", llm_model="judge", llm_max_retries=0)
        model = make_chat_model(llm.settings, temperature=0.0)
        judged = judge_answer(llm, model, task, answer, offline, "zh")
        failed = judge_answer(llm, model, task, answer, offline, "zh")
    finally:
        server.stop()
    system, user = (m["content"] for m in server.requests[0]["messages"][:2])
    for dimension in ctx.corpus.rubrics["technical"].dimensions:  # every level's descriptor is in the prompt
        assert all(level.zh in system for level in dimension.levels)
    assert all(kp.zh in system for kp in question.key_points)
    assert "score 5:" in system and "score 0:" in system and question.pitfalls[0].zh in system  # exemplars
    assert answer not in system and re.search(r"<<<ANSWER-(\w+)>>>\n.*ZeRO-2.*\n<<<END-\1>>>", user, re.S)
    assert judged.key_points[2].evidence != "ZeRO-3 把参数也切了" and judged.judge["discarded_quotes"] == 1
    assert judged.key_points[1].hit and judged.key_points[1].evidence in answer
    hits = sum(kp.hit for kp in judged.key_points)
    assert judged.judge["supported"] == round(min(5.0, 5.0 * hits / len(judged.key_points) + 1.0), 2)
    assert judged.score <= round((judged.judge["supported"] + offline.score) / 2, 1) + 0.05  # not the judge's 5
    assert judged.score <= offline.score + 1.0 and judged.scorer == "offline+llm-judge"
    assert failed.score == offline.score and failed.scorer == "offline-v2"
    assert failed.judge and failed.judge["error"].startswith("invalid reply")
