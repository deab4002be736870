"""Measure retrieval and scoring against labelled data (`kaoda eval retrieval|scoring`).

rows = read_jsonl(Path("bench/data/retrieval_eval.jsonl"), required=("query", "relevant_ids"))
evaluate_retrieval(kb, rows)   # {"n": 220, "recall@1": .., "recall@3": .., "recall@5": .., "mrr": ..}
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import InputError


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# what each known field must hold: (check, as the error message says it)
FIELD_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "query": (lambda v: isinstance(v, str) and bool(v.strip()), "a non-empty string"),
    "relevant_ids": (lambda v: isinstance(v, list) and bool(v) and all(isinstance(i, str) for i in v), "a list of ids"),
    "question": (lambda v: isinstance(v, str), "a string"),
    "reference_answer": (lambda v: isinstance(v, str), "a string"),
    "answer": (lambda v: isinstance(v, str), "a string"),
    "score": (_is_number, "a number"),
    "score_max": (lambda v: v is None or (_is_number(v) and v > 0), "a number > 0"),
}


def read_jsonl(path: Path, required: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of a JSONL file; a bad line fails with its number and what is missing or mistyped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: expected a JSON object with fields {list(required)}")
        missing = [k for k in required if k not in row]
        if missing:
            raise InputError(f"{path}:{number}: missing field(s) {missing}; expected {list(required)}")
        for key, (check, expected) in FIELD_TYPES.items():
            if key in row and not check(row[key]):
                raise InputError(f"{path}:{number}: field {key!r} must be {expected}, got {row[key]!r:.60}")
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows


def ranked_topics(search: Callable[[str], list[Any]], query: str) -> list[str]:
    """Topic ids in the order their first document appears in the hits."""
    topics: list[str] = []
    for hit in search(query):
        topic = hit.metadata.get("topic_id") or ""
        if topic and topic not in topics:
            topics.append(topic)
    return topics


def evaluate_retrieval(kb: Any, rows: list[dict[str, Any]], mode: str = "hybrid") -> dict[str, Any]:
    """recall@k: share of a query's relevant topics found in the top k topics, averaged; MRR of the first."""
    recalls: dict[int, list[float]] = {1: [], 3: [], 5: []}
    reciprocal: list[float] = []
    misses: list[dict[str, Any]] = []
    for row in rows:
        relevant = set(row["relevant_ids"])
        got = ranked_topics(lambda q: kb.search(q, k=30, mode=mode), row["query"])
        for k in recalls:
            recalls[k].append(len(relevant & set(got[:k])) / len(relevant))
        rank = next((i for i, t in enumerate(got, 1) if t in relevant), None)
        reciprocal.append(1.0 / rank if rank else 0.0)
        if rank != 1:
            misses.append({"query": row["query"], "relevant": sorted(relevant), "got": got[:3]})
    result: dict[str, Any] = {"n": len(rows), "mode": mode}
    result.update({f"recall@{k}": round(float(np.mean(v)), 4) for k, v in recalls.items()})
    result["mrr"] = round(float(np.mean(reciprocal)), 4)
    result["misses"] = misses
    return result


def pearson(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    a, b = np.asarray(x, float), np.asarray(y, float)
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def _ranks(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean rank), as Spearman needs."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), float)
    sorted_values = np.asarray(values, float)[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0
        i = j + 1
    return ranks


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    return pearson(_ranks(x), _ranks(y))


def quadratic_weighted_kappa(human: Sequence[int], predicted: Sequence[int], levels: int = 6) -> float:
    """Cohen's kappa with quadratic weights over integer scores 0..levels-1."""
    observed = np.zeros((levels, levels))
    for h, p in zip(human, predicted, strict=True):
        observed[h, p] += 1
    weights = np.array([[(i - j) ** 2 / (levels - 1) ** 2 for j in range(levels)] for i in range(levels)])
    expected = np.outer(observed.sum(1), observed.sum(0)) / max(1, observed.sum())
    denominator = (weights * expected).sum()
    return 1.0 - (weights * observed).sum() / denominator if denominator else 0.0


def _levels(scores: np.ndarray) -> list[int]:
    return [int(v) for v in np.clip(np.rint(scores), 0, 5)]


def agreement(human: Sequence[float], predicted: Sequence[float]) -> dict[str, Any]:
    """n, Pearson, Spearman, QWK (scores rounded to 0–5), RMSE: the `kaoda eval scoring` numbers."""
    h = np.asarray(human, float)
    p = np.asarray(predicted, float)
    return {
        "n": len(h),
        "pearson": round(pearson(h, p), 4),
        "spearman": round(spearman(h, p), 4),
        "qwk": round(quadratic_weighted_kappa(_levels(h), _levels(p)), 4),
        "rmse": round(math.sqrt(float(np.mean((h - p) ** 2))), 4) if len(h) else 0.0,
    }


def evaluate_scoring(rows: list[dict[str, Any]], score_row: Callable[[dict[str, Any]], float]) -> dict[str, Any]:
    """Agreement of `score_row` (0–5) with the human `score` (mapped to 0–5), overall and in the mid band."""
    human, predicted = [], []
    for row in rows:
        score_max = float(row.get("score_max") or 5)
        if score_max <= 0:
            raise InputError(f"row {row.get('id', '?')}: score_max must be > 0")
        human.append(5.0 * float(row["score"]) / score_max)
        predicted.append(score_row(row))
    result = agreement(human, predicted)
    mid = [i for i, h in enumerate(human) if 2 <= h <= 4]
    result["mid_band"] = agreement([human[i] for i in mid], [predicted[i] for i in mid]) if len(mid) > 2 else {"n": 0}
    result["predicted"] = [round(p, 2) for p in predicted]
    return result
