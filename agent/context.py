"""The long-lived objects one process needs (corpus, scorer, store, index), built once per settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from agent.config import Settings
from agent.corpus import Corpus, load_corpus
from agent.embeddings import get_embedder
from agent.rubric import OfflineScorer
from agent.store import TranscriptStore
from agent.text import add_terms


@dataclass
class Context:
    settings: Settings
    corpus: Corpus
    store: TranscriptStore
    _scorer: OfflineScorer | None = None
    _kb: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def with_settings(self, **changes: Any) -> Context:
        """The same corpus, store, scorer and index under other settings (e.g. a browser's own endpoint)."""
        from dataclasses import replace

        twin = Context(replace(self.settings, **changes), self.corpus, self.store)
        twin._scorer, twin._kb = self.scorer, self._kb
        return twin

    @property
    def scorer(self) -> OfflineScorer:
        with self._lock:
            if self._scorer is None:
                from agent.calibration import load_curves

                curves = load_curves(self.settings.corpus_root / "rubrics" / "calibration.json")
                self._scorer = OfflineScorer(get_embedder(self.settings.embeddings), self.corpus.rubrics, curves)
            return self._scorer

    @property
    def kb(self) -> Any:
        """The search index (imports Chroma on first use)."""
        with self._lock:
            if self._kb is None:
                from agent.knowledge import KnowledgeBase

                add_terms(alias for card in self.corpus.cards.values() for alias in card.aliases)
                self._kb = KnowledgeBase(self.settings)
            return self._kb


def build_context(settings: Settings) -> Context:
    return Context(settings, load_corpus(settings.corpus_root), TranscriptStore(settings.db_path))
