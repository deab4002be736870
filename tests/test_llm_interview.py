"""The LLM interviewer against a real OpenAI-compatible HTTP server on 127.0.0.1 with scripted replies."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import load_settings
from agent.context import Context, build_context
from agent.export import to_json, to_markdown
from agent.interview import InterviewSession
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.slow
KEY = "sk-test-SECRET-kaoda-4242"


def scripted_judge(body: dict[str, Any], gullible: bool = False) -> str:
    """A judge 'model': quotes the answer's first sentence; a gullible one obeys instructions it reads."""
    user = body["messages"][-1]["content"]
    answer = re.search(r"<<<ANSWER-\w+>>>\n(.*)\n<<<END-", user, re.S)
    text = answer.group(1) if answer else ""
    first = re.split(r"[。.!?！？\n]", text)[0]
    obeys = gullible and re.search(r"满分|full marks|score.{0,5}5|perfect", text, re.I)
    score = 5 if obeys else min(4, len(text) // 40)
    verdict = {
        "dimensions": {"correctness": score},
        "score": score,
        "feedback": "scripted judge",
        "key_points": [
            {"index": i, "hit": bool(obeys) or i < 2, "quote": first if i == 0 else "made-up quote"} for i in range(3)
        ],
        "flags": [],
    }
    return json.dumps(verdict, ensure_ascii=False)


def scripted_model(body: dict[str, Any]) -> str:
    """A well-behaved 'model': reads the prompt, picks an allowed move, cites retrieved ids."""
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    if "<<<ANSWER-" in user:
        return scripted_judge(body)
    allowed = re.search(r"(?:move 只能是|move must be one of)[:：]\s*(.+)", system).group(1).rstrip("。.")
    allowed_moves = [m.strip() for m in allowed.split("/")]
    ids = re.findall(r"^\[([^\]]+)\]", user, re.M)
    planned = re.search(r"\(planned question, topic ([^)]+)\)", user)
    topic = planned.group(1) if planned else ""
    missed = re.search(r"(?:遗漏的要点|missed)[:：]\s*(.+)", user)
    if "follow_up" in allowed_moves and missed and missed.group(1).strip() not in ("-", ""):
        move, question = "follow_up", "你刚才的回答里还有一块没讲到，能再展开说说你是怎么考虑的吗？"
    else:
        move = "project" if "project" in allowed_moves and "project:" in user.split("→")[-1][:40] else "switch_topic"
        question = "我们换个话题，结合你的经历讲讲这个方向里你最熟悉的部分，以及背后的原理？"
    decision = {
        "move": move,
        "question": question,
        "topic_id": topic,
        "target_key_point": "",
        "cites": ids[:3],
        "reason": "scripted",
    }
    return "```json\n" + json.dumps(decision, ensure_ascii=False) + "\n```"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(default=scripted_model).start()
    yield fake
    fake.stop()


def llm_context(ctx: Context, url: str, timeout: float = 2.0) -> Context:
    settings = load_settings(
        {
            "home": ctx.settings.home,
            "llm_base_url": url,
            "llm_api_key": KEY,
            "llm_model": "fake-model",
            "llm_timeout": timeout,
            "llm_max_retries": 0,
        },
        env={},
    )
    return build_context(settings)


def run_interview(ctx: Context, n: int = 3, seed: int = 7) -> InterviewSession:
    session = InterviewSession.start(
        ctx, "didi", "infra", "我用 8 张 A100 训练过 7B 模型，负责 ZeRO-3 调优。", "zh", n, seed
    )
    answers = iter(
        [
            "我主要做分布式训练。",
            "ZeRO-3 把参数、梯度和优化器状态都切分了。",
            "不太清楚。",
            "数据并行每卡一份模型。",
            "激活重计算用时间换显存。",
        ]
        + ["不知道"] * 20
    )
    while session.current() is not None:
        session.answer(next(answers))
    return session


def test_llm_interview_completes_with_llm_moves_and_citations(ctx: Context, server: FakeOpenAI) -> None:
    llm = llm_context(ctx, server.url)
    session = run_interview(llm)
    record = llm.store.get(session.state.id)
    assert record["mode"] == "llm" and record["status"] == "finished"
    asked = [t for t in record["turns"] if t["move"] not in ("intro", "wrap_up")]
    by_llm = [t for t in asked if "llm" in t["meta"] and not t["fallback"]]
    assert len(by_llm) >= 3
    for turn in by_llm:
        assert turn["question_id"] and turn["sources"] and turn["question_id"] in turn["sources"]
        assert turn["meta"]["llm"]["model"] == "fake-model" and turn["meta"]["llm"]["latency_ms"] >= 0
        assert turn["meta"]["llm"]["usage"].get("total_tokens", 0) > 0
    assert len([t for t in record["turns"] if t["score"]]) >= 3
    sent = json.dumps(server.requests, ensure_ascii=False)
    assert "<answer>ZeRO-3 把参数" in sent  # answers reach the model quoted as data


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"status": 429}, "endpoint"),
        ({"status": 500}, "endpoint"),
        ({"hang": 4}, "endpoint"),
        ({"close": True}, "endpoint"),
        ("", "invalid reply"),
        ("{not json at all", "invalid reply"),
        ('{"move": "switch_topic", "question": "讲讲', "invalid reply"),
        ('{"move": "switch_topic"}', "invalid reply"),
        ('{"move": "switch_topic", "question": "Tell me about your project in detail."}', "invalid reply"),
        ('{"move": "teleport", "question": "讲讲你的项目？"}', "invalid reply"),
    ],
)
def test_each_failure_falls_back_offline_and_loses_nothing(
    ctx: Context, server: FakeOpenAI, bad: Any, reason: str
) -> None:
    llm = llm_context(ctx, server.url, timeout=1.5)
    session = InterviewSession.start(llm, "generic", "algorithm", "", "zh", 2, seed=3)
    server.enqueue(bad, bad)  # the first try and the repair retry both fail
    session.answer("我做过 RAG 项目。")
    turn = session.current()
    assert turn["fallback"] is True and reason in turn["meta"]["fallback_reason"]
    assert turn["question_id"] in llm.corpus.questions  # the offline brain's question, scorable
    while session.current() is not None:
        session.answer("GQA 让多个查询头共享一组 K/V，省 KV cache。")
    record = llm.store.get(session.state.id)
    assert record["status"] == "finished"
    assert all(t["answer"] is not None for t in record["turns"] if t["move"] != "wrap_up")


