"""Search latency, index size and peak memory as the user index grows (1k / 10k / 100k chunks).

    python bench/search_scale.py                          # sizes 1000,10000,100000; one JSON line per measurement
    python bench/search_scale.py --sizes 1000 --queries 100

Every size gets its own temporary KAODA_HOME holding only the N synthetic user chunks
(bench/make_synthetic_corpus.py, seed 7). Each build and each search run is a separate process,
so `peak_rss_mb` (getrusage ru_maxrss) belongs to that step alone.

Vectors:
* N = 1000 is built the real way: `KnowledgeBase.upsert` embeds every chunk with e5-small.
* Larger N reuse a pool of real vectors (default 2,000: chunks 0..1999, each embedded from its own
  text with e5-small; the first 1,000 come from the 1k index). Chunk i < pool keeps its own real
  vector; chunk i >= pool gets pool[i % pool] + N(0, sigma²) per dimension, re-normalized to unit
  length. BM25 always indexes each chunk's own text. Writes go straight to the Chroma collection
  (`kb.collection.upsert`) and the lexical index (`kb.lexical.upsert`, one `save()` at the end).

Search: the first queries of bench/data/retrieval_eval.jsonl, k=5, after the index is opened and
5 warm-up searches have run (the open and the first search are reported separately). The
process-wide query-embedding cache is emptied before every mode, so each query is embedded once
per mode, as a fresh interview question would be.
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

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import Contention, emit, machine, peak_rss_mb, repo_state, wait_quiet  # noqa: E402
from make_synthetic_corpus import Chunk, synthetic_chunks  # noqa: E402

from agent.config import load_settings  # noqa: E402

SEED = 7
QUERIES = BENCH / "data" / "retrieval_eval.jsonl"


MAX_WAIT = float(os.environ.get("KAODA_BENCH_MAX_WAIT", "300"))  # seconds to wait for a quiet machine per step
RETRIES = int(os.environ.get("KAODA_BENCH_RETRIES", "2"))  # re-runs of a search mode measured under contention


def folder_bytes(folder: Path) -> tuple[int, int]:
    """(apparent bytes, allocated bytes) of every file under folder."""
    apparent = allocated = 0
    for path in folder.rglob("*"):
        if path.is_file():
            st = path.stat()
            apparent += st.st_size
            allocated += st.st_blocks * 512
    return apparent, allocated


def open_kb(home: Path) -> Any:
    """A KnowledgeBase as the app opens it (topic aliases taught to jieba first, as Context.kb does)."""
    from agent.corpus import load_corpus
    from agent.knowledge import KnowledgeBase
    from agent.text import add_terms

    settings = load_settings({"home": str(home)}, env={})
    corpus = load_corpus(settings.corpus_root)
    add_terms(alias for card in corpus.cards.values() for alias in card.aliases)
    return KnowledgeBase(settings)


def vectors_note(real: bool, n: int, pool: int, sigma: float) -> str:
    if real:
        return "real: every chunk embedded from its own text with e5-small (KnowledgeBase.upsert)"
    if n <= pool:
        return "real: every chunk carries its own e5-small vector (written with collection.upsert)"
    return (
        f"pool: chunks 0..{pool - 1} carry their own real e5-small vectors; chunk i>={pool} carries "
        f"pool[i % {pool}] + N(0, {sigma}^2) per dim, renormalized; BM25 indexes each chunk's own text"
    )


def record_vectors(home: Path, note: str) -> None:
    (home / "bench-vectors.txt").write_text(note, encoding="utf-8")


# ---------------------------------------------------------------- child steps (one process each)


def build_real(home: Path, n: int, pool_file: Path, pool: int) -> None:
    from agent.documents import Doc

    chunks = synthetic_chunks(n, SEED)
    kb = open_kb(home)
    gate = wait_quiet(max_wait=MAX_WAIT)
    contention = Contention().start()
    started = time.perf_counter()
    kb.upsert([Doc(c.id, c.text, c.metadata) for c in chunks])
    seconds = time.perf_counter() - started
    others = contention.stop()
    record_vectors(home, vectors_note(True, n, pool, 0.0))
    ids = [c.id for c in chunks[:pool]]
    got = kb.collection.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
    np.save(pool_file, np.asarray([by_id[i] for i in ids], dtype=np.float32))
    emit(
        {
            "bench": "search_scale",
            "step": "build",
            "n": n,
            "vectors": vectors_note(True, n, pool, 0.0),
            "seconds": round(seconds, 1),
            "chunks_per_s": round(n / seconds, 2),
            "count": kb.count(),
            "lexical_entries": len(kb.lexical),
            "peak_rss_mb": peak_rss_mb(),
            **gate,
            "others_cpu_share": others,
        }
    )


def extend_pool(pool_file: Path, pool: int) -> None:
    """Embed chunks len(pool)..pool-1 from their own text and append them to the pool file."""
    from agent.documents import Doc
    from agent.embeddings import get_embedder

    have = np.load(pool_file)
    if len(have) >= pool:
        return
    chunks = synthetic_chunks(pool - len(have), SEED, start=len(have))
    embedder = get_embedder("e5-small")
    gate = wait_quiet(max_wait=MAX_WAIT)
    contention = Contention().start()
    started = time.perf_counter()
    parts = [have]
    for s in range(0, len(chunks), 64):
        parts.append(embedder.embed_passages([Doc(c.id, c.text, c.metadata).dense_text for c in chunks[s : s + 64]]))
    seconds = time.perf_counter() - started
    np.save(pool_file, np.concatenate(parts).astype(np.float32))
    emit(
        {
            "bench": "search_scale",
            "step": "embed_pool",
            "embedded": len(chunks),
            "pool": pool,
            "seconds": round(seconds, 1),
            "passages_per_s": round(len(chunks) / seconds, 2),
            **gate,
            "others_cpu_share": contention.stop(),
        }
    )


def build_pooled(home: Path, n: int, pool_file: Path, pool: int, sigma: float, batch: int) -> None:
    vectors = np.load(pool_file)[:pool]
    assert len(vectors) == pool, f"pool file has {len(vectors)} vectors, want {pool}"
    rng = np.random.default_rng(SEED)
    kb = open_kb(home)
    batch = min(batch, kb.client.get_max_batch_size())
    timings = {"generate": 0.0, "vectors": 0.0, "chroma_upsert": 0.0, "bm25_tokenize": 0.0}
    cosines: list[np.ndarray] = []
    gate = wait_quiet(max_wait=MAX_WAIT)
    contention = Contention().start()
    started = time.perf_counter()
    for s in range(0, n, batch):
        t = time.perf_counter()
        chunks: list[Chunk] = synthetic_chunks(min(batch, n - s), SEED, start=s)
        timings["generate"] += time.perf_counter() - t
        t = time.perf_counter()
        idx = np.arange(s, s + len(chunks))
        base = vectors[idx % pool]
        noise = rng.normal(0.0, sigma, base.shape).astype(np.float32)
        noise[idx < pool] = 0.0  # the pool's own chunks keep their real vectors
        vec = base + noise
        vec /= np.linalg.norm(vec, axis=1, keepdims=True)
        moved = idx >= pool
        if moved.any():
            cosines.append(np.sum(vec[moved] * base[moved], axis=1))
        timings["vectors"] += time.perf_counter() - t
        t = time.perf_counter()
        kb.collection.upsert(
            ids=[c.id for c in chunks],
            documents=[c.text for c in chunks],
            embeddings=vec.tolist(),
            metadatas=[{**c.metadata, "hash": f"synthetic-{s + j}"} for j, c in enumerate(chunks)],
        )
        timings["chroma_upsert"] += time.perf_counter() - t
        t = time.perf_counter()
        kb.lexical.upsert([(c.id, c.text, c.metadata) for c in chunks])
        timings["bm25_tokenize"] += time.perf_counter() - t
    t = time.perf_counter()
    kb.lexical.save()
    timings["bm25_save"] = time.perf_counter() - t
    seconds = time.perf_counter() - started
    others = contention.stop()
    record_vectors(home, vectors_note(False, n, pool, sigma))
    cos = np.concatenate(cosines) if cosines else np.ones(1)
    emit(
        {
            "bench": "search_scale",
            "step": "build",
            "n": n,
            "vectors": vectors_note(False, n, pool, sigma),
            "noise_sigma": sigma,
            "cosine_to_pool_vector": {"mean": round(float(cos.mean()), 4), "min": round(float(cos.min()), 4)},
            "batch": batch,
            "seconds": round(seconds, 1),
            "chunks_per_s": round(n / seconds, 1),
            "seconds_by_part": {k: round(v, 1) for k, v in timings.items()},
            "count": kb.count(),
            "lexical_entries": len(kb.lexical),
            "peak_rss_mb": peak_rss_mb(),
            **gate,
            "others_cpu_share": others,
        }
    )


def _stats(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 1),
        "p95_ms": round(float(np.percentile(a, 95)), 1),
        "mean_ms": round(float(a.mean()), 1),
        "max_ms": round(float(a.max()), 1),
    }


def search(home: Path, n: int, n_queries: int) -> None:
    from agent.embeddings import get_embedder
    from agent.evaluation import read_jsonl

    rows = read_jsonl(QUERIES, required=("query", "relevant_ids"))
    queries = [r["query"] for r in rows[:n_queries]]
    warmups = [r["query"] for r in rows[-5:]]
    assert len(queries) == n_queries, f"only {len(queries)} queries in {QUERIES}"
    chroma_bytes = folder_bytes(home / "chroma")
    bm25_bytes = folder_bytes(home / "bm25")
    sqlite_bytes = sum(f.stat().st_size for f in (home / "chroma").glob("chroma.sqlite3*"))
    note = (home / "bench-vectors.txt").read_text(encoding="utf-8")
    base = {"bench": "search_scale", "n": n, "vectors": note}
    emit(
        {
            **base,
            "step": "index_size",
            "chroma_mb": round(chroma_bytes[0] / 2**20, 1),
            "chroma_sqlite_mb": round(sqlite_bytes / 2**20, 1),
            "chroma_vector_segments_mb": round((chroma_bytes[0] - sqlite_bytes) / 2**20, 1),
            "bm25_mb": round(bm25_bytes[0] / 2**20, 1),
            "total_mb": round((chroma_bytes[0] + bm25_bytes[0]) / 2**20, 1),
            "allocated_total_mb": round((chroma_bytes[1] + bm25_bytes[1]) / 2**20, 1),
        }
    )

    gate = wait_quiet(max_wait=MAX_WAIT)
    contention = Contention().start()
    t = time.perf_counter()
    kb = open_kb(home)
    count = kb.count()
    open_s = time.perf_counter() - t
    t = time.perf_counter()
    kb.search(warmups[0], k=5)
    first_ms = 1000 * (time.perf_counter() - t)
    others = contention.stop()
    for q in warmups[1:]:
        kb.search(q, k=5)
    emit(
        {
            **base,
            "step": "open",
            "count": count,
            "open_s": round(open_s, 2),
            "first_search_ms": round(first_ms, 1),
            **gate,
            "others_cpu_share": others,
        }
    )

    embedder = get_embedder(kb.settings.embeddings)

    def fresh_cache() -> None:
        embedder._cache = type(embedder._cache)()  # bench only: forget cached query vectors

    companies = ["alibaba-qwen", "bytedance", "didi", "moonshot", "zhipu"]

    def run(label: str, call: Any, clear: bool = True) -> None:
        attempt = 0
        while True:  # measured again if other processes took > 10% of the CPUs meanwhile
            attempt += 1
            if clear:
                fresh_cache()
            gate = wait_quiet(max_wait=MAX_WAIT)
            contention = Contention().start()
            ms = []
            for i, q in enumerate(queries):
                t0 = time.perf_counter()
                call(q, i)
                ms.append(1000 * (time.perf_counter() - t0))
            others = contention.stop()
            if others <= 0.10 or attempt > RETRIES:
                break
        row = {**base, "step": "search", "mode": label, "queries": len(ms), "k": 5, **_stats(ms)}
        emit({**row, **gate, "others_cpu_share": others, "attempts": attempt})

    run("embed_query_only", lambda q, i: embedder.embed_query(q))
    run("hybrid", lambda q, i: kb.search(q, k=5, mode="hybrid"))
    run("dense", lambda q, i: kb.search(q, k=5, mode="dense"))
    run("dense_query_vector_cached", lambda q, i: kb.search(q, k=5, mode="dense"), clear=False)
    run("bm25", lambda q, i: kb.search(q, k=5, mode="bm25"))
    run("hybrid_company_filter", lambda q, i: kb.search(q, k=5, company=companies[i % len(companies)]))
    emit({**base, "step": "search_process", "peak_rss_mb": peak_rss_mb()})


# ---------------------------------------------------------------- the driver


def run_child(common: list[str], *args: str) -> None:
    subprocess.run([sys.executable, __file__, *common, "--child", *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="the smallest is embedded for real")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pool", type=int, default=2000, help="real vectors re-used for N > 1000")
    parser.add_argument("--sigma", type=float, default=0.02, help="per-dimension noise added to re-used vectors")
    parser.add_argument("--batch", type=int, default=2000, help="chunks per write for pooled builds")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (default: a temp dir, removed)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        step, home = args.child[0], Path(args.child[1])
        n = int(args.child[2]) if len(args.child) > 2 else 0
        pool_file = home.parent / "pool.npy"
        if step == "build_real":
            build_real(home, n, pool_file, args.pool)
        elif step == "extend_pool":
            extend_pool(pool_file, args.pool)
        elif step == "build_pooled":
            build_pooled(home, n, pool_file, args.pool, args.sigma, args.batch)
        elif step == "search":
            search(home, n, args.queries)
        return 0

    sizes = sorted(int(s) for s in args.sizes.split(","))
    owned = tempfile.TemporaryDirectory(prefix="kaoda-bench-scale-") if not args.workdir else None
    work = args.workdir or Path(owned.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    common = ["--queries", str(args.queries), "--pool", str(args.pool), "--sigma", str(args.sigma)]
    common += ["--batch", str(args.batch)]
    emit(
        {
            "bench": "search_scale",
            "step": "config",
            "sizes": sizes,
            "queries": args.queries,
            "pool": args.pool,
            "sigma": args.sigma,
            "seed": SEED,
            "workdir": str(work),
            "max_wait_s": MAX_WAIT,
            **machine(),
            **repo_state(BENCH.parent),
        }
    )
    started = time.perf_counter()
    try:
        # the smallest size is built the real way; its vectors are the first ones of the pool
        real_n = sizes[0]
        run_child(common, "build_real", str(work / f"n{real_n}"), str(real_n))
        run_child(common, "search", str(work / f"n{real_n}"), str(real_n))
        for n in sizes[1:]:
            home = work / f"n{n}"
            run_child(common, "extend_pool", str(home))
            run_child(common, "build_pooled", str(home), str(n))
            run_child(common, "search", str(home), str(n))
    finally:
        emit({"bench": "search_scale", "step": "done", "seconds": round(time.perf_counter() - started, 1)})
        if owned:
            owned.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
