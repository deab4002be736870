"""Run every knowledge-layer benchmark in turn (`make bench`); JSON lines to stdout.

python bench/run_all.py            # ~45 minutes on 2 cores (search_scale at 100k is most of it)
python bench/run_all.py --quick    # small sizes: checks the scripts run, numbers are not comparable
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quick = {
        "make_synthetic_corpus.py": ["--n", "200"],
        "search_scale.py": ["--sizes", "100,400", "--pool", "200", "--queries", "20"],
        "ingest_throughput.py": ["--target-chunks", "20"],
        "retrieval_quality.py": ["--backends", "e5-small", "--modes", "bm25"],
    }
    full = {"make_synthetic_corpus.py": ["--n", "100000"]}
    failed = 0
    for script in ("make_synthetic_corpus.py", "search_scale.py", "ingest_throughput.py", "retrieval_quality.py"):
        extra = quick.get(script, []) if args.quick else full.get(script, [])
        failed += subprocess.run([sys.executable, str(BENCH / script), *extra]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
