"""The long-lived objects one process needs (corpus, scorer, store, index), built once per settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from agent.config import Settings
from agent.corpus import Corpus, load_corpus
from agent.embeddings import DiskCachedEmbedder, get_embedder
from agent.rubric import OfflineScorer, ScoringTask
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
                # key-point and pitfall vectors persist under home: a new process does not re-embed them
                embedder = DiskCachedEmbedder(get_embedder(self.settings.embeddings), self.settings.embed_cache_path)
                self._scorer = OfflineScorer(embedder, self.corpus.rubrics, curves)
            return self._scorer

    def warm_up(self) -> None:
        """Load what the first answer and search would otherwise wait for: the model, jieba, the index.
        Meant for a background thread right after the app starts serving."""
        from agent.text import tokens

        self.scorer.embedder.embed_queries(["预热 warm-up"])
        tokens("预热分词 warm-up")
        self.kb.count()

    def prefetch(self, task: ScoringTask) -> threading.Thread | None:
        """Embed what scoring `task` will need, in the background (call when its question is shown)."""
        embedder = self.scorer.embedder
        if not isinstance(embedder, DiskCachedEmbedder):
            return None
        return embedder.prefetch(scoring_texts(task))

    @property
    def kb(self) -> Any:
        """The search index (imports Chroma on first use)."""
        with self._lock:
            if self._kb is None:
                from agent.knowledge import KnowledgeBase

                add_terms(alias for card in self.corpus.cards.values() for alias in card.aliases)
                self._kb = KnowledgeBase(self.settings)
            return self._kb


def scoring_texts(task: ScoringTask) -> list[str]:
    """The recurring texts OfflineScorer embeds for a task (`_similarities`, `_pitfalls`), in its order."""
    texts = [t for kp in task.key_points for t in (kp.zh, kp.en)] + [task.question]
    return texts + [t for p in task.pitfalls for t in (p.zh, p.en, p.correction, p.correction_en)]


def build_context(settings: Settings) -> Context:
    return Context(settings, load_corpus(settings.corpus_root), TranscriptStore(settings.db_path))
