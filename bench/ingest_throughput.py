"""Real ingestion throughput: `agent.ingest.ingest_paths` on ~300 chunks of generated Markdown 面经.

    python bench/ingest_throughput.py                      # one JSON line per measurement
    python bench/ingest_throughput.py --target-chunks 100

Steps, in a temporary KAODA_HOME with the default embeddings (e5-small):
1. index the bundled corpus (`kb.index_corpus`): ingestion tags every chunk with its nearest topic
   cards by searching the corpus, so a real user's index has it; timed and reported on its own;
2. write Markdown files (bench/make_synthetic_corpus.py, seed 7) until `chunk_text` yields the target;
3. ingest them in a fresh process (as `kaoda ingest DIR` would run): chunks/s, seconds, and where
   the time went (passage embedding, topic-tagging searches, index writes, the rest);
4. ingest the same folder again in another fresh process: nothing is added, the time is the cost of
   finding that out.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import Contention, emit, machine, peak_rss_mb, repo_state, wait_quiet  # noqa: E402
from make_synthetic_corpus import write_markdown  # noqa: E402

from agent.config import load_settings  # noqa: E402
from agent.context import build_context  # noqa: E402

MAX_WAIT = float(os.environ.get("KAODA_BENCH_MAX_WAIT", "300"))  # seconds to wait for a quiet machine per step


class Timed:
    """Wraps a callable and adds up the seconds spent in it."""

    def __init__(self, fn: Any) -> None:
        self.fn, self.seconds, self.calls = fn, 0.0, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def ingest(home: Path, folder: Path, label: str) -> None:
    from agent.embeddings import get_embedder
    from agent.ingest import ingest_paths

    started = time.perf_counter()
    ctx = build_context(load_settings({"home": str(home)}, env={}))
    kb = ctx.kb
    before = kb.count()
    setup_s = time.perf_counter() - started
    embedder: Any = get_embedder(ctx.settings.embeddings)
    search, upsert = Timed(kb.search), Timed(kb.upsert)
    passages, queries = Timed(embedder.embed_passages), Timed(embedder.embed_query)
    kb.search, kb.upsert = search, upsert  # instance attributes: bench-only timing wrappers
    embedder.embed_passages, embedder.embed_query = passages, queries
    gate = wait_quiet(max_wait=MAX_WAIT)
    contention = Contention().start()
    started = time.perf_counter()
    report = ingest_paths(ctx, [folder])
    seconds = time.perf_counter() - started
    others = contention.stop()
    chunks_seen = search.calls  # _tag_topics runs one search per chunk of every file it reads
    emit(
        {
            "bench": "ingest_throughput",
            "step": label,
            "embeddings": ctx.settings.embeddings,
            "files_added": report.files_added,
            "files_unchanged": report.files_unchanged,
            "skipped": len(report.skipped),
            "chunks_added": report.chunks_added,
            "chunks_read": chunks_seen,
            "seconds": round(seconds, 1),
            "chunks_per_s": round(report.chunks_added / seconds, 2) if report.chunks_added else None,
            "chunks_read_per_s": round(chunks_seen / seconds, 2),
            # each chunk is embedded once (passage vector); topic tagging searches with that vector
            "seconds_by_part": {
                "passage_embedding": round(passages.seconds, 1),
                "topic_tag_search": round(search.seconds, 1),
                "of_which_query_embedding": round(queries.seconds, 1),
                "index_writes": round(upsert.seconds, 1),
                "other": round(seconds - passages.seconds - search.seconds - upsert.seconds, 1),
            },
            "process_setup_s": round(setup_s, 2),
            "index_count": {"before": before, "after": kb.count()},
            "peak_rss_mb": peak_rss_mb(),
            **gate,
            "others_cpu_share": others,
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-chunks", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep the home and files here (default: temp dir, removed)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        ingest(Path(args.child[0]), Path(args.child[1]), args.child[2])
        return 0

    owned = tempfile.TemporaryDirectory(prefix="kaoda-bench-ingest-") if not args.workdir else None
    work = args.workdir or Path(owned.name)  # type: ignore[union-attr]
    home, folder = work / "home", work / "notes"
    try:
        emit({"bench": "ingest_throughput", "step": "config", **machine(), **repo_state(BENCH.parent)})
        gate = wait_quiet(max_wait=MAX_WAIT)
        contention = Contention().start()
        started = time.perf_counter()
        ctx = build_context(load_settings({"home": str(home)}, env={}))
        report = ctx.kb.index_corpus(ctx.corpus)
        seconds = time.perf_counter() - started
        others = contention.stop()
        emit(
            {
                "bench": "ingest_throughput",
                "step": "index_corpus",
                "embeddings": ctx.settings.embeddings,
                "docs": report.added,
                "seconds": round(seconds, 1),
                "docs_per_s": round(report.added / seconds, 2),
                **gate,
                "others_cpu_share": others,
            }
        )
        info = write_markdown(folder, args.target_chunks, args.seed)
        emit({"bench": "ingest_throughput", "step": "files", "seed": args.seed, **info})
        for label in ("ingest", "reingest_unchanged"):
            subprocess.run([sys.executable, __file__, "--child", str(home), str(folder), label], check=True)
    finally:
        if owned:
            owned.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
