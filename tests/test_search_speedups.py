"""The search-path speed-ups keep results exact: partial top-n, cached filter masks, cached tokens."""

from __future__ import annotations

from pathlib import Path

import numpy as np

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
