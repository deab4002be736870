"""Helpers shared by the benchmark scripts: JSON lines, peak RSS, and how busy the rest of the machine is.

Timings on a 2-core machine mean little if another process is using the CPU at the same time, so
every timed step can wait for a quiet machine first (`wait_quiet`) and reports the share of the
machine's CPU that other processes used while it ran (`Contention`).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import time
from pathlib import Path
from typing import Any

CLK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def emit(row: dict[str, Any]) -> None:
    print(json.dumps(row, ensure_ascii=False), flush=True)


def peak_rss_mb() -> float:
    """Peak resident set size of this process (getrusage; Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal (guest is inside user)
    return total - idle, total


def _own_jiffies() -> float:
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) * CLK


class Contention:
    """Share of all CPUs used by *other* processes between start() and stop()."""

    def start(self) -> Contention:
        self._busy, self._total = _cpu_jiffies()
        self._own = _own_jiffies()
        return self

    def stop(self) -> float:
        busy, total = _cpu_jiffies()
        own = _own_jiffies() - self._own
        elapsed = max(1, total - self._total)
        return round(max(0.0, (busy - self._busy - own) / elapsed), 3)


def machine_busy(window: float = 2.0) -> float:
    """Share of all CPUs busy during `window` seconds while this process sleeps."""
    c = Contention().start()
    time.sleep(window)
    return c.stop()


_WAIT_BUDGET = [float(os.environ.get("KAODA_BENCH_WAIT_BUDGET", "900"))]  # seconds of waiting per process


def wait_quiet(threshold: float = 0.10, max_wait: float | None = None, window: float = 3.0) -> dict[str, Any]:
    """Sleep until other processes use < threshold of the CPUs (or max_wait, default $KAODA_BENCH_MAX_WAIT
    or 300 s, or this process's waiting budget, runs out); say how busy the machine was when the step
    started and how long it waited."""
    started = time.perf_counter()
    busy = machine_busy(window)
    if max_wait is None:
        max_wait = float(os.environ.get("KAODA_BENCH_MAX_WAIT", "300"))
    limit = min(max_wait, _WAIT_BUDGET[0])
    while busy >= threshold and time.perf_counter() - started < limit:
        time.sleep(10)
        busy = machine_busy(window)
    waited = time.perf_counter() - started
    _WAIT_BUDGET[0] = max(0.0, _WAIT_BUDGET[0] - waited)
    return {"busy_before": busy, "waited_s": round(waited, 1)}


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "?",
    )
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    return {"nproc": NCPU, "cpu": cpu, "mem_gib": round(mem_kb / 2**20, 1), "loadavg": os.getloadavg()}


def repo_state(repo: Path) -> dict[str, Any]:
    """HEAD commit and a fingerprint of the corpus files as they are on disk (they may be uncommitted)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head = "?"
    digest = hashlib.sha256()
    for path in sorted((repo / "corpus").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(repo)).encode())
            digest.update(path.read_bytes())
    return {"head": head, "corpus_sha256": digest.hexdigest()[:16]}


REPO = Path(__file__).resolve().parent.parent
KAODA = REPO / ".venv" / "bin" / "kaoda"
_CLEARED = ("KAODA_LLM_API_KEY", "OPENAI_API_KEY", "KAODA_LLM_BASE_URL", "OPENAI_BASE_URL", "KAODA_CHROMA_URL")


def percentiles(values_ms: list[float]) -> dict[str, Any]:
    """p50 / p95 / max / mean of a list of milliseconds (nearest-rank percentiles)."""
    ordered = sorted(values_ms)
    if not ordered:
        return {"n": 0}

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered) + 0.5) - 1))]

    return {
        "n": len(ordered),
        "p50_ms": round(rank(0.50), 1),
        "p95_ms": round(rank(0.95), 1),
        "max_ms": round(ordered[-1], 1),
        "mean_ms": round(sum(ordered) / len(ordered), 1),
    }


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def app_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment a user's `kaoda` process would see: this home, offline, no LLM unless given."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(
        KAODA_HOME=str(home),
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        ANONYMIZED_TELEMETRY="False",
        GRADIO_TEMP_DIR=str(home / "gradio-tmp"),
    )
    env.update(extra)
    return env


def build_index(home: Path) -> float:
    """`kaoda index` into home (the bundled corpus); returns its wall seconds. Reuses a copy of
    $KAODA_BENCH_INDEXED_HOME when that names an indexed home (saves ≈45 s per script)."""
    import shutil

    prebuilt = os.environ.get("KAODA_BENCH_INDEXED_HOME")
    if prebuilt and (Path(prebuilt) / "chroma").is_dir():
        shutil.copytree(prebuilt, home, dirs_exist_ok=True, ignore=shutil.ignore_patterns("cache", "kaoda.db*"))
        return 0.0
    started = time.perf_counter()
    subprocess.run([str(KAODA), "index"], env=app_env(home), check=True, capture_output=True)
    return time.perf_counter() - started


def peak_rss_of(pid: int) -> float:
    """Peak RSS (VmHWM) of a running process, in MiB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def run_measured(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run cmd to completion: wall seconds, the child's own peak RSS (wait4), exit code, stderr tail."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "exit": process.returncode,
        "stderr_tail": err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""],
    }
