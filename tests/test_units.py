"""Small pure pieces: text handling, planning arithmetic, key points from a reference, export paths."""

from __future__ import annotations

from pathlib import Path
from random import Random

import pytest

from agent.corpus import load_corpus
from agent.errors import InputError
from agent.export import safe_output_path
from agent.paths import bundled_dir
from agent.planner import allocate, plan_interview
from agent.reference import derive_key_points
from agent.resume import detect_topics, extract_claims
from agent.text import contains_term, sentences, tokens


def test_tokens_keep_english_terms_whole_and_cut_chinese() -> None:
    out = tokens("ZeRO-3 切分了参数和 Optimizer states")
    assert "zero-3" in out and "optimizer" in out and "参数" in out
    assert "了" not in out


def test_sentences_split_on_zh_and_en_punctuation() -> None:
    assert sentences("第一句。第二句！Third one. Fourth; 第五") == ["第一句", "第二句", "Third one", "Fourth", "第五"]


def test_short_latin_terms_match_whole_words_only() -> None:
    assert contains_term("we use pp and tp", "PP")
    assert not contains_term("apply the update", "PP")
    assert contains_term("用了分组查询注意力", "分组")


def test_allocate_uses_largest_remainder() -> None:
    assert allocate(3, {"a": 0.5, "b": 0.5}) == {"a": 2, "b": 1}
    assert sum(allocate(7, {"a": 0.35, "b": 0.4, "c": 0.15, "d": 0.1}).values()) == 7
    assert allocate(0, {"a": 1.0}) == {"a": 0}


def test_resume_claims_and_topics() -> None:
    corpus = load_corpus(bundled_dir("corpus"))
    text = "负责 7B 模型的 LoRA 微调，显存从 80G 降到 24G。熟悉 Python。业余爱好是跑步。"
    claims = extract_claims(corpus, text)
    assert claims[0].text.startswith("负责 7B") and "lora" in claims[0].topics and "80G" in claims[0].numbers
    assert all("跑步" not in c.text for c in claims)
    assert "lora" in detect_topics(corpus, text)


def test_plan_follows_the_company_mix_and_the_resume() -> None:
    corpus = load_corpus(bundled_dir("corpus"))
    company = corpus.companies["generic"]
    claims = extract_claims(corpus, "主导 RAG 检索增强项目，召回率从 60% 提到 85%。")
    plans = [
        plan_interview(corpus, company, corpus.roles["application"], ["rag-pipeline"], claims, 6, Random(s))
        for s in range(20)
    ]
    assert all(len(p) == 6 for p in plans)
    assert all(len({i.question_id for i in p}) == 6 for p in plans)
    expected = allocate(6, {k: v for k, v in company.mix.items()})
    for plan in plans:
        kinds = [i.kind for i in plan]
        assert kinds.count("project") == expected.get("project", 0)
        assert kinds == sorted(kinds, key=["project", "fundamentals", "scenario", "coding", "behavioral"].index)
    boosted = sum(any(i.card_id == "rag-pipeline" for i in p) for p in plans)
    assert boosted >= 10  # the resume's topic comes up in most plans


def test_key_points_are_derived_from_a_reference_answer() -> None:
    points = derive_key_points("第一点。第二点很重要。Third point here. 4. 五. 六六六六。七七七七。八八八八。")
    assert 1 <= len(points) <= 6
    assert "第一点" in points[0].zh
    with pytest.raises(InputError):
        derive_key_points("  ")


def test_export_paths_stay_inside_the_working_folder(tmp_path: Path) -> None:
    assert safe_output_path("out/t.md", tmp_path) == tmp_path / "out" / "t.md"
    for bad in ("../x.md", "/etc/passwd", "a/../../x.md"):
        with pytest.raises(InputError):
            safe_output_path(bad, tmp_path)
