"""Cold start: `kaoda ui` (a new process) until its page answers HTTP 200, with the index already built.

    python bench/cold_start.py                 # 5 starts, median; one JSON line per start + a summary
    python bench/cold_start.py --runs 3

Each start launches `.venv/bin/kaoda ui --port P` on the same indexed KAODA_HOME, polls
`GET http://127.0.0.1:P/` every 50 ms, records the seconds to the first 200 and the process's peak
RSS at that moment, then stops it (SIGTERM). The OS file cache is warm after the first start (a user's
second start); the first start of the series is reported too.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import (  # noqa: E402
    KAODA,
    REPO,
    Contention,
    app_env,
    build_index,
    emit,
    machine,
    median,
    peak_rss_of,
    repo_state,
    wait_quiet,
)

TARGET_S = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http_200(url: str, process: subprocess.Popen[bytes], limit: float) -> float | None:
    """Seconds until url answers 200 (None if the process died or limit passed)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    return None


def start_once(home: Path, limit: float) -> dict[str, object]:
    port = free_port()
    gate = wait_quiet()
    contention = Contention().start()
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(KAODA), "ui", "--port", str(port)],
        env=app_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        seconds = wait_http_200(f"http://127.0.0.1:{port}/", process, limit)
        spawn_overhead = time.perf_counter() - started - (seconds or 0.0)
        rss = peak_rss_of(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
    row: dict[str, object] = {
        "seconds": round(seconds, 2) if seconds is not None else None,
        "poll_overhead_s": round(spawn_overhead, 3),
        "peak_rss_mb_at_200": rss,
        **gate,
        "others_cpu_share": contention.stop(),
    }
    if seconds is None:
        row["error"] = err.decode("utf-8", "replace")[-500:]
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=120.0, help="give up on a start after this many seconds")
    args = parser.parse_args()
    emit({"bench": "cold_start", "step": "config", **vars(args), **machine(), **repo_state(REPO)})
    with tempfile.TemporaryDirectory(prefix="kaoda-bench-cold-") as tmp:
        home = Path(tmp) / "home"
        build_index(home)
        runs = []
        for run in range(args.runs):
            row = start_once(home, args.limit)
            emit({"bench": "cold_start", "step": "run", "run": run, **row})
            runs.append(row)
    ok = [float(r["seconds"]) for r in runs if r["seconds"] is not None]  # type: ignore[arg-type]
    emit(
        {
            "bench": "cold_start",
            "step": "summary",
            "runs": len(runs),
            "failed": len(runs) - len(ok),
            "median_s": round(median(ok), 2) if ok else None,
            "first_s": runs[0]["seconds"],
            "max_s": max(ok) if ok else None,
            "median_peak_rss_mb_at_200": median([float(r["peak_rss_mb_at_200"]) for r in runs]),  # type: ignore[arg-type]
            "max_others_cpu_share": max(float(r["others_cpu_share"]) for r in runs),  # type: ignore[arg-type]
            "target_s": TARGET_S,
        }
    )
    return 0 if len(ok) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
