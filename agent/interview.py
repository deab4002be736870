"""The interview state machine: plan, ask, take an answer, score it, choose the next move, wrap up.

The state is plain data (JSON), saved with every turn, so a crashed interview resumes.

    session = InterviewSession.start(ctx, company="didi", role="infra", n_questions=3)
    session.current()["question"]          # the self-introduction request
    session.answer("我做过 ZeRO-3 的训练框架……")  # scores, saves, then asks the next question
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from random import Random
from typing import Any

from agent.brains.base import Move
from agent.brains.offline import OfflineBrain
from agent.context import Context
from agent.errors import InputError, NotFoundError
from agent.ledger import facts_in
from agent.planner import DIFFICULTIES, PlanItem, plan_interview
from agent.prompts import phrase
from agent.reference import corpus_task
from agent.resume import detect_topics, extract_claims
from agent.rubric import ScoringTask
from agent.store import now

MAX_ANSWER_CHARS = 20000  # stored whole up to this; longer answers are refused with a clear message


def check_encodable(text: str, what: str) -> None:
    """Refuse text SQLite cannot store (a lone UTF-16 surrogate) before anything is scored or saved."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"the {what} holds an invalid character at position {exc.start} (a lone UTF-16 surrogate);"
            " retype or paste it again"
        ) from exc


@dataclass
class InterviewState:
    id: str
    company: str
    role: str
    lang: str
    mode: str
    n_questions: int
    seed: int
    resume_text: str = ""
    claims: list[str] = field(default_factory=list)
    resume_topics: list[str] = field(default_factory=list)
    plan: list[PlanItem] = field(default_factory=list)
    plan_pos: int = 0
    main_asked: int = 0
    depth: int = 0
    asked_question_ids: list[str] = field(default_factory=list)
    probed: list[str] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)  # ledger of stated numbers (agent/ledger.py)
    raised: list[str] = field(default_factory=list)  # contradictions already asked about
    turns: list[dict[str, Any]] = field(default_factory=list)
    status: str = "active"
    summary: dict[str, Any] | None = None
    kind: str = "interview"  # or "drill"
    difficulty: str = "normal"  # easy / normal / hard (agent/planner.py DIFFICULTIES)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> InterviewState:
        data = json.loads(text)
        data["plan"] = [PlanItem(**item) for item in data.get("plan", [])]
        return cls(**data)


