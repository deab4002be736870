"""Run every benchmark in turn (`make bench`); JSON lines to stdout.

python bench/run_all.py            # ~75 minutes on 2 quiet cores (search_scale at 100k is ~30 of them)
python bench/run_all.py --quick    # small sizes: checks the scripts run, numbers are not comparable
python bench/run_all.py --only turn_latency,cold_start

The corpus index that most #10 scripts need is built once here and copied into each script's own
temporary home (KAODA_BENCH_INDEXED_HOME); index_first.py still times its own builds from empty.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import build_index, emit  # noqa: E402

# script -> (full-run arguments, --quick arguments); #10 paths first, then the knowledge layer (#4)
SCRIPTS: dict[str, tuple[list[str], list[str]]] = {
    "turn_latency.py": ([], ["--repeats", "1", "--interviews", "1", "--questions", "2"]),
    "cold_start.py": ([], ["--runs", "1"]),
    "index_first.py": ([], ["--runs", "1"]),
    "index_unchanged.py": ([], ["--runs", "1"]),
    "score_warm.py": ([], ["--repeats", "1", "--rows", "20"]),
    "llm_overhead.py": ([], ["--repeats", "1", "--interviews", "1", "--questions", "1", "--delay", "0.05"]),
    "peak_memory.py": ([], ["--runs", "1", "--questions", "1"]),
    "make_synthetic_corpus.py": (["--n", "100000"], ["--n", "200"]),
    "search_scale.py": ([], ["--sizes", "100,400", "--pool", "200", "--queries", "20"]),
    "ingest_throughput.py": ([], ["--target-chunks", "20"]),
    "retrieval_quality.py": ([], ["--backends", "e5-small", "--modes", "bm25"]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="comma-separated script names (without .py)")
    args = parser.parse_args()
    chosen = [s for s in SCRIPTS if not args.only or s.removesuffix(".py") in args.only.split(",")]
    env = dict(os.environ)
    if args.quick:
        env.setdefault("KAODA_BENCH_MAX_WAIT", "0")  # a smoke run does not wait for a quiet machine
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kaoda-bench-all-") as tmp:
        if "KAODA_BENCH_INDEXED_HOME" not in env:
            started = time.perf_counter()
            build_index(Path(tmp) / "indexed")
            env["KAODA_BENCH_INDEXED_HOME"] = str(Path(tmp) / "indexed")
            emit({"bench": "run_all", "step": "shared_index", "seconds": round(time.perf_counter() - started, 1)})
        for script in chosen:
            full, quick = SCRIPTS[script]
            started = time.perf_counter()
            code = subprocess.run([sys.executable, str(BENCH / script), *(quick if args.quick else full)], env=env)
            seconds = round(time.perf_counter() - started, 1)
            emit({"bench": "run_all", "script": script, "exit": code.returncode, "seconds": seconds})
            if code.returncode != 0:
                failed.append(script)
    emit({"bench": "run_all", "step": "done", "failed": failed})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
