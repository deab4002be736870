"""LLM-mode overhead: a turn's wall time minus the time the model (a local test server) spent answering.

    python bench/llm_overhead.py               # 3 repeats, delay 0.3 s per model call; JSON lines
    python bench/llm_overhead.py --delay 0.1 --interviews 1

The model is tests/fake_openai.py (a real OpenAI-compatible HTTP server on 127.0.0.1) replaying
`scripted_model` from tests/test_llm_interview.py (decisions that pick an allowed move and cite the
retrieved ids; judge verdicts that quote the answer), after sleeping a fixed `--delay` per request.
"Model time" is measured inside the server: from receiving a request to having its reply (the sleep
plus the scripted model), summed over the requests that a turn made. Overhead = turn wall - model
time: prompt building, retrieval for the prompt, HTTP and JSON on our side, validation, the offline
score, the store, less what runs while a request is out (the offline score runs during the judge's
request; the prompt's retrieval starts as the answer arrives). The scripted model writes Chinese
questions, so only the zh interviews are run (in an en interview its questions are refused as the
wrong language and the turn falls back to the offline brain); `fallback_turns` counts turns that fell
back anyway.

A turn is `ui.handlers.Handlers.reply` in a process whose settings name the server (LLM mode), the
same interviews and answers as bench/turn_latency.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from random import Random
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from benchlib import (  # noqa: E402
    REPO,
    Contention,
    build_index,
    emit,
    machine,
    median,
    percentiles,
    repo_state,
    wait_quiet,
)
from turn_latency import INTERVIEWS, answer_for, dev_answers  # noqa: E402

TARGET_MS = 100.0


class TimedModel:
    """The scripted model behind a fixed delay; records (start, end) of every request it answers."""

    def __init__(self, delay: float) -> None:
        from tests.test_llm_interview import scripted_model

        self.delay = delay
        self.script = scripted_model
        self.spans: list[tuple[float, float]] = []
        self.lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> str:
        started = time.perf_counter()
        time.sleep(self.delay)
        reply = self.script(body)
        with self.lock:
            self.spans.append((started, time.perf_counter()))
        return reply

    def time_within(self, start: float, end: float) -> float:
        """Seconds of model work inside [start, end] (overlapping requests counted once)."""
        with self.lock:
            spans = sorted((max(s, start), min(e, end)) for s, e in self.spans if e > start and s < end)
        total, reach = 0.0, start
        for s, e in spans:
            if e > reach:
                total += e - max(s, reach)
                reach = e
        return total

    def count_within(self, start: float, end: float) -> int:
        with self.lock:
            return sum(1 for s, e in self.spans if s >= start and e <= end)


def run(home: Path, delay: float, n_interviews: int, n_questions: int) -> dict[str, Any]:
    from agent.config import load_settings
    from agent.context import build_context
    from agent.interview import InterviewSession
    from tests.fake_openai import FakeOpenAI
    from ui.handlers import Handlers

    model = TimedModel(delay)
    server = FakeOpenAI(default=model).start()
    try:
        flags = {"home": home, "llm_base_url": server.url, "llm_api_key": "sk-bench", "llm_model": "fake-model"}
        ctx = build_context(load_settings({**flags, "llm_timeout": 30.0, "llm_max_retries": 0}, env={}))
        _ = ctx.scorer, ctx.kb
        ctx.warm_up()  # what `kaoda ui` does at start (ui/app.py): the model, jieba, the index
        handlers, answers = Handlers(ctx), dev_answers()
        handlers.start("generic", "algorithm", "zh", 1, "", None)  # warm-up: chain, client, first calls
        gate = wait_quiet()
        contention = Contention().start()
        overhead, walls, calls, fallbacks = [], [], [], 0
        for company, role, lang, seed in [i for i in INTERVIEWS if i[2] == "zh"][:n_interviews]:
            iid = InterviewSession.start(ctx, company, role, "", lang, n_questions, seed).state.id  # reproducible plan
            rng = Random(seed)
            for _ in range(60):
                state = json.loads(ctx.store.state(iid))
                if state["status"] == "finished":
                    break
                turn = state["turns"][-1]
                started = time.perf_counter()
                handlers.reply(iid, answer_for(ctx, turn, answers, rng))
                ended = time.perf_counter()
                after = json.loads(ctx.store.state(iid))
                model_s = model.time_within(started, ended)
                wall_ms, over_ms = 1000 * (ended - started), 1000 * (ended - started - model_s)
                walls.append(wall_ms)
                overhead.append(over_ms)
                calls.append(model.count_within(started, ended))
                fallbacks += bool(after["turns"][-1].get("fallback"))
        return {
            "delay_s": delay,
            "overhead": percentiles(overhead),
            "turn_wall": percentiles(walls),
            "model_calls_per_turn": round(sum(calls) / max(1, len(calls)), 2),
            "fallback_turns": fallbacks,
            **gate,
            "others_cpu_share": contention.stop(),
        }
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds the test server waits per request")
    parser.add_argument("--interviews", type=int, default=3, help="zh interviews (the scripted model speaks zh)")
    parser.add_argument("--questions", type=int, default=4)
    args = parser.parse_args()
    emit({"bench": "llm_overhead", "step": "config", **vars(args), **machine(), **repo_state(REPO)})
    runs = []
    with tempfile.TemporaryDirectory(prefix="kaoda-bench-llm-") as tmp:
        home = Path(tmp) / "home"
        build_index(home)
        for repeat in range(args.repeats):
            row = run(home, args.delay, args.interviews, args.questions)
            emit({"bench": "llm_overhead", "step": "run", "repeat": repeat, **row})
            runs.append(row)
    emit(
        {
            "bench": "llm_overhead",
            "step": "summary",
            "repeats": len(runs),
            "turns_per_run": runs[0]["overhead"]["n"],
            "median_overhead_p50_ms": round(median([r["overhead"]["p50_ms"] for r in runs]), 1),
            "median_overhead_p95_ms": round(median([r["overhead"]["p95_ms"] for r in runs]), 1),
            "model_calls_per_turn": runs[0]["model_calls_per_turn"],
            "fallback_turns": sum(r["fallback_turns"] for r in runs),
            "max_others_cpu_share": max(r["others_cpu_share"] for r in runs),
            "target_ms": TARGET_MS,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
