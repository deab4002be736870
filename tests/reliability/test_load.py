"""Load: 20 interviews at once through gradio_client against one running app (offline interviewer).

Each client answers with its own marker token; afterwards every transcript in SQLite must hold
exactly its own answers, in order (no cross-talk, no lost turn). Turn latency under that load is
printed (run with `-s` to see it) for RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from gradio_client import Client

from agent.context import Context
from tests.reliability.conftest import interview_id, user_messages
from ui.handlers import as_text

pytestmark = [pytest.mark.slow, pytest.mark.load]
CLIENTS = 20
QUESTIONS = 3
MAX_REPLIES = 16
BANK = [
    "数据并行每张卡一份完整模型，梯度用 all-reduce 同步。",
    "GQA 让多组查询头共享一组 K/V，KV cache 显存按组数缩小。",
    "ZeRO-3 把参数、梯度和优化器状态都切分到各卡，前向时再 all-gather。",
    "LoRA 冻结原权重，只训练低秩矩阵 A 和 B，秩 r 控制参数量。",
    "不知道",
    "I would measure recall@k first, then add a cross-encoder reranker.",
]


@dataclass
class Run:
    marker: str
    interview_id: str = ""
    sent: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds per /reply under load
    start_s: float = 0.0
    finished: bool = False


def _interview(url: str, index: int, gate: threading.Barrier) -> Run:
    run = Run(marker=f"LOADMARK-{index:02d}-{uuid.uuid4().hex[:6]}")
    client = Client(url, verbose=False)
    lang = "zh" if index % 2 else "en"
    gate.wait(timeout=120)  # everyone starts together
    started = time.perf_counter()
    _chat, plan, status = client.predict("generic", "algorithm", lang, QUESTIONS, "", None, api_name="/start")
    run.start_s = time.perf_counter() - started
    assert status == "", status
    run.interview_id = interview_id(plan)
    for turn in range(MAX_REPLIES):
        answer = f"[{run.marker} t{turn}] {BANK[(index + turn) % len(BANK)]}"
        started = time.perf_counter()
        chat, _score, box, status = client.predict(answer, api_name="/reply")
        run.latencies.append(time.perf_counter() - started)
        assert box == "" and not status.startswith("⚠️"), status
        run.sent.append(answer)
        assert user_messages(chat) == [as_text(a) for a in run.sent]  # this browser sees its own answers only
        if status:
            run.finished = True
            break
    return run


def test_twenty_concurrent_interviews_no_cross_talk_no_lost_turn(web: str, ctx: Context) -> None:
    gate = threading.Barrier(CLIENTS)
    wall = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        runs = list(pool.map(lambda i: _interview(web, i, gate), range(CLIENTS)))
    wall = time.perf_counter() - wall
    assert all(r.finished for r in runs)
    assert len({r.interview_id for r in runs}) == CLIENTS
    markers = [r.marker for r in runs]
    for run in runs:
        record = ctx.store.get(run.interview_id)
        assert record["status"] == "finished"
        stored = [t["answer"] for t in record["turns"] if t["answer"] is not None]
        assert stored == run.sent  # every turn, in order, nothing extra
        everything = json.dumps(record, ensure_ascii=False)  # turns, scores, resumable state
        assert [m for m in markers if m in everything] == [run.marker]
    latencies = sorted(x for r in runs for x in r.latencies)
    cuts = statistics.quantiles(latencies, n=100)
    figures = {
        "clients": CLIENTS,
        "turns": len(latencies),
        "turns_lost": sum(len(r.sent) for r in runs)
        - sum(len([t for t in ctx.store.get(r.interview_id)["turns"] if t["answer"] is not None]) for r in runs),
        "reply_p50_s": round(cuts[49], 2),
        "reply_p95_s": round(cuts[94], 2),
        "reply_max_s": round(latencies[-1], 2),
        "start_p50_s": round(statistics.median(r.start_s for r in runs), 2),
        "wall_s": round(wall, 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print("\nLOAD", json.dumps(figures))
    assert figures["turns_lost"] == 0
    assert wall < 180  # the whole run stays under three minutes
