"""The bundled corpus is valid and big enough; broken files are reported with path and field."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from agent.corpus import check_corpus, corpus_stats, load_corpus
from agent.errors import CorpusError
from agent.paths import bundled_dir

CORPUS = bundled_dir("corpus")


def test_bundled_corpus_is_valid() -> None:
    assert check_corpus(CORPUS) == []


def test_foundation_minimums() -> None:
    stats = corpus_stats(load_corpus(CORPUS))
    assert stats["topics"] >= 15 and len(stats["tracks"]) >= 5
    assert stats["companies"] >= 5 and stats["experiences"] >= 8


def test_every_company_evidence_points_at_its_own_reports() -> None:
    corpus = load_corpus(CORPUS)
    for company in corpus.companies.values():
        assert all(corpus.experiences[e].company == company.slug for e in company.evidence)
        if not company.evidence:
            assert "no" in company.summary_en.lower() or "无" in company.summary or "没有" in company.summary


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("relpath", "old", "new", "expected"),
    [
        ("topics/distributed/zero.md", "title_en:", "title_xx:", "zero.md: field 'title_en'"),
        ("topics/distributed/zero.md", "follow_ups: [zero-q2]", "follow_ups: [zero-q9]", "'zero-q9' is not a question"),
        ("topics/distributed/zero.md", "id: zero-q2", "id: zero-q1", "id 'zero-q1' is used 2 times"),
        ("topics/distributed/zero.md", "difficulty: 2", "difficulty: 7", "field 'questions.0.difficulty'"),
        ("companies/didi.yaml", "follow_up_depth:", "follow_up_depth: 9\nxfollow_up_depth:", "didi.yaml"),
    ],
)
def test_broken_files_are_reported_with_path_and_field(
    tmp_path: Path, relpath: str, old: str, new: str, expected: str
) -> None:
    root = _copy(tmp_path)
    _edit(root / relpath, old, new)
    problems = check_corpus(root)
    assert any(expected in p for p in problems), problems
    with pytest.raises(CorpusError):
        load_corpus(root)


def test_invalid_yaml_and_missing_front_matter_are_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "topics" / "distributed" / "zero.md").write_text("no front matter here", encoding="utf-8")
    (root / "companies" / "didi.yaml").write_text("name: [unclosed", encoding="utf-8")
    problems = "\n".join(check_corpus(root))
    assert "zero.md: expected YAML front matter" in problems
    assert "didi.yaml: invalid YAML" in problems


def test_no_sentence_is_copied_from_the_seed_documents() -> None:
    """Seed 12-character runs (punctuation and spaces removed) are stored hashed in tests/data."""
    hashes = set((Path(__file__).parent / "data" / "seed_shingles.txt").read_text().split())
    assert len(hashes) > 10000
    copied = []
    for path in CORPUS.rglob("*"):
        if path.suffix not in (".md", ".yaml"):
            continue
        text = re.sub(r"[\W_]+", "", path.read_text(encoding="utf-8").lower())
        for i in range(len(text) - 11):
            run = text[i : i + 12]
            if len(re.findall(r"[\u4e00-\u9fff]", run)) >= 10 and hashlib.sha1(run.encode()).hexdigest()[:12] in hashes:
                copied.append(f"{path.name}: {run}")
    assert not copied, copied[:10]


def test_corpus_issue_minimums() -> None:
    """The knowledge-base targets: topics, questions, companies, reports and the three banks."""
    corpus = load_corpus(CORPUS)
    stats = corpus_stats(corpus)
    assert stats["topics"] >= 80 and len(stats["tracks"]) == 10
    assert stats["companies"] >= 15 and "generic" in corpus.companies
    assert stats["experiences"] >= 40
    assert stats["project_bank"] >= 30 and stats["behavioral_bank"] >= 15 and stats["coding_bank"] >= 10
    for card in corpus.topics():
        assert len(card.questions) >= 2, card.id
        assert all(3 <= len(q.key_points) <= 6 for q in card.questions), card.id
        assert card.title_en and card.note_en and len(card.aliases) >= 3, card.id
    for card in corpus.bank("coding"):
        assert "def " in card.code, card.id
    assert all(e.source for e in corpus.experiences.values())


def test_seeded_companies_are_all_there_with_evidence() -> None:
    corpus = load_corpus(CORPUS)
    names = " ".join(f"{c.name} {c.name_en} {' '.join(c.aliases)}" for c in corpus.companies.values())
    for company in (
        "滴滴",
        "文心",
        "零一万物",
        "商汤",
        "米哈游",
        "腾讯",
        "上海 AI Lab",
        "智源",
        "联想",
        "JINA",
        "xDAN",
    ):
        assert company.lower() in names.lower(), company
    seeded = [
        c
        for c in corpus.companies.values()
        if any(corpus.experiences[e].source.startswith("seed:") for e in c.evidence)
    ]
    assert len(seeded) >= 10
