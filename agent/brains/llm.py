"""The LLM interviewer: an OpenAI-compatible model decides and phrases the next move.

Each turn it gets the plan, the transcript (answers quoted as data), the resume claims and any
contradictions, and material retrieved for the topic and the company; it returns a structured
decision. The offline brain sets the bounds (depth, main-question count, wrap-up) and stands in for
any turn where the model fails: timeouts, HTTP errors, empty or malformed JSON, missing fields,
the wrong language, or a question that leaks its answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from agent.brains.base import Move
from agent.brains.offline import OfflineBrain
from agent.corpus_schema import Company, Question
from agent.llm import prompt_chain, structured_call
from agent.text import normalize

DIG_MOVES = ("follow_up", "deeper", "scenario")
OPEN_MOVES = ("switch_topic", "project")
MAX_TRANSCRIPT_TURNS = 8
_CJK = re.compile(r"[\u4e00-\u9fff]")
# retrieval and embeddings done while the model (judge or interviewer) is answering
_BACKGROUND = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kaoda-llm-brain")


class Decision(BaseModel):
    move: Literal["follow_up", "deeper", "scenario", "switch_topic", "project", "wrap_up"]
    question: str
    topic_id: str = ""
    target_key_point: str = ""
    cites: list[str] = []
    reason: str = ""


def leaks(question: str, key_points: list[str]) -> str | None:
    """The key point a question gives away (most of its characters appear in order in it), if any."""
    asked = normalize(question).lower()
    for point in key_points:
        text = normalize(point).lower()
        pairs = {text[i : i + 2] for i in range(len(text) - 1) if text[i : i + 2].strip()}
        if len(text) >= 10 and pairs and sum(p in asked for p in pairs) / len(pairs) >= 0.75:
            return point
    return None


def material_query(last: dict[str, Any] | None) -> str:
    """What the prompt's material is retrieved for: the last question and its answer."""
    return " ".join(filter(None, [(last or {}).get("question", ""), (last or {}).get("answer", "") or ""]))[:400]


def wrong_language(question: str, lang: str) -> bool:
    letters = [c for c in question if c.isalpha()]
    cjk = sum(bool(_CJK.match(c)) for c in letters)
    share = cjk / len(letters) if letters else 0.0
    return share < 0.3 if lang == "zh" else share > 0.1


