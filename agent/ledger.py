"""Facts a candidate states (GPU counts, model sizes, data sizes, latencies, scores) and contradictions.

ledger = facts_in("我们用 8 张 A100 训了 7B 模型", turn=2)   # [Fact("gpus", 8, ...), Fact("params_b", 7, ...)]
contradictions(ledger)   # [("gpus", Fact(8, turn 2), Fact(64, turn 5))]
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

# kind -> pattern whose first group is the number; units kept simple and explicit
PATTERNS: dict[str, re.Pattern[str]] = {
    "gpus": re.compile(r"(\d+)\s*(?:张|块|台|个)?\s*(?:卡|GPU|GPUs|A100|H100|H800|A800|V100|4090|显卡)", re.I),
    "params_b": re.compile(r"(\d+(?:\.\d+)?)\s*B(?:illion)?\b(?!\s*(?:tokens?|token))", re.I),
    "tokens_b": re.compile(r"(\d+(?:\.\d+)?)\s*B\s*tokens?", re.I),
    "latency_ms": re.compile(r"(\d+(?:\.\d+)?)\s*ms\b", re.I),
}


@dataclass(frozen=True)
class Fact:
    kind: str
    value: float
    text: str  # the sentence it came from
    turn: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def facts_in(text: str, turn: int) -> list[Fact]:
    facts = []
    for sentence in re.split(r"[。！？!?；;\n]|(?<=\.)\s", text or ""):
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(sentence):
                facts.append(Fact(kind, float(match.group(1)), sentence.strip()[:120], turn))
    return facts


CHECKED_KINDS = ("gpus", "tokens_b")  # model sizes and latencies legitimately vary within one story


def contradictions(facts: list[Fact]) -> list[tuple[Fact, Fact]]:
    """Pairs (earlier, later) of the same kind of fact with different values, from different turns.

    Only the first stated value of a kind counts as the claim: mentioning 8 GPUs, then 64 GPUs, is a
    contradiction to ask about ("earlier you said 8 GPUs, now 64").
    """
    first: dict[str, Fact] = {}
    found = []
    for fact in facts:
        if fact.kind not in CHECKED_KINDS:
            continue
        earlier = first.setdefault(fact.kind, fact)
        if earlier is not fact and earlier.turn != fact.turn and earlier.value != fact.value:
            found.append((earlier, fact))
    return found
