"""What a brain returns, and the interface both brains share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

MOVES = ("intro", "follow_up", "deeper", "scenario", "switch_topic", "project", "wrap_up")


@dataclass
class Move:
    """The next question and why: one of MOVES, with the corpus ids it came from."""

    move: str
    question: str
    question_id: str | None = None
    topic_id: str | None = None
    sources: list[str] = field(default_factory=list)
    reason: str = ""
    key_point_indices: list[int] | None = None  # None = all key points of question_id
    meta: dict[str, Any] = field(default_factory=dict)


class Brain(Protocol):
    name: str

    def next_move(self, state: Any, last_turn: dict[str, Any] | None) -> Move: ...
