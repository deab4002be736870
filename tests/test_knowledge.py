"""The index for real: e5 embeddings, embedded Chroma, BM25; incremental indexing; filters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.config import load_settings
from agent.context import Context, build_context
from agent.errors import InputError, SearchIndexError
from agent.knowledge import KnowledgeBase

pytestmark = pytest.mark.slow


def test_copied_index_holds_every_document(ctx: Context) -> None:
    from agent.documents import corpus_documents

    assert ctx.kb.count() == len(corpus_documents(ctx.corpus))
    assert len(ctx.kb.lexical) == ctx.kb.count()


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("Z3 切了啥", "zero"),
        ("GQA 省的是计算量还是显存", "mha-mqa-gqa"),
        ("为什么 attention 要除以根号 dk", "attention-scaling"),
        ("how does PagedAttention avoid KV cache fragmentation", "paged-attention-vllm"),
        ("LoRA 的秩 r 和 alpha 怎么选", "lora"),
        ("DPO 相比 PPO 少了哪些模型", "dpo"),
    ],
)
def test_hybrid_search_finds_the_topic_in_top_3(ctx: Context, query: str, topic: str) -> None:
    hits = ctx.kb.search(query, k=5)
    topics = [h.metadata.get("topic_id") or h.id for h in hits[:3]]
    assert topic in topics, [(h.id, h.why) for h in hits]
    assert all(h.why for h in hits)


def test_filters_restrict_kind_company_and_track(ctx: Context) -> None:
    assert {h.kind for h in ctx.kb.search("ZeRO 显存", k=8, kind="question")} == {"question"}
    didi = ctx.kb.search("面试问了什么", k=5, kind="experience", company="didi")
    assert didi and all(h.metadata["company"] == "didi" for h in didi)
    assert {h.metadata["track"] for h in ctx.kb.search("显存", k=8, track="inference")} == {"inference"}


def test_bad_queries_are_refused(ctx: Context) -> None:
    with pytest.raises(InputError):
        ctx.kb.search("   ")
    with pytest.raises(InputError):
        ctx.kb.search("x", colour="red")


def test_reindex_is_incremental(ctx: Context, tmp_path: Path) -> None:
    ctx.kb.index_corpus(ctx.corpus)  # catch up with any corpus edit since the session index was built
    again = ctx.kb.index_corpus(ctx.corpus)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == ctx.kb.count()

    corpus_copy = tmp_path / "corpus"
    shutil.copytree(ctx.settings.corpus_root, corpus_copy)
    note = next((corpus_copy / "topics" / "distributed").glob("zero.md"))
    note.write_text(note.read_text(encoding="utf-8").replace("## English", "补充一句。\n\n## English"), "utf-8")
    (corpus_copy / "topics" / "inference" / "flash-decoding.md").unlink()
    for exp in (corpus_copy / "experiences").glob("*.md"):  # drop references to the removed card
        text = exp.read_text(encoding="utf-8")
        if "topic: flash-decoding" in text:
            exp.write_text(text.replace("topic: flash-decoding", "topic: flash-attention"), "utf-8")
    for company in (corpus_copy / "companies").glob("*.yaml"):
        text = company.read_text(encoding="utf-8")
        company.write_text(text.replace("flash-decoding", "flash-attention"), "utf-8")
    changed = build_context(load_settings({"home": ctx.settings.home, "corpus_dir": corpus_copy}, env={}))
    report = changed.kb.index_corpus(changed.corpus)
    assert 1 <= report.updated <= 5  # zero's zh note, and reports whose topic tags changed
    assert report.removed >= 3  # the flash-decoding notes and questions
    assert report.added == 0
    assert report.unchanged > 600  # everything else was not re-embedded
    assert "补充一句" in changed.kb.collection.get(ids=["topic/zero/zh"])["documents"][0]
    assert not [h for h in changed.kb.search("Flash-Decoding", k=10) if h.id.startswith("flash-decoding")]


def test_index_refuses_another_embedding_model(ctx: Context) -> None:
    other = load_settings({"home": ctx.settings.home, "embeddings": "minilm"}, env={})
    with pytest.raises(SearchIndexError, match="--rebuild"):
        KnowledgeBase(other).count()
