"""Fit the offline scorer's calibration on the dev set's fit split; report agreement on the held-out split.

    .venv/bin/python bench/fit_scorer.py            # writes corpus/rubrics/calibration.json, prints JSON lines
    .venv/bin/python bench/fit_scorer.py --write-held-out HELD_OUT.jsonl   # only the held-out rows, to check

Split: by question id (a question's answers are all in one split), held out = crc32(question_id) % 10 < 3.
The held-out rows are never used for fitting. Two models are fitted on the fit split: the dimensions
alone ("baseline") and the dimensions plus the hedging share ("hedging"). The hedging one is kept only if
its held-out Pearson and QWK are not below the baseline's. Predictions go through `OfflineScorer.combine`,
the function the shipped scorer uses, so the printed numbers are what `kaoda eval scoring` measures.
"""

from __future__ import annotations

import json
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agent.calibration import fit_isotonic  # noqa: E402
from agent.config import load_settings  # noqa: E402
from agent.context import build_context  # noqa: E402
from agent.dimensions import rubric_type  # noqa: E402
from agent.evaluation import agreement, read_jsonl  # noqa: E402
from agent.reference import task_for_row  # noqa: E402
from agent.rubric import OfflineScorer  # noqa: E402

DATA = [REPO / "bench" / "data" / "scoring_dev_part1.jsonl", REPO / "bench" / "data" / "scoring_dev_part2.jsonl"]
OUT = REPO / "corpus" / "rubrics" / "calibration.json"
MIN_ROWS_PER_KIND = 40  # fewer rows than this: the kind keeps its rubric weights and uses the curve fitted on all rows
KINDS = ("technical", "project", "behavioral", "coding")


def held_out(row: dict[str, Any]) -> bool:
    return zlib.crc32(str(row.get("question_id", row["question"])).encode()) % 10 < 3


def features(ctx: Any, rows: list[dict[str, Any]]) -> None:
    """Score every row once with the uncalibrated scorer; keep what the calibration needs on the row."""
    raw_scorer = OfflineScorer(ctx.scorer.embedder, ctx.corpus.rubrics, curves={})
    for row in rows:
        task = task_for_row(ctx, row)
        result = raw_scorer.score(task, row["answer"])
        row["_kind"] = rubric_type(task.question_type)
        row["_dims"], row["_flags"], row["_rubric_raw"] = result.dimensions, result.flags, result.score
        row["_hedging"], row["_scored"] = result.signals["hedging"], result.signals["scored"]
        row["_human"] = 5.0 * float(row["score"]) / float(row.get("score_max") or 5)


def fit_linear(rows: list[dict[str, Any]], with_hedging: bool) -> tuple[dict[str, float], float]:
    """Non-negative least squares over the dimensions (weights summing to 1) and, optionally, a hedging cost.

    The hedging column enters as -5 * share, so its non-negative coefficient is a cost in score points.
    """
    names = sorted(rows[0]["_dims"])
    columns = [[r["_dims"][n] for n in names] + ([-5.0 * r["_hedging"]] if with_hedging else []) for r in rows]
    x, y = np.array(columns), np.array([r["_human"] for r in rows])
    active = list(range(x.shape[1]))
    while True:  # drop negative coefficients and refit: a small non-negative least squares
        w, *_ = np.linalg.lstsq(x[:, active], y, rcond=None)
        if (w >= 0).all():
            break
        active = [a for a, wi in zip(active, w, strict=True) if wi > 0]
    full = np.zeros(x.shape[1])
    full[active] = w
    total = full[: len(names)].sum()
    weights = {n: round(float(v / total), 4) for n, v in zip(names, full[: len(names)], strict=True)}
    hedging = round(float(full[len(names)] / total), 4) if with_hedging else 0.0
    return weights, hedging


