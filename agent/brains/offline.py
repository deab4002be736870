"""The offline interviewer: every question, follow-up and key point comes from the corpus.

After each answer: a weak answer with a missed key point gets a `follow_up` probing that point; a
good one goes `deeper` down the question's follow-up chain (or to a `scenario`); never beyond the
company's `follow_up_depth`. Then the next planned item opens (`switch_topic` / `project`), and
after the planned number of main questions, `wrap_up`.
"""

from __future__ import annotations

from random import Random
from typing import Any

from agent.brains.base import Move
from agent.corpus import Corpus
from agent.corpus_schema import Card, Company, Question
from agent.prompts import phrase
from agent.resume import quote

WEAK, GOOD, HOPELESS = 3.0, 2.5, 1.0  # answer-score thresholds (0–5) for follow-up / deeper / move on


class OfflineBrain:
    name = "offline"

    def __init__(self, corpus: Corpus, company: Company) -> None:
        self.corpus = corpus
        self.company = company

    def follow_up_depth(self, state: Any) -> int:
        """The company's depth; `easy` digs one level less, `hard` one more; drills never dig."""
        if getattr(state, "kind", "interview") == "drill":
            return 0
        shift = {"easy": -1, "hard": 1}.get(getattr(state, "difficulty", "normal"), 0)
        return max(0, self.company.follow_up_depth + shift)

    def _rng(self, state: Any) -> Random:
        return Random(f"{state.seed}:{len(state.turns)}")

    def _text(self, question: Question, lang: str, claim: str = "") -> str:
        text = question.q if lang == "zh" else question.q_en
        return text.replace("{claim}", quote(claim)) if "{claim}" in text else text

    def _sources(self, card: Card, question: Question) -> list[str]:
        """The question, its card, and interview reports that asked this topic (this company's first)."""
        sources = [question.id, card.id]
        here = self.corpus.experiences_asking(card.id, self.company.slug)
        elsewhere = [e for e in self.corpus.experiences_asking(card.id) if e not in here]
        sources += [e.id for e in (here[:3] + elsewhere[: max(0, 2 - len(here))])]
        return sources

    def prepare(self, turn: dict[str, Any], answer: str) -> None:
        """Nothing to fetch ahead: the offline brain's next move needs no retrieval."""

    def opening(self, state: Any) -> Move:
        name = self.company.name if state.lang == "zh" else self.company.name_en
        return Move("intro", phrase("intro", state.lang, self._rng(state), company=name), reason="self-introduction")

    def next_move(self, state: Any, last_turn: dict[str, Any] | None, on_question: Any = None) -> Move:
        if last_turn and (clash := self._contradiction(state, last_turn)):
            return clash
        if last_turn and last_turn["move"] != "intro" and state.depth < self.follow_up_depth(state):
            move = self._dig(state, last_turn)
            if move:
                return move
        if state.main_asked >= state.n_questions or state.plan_pos >= len(state.plan):
            return Move("wrap_up", "", reason=f"{state.main_asked} main questions asked")
        return self._open_item(state, state.plan_pos, first=last_turn is not None and last_turn["move"] == "intro")

    def _contradiction(self, state: Any, last: dict[str, Any]) -> Move | None:
        """A fact in the last answer that disagrees with an earlier one: ask about it (once per pair)."""
        from agent.ledger import Fact, contradictions

        facts = [Fact(**f) for f in state.facts]
        for earlier, later in contradictions(facts):
            key = f"{earlier.kind}:{earlier.value}:{later.value}"
            if later.turn != last["index"] or key in state.raised:
                continue
            consistency = [q for c in self.corpus.bank("project") for q in c.questions if q.angle == "consistency"]
            question = consistency[0] if consistency else None
            text = phrase("consistency", state.lang, self._rng(state), earlier=earlier.text[:60], later=later.text[:60])
            return Move(
                "follow_up",
                text,
                question.id if question else None,
                last.get("topic_id"),
                [question.id] if question else [],
                reason=f"contradiction: {earlier.kind} {earlier.value:g} then {later.value:g}",
                meta={"contradiction": key},
            )
        return None

    def _dig(self, state: Any, last: dict[str, Any]) -> Move | None:
        """Stay on the topic: probe a missed point, or go deeper / to a scenario."""
        if not last.get("question_id") or last["question_id"] not in self.corpus.questions:
            return None
        card, question = self.corpus.question(last["question_id"])
        score = (last.get("score") or {}).get("score", 0.0)
        lang, rng = state.lang, self._rng(state)
        if HOPELESS <= score < WEAK:
            missed = [
                i
                for i, kp in enumerate((last["score"] or {}).get("key_points", []))
                if not kp["hit"] and f"{question.id}#{i}" not in state.probed
            ]
            if last.get("meta", {}).get("key_point_indices") is not None:  # a follow-up already: don't re-probe
                missed = []
            if missed:
                index = missed[0]
                point = question.key_points[index]
                terms = [t for t in point.terms if (t.isascii() if lang == "en" else True)][:2]
                title = card.title if lang == "zh" else card.title_en
                text = (
                    phrase("follow_up", lang, rng, hint=" / ".join(terms))
                    if terms
                    else phrase("follow_up_no_terms", lang, rng, title=title)
                )
                return Move(
                    "follow_up",
                    text,
                    question.id,
                    card.id if card.track not in ("project", "behavioral", "coding") else last.get("topic_id"),
                    self._sources(card, question),
                    reason=f"score {score}: probing missed key point {index + 1}",
                    key_point_indices=[index],
                    meta={"probe": f"{question.id}#{index}"},
                )
        if score >= GOOD:
            chain = [f for f in question.follow_ups if f not in state.asked_question_ids]
            if chain:
                nxt = self.corpus.questions[chain[0]][1]
                kind = "scenario" if nxt.type == "scenario" else "deeper"
                return self._ask(state, kind, card, nxt, f"score {score}: next level of the chain", last)
            scenarios = [q for q in card.questions if q.type == "scenario" and q.id not in state.asked_question_ids]
            if scenarios and self.company.mix.get("scenario", 0) > 0:
                return self._ask(state, "scenario", card, scenarios[0], f"score {score}: a what-if", last)
        return None

    def _ask(self, state: Any, kind: str, card: Card, question: Question, reason: str, last: dict[str, Any]) -> Move:
        claim = last.get("meta", {}).get("claim", "")
        text = phrase(kind, state.lang, self._rng(state), question=self._text(question, state.lang, claim))
        topic = card.id if card.track not in ("project", "behavioral", "coding") else last.get("topic_id")
        return Move(kind, text, question.id, topic, self._sources(card, question), reason, meta={"claim": claim})

    def _open_item(self, state: Any, index: int, first: bool) -> Move:
        item = state.plan[index]
        card, question = self.corpus.question(item.question_id)
        body = self._text(question, state.lang, item.claim)
        kind = "project" if item.kind == "project" else "switch_topic"
        if item.kind == "drill":
            title = card.title if state.lang == "zh" else card.title_en
            template = "drill_again" if item.key_points else "drill"
            text = phrase(template, state.lang, self._rng(state), question=body, title=title)
        else:
            text = phrase("first_question" if first else kind, state.lang, self._rng(state), question=body)
        topic = card.id if item.kind in ("fundamentals", "scenario", "drill") else None
        if item.kind == "project" and item.claim:
            topic = next(iter(self.corpus_topics_of(item.claim)), None)
        reason = f"plan item {index + 1}/{len(state.plan)}: {item.kind}" + (" on a resume claim" if item.claim else "")
        return Move(
            kind,
            text,
            question.id,
            topic,
            self._sources(card, question),
            reason,
            key_point_indices=getattr(item, "key_points", None),
            meta={"opens_item": index, "claim": item.claim, "kind": item.kind},
        )

    def corpus_topics_of(self, text: str) -> list[str]:
        from agent.resume import detect_topics

        return detect_topics(self.corpus, text)