def test_a_question_that_leaks_its_answer_is_refused(ctx: Context, server: FakeOpenAI) -> None:
    llm = llm_context(ctx, server.url)
    session = InterviewSession.start(llm, "generic", "algorithm", "", "zh", 1, seed=5)
    planned = session.state.plan[0]
    point = llm.corpus.question(planned.question_id)[1].key_points[0].zh
    leaking = json.dumps(
        {
            "move": "switch_topic",
            "question": f"你知道吗，{point}。请解释一下？",
            "topic_id": planned.card_id,
            "cites": [],
        },
        ensure_ascii=False,
    )
    server.enqueue(leaking, leaking)
    session.answer("你好")
    turn = session.current()
    assert turn["fallback"] and "reveals a key point" in turn["meta"]["fallback_reason"]


def test_connection_refused_runs_offline_for_every_turn(ctx: Context) -> None:
    llm = llm_context(ctx, "http://127.0.0.1:9/v1", timeout=1.0)
    session = run_interview(llm, n=2)
    record = llm.store.get(session.state.id)
    asked = [t for t in record["turns"] if t["move"] not in ("intro", "wrap_up")]
    assert asked and all(t["fallback"] for t in asked) and record["status"] == "finished"


def test_streaming_hands_out_the_growing_question(ctx: Context, server: FakeOpenAI) -> None:
    llm = llm_context(ctx, server.url)
    session = InterviewSession.start(llm, "generic", "algorithm", "", "zh", 1, seed=2)
    seen: list[str] = []
    server.enqueue(
        {
            "content": scripted_model(
                {"messages": [{"content": "move 只能是：switch_topic / project"}, {"content": "-"}]}
            ),
            "chunks": 12,
        }
    )
    session.answer("你好", on_question=seen.append)
    assert len(seen) >= 3 and all(
        seen[i] in seen[i + 1] or seen[i + 1].startswith(seen[i][:1]) for i in range(len(seen) - 1)
    )
    assert session.current()["question"].startswith(seen[-1][:10])