def fit(ctx: Any, rows: list[dict[str, Any]], with_hedging: bool) -> dict[str, Any]:
    """Weights, hedging costs and isotonic curves, from the given (fit split) rows only."""
    weights: dict[str, dict[str, float]] = {}
    hedging: dict[str, float] = {}
    for kind in KINDS:
        subset = [r for r in rows if r["_kind"] == kind and r["_scored"]]
        if len(subset) >= MIN_ROWS_PER_KIND:
            weights[kind], hedging[kind] = fit_linear(subset, with_hedging)
    linear = OfflineScorer(ctx.scorer.embedder, ctx.corpus.rubrics, {"weights": weights, "hedging": hedging})
    raw = [linear.combine(r["_kind"], r["_dims"], r["_hedging"], r["_flags"]) if r["_scored"] else 0.0 for r in rows]
    curves = {"all": fit_isotonic(raw, [r["_human"] for r in rows])}
    for kind in KINDS:
        picked = [i for i, r in enumerate(rows) if r["_kind"] == kind]
        curves[kind] = (
            fit_isotonic([raw[i] for i in picked], [rows[i]["_human"] for i in picked])
            if len(picked) >= MIN_ROWS_PER_KIND
            else curves["all"]
        )
    return {"curves": curves, "weights": weights, "hedging": hedging}


def predict(ctx: Any, calibration: dict[str, Any], rows: list[dict[str, Any]]) -> list[float]:
    """What the shipped scorer gives with this calibration (rounded to 0.1 as it is)."""
    scorer = OfflineScorer(ctx.scorer.embedder, ctx.corpus.rubrics, as_loaded(calibration))
    return [
        round(min(5.0, scorer.combine(r["_kind"], r["_dims"], r["_hedging"], r["_flags"])), 1) if r["_scored"] else 0.0
        for r in rows
    ]


def as_loaded(calibration: dict[str, Any]) -> dict[str, Any]:
    """The shape `agent.calibration.load_curves` returns for the file."""
    return {**calibration["curves"], "weights": calibration["weights"], "hedging": calibration["hedging"]}


def report(name: str, human: list[float], predicted: list[float]) -> dict[str, Any]:
    mid = [i for i, h in enumerate(human) if 2 <= h <= 4]
    return {
        **agreement(human, predicted),
        "mid_band": agreement([human[i] for i in mid], [predicted[i] for i in mid]),
        "model": name,
    }


def write_held_out(target: Path) -> int:
    """Write the held-out rows (the split above) as JSONL, for `kaoda eval scoring --data`."""
    rows = [r for path in DATA for r in read_jsonl(path, ("question", "reference_answer", "answer", "score"))]
    kept = [r for r in rows if held_out(r)]
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
    return len(kept)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--write-held-out":
        print(json.dumps({"held_out_rows": write_held_out(Path(sys.argv[2])), "file": sys.argv[2]}))
        return
    ctx = build_context(load_settings({"home": REPO / ".bench-home"}, env={}))
    rows = [r for path in DATA for r in read_jsonl(path, ("question", "reference_answer", "answer", "score"))]
    features(ctx, rows)
    fit_rows = [r for r in rows if not held_out(r)]
    test_rows = [r for r in rows if held_out(r)]
    models = {name: fit(ctx, fit_rows, with_hedging=name == "hedging") for name in ("baseline", "hedging")}
    results: dict[str, dict[str, Any]] = {}
    for split, subset in (("held_out", test_rows), ("fit", fit_rows), ("all", rows)):
        human = [r["_human"] for r in subset]
        results[split] = {"uncalibrated": report("rubric weights, no curve", human, [r["_rubric_raw"] for r in subset])}
        for name, calibration in models.items():
            results[split][name] = report(name, human, predict(ctx, calibration, subset))
    held = results["held_out"]
    keep_hedging = (
        held["hedging"]["pearson"] >= held["baseline"]["pearson"] and held["hedging"]["qwk"] >= held["baseline"]["qwk"]
    )
    chosen = "hedging" if keep_hedging else "baseline"
    OUT.write_text(
        json.dumps(
            {
                "fitted": datetime.now(UTC).date().isoformat(),
                "n_fit": len(fit_rows),
                "n_held_out": len(test_rows),
                "split": "crc32(question_id) % 10 < 3 held out",
                "model": chosen,
                **models[chosen],
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    hedged_rows = [r for r in rows if r["_hedging"] > 0]
    print(
        json.dumps({"kept": chosen, "hedging_cost": models["hedging"]["hedging"], "rows_with_hedges": len(hedged_rows)})
    )
    for split, by_model in results.items():
        print(json.dumps({"split": split, **by_model}, ensure_ascii=False))


if __name__ == "__main__":
    main()
