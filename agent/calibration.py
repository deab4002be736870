"""Isotonic calibration: the weighted raw score (0–5) → the 0–5 a human grader would give.

    curve = fit_isotonic(raw_scores, human_scores)      # [(raw, calibrated), ...] breakpoints
    apply_curve(curve, 3.2)                             # piecewise-linear, monotone

Monotone by construction: an answer whose raw score does not rise cannot score higher after
calibration (what the injection tests rely on). Fitted on the fit split of our dev set only
(`bench/fit_scorer.py`); stored as data in corpus/rubrics/calibration.json.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np


def fit_isotonic(x: Sequence[float], y: Sequence[float], bins: int = 12) -> list[tuple[float, float]]:
    """Pool-adjacent-violators over x-sorted points, summarised as up to `bins` breakpoints."""
    order = np.argsort(np.asarray(x, float), kind="mergesort")
    xs, ys = np.asarray(x, float)[order], np.asarray(y, float)[order]
    blocks: list[list[float]] = []  # [sum_y, count, x_min, x_max]
    for xi, yi in zip(xs, ys, strict=True):
        blocks.append([yi, 1.0, xi, xi])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, n, _lo, hi = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
            blocks[-1][3] = hi
    points = [((b[2] + b[3]) / 2, b[0] / b[1]) for b in blocks]
    if len(points) > bins:  # keep evenly spaced breakpoints; the curve stays monotone
        keep = np.linspace(0, len(points) - 1, bins).round().astype(int)
        points = [points[i] for i in sorted(set(keep))]
    return [(round(px, 4), round(py, 4)) for px, py in points]


def apply_curve(curve: Sequence[Sequence[float]], raw: float) -> float:
    if not curve:
        return raw
    xs = [p[0] for p in curve]
    ys = [p[1] for p in curve]
    return float(np.interp(raw, xs, ys))


@lru_cache(maxsize=4)
def load_curves(path: Path) -> dict[str, Any]:
    """{"technical": [[raw, calibrated], ...], ..., "weights": {kind: {dimension: w}}, "hedging": {kind: cost}}.

    {} without a file. A kind missing from "weights" keeps its rubric's weights; from "hedging", costs nothing.
    """
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {**data.get("curves", {}), "weights": data.get("weights", {}), "hedging": data.get("hedging", {})}