class InterviewSession:
    def __init__(self, ctx: Context, state: InterviewState) -> None:
        self.ctx = ctx
        self.state = state
        self.recovered = False  # resume() asked a question the candidate has not seen yet
        company = ctx.corpus.companies.get(state.company)
        if company is None:
            raise NotFoundError(f"unknown company {state.company!r}; see `kaoda companies`")
        self.company = company
        self.brain: Any = OfflineBrain(ctx.corpus, company)
        if state.mode == "llm" and ctx.settings.mode == "llm":
            from agent.brains.llm import LLMBrain
            from agent.llm import make_chat_model

            self.brain = LLMBrain(ctx, company, make_chat_model(ctx.settings))

    # -- lifecycle -------------------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        ctx: Context,
        company: str = "generic",
        role: str = "algorithm",
        resume_text: str = "",
        lang: str | None = None,
        n_questions: int = 5,
        seed: int | None = None,
        difficulty: str = "normal",
        mode: str | None = None,
    ) -> InterviewSession:
        """A new interview: plan it from the resume, save it, ask for a self-introduction.

        `mode` "offline" forces the offline interviewer even when an endpoint is configured.
        """
        if company not in ctx.corpus.companies:
            known = ", ".join(sorted(ctx.corpus.companies))
            raise InputError(f"unknown company {company!r}; choose one of: {known}")
        if role not in ctx.corpus.roles:
            raise InputError(f"unknown role {role!r}; choose one of: {', '.join(ctx.corpus.roles)}")
        if not 1 <= n_questions <= 30:
            raise InputError("--questions must be between 1 and 30")
        check_encodable(resume_text, "resume")
        if difficulty not in DIFFICULTIES:
            raise InputError(f"unknown difficulty {difficulty!r}; choose one of: {', '.join(DIFFICULTIES)}")
        if mode not in (None, "offline", "llm"):
            raise InputError(f"unknown mode {mode!r}; choose offline or llm")
        if mode == "llm" and ctx.settings.mode != "llm":
            raise InputError("LLM mode needs an endpoint: set one in Settings or KAODA_LLM_BASE_URL/_API_KEY/_MODEL")
        state = InterviewState(
            id=uuid.uuid4().hex[:12],
            company=company,
            role=role,
            lang=lang or ctx.settings.lang,
            mode=mode or ctx.settings.mode,
            n_questions=n_questions,
            seed=seed if seed is not None else Random().randrange(1 << 30),
            resume_text=resume_text[:20000],
            difficulty=difficulty,
        )
        session = cls(ctx, state)
        session._replan(resume_text)
        session._save_header()
        session._ask(session.brain.opening(state))
        return session

    @classmethod
    def start_drill(
        cls, ctx: Context, items: list[PlanItem], lang: str | None = None, seed: int | None = None
    ) -> InterviewSession:
        """A short offline-style session on the given drill items (agent/drill.py), no self-introduction."""
        if not items:
            raise InputError("a drill needs at least one topic")
        state = InterviewState(
            id=uuid.uuid4().hex[:12],
            company="generic",
            role="algorithm",
            lang=lang or ctx.settings.lang,
            mode=ctx.settings.mode,
            n_questions=len(items),
            seed=seed if seed is not None else Random().randrange(1 << 30),
            plan=list(items),
            kind="drill",
        )
        session = cls(ctx, state)
        session._save_header()
        session._ask(OfflineBrain(ctx.corpus, session.company).next_move(state, None))
        return session

    def _save_header(self) -> None:
        state = self.state
        self.ctx.store.create_interview(
            {
                "id": state.id,
                "company": state.company,
                "role": state.role,
                "lang": state.lang,
                "mode": state.mode,
                "kind": state.kind,
            }
        )

    @classmethod
    def resume(cls, ctx: Context, interview_id: str) -> InterviewSession:
        """Continue an interview from its last saved turn (e.g. after a crash)."""
        text = ctx.store.state(interview_id)
        if not text:
            raise NotFoundError(f"interview {interview_id!r} has no saved state to resume")
        session = cls(ctx, InterviewState.from_json(text))
        last = session.state.turns[-1] if session.state.turns else None
        if not session.finished and last and last["answer"] is not None and last["move"] != "wrap_up":
            session._next(last)  # killed after the answer was saved but before the next question was
            session.recovered = True
        return session

    def _replan(self, extra_text: str) -> None:
        """(Re)plan the not-yet-asked items from resume + self-introduction text."""
        corpus, state = self.ctx.corpus, self.state
        text = "\n".join(t for t in (state.resume_text, extra_text) if t)
        claims = extract_claims(corpus, text)
        state.claims = [c.text for c in claims]
        if not state.facts:
            state.facts = [f.as_json() for f in facts_in(text, turn=-1)]
        state.resume_topics = detect_topics(corpus, text)
        remaining = state.n_questions - state.main_asked
        rng = Random(f"{state.seed}:plan:{state.main_asked}")
        role = corpus.roles.get(state.role)
        if state.kind == "drill":  # a drill keeps its chosen topics
            return
        fresh = plan_interview(
            corpus, self.company, role, state.resume_topics, claims, remaining, rng, state.difficulty
        )
        state.plan = state.plan[: state.plan_pos] + fresh

    # -- turns -----------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.state.status == "finished"

    def current(self) -> dict[str, Any] | None:
        """The open (unanswered) turn, or None when the interview is over."""
        last = self.state.turns[-1] if self.state.turns else None
        return last if last and last["answer"] is None and last["move"] != "wrap_up" else None

    def _ask(self, move: Move) -> dict[str, Any]:
        state = self.state
        if move.move == "wrap_up":
            return self._wrap_up(move)
        opens = move.meta.get("opens_item")
        if opens is not None:
            state.plan_pos, state.main_asked, state.depth = opens + 1, state.main_asked + 1, 0
        elif move.move != "intro":
            state.depth += 1
        if move.question_id:
            state.asked_question_ids.append(move.question_id)
        if "probe" in move.meta:
            state.probed.append(move.meta["probe"])
        if "contradiction" in move.meta:
            state.raised.append(move.meta["contradiction"])
        turn = {
            "index": len(state.turns),
            "move": move.move,
            "question": move.question,
            "question_id": move.question_id,
            "topic_id": move.topic_id,
            "sources": move.sources,
            "reason": move.reason,
            "answer": None,
            "score": None,
            "fallback": bool(move.meta.pop("fallback", False)),
            "meta": {**move.meta, "key_point_indices": move.key_point_indices, "hints": 0},
            "asked_at": now(),
            "answered_at": None,
        }
        state.turns.append(turn)
        self.ctx.store.save_turn(state.id, turn, state.to_json())
        task = self.task_for(turn)
        if task is not None:  # embed its key points while the candidate reads the question
            self.ctx.prefetch(task)
        return turn

    def task_for(self, turn: dict[str, Any]) -> ScoringTask | None:
        """What the turn's answer is scored against (None for the self-introduction)."""
        if not turn.get("question_id") or turn["question_id"] not in self.ctx.corpus.questions:
            return None
        card, question = self.ctx.corpus.question(turn["question_id"])
        return corpus_task(card, question, turn["question"], turn["meta"].get("key_point_indices"))

    def hint(self) -> str:
        """Reveal one key point of the open question (the score notes it)."""
        turn = self.current()
        task = self.task_for(turn) if turn else None
        if not turn or not task:
            return ""
        shown = turn["meta"].get("hints", 0)
        if shown >= len(task.key_points):
            return ""
        turn["meta"]["hints"] = shown + 1
        self.ctx.store.save_turn(self.state.id, turn, self.state.to_json())
        point = task.key_points[shown]
        return point.zh if self.state.lang == "zh" else point.en

    def answer(
        self,
        text: str,
        skipped: bool = False,
        elapsed_s: float | None = None,
        on_question: Callable[[str], None] | None = None,
    ) -> dict[str, Any] | None:
        """Score and save the answer to the open question, then ask (and save) the next; returns it."""
        turn = self.current()
        if turn is None:
            raise InputError("this interview has no open question (it is finished)")
        if len(text) > MAX_ANSWER_CHARS:
            raise InputError(f"answer is {len(text)} characters; the limit is {MAX_ANSWER_CHARS}. Shorten it.")
        check_encodable(text, "answer")
        started = time.perf_counter()
        task = self.task_for(turn)
        score = None
        self.brain.prepare(turn, text)  # LLM mode: retrieval for the next prompt runs while this is scored
        if task is not None:
            hints = turn["meta"].get("hints", 0)
            if getattr(self.brain, "model", None) is not None and not skipped and text.strip():
                from agent.judge import judged_score  # the offline score runs while the judge's request is out

                result = judged_score(self.ctx, self.brain.model, task, text, self.state.lang, hints)
            else:
                result = self.ctx.scorer.score(task, "" if skipped else text, self.state.lang, hints)
            score = result.as_json()
            if skipped:
                score["flags"].append("skipped")
        turn.update(answer=text, score=score, answered_at=now())
        turn["meta"].update(score_ms=round(1000 * (time.perf_counter() - started)), elapsed_s=elapsed_s)
        if turn["move"] == "intro" and text.strip():
            self._replan(text)
        if not skipped:
            self.state.facts += [f.as_json() for f in facts_in(text, turn=turn["index"])]
        self.ctx.store.save_turn(self.state.id, turn, self.state.to_json())  # committed before the next question
        return self._next(turn, on_question)

    def _next(self, last: dict[str, Any], on_question: Callable[[str], None] | None = None) -> dict[str, Any] | None:
        move = self.brain.next_move(self.state, last, on_question)
        next_turn = self._ask(move)
        return None if next_turn["move"] == "wrap_up" else next_turn

    def end(self) -> dict[str, Any]:
        """Stop now (the open question stays unanswered) and wrap up."""
        return self._wrap_up(Move("wrap_up", "", reason="ended by the candidate"))

    def _wrap_up(self, move: Move) -> dict[str, Any]:
        state = self.state
        if state.turns and state.turns[-1]["answer"] is None and state.turns[-1]["move"] != "wrap_up":
            state.turns[-1]["meta"]["unanswered"] = True
        summary = summarize(self.ctx, state)
        weak_titles = [self._title(t) for t in summary["weak_topics"]] or [phrase("none_weak", state.lang)]
        sep = "、" if state.lang == "zh" else ", "
        move.question = phrase(
            "wrap_up", state.lang, Random(state.seed), overall=summary["overall"], weak=sep.join(weak_titles)
        )
        turn = {
            "index": len(state.turns),
            "move": "wrap_up",
            "question": move.question,
            "question_id": None,
            "topic_id": None,
            "sources": [],
            "reason": move.reason,
            "answer": None,
            "score": None,
            "fallback": False,
            "meta": {},
            "asked_at": now(),
            "answered_at": None,
        }
        state.turns.append(turn)
        state.status, state.summary = "finished", summary
        self.ctx.store.save_turn(state.id, turn)
        self.ctx.store.finish(state.id, summary, state.to_json())
        return turn

    def _title(self, topic_id: str) -> str:
        card = self.ctx.corpus.cards.get(topic_id)
        return (card.title if self.state.lang == "zh" else card.title_en) if card else topic_id


def summarize(ctx: Context, state: InterviewState) -> dict[str, Any]:
    """Overall 0–100 (mean of scored answers), weak topics (mean < 3/5), per-track means."""
    scored = [t for t in state.turns if t.get("score")]
    by_topic: dict[str, list[float]] = {}
    for t in scored:
        if t.get("topic_id"):
            by_topic.setdefault(t["topic_id"], []).append(t["score"]["score"])
    means = {topic: sum(v) / len(v) for topic, v in by_topic.items()}
    by_track: dict[str, list[float]] = {}
    for topic, mean in means.items():
        card = ctx.corpus.cards.get(topic)
        by_track.setdefault(card.track if card else "other", []).append(mean)
    overall = round(sum(t["score"]["overall"] for t in scored) / len(scored)) if scored else 0
    return {
        "overall": overall,
        "answered": len(scored),
        "weak_topics": sorted((t for t, m in means.items() if m < 3.0), key=lambda t: means[t]),
        "strong_topics": sorted((t for t, m in means.items() if m >= 4.0), key=lambda t: -means[t]),
        "tracks": {track: round(sum(v) / len(v), 2) for track, v in by_track.items()},
    }
