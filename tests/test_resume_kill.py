"""A real `kaoda interview` process killed with SIGKILL resumes with nothing lost (issue 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.context import Context
from agent.store import TranscriptStore

pytestmark = pytest.mark.slow
KAODA = [sys.executable, "-m", "agent"]


def wait_for(condition, timeout: float = 180.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the interview process")
        time.sleep(0.1)


def answered(store: TranscriptStore, interview_id: str) -> list[dict]:
    return [t for t in store.get(interview_id)["turns"] if t["answer"] is not None]


def start_interactive(home: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "KAODA_HOME": str(home)}
    proc = subprocess.Popen(
        [*KAODA, "interview", "--company", "didi", "--role", "infra", "--questions", "4", "--seed", "4"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("interview "), first
    return proc, first.split()[1]


def send(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def test_sigkill_between_turns_then_resume_loses_nothing(ctx: Context, home: Path, tmp_path: Path) -> None:
    proc, interview_id = start_interactive(home)
    typed = ["我在字节用 ZeRO-3 训练过 7B 模型，显存从 80G 降到 30G", "ZeRO-3 把参数、梯度、优化器状态都切分到各卡"]
    try:
        for n, text in enumerate(typed, 1):
            send(proc, text)
            # the answer is committed, and so is the next question, before it is shown
            wait_for(
                lambda n=n: (
                    len(answered(ctx.store, interview_id)) == n and len(ctx.store.get(interview_id)["turns"]) == n + 1
                )
            )
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    saved = ctx.store.get(interview_id)
    assert [t["answer"] for t in answered(ctx.store, interview_id)] == typed
    assert saved["turns"][-1]["answer"] is None and saved["status"] == "active"

    rest = tmp_path / "rest.txt"
    rest.write_text("\n".join(["不知道"] * 12), encoding="utf-8")
    env = {**os.environ, "KAODA_HOME": str(home)}
    done = subprocess.run(
        [*KAODA, "interview", "--resume-id", interview_id, "--answers", str(rest)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    final = ctx.store.get(interview_id)
    assert final["status"] == "finished"
    assert [t["answer"] for t in final["turns"][:2]] == typed  # untouched by the resume
    assert [t["index"] for t in final["turns"]] == list(range(len(final["turns"])))
    assert all(t["score"] for t in final["turns"][1:] if t["answer"] is not None and t["question_id"])


def test_sigkill_mid_turn_leaves_a_consistent_transcript_that_resumes(ctx: Context, home: Path) -> None:
    proc, interview_id = start_interactive(home)
    try:
        send(proc, "我做过 RAG 系统，召回率从 60% 提到 85%")
        wait_for(lambda: len(answered(ctx.store, interview_id)) == 1)
        send(proc, "向量检索加 BM25 混合召回，再用 reranker 重排")
        proc.send_signal(signal.SIGKILL)  # somewhere inside scoring / saving / asking
        proc.wait(timeout=30)
    finally:
        proc.kill()
    turns = ctx.store.get(interview_id)["turns"]
    # the kill lands before the answer is saved, between answer and next question, or after both
    assert len(turns) in (2, 3)
    for turn in turns:
        if turn["answer"] is not None and turn["question_id"]:
            assert turn["score"] is not None  # an answer is never saved without its score
    from agent.interview import InterviewSession

    resumed = InterviewSession.resume(ctx, interview_id)
    open_turn = resumed.current()
    assert open_turn is not None and open_turn["index"] == len(ctx.store.get(interview_id)["turns"]) - 1
    assert [t["answer"] for t in ctx.store.get(interview_id)["turns"][: len(turns) - 1]] == [
        t["answer"] for t in turns[:-1]
    ]
    resumed.answer("不知道")
    assert ctx.store.get(interview_id)["turns"][open_turn["index"]]["answer"] == "不知道"


def test_crash_after_the_answer_is_saved_but_before_the_next_question(ctx: Context) -> None:
    """The narrowest window of a kill: the answer is committed, the next question is not yet asked."""
    from agent.context import build_context
    from agent.interview import InterviewSession

    session = InterviewSession.start(ctx, "didi", "infra", "", "zh", n_questions=2, seed=8)
    session.answer("我做过 ZeRO-3 的训练框架")

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("process died here")

    session.brain.next_move = crash  # the process dies right after the answer's commit
    with pytest.raises(RuntimeError):
        session.answer("数据并行每卡一份完整模型，梯度用 all-reduce 同步")
    saved = ctx.store.get(session.state.id)["turns"]
    assert saved[-1]["answer"] == "数据并行每卡一份完整模型，梯度用 all-reduce 同步" and saved[-1]["score"]

    fresh = build_context(ctx.settings)  # a new process
    resumed = InterviewSession.resume(fresh, session.state.id)
    assert resumed.current() is not None and resumed.current()["index"] == len(saved)
    assert fresh.store.get(session.state.id)["turns"][len(saved) - 1]["answer"] == saved[-1]["answer"]
