"""First `kaoda index` of the bundled corpus into an empty KAODA_HOME (a new process each run).

    python bench/index_first.py               # 3 runs, median; one JSON line per run + a summary
    python bench/index_first.py --runs 1

Reports the command's wall time (process start to exit, imports included), the time the command
itself reports ("in Xs": corpus to index), its peak RSS and CPU seconds.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import (  # noqa: E402
    KAODA,
    REPO,
    Contention,
    app_env,
    emit,
    machine,
    median,
    repo_state,
    run_measured,
    wait_quiet,
)

TARGET_S = 60.0


def inside_seconds(stderr_tail: list[str]) -> float | None:
    found = re.search(r" in ([\d.]+)s", " ".join(stderr_tail))
    return float(found.group(1)) if found else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    emit({"bench": "index_first", "step": "config", **vars(args), **machine(), **repo_state(REPO)})
    runs = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="kaoda-bench-index-") as tmp:
            gate = wait_quiet()
            contention = Contention().start()
            row = run_measured([str(KAODA), "index"], app_env(Path(tmp) / "home"))
            row.update(gate, others_cpu_share=contention.stop(), inside_s=inside_seconds(row["stderr_tail"]))
        emit({"bench": "index_first", "step": "run", "run": run, **row})
        runs.append(row)
    emit(
        {
            "bench": "index_first",
            "step": "summary",
            "runs": len(runs),
            "failed": sum(r["exit"] != 0 for r in runs),
            "median_wall_s": median([r["wall_s"] for r in runs]),
            "median_inside_s": median([r["inside_s"] or 0.0 for r in runs]),
            "median_peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
            "max_others_cpu_share": max(r["others_cpu_share"] for r in runs),
            "target_s": TARGET_S,
        }
    )
    return 0 if all(r["exit"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
