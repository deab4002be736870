"""The on-disk embedding cache and the background prefetch, with the real e5-small model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from agent.config import Settings
from agent.context import build_context, scoring_texts
from agent.embeddings import DiskCachedEmbedder, Embedder, get_embedder
from agent.reference import corpus_task
from agent.text import sentences


class Counting:
    """The real embedder, counting the texts it is asked to embed with the `query:` convention."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.spec, self.embedded = inner, inner.spec, []

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.embedded += list(texts)
        return self.inner.embed_queries(texts)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_new_process_reads_vectors_from_disk_instead_of_the_model(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "embeddings.sqlite"
    texts = ["GQA 让每组查询头共享一组 K/V", "RoPE rotates query and key vectors", "GQA 让每组查询头共享一组 K/V"]
    first = Counting(get_embedder("e5-small"))
    vectors = DiskCachedEmbedder(first, path).embed_cached(texts)
    assert first.embedded == texts[:2]  # the repeat is embedded once
    second = Counting(get_embedder("e5-small"))  # as a new process would: empty memory, same file
    again = DiskCachedEmbedder(second, path).embed_cached(texts)
    assert second.embedded == []
    assert np.array_equal(vectors, again)
    assert np.allclose(again, get_embedder("e5-small").embed_queries(texts), atol=1e-6)


def test_vectors_of_another_model_are_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    DiskCachedEmbedder(get_embedder("e5-small"), path).embed_cached(["KV cache"])
    other = DiskCachedEmbedder(Counting(get_embedder("e5-small")), path)
    other.disk.spec = "minilm"  # same file, a different model's key space
    other.embed_cached(["KV cache"])
    assert other.inner.embedded == ["KV cache"]  # type: ignore[attr-defined]


def test_an_unusable_cache_file_costs_time_not_answers(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    embedder = DiskCachedEmbedder(get_embedder("e5-small"), blocker / "embeddings.sqlite")
    vectors = embedder.embed_cached(["张量并行", "tensor parallelism"])
    assert vectors.shape == (2, 384)
    assert np.allclose(vectors, get_embedder("e5-small").embed_queries(["张量并行", "tensor parallelism"]), atol=1e-6)


def test_after_a_prefetch_scoring_embeds_only_the_answer(settings: Settings) -> None:
    ctx = build_context(settings)
    card, question = next(iter(ctx.corpus.questions.values()))
    task = corpus_task(card, question)
    assert task.pitfalls or task.key_points
    embedder = ctx.scorer.embedder
    assert isinstance(embedder, DiskCachedEmbedder)
    counting = Counting(embedder.inner)
    embedder.inner = counting
    worker = ctx.prefetch(task)
    assert worker is not None
    worker.join(timeout=60)
    assert set(counting.embedded) == set(scoring_texts(task))
    counting.embedded.clear()
    answer = "先说结论。它主要省显存，代价是多一次通信。"
    result = ctx.scorer.score(task, answer, "zh")
    assert result.key_points and counting.embedded == sentences(answer)  # nothing else reached the model
    assert (settings.home / "cache" / "embeddings.sqlite").exists()


def test_openmp_threads_sleep_rather_than_spin_unless_the_user_chose() -> None:
    import os
    import subprocess
    import sys

    code = "import os, agent.embeddings; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout == "PASSIVE\n"
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout == "ACTIVE\n"