class LLMBrain:
    name = "llm"

    def __init__(self, ctx: Any, company: Company, model: Any) -> None:
        self.ctx = ctx
        self.corpus = ctx.corpus
        self.company = company
        self.model = model
        self.offline = OfflineBrain(ctx.corpus, company)
        self._searches: dict[str, Future[list[Any]]] = {}  # query -> retrieval started by `prepare`

    def prepare(self, turn: dict[str, Any], answer: str) -> None:
        """The answer is in: start retrieving the next prompt's material while the answer is scored."""
        query = material_query({**turn, "answer": answer})
        if query and query not in self._searches:
            self._searches[query] = _BACKGROUND.submit(self._search, query)

    def opening(self, state: Any) -> Move:
        return self.offline.opening(state)

    def next_move(
        self, state: Any, last_turn: dict[str, Any] | None, on_question: Callable[[str], None] | None = None
    ) -> Move:
        planned = self.offline.next_move(state, last_turn)
        if planned.move == "wrap_up" or "contradiction" in planned.meta:
            return planned  # the plan's bounds and consistency checks are the code's, not the model's
        can_dig = last_turn is not None and last_turn["move"] != "intro" and state.depth < self.company.follow_up_depth
        allowed = [*DIG_MOVES, *OPEN_MOVES] if can_dig else list(OPEN_MOVES)
        material = self._material(state, last_turn, planned)
        variables = self._variables(state, last_turn, allowed, material)

        def check(decision: Decision) -> str | None:
            if decision.move not in allowed:
                return f"move '{decision.move}' is not allowed now; choose one of {allowed}"
            if not decision.question.strip():
                return "the question is empty"
            if wrong_language(decision.question, state.lang):
                return f"the question must be in {'Chinese' if state.lang == 'zh' else 'English'}"
            leaked = leaks(decision.question, self._points_near(decision, state, last_turn, planned))
            return (
                f"the question reveals a key point ({leaked[:40]}); ask without giving the answer" if leaked else None
            )

        def partial(data: dict[str, Any]) -> None:
            if on_question and isinstance(data.get("question"), str):
                on_question(data["question"])

        # the question texts the decision will likely be matched to, embedded while the model answers
        _BACKGROUND.submit(self.ctx.scorer.embedder.embed_cached, self._likely_texts(state, last_turn, material))
        chain = prompt_chain("interviewer", state.lang, self.model)
        decision, record = structured_call(chain, variables, Decision, check, partial if on_question else None)
        if decision is None:
            planned.meta.update(fallback=True, fallback_reason=record.error, llm=record.as_json())
            return planned
        move = self._to_move(decision, state, last_turn, planned, material)
        move.meta["llm"] = record.as_json()
        return move

    # -- context for the prompt ----------------------------------------------------------------------
    def _material(self, state: Any, last: dict[str, Any] | None, planned: Move) -> dict[str, str]:
        """id -> one line of retrieved text: the planned question, notes, questions, reports of this company."""
        lines: dict[str, str] = {}
        if planned.question_id:
            card, question = self.corpus.question(planned.question_id)
            lines[question.id] = f"(planned question, topic {card.id}) {self._q(question, state.lang)}"
        query = material_query(last) or planned.question
        started = self._searches.pop(query, None)
        for hit in started.result() if started else self._search(query):
            lines.setdefault(hit.id, f"({hit.kind}, topic {hit.metadata.get('topic_id', '-')}) {hit.text[:220]}")
        for source in planned.sources:
            if source in self.corpus.experiences:
                asked = "; ".join(a.q for a in self.corpus.experiences[source].asked[:4])
                lines.setdefault(source, f"(interview report, {self.corpus.experiences[source].company}) {asked}")
        return {k: v.replace("\n", " ") for k, v in lines.items()}

    def _search(self, query: str) -> list[Any]:
        """Corpus hits and this company's interview reports for query; [] when retrieval fails."""
        if not query:
            return []
        try:
            hits = self.ctx.kb.search(query, k=5, source="corpus")
            return hits + self.ctx.kb.search(query, k=2, kind="experience", company=self.company.slug)
        except Exception:  # retrieval is a help here, not a requirement: the plan still gives a question
            return []

    def _likely_texts(self, state: Any, last: dict[str, Any] | None, material: dict[str, str]) -> list[str]:
        """Question texts `_to_move` will likely compare the decision with: the next plan item's topic,
        the last question's topic, the retrieved questions."""
        ids = [i for i in material if i in self.corpus.questions]
        if state.plan_pos < len(state.plan):
            item = state.plan[state.plan_pos]
            card = self.corpus.cards.get(item.card_id)
            ids += [item.question_id] + ([q.id for q in card.questions] if card else [])
        if last and last.get("question_id") in self.corpus.questions:
            ids += [q.id for q in self.corpus.question(last["question_id"])[0].questions]
        known = [i for i in dict.fromkeys(ids) if i in self.corpus.questions]
        return [self._q(self.corpus.question(i)[1], state.lang) for i in known]

    def _variables(
        self, state: Any, last: dict[str, Any] | None, allowed: list[str], material: dict[str, str]
    ) -> dict[str, Any]:
        zh = state.lang == "zh"
        role = self.corpus.roles.get(state.role)
        plan = "\n".join(
            f"{'→' if i == state.plan_pos else ' '} {i + 1}. {item.kind}: {item.card_id}"
            + (f" «{item.claim[:60]}»" if item.claim else "")
            for i, item in enumerate(state.plan)
        )
        transcript = "\n".join(
            f"Q{t['index']} [{t['move']}]: {t['question']}\n<answer>{(t['answer'] or '')[:600]}</answer>"
            for t in state.turns[-MAX_TRANSCRIPT_TURNS:]
            if t["move"] != "wrap_up"
        )
        score = (last or {}).get("score") or {}
        missed = [kp["text"] for kp in score.get("key_points", []) if not kp["hit"]]
        return {
            "company_name": self.company.name if zh else self.company.name_en,
            "role_name": (role.name if zh else role.name_en) if role else state.role,
            "tone": self.company.tone if zh else self.company.tone_en,
            "allowed_moves": allowed,
            "remaining": max(0, state.n_questions - state.main_asked),
            "depth": state.depth,
            "max_depth": self.company.follow_up_depth,
            "plan": plan or "-",
            "claims": "\n".join(f"- {c}" for c in state.claims) or "-",
            "contradictions": "",
            "transcript": transcript or "-",
            "last_score": f"{score.get('score')}/5" if score else "-",
            "missed": "; ".join(missed) or "-",
            "material": "\n".join(f"[{k}] {v}" for k, v in material.items()) or "-",
        }

    # -- decision → move ------------------------------------------------------------------------------
    def _q(self, question: Question, lang: str) -> str:
        return question.q if lang == "zh" else question.q_en

    def _candidates(self, decision: Decision, state: Any, last: dict[str, Any] | None, planned: Move) -> list[str]:
        """Corpus questions the decision may be asking (for key points and scoring)."""
        if decision.move in OPEN_MOVES:
            item = state.plan[state.plan_pos] if state.plan_pos < len(state.plan) else None
            card = self.corpus.cards.get(decision.topic_id) or (self.corpus.cards[item.card_id] if item else None)
            ids = [q.id for q in card.questions] if card else []
            return ([item.question_id] if item else []) + [i for i in ids if i not in state.asked_question_ids]
        card_id = self.corpus.question(last["question_id"])[0].id if last and last.get("question_id") else ""
        card = self.corpus.cards.get(decision.topic_id) or self.corpus.cards.get(card_id)
        cited = [c for c in decision.cites if c in self.corpus.questions]
        return cited + ([q.id for q in card.questions] if card else [])

    def _points_near(self, decision: Decision, state: Any, last: dict[str, Any] | None, planned: Move) -> list[str]:
        ids = self._candidates(decision, state, last, planned)[:6]
        return [kp.zh if state.lang == "zh" else kp.en for i in ids for kp in self.corpus.question(i)[1].key_points]

    def _nearest(self, text: str, question_ids: list[str], lang: str) -> str | None:
        if not question_ids:
            return None
        embedder = self.ctx.scorer.embedder
        asked = embedder.embed_query(text)
        # corpus question texts recur: cached (memory, then disk), and most were embedded during the call
        candidates = embedder.embed_cached([self._q(self.corpus.question(i)[1], lang) for i in question_ids])
        return question_ids[int(np.argmax(candidates @ asked))]

    def _to_move(
        self, decision: Decision, state: Any, last: dict[str, Any] | None, planned: Move, material: dict[str, str]
    ) -> Move:
        cites = [c for c in decision.cites if c in material or c in self.corpus.questions or c in self.corpus.cards]
        meta: dict[str, Any] = {"reason_llm": decision.reason}
        key_point_indices = None
        if decision.move == "follow_up" and last and last.get("question_id"):
            question_id = last["question_id"]
            points = [kp.zh if state.lang == "zh" else kp.en for kp in self.corpus.question(question_id)[1].key_points]
            target = decision.target_key_point or decision.question
            index = self._nearest_point(target, points)
            key_point_indices = [index]
        else:
            unasked = [
                i
                for i in dict.fromkeys(self._candidates(decision, state, last, planned))
                if i not in state.asked_question_ids or decision.move in OPEN_MOVES
            ]
            question_id = self._nearest(decision.question, unasked, state.lang) or planned.question_id
        if decision.move in OPEN_MOVES:
            meta["opens_item"] = state.plan_pos
            item = state.plan[state.plan_pos] if state.plan_pos < len(state.plan) else None
            meta["claim"] = item.claim if item else ""
        card = self.corpus.question(question_id)[0] if question_id else None
        topic = (
            card.id if card and card.track not in ("project", "behavioral", "coding") else (last or {}).get("topic_id")
        )
        sources = list(dict.fromkeys([*([question_id] if question_id else []), *cites]))
        return Move(
            decision.move,
            decision.question.strip(),
            question_id,
            topic,
            sources,
            decision.reason or "llm decision",
            key_point_indices,
            meta,
        )

    def _nearest_point(self, target: str, points: list[str]) -> int:
        embedder = self.ctx.scorer.embedder
        wanted = embedder.embed_query(target)
        return int(np.argmax(embedder.embed_cached(points) @ wanted))  # the points were cached when scored
