"""Fit the offline scorer's calibration on the dev set's fit split; report agreement on the held-out split.

    .venv/bin/python bench/fit_scorer.py            # writes corpus/rubrics/calibration.json, prints JSON lines

Split: by question id (a question's answers are all in one split), held out = crc32(question_id) % 10 < 3.
The held-out rows are never used for fitting.
"""

from __future__ import annotations

import json
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agent.calibration import apply_curve, fit_isotonic  # noqa: E402
from agent.config import load_settings  # noqa: E402
from agent.context import build_context  # noqa: E402
from agent.dimensions import rubric_type  # noqa: E402
from agent.evaluation import agreement, read_jsonl  # noqa: E402
from agent.reference import task_for_row  # noqa: E402
from agent.rubric import GAMING_PENALTY, PENALIZED, PITFALL_CAP, OfflineScorer  # noqa: E402

DATA = [REPO / "bench" / "data" / "scoring_dev_part1.jsonl", REPO / "bench" / "data" / "scoring_dev_part2.jsonl"]
OUT = REPO / "corpus" / "rubrics" / "calibration.json"
MIN_ROWS_PER_KIND = 40  # fewer rows than this: the kind uses the curve fitted on all rows


def held_out(row: dict) -> bool:
    return zlib.crc32(str(row.get("question_id", row["question"])).encode()) % 10 < 3


def capped(row: dict, raw: float) -> float:
    """The scorer's caps and penalties, as applied after the weighted sum."""
    flags = row["_flags"]
    if any(f in PENALIZED for f in flags):
        raw = max(0.0, raw - GAMING_PENALTY)
    if "off_topic" in flags:
        raw = min(raw, 1.0)
    if "pitfall" in flags:
        raw = min(raw, PITFALL_CAP)
    if "empty" in flags or "dont_know" in flags:
        raw = 0.0
    return raw


def fit_weights(rows: list[dict]) -> dict[str, float]:
    """Non-negative weights over the rubric dimensions (summing to 1), least squares on the fit split."""
    names = sorted(rows[0]["_dims"])
    x = np.array([[r["_dims"][n] for n in names] for r in rows])
    y = np.array([r["_human"] for r in rows])
    active = list(range(len(names)))
    while True:  # drop negative weights and refit: a small non-negative least squares
        w, *_ = np.linalg.lstsq(x[:, active], y, rcond=None)
        if (w >= 0).all():
            break
        active = [a for a, wi in zip(active, w, strict=True) if wi > 0]
    full = np.zeros(len(names))
    full[active] = w
    full = full / full.sum()
    return {n: round(float(v), 4) for n, v in zip(names, full, strict=True)}


def main() -> None:
    ctx = build_context(load_settings({"home": REPO / ".bench-home"}, env={}))
    raw_scorer = OfflineScorer(ctx.scorer.embedder, ctx.corpus.rubrics, curves={})
    rows = [r for path in DATA for r in read_jsonl(path, ("question", "reference_answer", "answer", "score"))]
    for row in rows:
        task = task_for_row(ctx, row)
        result = raw_scorer.score(task, row["answer"])
        row["_kind"] = rubric_type(task.question_type)
        row["_dims"], row["_flags"], row["_rubric_raw"] = result.dimensions, result.flags, result.score
        row["_human"] = 5.0 * float(row["score"]) / float(row.get("score_max") or 5)
    fit = [r for r in rows if not held_out(r)]
    test = [r for r in rows if held_out(r)]
    weights = {"technical": fit_weights([r for r in fit if r["_kind"] == "technical"])}
    for row in rows:
        w = weights.get(row["_kind"])
        row["_raw"] = capped(row, sum(w[d] * v for d, v in row["_dims"].items()) if w else row["_rubric_raw"])
    curves = {"all": fit_isotonic([r["_raw"] for r in fit], [r["_human"] for r in fit])}
    for kind in ("technical", "project", "behavioral", "coding"):
        subset = [r for r in fit if r["_kind"] == kind]
        curves[kind] = (
            fit_isotonic([r["_raw"] for r in subset], [r["_human"] for r in subset])
            if len(subset) >= MIN_ROWS_PER_KIND
            else curves["all"]
        )
    OUT.write_text(
        json.dumps(
            {
                "fitted": datetime.now(UTC).date().isoformat(),
                "n_fit": len(fit),
                "n_held_out": len(test),
                "split": "crc32(question_id) % 10 < 3 held out",
                "curves": curves,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    for name, subset in (("fit", fit), ("held_out", test), ("all", rows)):
        human = [r["_human"] for r in subset]
        uncalibrated = [r["_rubric_raw"] for r in subset]
        calibrated = [apply_curve(curves[r["_kind"]], r["_raw"]) for r in subset]
        mid = [i for i, h in enumerate(human) if 2 <= h <= 4]
        print(
            json.dumps(
                {
                    "split": name,
                    "uncalibrated": agreement(human, uncalibrated),
                    "calibrated": agreement(human, calibrated),
                    "calibrated_mid_band": agreement([human[i] for i in mid], [calibrated[i] for i in mid]),
                }
            )
        )


if __name__ == "__main__":
    main()
