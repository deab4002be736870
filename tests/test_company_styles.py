"""Each company style steers a scripted offline interview toward its own focus."""

from __future__ import annotations

from random import Random

import pytest

from agent.corpus import load_corpus
from agent.paths import bundled_dir
from agent.planner import plan_interview

CORPUS = load_corpus(bundled_dir("corpus"))


def _in_focus(company_slug: str, topic_id: str) -> bool:
    focus = CORPUS.companies[company_slug].focus
    return topic_id in focus or CORPUS.cards[topic_id].track in focus


@pytest.mark.parametrize("slug", sorted(CORPUS.companies))
def test_planned_topics_lean_to_the_company_focus(slug: str) -> None:
    company = CORPUS.companies[slug]
    role = CORPUS.roles[company.tracks[0]]
    topics = [
        item.card_id
        for seed in range(30)
        for item in plan_interview(CORPUS, company, role, [], [], 8, Random(seed))
        if item.kind in ("fundamentals", "scenario")
    ]
    assert topics
    share = sum(_in_focus(slug, t) for t in topics) / len(topics)
    base = sum(_in_focus(slug, c.id) for c in CORPUS.topics()) / len(CORPUS.topics())
    assert share > base, f"{slug}: {share:.2f} of planned topics in focus vs {base:.2f} of the corpus"


@pytest.mark.parametrize("slug", sorted(CORPUS.companies))
def test_question_kinds_follow_the_company_mix(slug: str) -> None:
    company = CORPUS.companies[slug]
    plan = plan_interview(CORPUS, company, None, [], [], 20, Random(1))
    kinds = [item.kind for item in plan]
    for kind, share in company.mix.items():
        if kind in ("fundamentals", "project"):  # with no resume, project questions become fundamentals
            continue
        assert abs(kinds.count(kind) - 20 * share) <= 1, (kind, kinds.count(kind), share)
