"""The corpus as indexable documents: one per note (zh, en), question, report, company, bank card.

docs = corpus_documents(corpus)   # [Doc(id="topic/rope/zh", text=..., metadata={...}), ...]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from agent.corpus import Corpus
from agent.corpus_schema import Card

DENSE_CHARS = 320  # embedding cost grows with length (≈390 e5 tokens per 600-char note); BM25 sees all


@dataclass(frozen=True)
class Doc:
    id: str  # unique in the collection: "<kind>/<corpus id>[/<lang>]"
    text: str  # what BM25 indexes and search shows
    metadata: dict[str, Any]  # kind, corpus_id, title, track, topic_id, company, lang, source
    dense: str = ""  # what is embedded, when shorter than text (questions: the wording only)

    @property
    def dense_text(self) -> str:
        return (self.dense or self.text)[:DENSE_CHARS]

    @property
    def content_hash(self) -> str:
        payload = json.dumps([self.text, self.dense_text, self.metadata], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _meta(kind: str, corpus_id: str, title: str, **extra: Any) -> dict[str, Any]:
    base = {"kind": kind, "corpus_id": corpus_id, "title": title, "source": "corpus"}
    base.update({k: v for k, v in extra.items() if v not in (None, "")})
    return base


def _card_docs(card: Card, kind: str) -> list[Doc]:
    topic_id = card.id if kind == "topic" else ""
    aliases = " ".join(card.aliases)
    docs = [
        Doc(
            f"{kind}/{card.id}/zh",
            f"{card.title}\n{aliases}\n{card.note_zh}",
            _meta(kind, card.id, card.title, track=card.track, topic_id=topic_id, lang="zh"),
        )
    ]
    if card.note_en:
        docs.append(
            Doc(
                f"{kind}/{card.id}/en",
                f"{card.title_en}\n{aliases}\n{card.note_en}",
                _meta(kind, card.id, card.title_en, track=card.track, topic_id=topic_id, lang="en"),
            )
        )
    for q in card.questions:
        points = "；".join(k.zh for k in q.key_points)
        docs.append(
            Doc(
                f"question/{q.id}",
                f"{q.q}\n{q.q_en}\n{points}",
                _meta("question", q.id, q.q, track=card.track, topic_id=topic_id, card_id=card.id, qtype=q.type),
                dense=f"{card.title}：{q.q}\n{q.q_en}",
            )
        )
    return docs


def corpus_documents(corpus: Corpus) -> list[Doc]:
    """Every indexable document of the bundled corpus."""
    kinds = {"project": "project", "behavioral": "behavioral", "coding": "coding"}
    docs: list[Doc] = []
    for card in corpus.cards.values():
        docs += _card_docs(card, kinds.get(card.track, "topic"))
    for e in corpus.experiences.values():
        company = corpus.companies.get(e.company)
        name = company.name if company else e.company
        asked = "\n".join(a.q for a in e.asked)
        topics = ",".join(sorted({a.topic for a in e.asked}))
        docs.append(
            Doc(
                f"experience/{e.id}",
                f"{name} {e.role} 第{e.round}轮\n{asked}\n{e.body}",
                _meta("experience", e.id, f"{name} · {e.role} · R{e.round}", company=e.company, topics=topics),
            )
        )
    for c in corpus.companies.values():
        docs.append(
            Doc(
                f"company/{c.slug}",
                f"{c.name} {c.name_en} {' '.join(c.aliases)}\n{c.summary}\n{c.tone}\n{c.summary_en}",
                _meta("company", c.slug, c.name, company=c.slug),
            )
        )
    return docs
