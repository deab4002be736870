"""Per-topic mastery from the scored history, and when each topic is due for review.

Mastery is a recency-weighted mean of the topic's answer scores (an exponential moving average,
newest answer weighted most), 0–1. The review date follows SM-2: an answer scored ≥ 3/5 grows the
interval (1 day, 6 days, then × ease), a weaker one resets it to 1 day; ease drops with low scores.
Everything is recomputed from `TranscriptStore.scored_turns()`, so deleting or importing a
transcript changes progress at once and there is no second copy to drift.

    report = progress(ctx.store.scored_turns(), ctx.corpus, today=date(2026, 11, 24))
    report.weakest(5)        # [TopicMastery(topic_id="zero", mastery=0.32, due=date(...), ...), ...]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from agent.corpus import Corpus

RECENCY = 0.6  # weight of the newest answer in the moving average (older ones decay by 0.4 per answer)
PASS = 3.0  # an answer at or above this (0–5) counts as recalled
EASE_START, EASE_MIN = 2.5, 1.3
WEAK_BELOW = 0.6  # mastery under this makes a topic weak even before it is due


@dataclass
class TopicMastery:
    topic_id: str
    title: str
    track: str
    title_en: str = ""
    attempts: int = 0
    last_score: float = 0.0
    last_seen: date | None = None
    mastery: float = 0.0  # 0–1
    ease: float = EASE_START
    interval_days: int = 0
    repetitions: int = 0
    due: date | None = None
    last_question_id: str | None = None
    missed: list[int] = field(default_factory=list)  # key-point indices missed in the last answer
    asked_question_ids: list[str] = field(default_factory=list)

    def record(self, score: float, day: date, question_id: str | None, missed: list[int]) -> None:
        """Fold one scored answer into the estimate and the schedule (SM-2)."""
        self.mastery = score / 5 if self.attempts == 0 else RECENCY * score / 5 + (1 - RECENCY) * self.mastery
        self.attempts += 1
        self.last_score, self.last_seen = score, day
        self.last_question_id, self.missed = question_id, missed
        if question_id and question_id not in self.asked_question_ids:
            self.asked_question_ids.append(question_id)
        quality = max(0.0, min(5.0, score))
        self.ease = max(EASE_MIN, self.ease + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
        if quality < PASS:
            self.repetitions, self.interval_days = 0, 1
        else:
            self.repetitions += 1
            self.interval_days = (
                1 if self.repetitions == 1 else 6 if self.repetitions == 2 else round(self.interval_days * self.ease)
            )
        self.due = day + timedelta(days=self.interval_days)

    def is_due(self, today: date) -> bool:
        return self.due is not None and self.due <= today

    def as_json(self, today: date) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            mastery=round(self.mastery, 3),
            ease=round(self.ease, 2),
            last_seen=self.last_seen.isoformat() if self.last_seen else None,
            due=self.due.isoformat() if self.due else None,
            is_due=self.is_due(today),
        )
        return data


@dataclass
class Progress:
    topics: dict[str, TopicMastery]
    history: list[dict[str, Any]]  # [{"date": "2026-11-24", "track": "inference", "mastery": 0.61}, ...]
    today: date

    def tracks(self) -> dict[str, float]:
        """Mean mastery of the practised topics in each track."""
        by_track: dict[str, list[float]] = defaultdict(list)
        for topic in self.topics.values():
            by_track[topic.track].append(topic.mastery)
        return {track: round(sum(v) / len(v), 3) for track, v in sorted(by_track.items())}

    def weakest(self, n: int = 10) -> list[TopicMastery]:
        """Due topics first (lowest mastery first), then the other weak ones."""
        ranked = sorted(self.topics.values(), key=lambda t: (not t.is_due(self.today), t.mastery, t.topic_id))
        return [t for t in ranked if t.is_due(self.today) or t.mastery < WEAK_BELOW][:n]

    def as_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "tracks": self.tracks(),
            "topics": [t.as_json(self.today) for t in sorted(self.topics.values(), key=lambda t: t.mastery)],
            "weakest": [t.topic_id for t in self.weakest()],
            "history": self.history,
        }


def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(UTC).date()


def progress(scored_turns: list[dict[str, Any]], corpus: Corpus, today: date | None = None) -> Progress:
    """Replay the scored answers (oldest first) into per-topic mastery, schedule and a per-track history."""
    today = today or datetime.now(UTC).date()
    topics: dict[str, TopicMastery] = {}
    history: dict[tuple[str, str], float] = {}
    for turn in scored_turns:
        card = corpus.cards.get(turn["topic_id"])
        if card is None:  # a topic the corpus no longer has
            continue
        day = _day(turn["answered_at"])
        topic = topics.setdefault(card.id, TopicMastery(card.id, card.title, card.track, card.title_en))
        topic.record(float(turn["score"]), day, turn.get("question_id"), list(turn.get("missed") or []))
        in_track = [t.mastery for t in topics.values() if t.track == card.track]
        history[(day.isoformat(), card.track)] = round(sum(in_track) / len(in_track), 3)
    rows = [{"date": d, "track": track, "mastery": m} for (d, track), m in sorted(history.items())]
    return Progress(topics, rows, today)


def previous_attempts(record: dict[str, Any], scored_turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each topic scored in this interview: its mean score now and at the latest earlier attempt."""
    now: dict[str, list[float]] = defaultdict(list)
    for turn in record["turns"]:
        if turn.get("score") and turn.get("topic_id"):
            now[turn["topic_id"]].append(float(turn["score"]["score"]))
    started = record.get("created_at") or ""
    rows = []
    for topic_id, scores in now.items():
        earlier = [
            h
            for h in scored_turns
            if h["topic_id"] == topic_id and h["interview_id"] != record["id"] and h["answered_at"] <= started
        ]
        if earlier:
            mean = round(sum(scores) / len(scores), 2)
            previous = float(earlier[-1]["score"])
            rows.append({"topic_id": topic_id, "previous": previous, "now": mean, "delta": round(mean - previous, 2)})
    return rows
