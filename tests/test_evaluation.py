"""Metrics by hand-checked examples, and the eval commands on arbitrary JSONL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.context import Context
from agent.errors import InputError
from agent.evaluation import agreement, quadratic_weighted_kappa, read_jsonl, spearman
from agent.reference import task_for_row


def test_metrics_on_known_values() -> None:
    perfect = agreement([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5])
    assert perfect["pearson"] == 1.0 and perfect["qwk"] == 1.0 and perfect["rmse"] == 0.0
    assert spearman([1, 2, 3, 4], [10, 20, 30, 1000]) == pytest.approx(1.0)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert quadratic_weighted_kappa([0, 5, 0, 5], [5, 0, 5, 0]) < 0
    shifted = agreement([1, 2, 3, 4], [2, 3, 4, 5])
    assert shifted["pearson"] == pytest.approx(1.0) and shifted["rmse"] == pytest.approx(1.0)


def test_bad_jsonl_names_the_line(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"query": "a", "relevant_ids": ["x"]}\n{"query": "b"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=":2: missing field"):
        read_jsonl(data, ("query", "relevant_ids"))
    data.write_text("not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=":1: not valid JSON"):
        read_jsonl(data, ("query",))
    data.write_text('["query", "relevant_ids"]\n', encoding="utf-8")
    with pytest.raises(InputError, match=":1: expected a JSON object"):
        read_jsonl(data, ("query", "relevant_ids"))
    data.write_text('{"question": "q", "reference_answer": "r", "answer": "a", "score": "abc"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=":1: field 'score' must be a number"):
        read_jsonl(data, ("question", "reference_answer", "answer", "score"))
    data.write_text('{"query": "a", "relevant_ids": "zero"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="field 'relevant_ids' must be a list of ids"):
        read_jsonl(data, ("query", "relevant_ids"))


@pytest.mark.slow
def test_eval_commands_on_arbitrary_rows(ctx: Context, tmp_path: Path) -> None:
    retrieval = tmp_path / "r.jsonl"
    retrieval.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"query": "ZeRO 三个阶段", "relevant_ids": ["zero"]},
                {"query": "rotary position embedding", "relevant_ids": ["rope"]},
            ]
        ),
        encoding="utf-8",
    )
    scoring = tmp_path / "s.jsonl"
    rows = [  # questions from outside the corpus: key points come from the reference answer
        {
            "question": "What is a Bloom filter?",
            "reference_answer": "A bit array with k hash functions. "
            "False positives are possible. False negatives are impossible.",
            "score_max": 10,
            "answer": "A bit array plus k hash functions; it may give false positives but never false negatives.",
            "score": 10,
        },
        {
            "question": "What is a Bloom filter?",
            "reference_answer": "A bit array with k hash functions. "
            "False positives are possible. False negatives are impossible.",
            "score_max": 10,
            "answer": "A kind of tree that stores sorted keys.",
            "score": 1,
        },
        {
            "question": "What is a Bloom filter?",
            "reference_answer": "A bit array with k hash functions. "
            "False positives are possible. False negatives are impossible.",
            "score_max": 10,
            "answer": "It uses hash functions and a bit array.",
            "score": 5,
        },
    ]
    lru = "LRU 缓存怎么实现？"
    lru_reference = "用哈希表加双向链表。哈希表 O(1) 找到节点。访问时把节点移到链表头。容量满了淘汰链表尾部的节点。"
    rows += [  # zh, one row with its own key points instead of derived ones
        {
            "question": lru,
            "reference_answer": lru_reference,
            "answer": "哈希表存 key 到链表节点的映射，O(1) 找到节点；双向链表按访问顺序排，"
            "访问时移到链表头，满了删链表尾部。",
            "score": 5,
            "score_max": 5,
        },
        {
            "question": lru,
            "reference_answer": lru_reference,
            "answer": "用一个数组存，满了随机删一个。",
            "score": 0,
            "score_max": 5,
        },
        {
            "question": lru,
            "reference_answer": lru_reference,
            "key_points": ["哈希表加双向链表", "O(1) 找到节点", "访问时移到链表头", "满了淘汰链表尾部"],
            "answer": "用哈希表加双向链表。",
            "score": 2,
            "score_max": 5,
        },
    ]
    scoring.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    env = {**os.environ, "KAODA_HOME": str(ctx.settings.home)}
    for what, path, keys in (
        ("retrieval", retrieval, {"n", "recall@1", "recall@3", "recall@5", "mrr"}),
        ("scoring", scoring, {"n", "pearson", "spearman", "qwk", "rmse", "mid_band"}),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "agent", "eval", what, "--data", str(path), "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert keys <= set(result) and result["n"] == (2 if what == "retrieval" else 6)
    assert result["pearson"] > 0.5  # the scorer orders full > partial > wrong here
    # row by row, the function the command scores with: full > partial > wrong, in both languages
    scored = [ctx.scorer.score(task_for_row(ctx, row), row["answer"]).score for row in rows]
    assert scored[0] > scored[2] > scored[1] and scored[3] > scored[5] > scored[4], scored
    assert len(task_for_row(ctx, rows[3]).key_points) == 4  # derived: one key point per reference sentence
    assert [kp.zh for kp in task_for_row(ctx, rows[5]).key_points] == rows[5]["key_points"]


@pytest.mark.slow
def test_eval_scoring_uses_the_judge_when_an_endpoint_is_configured(ctx: Context, tmp_path: Path) -> None:
    """`kaoda eval scoring` measures what the product gives: judged in LLM mode, offline with --offline."""
    from tests.fake_openai import FakeOpenAI
    from tests.test_llm_interview import scripted_judge

    reference = "A bit array with k hash functions. False positives are possible. False negatives are impossible."
    answers = [
        ("A bit array plus k hash functions; false positives are possible, false negatives are not.", 5),
        ("A kind of tree that stores sorted keys.", 0),
        ("It uses hash functions and a bit array.", 3),
    ]
    data = tmp_path / "s.jsonl"
    data.write_text(
        "".join(
            json.dumps({"question": "What is a Bloom filter?", "reference_answer": reference, "answer": a, "score": s})
            + "\n"
            for a, s in answers
        ),
        encoding="utf-8",
    )

    def run(server: FakeOpenAI, *flags: str) -> dict[str, object]:
        env = {
            **os.environ,
            "KAODA_HOME": str(ctx.settings.home),
            "KAODA_LLM_BASE_URL": server.url,
            "KAODA_LLM_API_KEY": "sk-eval",
            "KAODA_LLM_MODEL": "judge-model",
            "KAODA_LLM_MAX_RETRIES": "0",
        }
        command = [sys.executable, "-m", "agent", "eval", "scoring", "--data", str(data), "--json", *flags]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    judge = FakeOpenAI(default=scripted_judge).start()
    broken = FakeOpenAI(default=lambda body: "this is not a verdict").start()
    try:
        judged = run(judge)
        assert judged["scorer"] == "llm judge (judge-model) + offline" and judged["judge_failures"] == 0
        assert len(judge.requests) >= 3 and all("<<<ANSWER-" in r["messages"][-1]["content"] for r in judge.requests)
        asked = len(judge.requests)
        offline = run(judge, "--offline")
        assert offline["scorer"] == "offline" and "judge_failures" not in offline
        assert len(judge.requests) == asked  # --offline sends nothing
        failed = run(broken)
        assert failed["judge_failures"] == 3 and failed["n"] == 3  # every row still scored, offline
        assert failed["pearson"] == offline["pearson"]
    finally:
        judge.stop()
        broken.stop()
