"""Plan an interview: how many questions of each kind (the company's mix), on which topics.

plan = plan_interview(corpus, company, role, resume_topics=["lora"], claims=claims, n=5, rng=Random(7))
# [PlanItem(kind="project", ...), PlanItem(kind="fundamentals", card_id="lora", ...), ...]
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from random import Random
from typing import Any

from agent.corpus import Corpus
from agent.corpus_schema import MIX_KINDS, Card, Company, Role
from agent.resume import Claim
from agent.text import contains_term

ORDER = {"project": 0, "fundamentals": 1, "scenario": 2, "coding": 3, "behavioral": 4}
RESUME_BOOST, EVIDENCE_BOOST = 4.0, 1.5


@dataclass
class PlanItem:
    kind: str  # one of MIX_KINDS, or "drill"
    card_id: str
    question_id: str
    claim: str = ""  # the resume sentence a project question grills
    key_points: list[int] | None = None  # score only these key points (a drill re-asking missed ones)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def allocate(n: int, mix: dict[str, float]) -> dict[str, int]:
    """Split n questions by shares, largest remainder first. allocate(3, {"a": .5, "b": .5}) -> a 2, b 1."""
    total = sum(mix.values()) or 1.0
    exact = {k: n * v / total for k, v in mix.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[: n - sum(counts.values())]:
        counts[k] += 1
    return counts


def topic_weights(corpus: Corpus, company: Company, role: Role | None, resume_topics: list[str]) -> dict[str, float]:
    """How likely each topic is to be asked: role track weight × company focus × resume and report boosts."""
    asked_here = {a.topic for e in company.evidence if e in corpus.experiences for a in corpus.experiences[e].asked}
    weights = {}
    for card in corpus.topics():
        weight = role.tracks.get(card.track, 0.15) if role else 1.0
        weight *= 1.0 + 3.0 * company.focus.get(card.track, 0.0) + 5.0 * company.focus.get(card.id, 0.0)
        if card.id in resume_topics:
            weight *= RESUME_BOOST
        if card.id in asked_here:
            weight *= EVIDENCE_BOOST
        weights[card.id] = weight
    return weights


def _sample(weights: dict[str, float], k: int, rng: Random, exclude: set[str]) -> list[str]:
    """k distinct keys, drawn without replacement in proportion to weight."""
    pool = {key: w for key, w in weights.items() if key not in exclude and w > 0}
    chosen: list[str] = []
    while pool and len(chosen) < k:
        pick = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(pick)
        del pool[pick]
    return chosen


DIFFICULTIES = ("easy", "normal", "hard")


def _entry(corpus: Corpus, card: Card, kind: str, rng: Random, difficulty: str = "normal") -> str:
    """The question a topic opens with: an entry question; `hard` may open one level down the chain."""
    entries = corpus.entry_questions(card) or card.questions
    pool = entries
    if difficulty == "hard":
        pool = [q for q in card.questions if q.difficulty >= 2] or entries
    elif difficulty == "easy":
        pool = [q for q in entries if q.difficulty == 1] or entries
    preferred = [q for q in pool if q.type == kind] or pool
    return rng.choice(preferred).id


def project_template(corpus: Corpus, claim: Claim, used: set[str], rng: Random) -> tuple[Card, str]:
    """A project-bank question for a claim: a domain card whose aliases it mentions, else a generic one."""
    cards = corpus.bank("project")
    lowered = claim.text.lower()
    domain = [c for c in cards if c.aliases and any(contains_term(lowered, a) for a in c.aliases)]
    generic = [c for c in cards if not c.aliases]
    for pool in (domain, generic, cards):
        options = [(c, q.id) for c in pool for q in corpus.entry_questions(c) if q.id not in used]
        if options:
            return rng.choice(options)
    raise LookupError("the project bank is empty")


def plan_interview(
    corpus: Corpus,
    company: Company,
    role: Role | None,
    resume_topics: list[str],
    claims: list[Claim],
    n: int,
    rng: Random,
    difficulty: str = "normal",
) -> list[PlanItem]:
    """n main questions, ordered as a real interview runs: projects, fundamentals, scenarios, coding, behavioral."""
    mix = {k: company.mix.get(k, 0.0) for k in MIX_KINDS}  # type: ignore[call-overload]
    if not claims or not corpus.bank("project"):  # nothing to grill: those questions go to fundamentals
        mix["fundamentals"] += mix.pop("project")
    for bank in ("coding", "behavioral"):
        if not corpus.bank(bank):
            mix["fundamentals"] += mix.pop(bank)
    counts = allocate(n, mix)
    weights = topic_weights(corpus, company, role, resume_topics)
    plan: list[PlanItem] = []
    used_cards: set[str] = set()
    used_questions: set[str] = set()
    for i in range(counts.get("project", 0)):
        claim = claims[i % len(claims)]
        card, question_id = project_template(corpus, claim, used_questions, rng)
        used_questions.add(question_id)
        plan.append(PlanItem("project", card.id, question_id, claim.text))
    scenario_ok = {
        c.id: w
        for c, w in ((corpus.cards[t], w) for t, w in weights.items())
        if any(q.type == "scenario" for q in corpus.entry_questions(c))
    }
    # the candidate's own topics come first: up to half the fundamentals slots, most mentioned first
    own = [t for t in resume_topics if t in weights][: math.ceil(counts.get("fundamentals", 0) / 2)]
    for topic_id in own:
        used_cards.add(topic_id)
        entry = _entry(corpus, corpus.cards[topic_id], "fundamentals", rng, difficulty)
        plan.append(PlanItem("fundamentals", topic_id, entry))
    for kind, pool in (("fundamentals", weights), ("scenario", scenario_ok)):
        wanted = counts.get(kind, 0) - (len(own) if kind == "fundamentals" else 0)
        for topic_id in _sample(pool, wanted, rng, used_cards):
            used_cards.add(topic_id)
            plan.append(PlanItem(kind, topic_id, _entry(corpus, corpus.cards[topic_id], kind, rng, difficulty)))
    for bank in ("coding", "behavioral"):
        cards = {c.id: 1.0 for c in corpus.bank(bank)}
        for card_id in _sample(cards, counts.get(bank, 0), rng, used_cards):
            plan.append(PlanItem(bank, card_id, _entry(corpus, corpus.cards[card_id], bank, rng)))
    while len(plan) < n:  # a small corpus ran out of something: top up with any unused topic
        extra = _sample(weights, 1, rng, used_cards)
        if not extra:
            break
        used_cards.add(extra[0])
        entry = _entry(corpus, corpus.cards[extra[0]], "fundamentals", rng, difficulty)
        plan.append(PlanItem("fundamentals", extra[0], entry))
    plan.sort(key=lambda item: ORDER[item.kind])
    return plan
