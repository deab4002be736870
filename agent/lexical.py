"""BM25 over jieba/English tokens (bm25s), persisted beside Chroma and updated with it.

Tokens are stored per entry, so an update re-tokenizes only the changed entries and rebuilds the
(sparse, fast) score matrix. Filters are applied as a mask over all scores.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from agent.text import tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)
FILTER_FIELDS = ("kind", "company", "track", "topic_id", "source")


class LexicalIndex:
    """entries: doc id -> {"tokens": [...], one key per FILTER_FIELDS}."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.RLock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._ids: list[str] = []
        self._columns: dict[str, np.ndarray] = {}
        self._masks: dict[tuple[str, str], np.ndarray] = {}  # (field, value) -> bool per entry, built on first use
        self._bm25: Any = None
        path = folder / "entries.json"
        if path.exists():
            self._entries = json.loads(path.read_text(encoding="utf-8"))
            self._rebuild()

    def __len__(self) -> int:
        return len(self._entries)

    def upsert(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        """items: (doc id, text, metadata); text is tokenized here."""
        with self._lock:
            for doc_id, text, metadata in items:
                entry: dict[str, Any] = {f: str(metadata.get(f) or "") for f in FILTER_FIELDS}
                entry["tokens"] = tokens(text)
                self._entries[doc_id] = entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def delete(self, doc_ids: list[str]) -> None:
        with self._lock:
            for doc_id in doc_ids:
                self._entries.pop(doc_id, None)

    def save(self) -> None:
        """Rebuild the score matrix and write the entries (atomically: temp file, then rename)."""
        with self._lock:
            self._rebuild()
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / "entries.json.tmp"
            tmp.write_text(json.dumps(self._entries, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.folder / "entries.json")

    def _rebuild(self) -> None:
        import bm25s

        self._ids = list(self._entries)
        self._columns = {f: np.array([self._entries[i][f] for i in self._ids], dtype=object) for f in FILTER_FIELDS}
        self._masks = {}
        corpus = [self._entries[i]["tokens"] or ["∅"] for i in self._ids]
        self._bm25 = None
        if corpus:
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)

    def search(self, query: str, n: int, filters: dict[str, str] | None = None) -> list[tuple[str, float, list[str]]]:
        """Top-n (doc id, bm25 score, query terms that matched), best first; only positive scores."""
        query_tokens = tokens(query)
        with self._lock:
            if self._bm25 is None or not query_tokens:
                return []
            known = [t for t in query_tokens if t in self._bm25.vocab_dict]
            if not known:
                return []
            scores = self._bm25.get_scores(known)
            for field, value in (filters or {}).items():
                scores = np.where(self._mask(field, value), scores, 0.0)
            top = _top_positive(scores, n)
            return [
                (self._ids[i], float(scores[i]), [t for t in known if t in self._entries[self._ids[i]]["tokens"]])
                for i in top
            ]

    def count_matching(self, filters: dict[str, str]) -> int:
        """How many indexed documents pass all the filters (as of the last save)."""
        with self._lock:
            if not self._ids:
                return 0
            mask = np.ones(len(self._ids), dtype=bool)
            for field, value in filters.items():
                mask &= self._mask(field, value)
            return int(np.count_nonzero(mask))

    def matches(self, doc_id: str, filters: dict[str, str]) -> bool:
        """Whether a document's metadata passes all the filters (False for an id not indexed)."""
        entry = self._entries.get(doc_id)
        return entry is not None and all(entry.get(f) == v for f, v in filters.items())

    def _mask(self, field: str, value: str) -> np.ndarray:
        key = (field, value)
        if key not in self._masks:
            self._masks[key] = self._columns[field] == value
        return self._masks[key]


def _top_positive(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest positive scores, best first (argpartition: O(N), not a full sort)."""
    positive = int(np.count_nonzero(scores > 0))
    n = min(n, positive)
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    candidates = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return candidates[np.argsort(-scores[candidates], kind="stable")]
