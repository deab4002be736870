"""Pieces of the LLM path: JSON repair, leak and language checks, prompts, embeddings backends, ping."""

from __future__ import annotations

import numpy as np
import pytest

from agent.brains.llm import leaks, wrong_language
from agent.config import load_settings
from agent.embeddings import OpenAIEmbedder, as_langchain, get_embedder
from agent.errors import ConfigError
from agent.ledger import contradictions, facts_in
from agent.llm import parse_json_reply
from agent.prompts import PROMPT_VARIABLES, chat_messages
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
        if name == "judge":
            continue  # the judge prompt arrives with the rubric issue
        for lang in ("zh", "en"):
            messages = chat_messages(name, lang, **{v: f"<{v}>" for v in variables})
            assert len(messages) == 2 and "<material>" in messages[1].content
            with pytest.raises(Exception, match="undefined"):
                chat_messages(name, lang, **{v: "x" for v in variables if v != "plan"})


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