def test_the_key_never_reaches_store_exports_or_logs(ctx: Context, server: FakeOpenAI, tmp_path: Path) -> None:
    llm = llm_context(ctx, server.url)
    server.enqueue({"status": 401})
    session = run_interview(llm, n=2)
    record = llm.store.get(session.state.id)
    everything = json.dumps(record, ensure_ascii=False) + json.dumps(to_json(record)) + to_markdown(record, llm.corpus)
    assert KEY not in everything
    raw = b"".join(p.read_bytes() for p in llm.settings.home.rglob("*") if p.is_file())
    assert KEY.encode() not in raw
    assert {h.get("authorization") for h in server.headers[-3:]} == {f"Bearer {KEY}"}  # it was sent, though


def test_doctor_checks_the_endpoint(ctx: Context, server: FakeOpenAI) -> None:
    import os

    env = {
        **os.environ,
        "KAODA_HOME": str(ctx.settings.home),
        "KAODA_LLM_API_KEY": KEY,
        "KAODA_LLM_BASE_URL": server.url,
        "KAODA_LLM_MODEL": "fake-model",
        "KAODA_LLM_TIMEOUT": "2",
    }
    server.enqueue("ok", "ok")
    good = subprocess.run([sys.executable, "-m", "agent", "doctor"], capture_output=True, text=True, env=env)
    assert good.returncode == 0 and "answered in" in good.stdout
    flagged = subprocess.run(
        [sys.executable, "-m", "agent", "--llm-base-url", server.url, "--llm-model", "flag-model", "doctor"],
        capture_output=True,
        text=True,
        env={**env, "KAODA_LLM_BASE_URL": "http://127.0.0.1:9/v1"},
    )
    assert flagged.returncode == 0 and "flag-model" in flagged.stdout  # flags win over the environment
    bad = subprocess.run(
        [sys.executable, "-m", "agent", "doctor"],
        capture_output=True,
        text=True,
        env={**env, "KAODA_LLM_BASE_URL": "http://127.0.0.1:9/v1", "KAODA_LLM_MAX_RETRIES": "0"},
    )
    assert bad.returncode == 1 and "FAIL endpoint" in bad.stdout
    assert KEY not in good.stdout + good.stderr + bad.stdout + bad.stderr


def test_the_judge_scores_with_verified_quotes_only(ctx: Context, server: FakeOpenAI) -> None:
    llm = llm_context(ctx, server.url)
    session = run_interview(llm, n=1)
    turns = llm.store.get(session.state.id)["turns"]
    judged = [t["score"] for t in turns if t["score"] and t["score"]["judge"] and t["score"]["judge"]["error"] is None]
    assert judged and all(s["scorer"] == "offline+llm-judge" for s in judged)
    assert all(s["judge"]["discarded_quotes"] >= 1 for s in judged)  # the scripted judge's made-up quote
    answers = "".join("".join((t["answer"] or "").split()) for t in turns)
    for s in judged:
        for kp in s["key_points"]:
            assert kp["evidence"] is None or "".join(kp["evidence"].split()) in answers
            assert kp["evidence"] != "made-up quote"


def test_a_failing_judge_leaves_the_offline_score_and_the_reason(ctx: Context, server: FakeOpenAI) -> None:
    llm = llm_context(ctx, server.url)
    session = InterviewSession.start(llm, "generic", "algorithm", "", "zh", 1, seed=4)
    session.answer("你好")
    server.enqueue({"status": 500}, {"status": 500})
    session.answer("GQA 让多个查询头共享一组 K/V。")
    scored = next(t["score"] for t in llm.store.get(session.state.id)["turns"] if t["score"])
    assert scored["scorer"] == "offline-v2" and "endpoint" in scored["judge"]["error"]
