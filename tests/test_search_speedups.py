"""The search-path speed-ups keep results exact: partial top-n, cached filter masks, cached tokens."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from agent.context import Context
from agent.lexical import LexicalIndex, _top_positive
from agent.text import add_terms, tokens


def test_top_positive_matches_a_full_sort() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        scores = rng.integers(0, 6, size=int(rng.integers(1, 80))).astype(np.float32)
        n = int(rng.integers(1, 60))
        top = _top_positive(scores, n)
        expected = sorted((float(s) for s in scores if s > 0), reverse=True)[:n]
        assert [float(scores[i]) for i in top] == expected
        assert len(set(top.tolist())) == len(top)


def test_filter_masks_follow_updates(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "bm25")
    index.upsert(
        [
            ("a", "ZeRO-3 切分参数 梯度 优化器状态", {"company": "didi", "kind": "experience"}),
            ("b", "ZeRO-3 offload 到 CPU", {"company": "bytedance", "kind": "experience"}),
            ("c", "KV cache 分页 PagedAttention", {"company": "didi", "kind": "note"}),
        ]
    )
    index.save()
    assert [hit[0] for hit in index.search("ZeRO-3 参数", 5, {"company": "didi"})] == ["a"]
    index.upsert([("d", "ZeRO-3 通信量 参数切分", {"company": "didi", "kind": "note"})])
    index.save()  # the masks built for the old entries must not be reused
    found = index.search("ZeRO-3 参数", 5, {"company": "didi"})
    assert {hit[0] for hit in found} == {"a", "d"}
    assert all(score > 0 for _, score, _ in found)
    assert index.search("PagedAttention", 5, {"company": "bytedance"}) == []
    reopened = LexicalIndex(tmp_path / "bm25")
    assert [h[0] for h in reopened.search("ZeRO-3 参数", 5, {"company": "didi"})] == [h[0] for h in found]


def test_new_terms_are_not_hidden_by_the_token_cache() -> None:
    text = "我们用了猫猫并行策略"
    before = tokens(text)
    add_terms(["猫猫并行"])
    after = tokens(text)
    assert "猫猫并行" not in before and "猫猫并行" in after
    after.append("mutated")  # callers get their own list
    assert "mutated" not in tokens(text)


FILTERS = [
    {"kind": "topic"},
    {"kind": "question"},
    {"track": "inference"},
    {"company": "didi"},
    {"kind": "experience", "company": "didi"},
    {"topic_id": "zero"},
    {"source": "corpus"},
    {"company": "no-such-company"},
]
QUERIES = ["ZeRO-3 切了啥", "how does PagedAttention manage the KV cache", "RLHF 里 PPO 要几个模型", "LoRA 的秩怎么选"]


def test_filtered_dense_search_equals_chromas_own_filter(ctx: Context) -> None:
    """The over-fetch-then-filter path returns the top of the exact filtered ranking (at least half of it).

    Exact = brute-force cosine over every matching document's stored vector; near-ties (two
    paraphrased questions) may come in either order, so ranks are compared by similarity.
    """
    from agent.embeddings import get_embedder

    kb = ctx.kb
    embedder = get_embedder(ctx.settings.embeddings)
    total = kb.count()
    compared = 0
    for query in QUERIES:
        vector = embedder.embed_query(query)
        for filters in FILTERS:
            clauses = [{f: v} for f, v in filters.items()]
            where = clauses[0] if len(clauses) == 1 else {"$and": clauses}
            stored = kb.collection.get(where=where, include=["embeddings"])
            matching = len(stored["ids"])
            assert matching == kb.lexical.count_matching(filters), filters
            got = kb._dense(query, 30, filters)
            if not matching:
                assert got == []
                continue
            vectors = np.asarray(stored["embeddings"], dtype=np.float32)
            sims = vectors @ vector / np.linalg.norm(vectors, axis=1) / np.linalg.norm(vector)
            sim_of = dict(zip(stored["ids"], sims.tolist(), strict=True))
            exact = sorted(sims.tolist(), reverse=True)
            assert len(got) >= min(matching, 15), (query, filters)
            assert all(i in sim_of for i in got), (query, filters)  # every id matches the filter
            assert np.allclose([sim_of[i] for i in got], exact[: len(got)], atol=1e-3), (query, filters)
            compared += 1
    assert compared >= 20 and total > 500


def test_a_given_vector_replaces_the_query_embedding(ctx: Context) -> None:
    from agent.embeddings import get_embedder

    vector = get_embedder(ctx.settings.embeddings).embed_passages(["PagedAttention 把 KV cache 分成固定大小的块"])[0]
    by_vector = ctx.kb.search("unrelated words", k=3, mode="dense", vector=vector, kind="topic")
    by_text = ctx.kb.search("unrelated words", k=3, mode="dense", kind="topic")
    assert by_vector[0].id == "paged-attention-vllm"
    assert [h.id for h in by_vector] != [h.id for h in by_text]
