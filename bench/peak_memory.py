"""Peak memory of the running app through an interview: `kaoda ui` in its own process, driven over HTTP.

    python bench/peak_memory.py                # 3 runs; one JSON line per run + a summary
    python bench/peak_memory.py --runs 1 --questions 2

Each run starts `.venv/bin/kaoda ui` on an indexed KAODA_HOME, then through gradio_client (the app's
real HTTP API): starts a zh interview with a resume, answers every question until the wrap-up, runs
two Library searches, lists the transcripts. It reads the server process's RSS after start-up, after
the first answer and at the end, and its peak (VmHWM from /proc) at the end.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from random import Random
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import KAODA, REPO, app_env, build_index, emit, machine, median, peak_rss_of, repo_state  # noqa: E402
from cold_start import free_port, wait_http_200  # noqa: E402
from turn_latency import INTRO, dev_answers  # noqa: E402

TARGET_MB = 1536.0


def rss_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def drive(url: str, pid: int, n_questions: int) -> dict[str, Any]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    row: dict[str, Any] = {"rss_mb_after_start": rss_of(pid)}
    _chat, plan, _status = client.predict(
        "didi", "infra", "zh", n_questions, INTRO, None, api_name="/start"
    )  # an interview with a resume
    answers, rng, turns = dev_answers(), Random(3), 0
    pool = [a for rows in answers.values() for a in rows]
    status = ""
    while not status and turns < 60:
        answer = INTRO if turns == 0 else rng.choice(pool)
        _chat, _score, _box, status = client.predict(answer, api_name="/reply")
        turns += 1
        if turns == 1:
            row["rss_mb_after_first_answer"] = rss_of(pid)
    row["turns"] = turns
    client.predict("Z3 切了啥", "", "", api_name="/search")
    client.predict("KV cache 怎么省显存", "topic", "", api_name="/search")
    client.predict(api_name="/transcripts")
    row["rss_mb_at_end"] = rss_of(pid)
    row["peak_rss_mb"] = peak_rss_of(pid)
    row["interview_id"] = plan.split("`")[1] if "`" in plan else ""
    return row


def run_once(home: Path, n_questions: int) -> dict[str, Any]:
    port = free_port()
    process = subprocess.Popen(
        [str(KAODA), "ui", "--port", str(port)], env=app_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        started = wait_http_200(f"http://127.0.0.1:{port}/", process, 120)
        if started is None:
            return {"error": "the app did not answer HTTP 200 within 120 s"}
        return {"start_s": round(started, 2), **drive(f"http://127.0.0.1:{port}/", process.pid, n_questions)}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=5)
    args = parser.parse_args()
    emit({"bench": "peak_memory", "step": "config", **vars(args), **machine(), **repo_state(REPO)})
    runs = []
    with tempfile.TemporaryDirectory(prefix="kaoda-bench-mem-") as tmp:
        home = Path(tmp) / "home"
        build_index(home)
        for run in range(args.runs):
            row = run_once(home, args.questions)
            emit({"bench": "peak_memory", "step": "run", "run": run, **row})
            runs.append(row)
    ok = [r for r in runs if "peak_rss_mb" in r]
    emit(
        {
            "bench": "peak_memory",
            "step": "summary",
            "runs": len(runs),
            "failed": len(runs) - len(ok),
            "median_peak_rss_mb": median([r["peak_rss_mb"] for r in ok]) if ok else None,
            "max_peak_rss_mb": max(r["peak_rss_mb"] for r in ok) if ok else None,
            "median_rss_mb_after_start": median([r["rss_mb_after_start"] for r in ok]) if ok else None,
            "turns_per_run": ok[0]["turns"] if ok else 0,
            "target_mb": TARGET_MB,
        }
    )
    return 0 if len(ok) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
