"""The index: Chroma (dense) + BM25 (lexical), fused by reciprocal rank, with metadata filters.

kb = KnowledgeBase(settings)
kb.index_corpus(corpus)                         # incremental: unchanged docs are not re-embedded
kb.search("Z3 切了啥", k=5, kind="topic")       # [Hit(id="zero", kind="topic", ...), ...]
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.config import Settings
from agent.corpus import Corpus
from agent.documents import Doc, corpus_documents
from agent.embeddings import get_embedder
from agent.errors import InputError, SearchIndexError
from agent.lexical import FILTER_FIELDS, LexicalIndex
from agent.vectorstore import make_client, open_collection

RRF_K = 60  # the usual reciprocal-rank constant: damps the head so both lists count
BATCH = 64
# A filtered dense search first asks Chroma for enough unfiltered results that about OVERFETCH x n of them
# should match, and keeps the matching ids (Chroma's own metadata pre-filter cost 40-190 ms at 100k chunks;
# an unfiltered query for 1,500 results 16 ms: BENCHMARKS.md).
OVERFETCH = 1.5
MAX_OVERFETCH = 3000  # beyond this many results a where-query is cheaper: the filter is very selective


@contextlib.contextmanager
def _chroma_errors(what: str) -> Iterator[None]:
    """Chroma's own exceptions (a server gone away, a broken file) as one SearchIndexError naming the step."""
    try:
        yield
    except SearchIndexError:
        raise
    except Exception as exc:
        raise SearchIndexError(f"{what} failed: {type(exc).__name__}: {exc}") from exc


@dataclass
class Hit:
    id: str  # corpus id (topic, question, experience, company, bank card) or user chunk id
    kind: str
    title: str
    text: str
    score: float
    metadata: dict[str, Any]
    why: dict[str, Any] = field(default_factory=dict)  # dense_rank, bm25_rank, matched_terms

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "score": round(self.score, 5),
            "metadata": self.metadata,
            "why": self.why,
        }


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0


