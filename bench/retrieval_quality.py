"""Retrieval quality on bench/data/retrieval_eval.jsonl per (embedding backend, search mode).

    python bench/retrieval_quality.py                          # e5-small and minilm; hybrid, dense, bm25
    python bench/retrieval_quality.py --backends e5-small --modes hybrid

Each backend indexes the bundled corpus in its own temporary KAODA_HOME
(`KnowledgeBase(settings).index_corpus(load_corpus(settings.corpus_root))`, with the topic aliases
taught to jieba first, exactly as `Context.kb` does for `kaoda eval retrieval`), in its own process.
Then `agent.evaluation.evaluate_retrieval` runs per mode: recall@1/3/5 over the query's relevant
topic ids and MRR of the first relevant topic. One JSON line per (backend, mode), then one per
(backend, mode, lang) and per (backend, mode, style) for the breakdowns.
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
DATA = BENCH / "data" / "retrieval_eval.jsonl"

from benchlib import Contention, emit, machine, peak_rss_mb, repo_state, wait_quiet  # noqa: E402

MAX_WAIT = float(os.environ.get("KAODA_BENCH_MAX_WAIT", "300"))  # seconds to wait for a quiet machine


def evaluate(home: Path, backend: str, modes: list[str], data: Path) -> None:
    from agent.config import load_settings
    from agent.corpus import load_corpus
    from agent.evaluation import evaluate_retrieval, read_jsonl
    from agent.knowledge import KnowledgeBase
    from agent.text import add_terms

    gate = wait_quiet(max_wait=MAX_WAIT)
    contention = Contention().start()
    started = time.perf_counter()
    settings = load_settings({"home": str(home), "embeddings": backend}, env={})
    corpus = load_corpus(settings.corpus_root)
    add_terms(alias for card in corpus.cards.values() for alias in card.aliases)
    kb = KnowledgeBase(settings)
    report = kb.index_corpus(corpus)
    emit(
        {
            "bench": "retrieval_quality",
            "step": "index",
            "backend": backend,
            "docs": kb.count(),
            "index_seconds": report.seconds,
            "process_seconds": round(time.perf_counter() - started, 1),
            **gate,
            "others_cpu_share": contention.stop(),
        }
    )
    rows = read_jsonl(data, required=("query", "relevant_ids"))
    keys = ("n", "recall@1", "recall@3", "recall@5", "mrr")
    for mode in modes:
        t = time.perf_counter()
        result = evaluate_retrieval(kb, rows, mode)
        seconds = time.perf_counter() - t
        emit(
            {
                "bench": "retrieval_quality",
                "backend": backend,
                "mode": mode,
                **{k: result[k] for k in keys},
                "seconds": round(seconds, 1),
            }
        )
    for field in ("lang", "style"):
        for value in sorted({str(r.get(field, "")) for r in rows}):
            subset = [r for r in rows if str(r.get(field, "")) == value]
            for mode in modes:
                result = evaluate_retrieval(kb, subset, mode)
                emit(
                    {
                        "bench": "retrieval_quality",
                        "backend": backend,
                        "mode": mode,
                        field: value,
                        **{k: result[k] for k in keys},
                    }
                )
    emit(
        {
            "bench": "retrieval_quality",
            "step": "process",
            "backend": backend,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="e5-small,minilm")
    parser.add_argument("--modes", default="hybrid,dense,bm25")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    modes = args.modes.split(",")
    if args.child:
        evaluate(Path(args.child[0]), args.child[1], modes, args.data)
        return 0
    emit(
        {
            "bench": "retrieval_quality",
            "step": "config",
            "data": str(args.data),
            **machine(),
            **repo_state(BENCH.parent),
        }
    )
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix=f"kaoda-bench-quality-{backend}-") as tmp:
            command = [sys.executable, __file__, "--modes", args.modes, "--data", str(args.data)]
            subprocess.run([*command, "--child", str(Path(tmp) / "home"), backend], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
