"""Drills: a short interview on the topics that are due or weak, asking the missed knowledge again.

For each chosen topic the drill asks, in order of preference:
1. another question of the topic whose key points share the most terms with what was missed last
   time (the same knowledge, new wording), never the question asked last time;
2. if the topic has no other question: the last question again, scored on the missed key points
   only, worded as a follow-up.

    items = plan_drill(progress(ctx.store.scored_turns(), ctx.corpus), ctx.corpus, n=5)
    session = InterviewSession.start_drill(ctx, items, lang="zh")
"""

from __future__ import annotations

from agent.corpus import Corpus
from agent.errors import InputError
from agent.mastery import Progress, TopicMastery
from agent.planner import PlanItem


def _terms(corpus: Corpus, question_id: str, indices: list[int] | None = None) -> set[str]:
    _, question = corpus.question(question_id)
    points = [kp for i, kp in enumerate(question.key_points) if indices is None or i in indices]
    return {term.lower() for kp in points for term in kp.terms}


def drill_item(corpus: Corpus, topic: TopicMastery) -> PlanItem:
    """The question that re-asks this topic's missed knowledge in new wording."""
    card = corpus.cards[topic.topic_id]
    last = topic.last_question_id if topic.last_question_id in corpus.questions else None
    missed_terms = _terms(corpus, last, topic.missed or None) if last else set()
    others = [q for q in card.questions if q.id != last]
    if others:
        fresh = [q for q in others if q.id not in topic.asked_question_ids]

        def overlap(question_id: str) -> tuple[int, int, int]:
            shared = len(missed_terms & _terms(corpus, question_id))
            _, question = corpus.question(question_id)
            return (shared, question_id in {q.id for q in fresh}, -question.difficulty)

        best = max((q.id for q in others), key=overlap)
        return PlanItem("drill", card.id, best)
    if last is None:
        return PlanItem("drill", card.id, card.questions[0].id)
    return PlanItem("drill", card.id, last, key_points=topic.missed or None)


def plan_drill(report: Progress, corpus: Corpus, n: int = 5) -> list[PlanItem]:
    """Up to n drill items: due topics first, then the weakest; raises if there is nothing to drill."""
    if not 1 <= n <= 30:
        raise InputError("--n must be between 1 and 30")
    topics = [t for t in report.weakest(n) if t.topic_id in corpus.cards and corpus.cards[t.topic_id].questions]
    if not topics:
        if not report.topics:
            raise InputError("nothing to drill yet: finish an interview first (`kaoda interview`)")
        raise InputError("nothing is due or weak right now; every practised topic is above 60% mastery")
    return [drill_item(corpus, t) for t in topics]
