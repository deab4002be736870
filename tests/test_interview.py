"""The offline interviewer end to end on the real corpus: moves, depth, sources, saving, resume."""

from __future__ import annotations

import pytest

from agent.context import Context
from agent.errors import InputError
from agent.interview import InterviewSession

pytestmark = pytest.mark.slow

RESUME = "研究生，负责 7B 模型的 LoRA 微调，8 张 A100，显存从 80G 降到 24G；用 ZeRO-3 和 vLLM 部署过服务。"


def _good_answer(ctx: Context, turn: dict) -> str:
    """An answer built from the question's own key points (what a strong candidate would say)."""
    _card, question = ctx.corpus.question(turn["question_id"])
    indices = turn["meta"].get("key_point_indices")
    points = [question.key_points[i] for i in indices] if indices is not None else question.key_points
    return "。".join(kp.zh for kp in points) + "。"


def test_interview_runs_plan_follow_ups_and_wrap_up(ctx: Context) -> None:
    session = InterviewSession.start(ctx, "didi", "infra", RESUME, "zh", n_questions=3, seed=3)
    assert session.current()["move"] == "intro"
    session.answer(RESUME)
    moves = []
    while (turn := session.current()) is not None:
        assert turn["sources"] and turn["question_id"] in ctx.corpus.questions
        assert turn["question_id"] in turn["sources"]
        moves.append(turn["move"])
        # weak answers to main questions, strong ones to everything else: both branches get exercised
        answer = (
            "我不太确定，大概和显存有关吧。" if turn["move"] in ("switch_topic", "project") else _good_answer(ctx, turn)
        )
        session.answer(answer)
        assert len(moves) < 20
    assert session.finished
    assert session.state.main_asked == 3
    assert "follow_up" in moves
    assert session.state.turns[-1]["move"] == "wrap_up"
    assert session.state.depth <= session.company.follow_up_depth
    summary = session.state.summary
    assert summary and 0 <= summary["overall"] <= 100 and summary["weak_topics"]


def test_good_answers_go_deeper_down_the_chain(ctx: Context) -> None:
    session = InterviewSession.start(ctx, "generic", "algorithm", "", "zh", n_questions=2, seed=5)
    session.answer("我是一名学生。")
    first = session.current()
    session.answer(_good_answer(ctx, first))
    second = session.current()
    _card, asked = ctx.corpus.question(first["question_id"])
    if asked.follow_ups:
        assert second["move"] in ("deeper", "scenario")
        assert second["question_id"] in asked.follow_ups


def test_follow_ups_never_exceed_the_company_depth(ctx: Context) -> None:
    depth = ctx.corpus.companies["generic"].follow_up_depth
    session = InterviewSession.start(ctx, "generic", "algorithm", "", "zh", n_questions=2, seed=9)
    session.answer("你好")
    streak = 0
    while (turn := session.current()) is not None:
        streak = 0 if turn["move"] in ("switch_topic", "project") else streak + 1
        assert streak <= depth
        session.answer(_good_answer(ctx, turn))


def test_every_turn_is_saved_before_the_next_question(ctx: Context) -> None:
    session = InterviewSession.start(ctx, "generic", "algorithm", "", "en", n_questions=2, seed=1)
    session.answer("I am a student working on RAG.")
    turn = session.current()
    session.answer("It splits the heads into groups that share keys and values.")
    stored = ctx.store.get(session.state.id)["turns"]
    assert stored[turn["index"]]["answer"].startswith("It splits")
    assert stored[turn["index"]]["score"] is not None
    assert stored[-1]["answer"] is None  # the next question, already saved, not yet answered


def test_resume_continues_where_it_stopped(ctx: Context) -> None:
    first = InterviewSession.start(ctx, "generic", "data", "", "zh", n_questions=2, seed=2)
    first.answer("我做数据清洗。")
    open_turn = first.current()
    resumed = InterviewSession.resume(ctx, first.state.id)
    assert resumed.current()["index"] == open_turn["index"]
    resumed.answer("不知道")
    assert ctx.store.get(first.state.id)["turns"][open_turn["index"]]["answer"] == "不知道"


def test_english_interview_speaks_english(ctx: Context) -> None:
    session = InterviewSession.start(ctx, "generic", "application", "", "en", n_questions=1, seed=4)
    assert "self-introduction" in session.current()["question"]
    session.answer("I build RAG systems.")
    assert all(ch < "\u4e00" or ch > "\u9fff" for ch in session.current()["question"][:20])


def test_bad_setup_is_refused(ctx: Context) -> None:
    with pytest.raises(InputError, match="unknown company"):
        InterviewSession.start(ctx, "no-such-co", "algorithm")
    with pytest.raises(InputError, match="unknown role"):
        InterviewSession.start(ctx, "generic", "astronaut")
    session = InterviewSession.start(ctx, "generic", "algorithm", n_questions=1, seed=1)
    with pytest.raises(InputError, match="limit"):
        session.answer("x" * 30000)
    assert session.current()["answer"] is None  # the refused answer changed nothing


def test_a_contradiction_is_asked_about_as_a_follow_up(ctx: Context) -> None:
    session = InterviewSession.start(
        ctx, "generic", "infra", "我负责 7B 模型的分布式训练，用了 8 张 A100。", "zh", 3, seed=1
    )
    session.answer("我做分布式训练。")
    session.answer("我们当时其实是 64 张卡一起训的，ZeRO-3。")
    turn = session.current()
    assert turn["move"] == "follow_up" and "8" in turn["question"] and "64" in turn["question"]
    assert turn["reason"].startswith("contradiction")
    session.answer("口径不同：8 张是单机调试，64 张是正式训练。")
    assert "contradiction" not in (session.current() or {}).get("reason", "")  # asked once, not again
