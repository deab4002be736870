"""`kaoda index` when nothing changed: a new process on an indexed KAODA_HOME, wall time to exit.

    python bench/index_unchanged.py           # 5 runs, median; one JSON line per run + a summary

The home is indexed once first (not timed here; see index_first.py). Every run is a new process,
so the time includes Python start-up and imports, which is what a user waits for.
"""

from __future__ import annotations

import argparse
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
    build_index,
    emit,
    machine,
    median,
    repo_state,
    run_measured,
    wait_quiet,
)
from index_first import inside_seconds  # noqa: E402

TARGET_S = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    emit({"bench": "index_unchanged", "step": "config", **vars(args), **machine(), **repo_state(REPO)})
    runs = []
    with tempfile.TemporaryDirectory(prefix="kaoda-bench-reindex-") as tmp:
        home = Path(tmp) / "home"
        build_index(home)
        for run in range(args.runs):
            gate = wait_quiet()
            contention = Contention().start()
            row = run_measured([str(KAODA), "index"], app_env(home))
            row.update(gate, others_cpu_share=contention.stop(), inside_s=inside_seconds(row["stderr_tail"]))
            emit({"bench": "index_unchanged", "step": "run", "run": run, **row})
            runs.append(row)
    emit(
        {
            "bench": "index_unchanged",
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