class KnowledgeBase:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = make_client(settings)
        self.lexical = LexicalIndex(settings.home / "bm25" / settings.collection)
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = open_collection(self.client, self.settings)
        return self._collection

    def rebuild(self) -> None:
        """Drop the collection and the lexical index (before re-embedding with another model)."""
        with contextlib.suppress(Exception):  # absent already: nothing to drop
            self.client.delete_collection(self.settings.collection)
        self._collection = None
        self.lexical.clear()
        self.lexical.save()

    def _stored_hashes(self, source: str) -> dict[str, str]:
        got = self.collection.get(where={"source": source}, include=["metadatas"])
        return {i: (m or {}).get("hash", "") for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def upsert(self, docs: list[Doc], progress: Any = None, vectors: np.ndarray | None = None) -> None:
        """Embed and write docs to both indexes (in batches; `progress(done, total)` if given).

        `vectors`: the docs' passage embeddings when the caller has them already (one row per doc).
        """
        if vectors is not None and len(vectors) != len(docs):
            raise ValueError(f"{len(vectors)} vectors for {len(docs)} documents")
        embedder = get_embedder(self.settings.embeddings)
        for start in range(0, len(docs), BATCH):
            batch = docs[start : start + BATCH]
            if vectors is None:
                batch_vectors = embedder.embed_passages([d.dense_text for d in batch])
            else:
                batch_vectors = vectors[start : start + BATCH]
            with _chroma_errors("writing to the index"):
                self.collection.upsert(
                    ids=[d.id for d in batch],
                    documents=[d.text for d in batch],
                    embeddings=[v.tolist() for v in batch_vectors],
                    metadatas=[{**d.metadata, "hash": d.content_hash} for d in batch],
                )
            self.lexical.upsert([(d.id, d.text, d.metadata) for d in batch])
            if progress:
                progress(min(start + BATCH, len(docs)), len(docs))
        self.lexical.save()

    def ids_where(self, where: dict[str, Any], limit: int | None = None) -> list[str]:
        """Ids of the stored documents whose metadata match `where` (a Chroma filter)."""
        with _chroma_errors("reading the index"):
            return list(self.collection.get(where=where, limit=limit, include=[])["ids"])

    def delete(self, doc_ids: list[str]) -> None:
        if doc_ids:
            with _chroma_errors("deleting from the index"):
                self.collection.delete(ids=doc_ids)
            self.lexical.delete(doc_ids)
            self.lexical.save()

    def index_corpus(self, corpus: Corpus, rebuild: bool = False, progress: Any = None) -> IndexReport:
        """Bring the index in line with the corpus: embed new/changed docs, delete removed ones."""
        started = time.perf_counter()
        if rebuild:
            self.rebuild()
        docs = corpus_documents(corpus)
        stored = self._stored_hashes("corpus")
        fresh = [d for d in docs if stored.get(d.id) != d.content_hash]
        removed = sorted(set(stored) - {d.id for d in docs})
        report = IndexReport(
            added=sum(1 for d in fresh if d.id not in stored),
            updated=sum(1 for d in fresh if d.id in stored),
            removed=len(removed),
            unchanged=len(docs) - len(fresh),
        )
        if fresh:
            self.upsert(fresh, progress)
        self.delete(removed)
        if len(self.lexical) != self.collection.count():  # e.g. the BM25 folder was deleted: resync
            self._resync_lexical()
        report.seconds = round(time.perf_counter() - started, 2)
        return report

    def _resync_lexical(self) -> None:
        got = self.collection.get(include=["documents", "metadatas"])
        self.lexical.clear()
        self.lexical.upsert(list(zip(got["ids"], got["documents"], got["metadatas"], strict=True)))
        self.lexical.save()

    def count(self) -> int:
        return int(self.collection.count())

    def search(
        self, query: str, k: int = 5, mode: str = "hybrid", vector: np.ndarray | None = None, **filters: str | None
    ) -> list[Hit]:
        """Top-k hits, one per corpus id, fused from dense and BM25 rankings.

        `vector`: the dense side's query vector when the caller has one (ingestion tags a chunk with
        its own passage vector instead of embedding it a second time).
        """
        if not query.strip():
            raise InputError("empty search query")
        if mode not in ("hybrid", "dense", "bm25"):
            raise InputError(f"search mode {mode!r}: expected hybrid, dense or bm25")
        wanted = {f: v for f, v in filters.items() if v}
        unknown = set(wanted) - set(FILTER_FIELDS)
        if unknown:
            raise InputError(f"unknown filter(s) {sorted(unknown)}; valid: {list(FILTER_FIELDS)}")
        depth = max(4 * k, 30)
        dense = self._dense(query, depth, wanted, vector) if mode != "bm25" else []
        lexical = self.lexical.search(query, depth, wanted) if mode != "dense" else []
        fused: dict[str, float] = {}
        why: dict[str, dict[str, Any]] = {}
        for rank, doc_id in enumerate(dense, 1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
            why.setdefault(doc_id, {})["dense_rank"] = rank
        for rank, (doc_id, _score, terms) in enumerate(lexical, 1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
            why.setdefault(doc_id, {}).update(bm25_rank=rank, matched_terms=terms)
        ranked = sorted(fused, key=lambda d: -fused[d])
        return self._hits(ranked, fused, why, k)

    def _dense(self, query: str, n: int, filters: dict[str, str], vector: np.ndarray | None = None) -> list[str]:
        if vector is None:
            vector = get_embedder(self.settings.embeddings).embed_query(query)
        with _chroma_errors("dense search"):
            total = len(self.lexical) or self.count()  # the lexical index holds one entry per document, in memory
            if not filters:
                return self._query(vector, min(n, total), None)
            matching = self.lexical.count_matching(filters) if len(self.lexical) else total
            if matching == 0:
                return []
            fetch = min(total, int(OVERFETCH * n * total / matching) + n)
            if len(self.lexical) and fetch <= MAX_OVERFETCH and matching < total:
                # Unfiltered, then keep the matching ids in rank order: always a prefix of the filtered query's
                # ranking, at a fraction of the cost of Chroma's metadata pre-filter. The fused list needs depth,
                # not all n: half of it is enough; fewer falls back to the exact where-query.
                kept = [i for i in self._query(vector, fetch, None) if self.lexical.matches(i, filters)]
                if len(kept) >= min(n, matching) or len(kept) >= max(1, n // 2):
                    return kept[:n]
            clauses = [{f: v} for f, v in filters.items()]
            return self._query(vector, min(n, matching), clauses[0] if len(clauses) == 1 else {"$and": clauses})

    def _query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None) -> list[str]:
        got = self.collection.query(query_embeddings=[vector.tolist()], n_results=max(1, n), where=where, include=[])
        return list(got["ids"][0])

    def _hits(self, ranked: list[str], fused: dict[str, float], why: dict[str, Any], k: int) -> list[Hit]:
        if not ranked:
            return []
        got = self.collection.get(ids=ranked[: 4 * k + 8], include=["documents", "metadatas"])
        by_id = {
            i: (doc, meta or {}) for i, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        hits: list[Hit] = []
        seen: set[str] = set()
        for doc_id in ranked:
            if doc_id not in by_id:
                continue
            text, meta = by_id[doc_id]
            corpus_id = meta.get("corpus_id", doc_id)
            if corpus_id in seen:
                continue
            seen.add(corpus_id)
            meta = {k2: v for k2, v in meta.items() if k2 != "hash"}
            hits.append(
                Hit(corpus_id, meta.get("kind", ""), meta.get("title", ""), text, fused[doc_id], meta, why[doc_id])
            )
            if len(hits) == k:
                break
        return hits
