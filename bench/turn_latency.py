"""Offline turn latency: score the answer, choose the next question and render it, as the web app does.

    python bench/turn_latency.py                    # 3 repeats x 3 process conditions; one JSON line each
    python bench/turn_latency.py --repeats 1 --interviews 2

One turn = `ui.handlers.Handlers.reply(interview_id, answer)`: reload the session from SQLite, score
the answer (offline scorer), choose the next move (offline brain), save both, render the chat and the
score panel. Answers are real graded answers from bench/data/scoring_dev_*.jsonl for the question
asked (a seeded pick among the rows of that question), or the question's first key points when the
dev set has none; the self-introduction gets a fixed resume-like paragraph. Answers come at once,
unless `--think S`: S seconds (not timed) between a question and its answer, as a person reading it.

Each repeat uses a fresh KAODA_HOME (a copy of the indexed corpus) and three child processes:
* `new_process_cold_cache`: a new process, no embedding cache on disk (a user's first interviews);
* `new_process_disk_cache`: another new process on the same home (key-point vectors on disk);
* `same_process_again`: the same interviews again in that process (everything in memory).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from random import Random
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import (  # noqa: E402
    REPO,
    Contention,
    app_env,
    build_index,
    emit,
    machine,
    median,
    peak_rss_mb,
    percentiles,
    repo_state,
    wait_quiet,
)

INTRO = (
    "我叫小王，做过两年大模型训练，用 ZeRO-3 和 FSDP 在 64 张 A100 上训练过 13B 模型，也做过 vLLM 推理部署和 RAG 检索。"
)
INTERVIEWS = [  # (company, role, lang, seed)
    ("didi", "infra", "zh", 1),
    ("bytedance", "algorithm", "zh", 2),
    ("moonshot", "application", "en", 3),
    ("alibaba-qwen", "deployment", "zh", 4),
    ("generic", "data", "en", 5),
    ("zhipu", "algorithm", "zh", 6),
]


def dev_answers() -> dict[str, list[str]]:
    """question id -> graded dev-set answers to it."""
    by_question: dict[str, list[str]] = {}
    for path in sorted((BENCH / "data").glob("scoring_dev_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_question.setdefault(str(row.get("question_id") or ""), []).append(row["answer"])
    return by_question


def answer_for(ctx: Any, turn: dict[str, Any], answers: dict[str, list[str]], rng: Random) -> str:
    if turn["move"] == "intro":
        return INTRO
    qid = turn.get("question_id") or ""
    if answers.get(qid):
        return rng.choice(answers[qid])
    if qid in ctx.corpus.questions:
        _card, question = ctx.corpus.question(qid)
        return "；".join(k.zh for k in question.key_points[: rng.randint(1, 3)])
    return "这个我了解一些，主要是工程上的取舍，需要结合具体场景。"


def run_interviews(ctx: Any, n_interviews: int, n_questions: int, think: float = 0.0) -> tuple[list[float], list[int]]:
    """(turn milliseconds, score milliseconds as the session records them) over the scripted interviews."""
    from agent.interview import InterviewSession
    from ui.handlers import Handlers

    handlers = Handlers(ctx)
    answers = dev_answers()
    turn_ms: list[float] = []
    score_ms: list[int] = []
    for company, role, lang, seed in INTERVIEWS[:n_interviews]:
        iid = InterviewSession.start(ctx, company, role, "", lang, n_questions, seed).state.id  # reproducible plan
        rng = Random(seed)
        for _ in range(60):
            state = json.loads(ctx.store.state(iid))
            turn = state["turns"][-1]
            if state["status"] == "finished":
                break
            answer = answer_for(ctx, turn, answers, rng)
            time.sleep(think)  # the candidate reading the question (not timed)
            started = time.perf_counter()
            handlers.reply(iid, answer)
            turn_ms.append(1000 * (time.perf_counter() - started))
            done = json.loads(ctx.store.state(iid))["turns"][turn["index"]]
            score_ms.append(int(done["meta"].get("score_ms") or 0))
    return turn_ms, score_ms


def child(conditions: list[str], n_interviews: int, n_questions: int, think: float) -> None:
    """Run the interviews once per condition (all in this process) and print one JSON line each."""
    started = time.perf_counter()
    from agent.config import load_settings
    from agent.context import build_context

    ctx = build_context(load_settings())
    _ = ctx.scorer, ctx.kb  # what the app builds at start-up: not part of a turn
    startup = time.perf_counter() - started
    for condition in conditions:
        gate = wait_quiet()
        contention = Contention().start()
        turn_ms, score_ms = run_interviews(ctx, n_interviews, n_questions, think)
        row = {"condition": condition, "think_s": think, **percentiles(turn_ms)}
        row["score"] = percentiles([float(s) for s in score_ms])
        row.update(gate, others_cpu_share=contention.stop(), startup_s=round(startup, 2), peak_rss_mb=peak_rss_mb())
        print(json.dumps(row), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--interviews", type=int, default=len(INTERVIEWS))
    parser.add_argument("--questions", type=int, default=5, help="main questions per interview")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between a question and its answer")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.interviews, args.questions, args.think)
        return 0
    emit({"bench": "turn_latency", "step": "config", **vars(args), **machine(), **repo_state(REPO)})
    rows: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="kaoda-bench-turn-") as tmp:
        for repeat in range(args.repeats):
            home = Path(tmp) / f"home{repeat}"
            build_index(home)
            for conditions in (["new_process_cold_cache"], ["new_process_disk_cache", "same_process_again"]):
                cmd = [sys.executable, __file__, "--interviews", str(args.interviews), "--think", str(args.think)]
                out = subprocess.run(
                    [*cmd, "--questions", str(args.questions), "--child", *conditions],
                    env=app_env(home),
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=REPO,
                )
                for line in out.stdout.splitlines():
                    row = json.loads(line)
                    rows.setdefault(row["condition"], []).append(row)
                    emit({"bench": "turn_latency", "step": "run", "repeat": repeat, **row})
    for condition, runs in rows.items():
        emit(
            {
                "bench": "turn_latency",
                "step": "summary",
                "condition": condition,
                "think_s": args.think,
                "repeats": len(runs),
                "turns_per_run": runs[0]["n"],
                "median_p50_ms": round(median([r["p50_ms"] for r in runs]), 1),
                "median_p95_ms": round(median([r["p95_ms"] for r in runs]), 1),
                "max_ms": max(r["max_ms"] for r in runs),
                "median_score_p95_ms": round(median([r["score"]["p95_ms"] for r in runs]), 1),
                "max_others_cpu_share": max(r["others_cpu_share"] for r in runs),
                "target_p95_ms": 300,
            }
        )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    sys.exit(main())
