"""The offline scorer (v2): gaming removed, key-point coverage with evidence, pitfalls, rubric
dimensions per question type, calibrated to human grades.

    scorer = OfflineScorer(get_embedder("e5-small"))
    result = scorer.score(question, answer="GQA 让每组查询头共享一组 K/V……", lang="zh")
    result.score, result.key_points[0].evidence   # 3.6, "GQA 让每组查询头共享一组 K/V"

A key point is hit when an answer sentence is semantically close to it (multilingual e5, both
its zh and en wording), or close enough and using one of its terms, or using two of its terms.
Thresholds were set on e5-small similarities measured here: paraphrase ≈ 0.93–0.99, same topic
but a different claim ≈ 0.88–0.92, unrelated ≈ 0.83–0.86. Signals besides coverage: pitfalls,
off-topic stretches, length (clarity) and hedging ("我猜", "I'm not sure"; flagged and named in the
feedback; its cost in the score is fitted, and is 0 on today's dev set).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from agent.calibration import apply_curve
from agent.corpus_schema import KeyPoint, Pitfall, Rubric
from agent.dimensions import dimension_scores, hedged, rubric_type
from agent.embeddings import Embedder
from agent.guard import inspect_answer
from agent.text import contains_term, normalize, sentences

SIM_HIT, SIM_WITH_TERM, SIM_FLOOR, SIM_OFF_TOPIC, SIM_PITFALL = 0.93, 0.885, 0.85, 0.875, 0.935
SIM_RELEVANT = 0.89  # a sentence this close to a key point (or using its terms) counts as on-topic
GAMING_PENALTY = 0.5  # injection, keyword stuffing and obfuscation cost points on top of being removed
PENALIZED = ("injection", "keyword_stuffing", "obfuscation", "repetitive", "gibberish")
PITFALL_CAP = 2.5  # an answer asserting a known wrong belief scores at most this
MAX_SCORED_CHARS = 6000  # longer answers are scored on their first part (flag: truncated)
DEFAULT_WEIGHTS = {"completeness": 0.4, "correctness": 0.3, "depth": 0.2, "clarity": 0.1}
_DONT_KNOW = re.compile(
    r"^\s*(我)?(也)?(不知道|不清楚|不会|不太会|不了解|不太了解|没了解过|没学过|忘了|跳过|pass|skip|"
    r"i don'?t know|no idea|not sure|i'?m not sure|idk)[\s。.!！,，]*$",
    re.I,
)


@dataclass
class KeyPointResult:
    text: str
    hit: bool
    evidence: str | None
    similarity: float
    terms: list[str] = field(default_factory=list)


@dataclass
class ScoreResult:
    """The score object of the JSON contract (`kaoda score --json`), plus extras."""

    score: float  # 0–5
    overall: int  # 0–100
    dimensions: dict[str, float]
    key_points: list[KeyPointResult]
    feedback: str
    flags: list[str]
    model_answer: str = ""
    pitfalls_hit: list[dict[str, str]] = field(default_factory=list)
    scorer: str = "offline-v2"
    study: list[str] = field(default_factory=list)  # topic card ids to read next
    judge: dict[str, Any] | None = None  # the LLM judge's verdict, cost, or why it failed
    on_topic_text: str = ""  # the answer's on-topic sentences (what a judge sees when gaming was found)
    signals: dict[str, Any] = field(default_factory=dict)  # hedging share and sentences, relevance, length

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("on_topic_text")
        for kp in data["key_points"]:
            kp["similarity"] = round(kp["similarity"], 3)
        return data


@dataclass(frozen=True)
class ScoringTask:
    """What an answer is scored against."""

    question: str
    key_points: list[KeyPoint]
    pitfalls: list[Pitfall] = field(default_factory=list)
    question_type: str = "fundamentals"  # picks the rubric: technical, project, behavioral or coding
    topic_id: str | None = None
    notes: dict[str, str] = field(default_factory=dict)  # lang -> the topic card's note (the model answer's source)


class OfflineScorer:
    def __init__(
        self, embedder: Embedder, rubrics: dict[str, Rubric] | None = None, curves: dict[str, Any] | None = None
    ) -> None:
        self.embedder = embedder
        self.rubrics = rubrics or {}
        self.curves = curves or {}

    def weights(self, kind: str) -> dict[str, float]:
        """Fitted offline weights for this rubric when calibration has them, else the rubric's own."""
        fitted = self.curves.get("weights", {}).get(kind)
        if fitted:
            return dict(fitted)
        rubric = self.rubrics.get(kind)
        return {d.name: d.weight for d in rubric.dimensions} if rubric else DEFAULT_WEIGHTS

    def score(self, task: ScoringTask, answer: str, lang: str = "zh", hints_used: int = 0) -> ScoreResult:
        text = (answer or "").replace("\x00", "").strip()
        if not text:
            return self._zero(task, lang, ["empty"])
        if _DONT_KNOW.match(normalize(text)):
            return self._zero(task, lang, ["dont_know"])
        text, flags = inspect_answer(text, task.question)
        if not text.strip():  # nothing left once the gaming is removed
            return self._zero(task, lang, flags)
        if len(text) > MAX_SCORED_CHARS:
            text, flags = text[:MAX_SCORED_CHARS], [*flags, "truncated"]
        answer_sentences = sentences(text)[:80] or [text]
        embedded = self.embedder.embed_queries(answer_sentences)  # (n_sentences, dim)
        sims_per_sentence = self._similarities(task, embedded)  # (n_sentences, n_targets)
        lowered = normalize(text).lower()
        results = [
            self._judge_point(kp, i, answer_sentences, sims_per_sentence, lowered, lang)
            for i, kp in enumerate(task.key_points)
        ]
        relevance = float(sims_per_sentence.max()) if sims_per_sentence.size else 0.0
        any_terms = any(r.terms for r in results)
        off_topic = relevance < SIM_OFF_TOPIC and not any_terms
        pitfalls = self._pitfalls(task, answer_sentences, embedded, lang)
        hits = sum(r.hit for r in results)
        on_topic = [  # key-point similarity (not the question's), or one of the key points' terms
            row[:-1].max() >= SIM_RELEVANT
            or any(contains_term(normalize(s).lower(), t) for r in results for t in r.terms)
            for s, row in zip(answer_sentences, sims_per_sentence, strict=True)
        ]
        relevant = "。".join(s for s, keep in zip(answer_sentences, on_topic, strict=True) if keep)
        hedges = [(i, s, marker) for i, s in enumerate(answer_sentences) if (marker := hedged(s))]
        # share among the sentences that matter: on-topic ones plus the hedges ("我不太确定"), so padding
        # the answer with unrelated confident text cannot dilute it
        hedging = len(hedges) / max(1, int(sum(on_topic)) + sum(not on_topic[i] for i, _s, _m in hedges))
        if any(
            len(s) >= 40 and row.max() < SIM_FLOOR for s, row in zip(answer_sentences, sims_per_sentence, strict=True)
        ):
            flags.append("off_topic_part")  # a long stretch that has nothing to do with the question
        partial = 0.0  # partial credit for near misses, from on-topic sentences only
        if any(on_topic):
            near = sims_per_sentence[np.array(on_topic)][:, :-1]
            for i, r in enumerate(results):
                if not r.hit:
                    best = float(near[:, 2 * i : 2 * i + 2].max())
                    partial += max(0.0, min(1.0, (best - SIM_FLOOR) / (SIM_HIT - SIM_FLOOR)))
        coverage = (hits + 0.3 * partial) / max(1, len(results))
        kind = rubric_type(task.question_type)
        # rounded as shown: the score is a function of the dimensions the user sees (and the fit used)
        dimensions = {
            k: round(v, 1) for k, v in dimension_scores(kind, coverage, relevant, len(pitfalls), off_topic).items()
        }
        if off_topic:
            flags.append("off_topic")
        if pitfalls:
            flags.append("pitfall")
        if hedges:
            flags.append("hedging")
        score = self.combine(kind, dimensions, hedging, flags)
        if hints_used:
            flags.append("hint_used")
            score = max(0.0, score - 0.5 * hints_used)
        score = round(min(5.0, score), 1)
        return ScoreResult(
            score=score,
            overall=round(score * 20),
            dimensions=dimensions,
            key_points=results,
            feedback=feedback(results, pitfalls, lang, off_topic, _hedge_notes(hedges, results, sims_per_sentence)),
            flags=flags,
            model_answer=model_answer(task.key_points, lang, task.notes.get(lang, "")),
            pitfalls_hit=pitfalls,
            study=[task.topic_id] if task.topic_id else [],
            on_topic_text=relevant,
            signals={
                "scored": True,  # False when the answer was empty, "don't know", or nothing but gaming
                "hedging": round(hedging, 3),
                "hedged": [{"sentence": s, "marker": m} for _i, s, m in hedges],
                "relevance": round(relevance, 3),
                "chars": len(text),
            },
        )

    def combine(self, kind: str, dimensions: dict[str, float], hedging: float, flags: list[str]) -> float:
        """The calibrated 0–5: weighted dimensions minus the fitted hedging cost and the gaming penalty, capped,
        through the isotonic curve, capped again (an off-topic answer ends at most 1, a pitfall at most 2.5).

        One function for the scorer and for bench/fit_scorer.py (which fits the curve on the capped raw
        score), so the fitted numbers are the shipped ones. Monotone in every input it penalises.
        """
        weights = self.weights(kind)
        raw = sum(weights.get(d, 0.0) * v for d, v in dimensions.items()) / max(1e-9, sum(weights.values()))
        raw -= self.curves.get("hedging", {}).get(kind, 0.0) * 5.0 * hedging
        if any(f in PENALIZED for f in flags):
            raw -= GAMING_PENALTY
        raw = self._caps(max(0.0, raw), flags)
        return self._caps(apply_curve(self.curves.get(kind, []), raw), flags)

    @staticmethod
    def _caps(score: float, flags: list[str]) -> float:
        if "off_topic" in flags:
            score = min(score, 1.0)
        if "pitfall" in flags:
            score = min(score, PITFALL_CAP)
        return score

    def _similarities(self, task: ScoringTask, embedded: np.ndarray) -> np.ndarray:
        """Cosine of each answer sentence to each target: zh and en of every key point, the question."""
        targets = [t for kp in task.key_points for t in (kp.zh, kp.en)] + [task.question]
        target_vectors = self.embedder.embed_cached(targets)
        return embedded @ target_vectors.T

    def _judge_point(
        self, kp: KeyPoint, index: int, answer_sentences: list[str], sims: np.ndarray, lowered: str, lang: str
    ) -> KeyPointResult:
        point_sims = sims[:, 2 * index : 2 * index + 2].max(axis=1)  # best of zh/en wording
        best = int(point_sims.argmax())
        similarity = float(point_sims[best])
        terms = [t for t in kp.terms if contains_term(lowered, t)]
        hit = similarity >= SIM_HIT or (similarity >= SIM_WITH_TERM and bool(terms)) or len(terms) >= 2
        evidence = None
        if hit:
            with_term = [s for s in answer_sentences if any(contains_term(normalize(s).lower(), t) for t in terms)]
            evidence = answer_sentences[best] if similarity >= SIM_WITH_TERM or not with_term else with_term[0]
        return KeyPointResult(kp.zh if lang == "zh" else kp.en, hit, evidence, similarity, terms)

    def _pitfalls(
        self, task: ScoringTask, answer_sentences: list[str], embedded: np.ndarray, lang: str
    ) -> list[dict[str, str]]:
        """Pitfalls the answer asserts: a sentence very close to the wrong belief, closer than to its fix."""
        found: list[dict[str, str]] = []
        if not task.pitfalls:
            return found
        texts = [t for p in task.pitfalls for t in (p.zh, p.en, p.correction, p.correction_en)]
        vectors = self.embedder.embed_cached(texts)  # one batch for all pitfalls: (4 * n_pitfalls, dim)
        for i, pitfall in enumerate(task.pitfalls):
            claim, fix = vectors[4 * i : 4 * i + 2], vectors[4 * i + 2 : 4 * i + 4]
            claim_sim, fix_sim = (embedded @ claim.T).max(axis=1), (embedded @ fix.T).max(axis=1)
            best = int(claim_sim.argmax())
            if claim_sim[best] >= SIM_PITFALL and claim_sim[best] > fix_sim[best] + 0.01:
                found.append(
                    {
                        "claim": pitfall.zh if lang == "zh" else pitfall.en,
                        "correction": pitfall.correction if lang == "zh" else pitfall.correction_en,
                        "evidence": answer_sentences[best],
                    }
                )
        return found

    def _zero(self, task: ScoringTask, lang: str, flags: list[str]) -> ScoreResult:
        results = [KeyPointResult(kp.zh if lang == "zh" else kp.en, False, None, 0.0) for kp in task.key_points]
        return ScoreResult(
            score=0.0,
            overall=0,
            dimensions={d: 0.0 for d in self.weights(rubric_type(task.question_type))},
            key_points=results,
            feedback=feedback(results, [], lang, off_topic=False),
            signals={"scored": False, "hedging": 0.0, "hedged": [], "relevance": 0.0},
            flags=flags,
            model_answer=model_answer(task.key_points, lang, task.notes.get(lang, "")),
            study=[task.topic_id] if task.topic_id else [],
        )


def _hedge_notes(
    hedges: list[tuple[int, str, str]], results: list[KeyPointResult], sims: np.ndarray
) -> list[tuple[str, str | None]]:
    """(hedged sentence, the key point it should be checked against, or None when it already hit one)."""
    notes: list[tuple[str, str | None]] = []
    for i, sentence, _marker in hedges[:2]:
        if any(r.hit and r.evidence == sentence for r in results) or not results:
            notes.append((sentence, None))
        else:
            nearest = int(sims[i, :-1].reshape(-1, 2).max(axis=1).argmax())
            notes.append((sentence, results[nearest].text))
    return notes


NOTE_MATCH = 0.75  # share of a key point's character bigrams a note sentence must hold to stand for it


def _bigrams(text: str) -> set[str]:
    flat = re.sub(r"\s+", "", text.lower())
    return {flat[i : i + 2] for i in range(len(flat) - 1)}


def model_answer(key_points: list[KeyPoint], lang: str, note: str = "") -> str:
    """A reference answer: for each key point the topic note's sentence that states it (in the note's
    order), else the key point itself; with no note, the key points in order."""
    zh = lang == "zh"
    texts = [kp.zh if zh else kp.en for kp in key_points]
    stated = [s.lstrip("-*0123456789. ").strip() for s in sentences(note, max_chars=len(note) + 1)]
    stated = [s for s in stated if len(s) >= 6]
    stated_bigrams = [_bigrams(s) for s in stated]
    chosen: dict[int, None] = {}
    unmatched: list[str] = []
    for text in texts:
        wanted = _bigrams(text)
        best, share = -1, 0.0
        for i, bigrams in enumerate(stated_bigrams):
            covered = len(wanted & bigrams) / max(1, len(wanted))
            if covered > share:
                best, share = i, covered
        if share >= NOTE_MATCH:
            chosen[best] = None
        else:
            unmatched.append(text)
    parts = [stated[i] for i in sorted(chosen)] + unmatched
    if zh:
        return "".join(p.rstrip("。；;：:，, ") + "。" for p in parts)
    return " ".join(p.rstrip(".;:, ") + "." for p in parts)


def feedback(
    results: list[KeyPointResult],
    pitfalls: list[dict[str, str]],
    lang: str,
    off_topic: bool,
    hedges: list[tuple[str, str | None]] | None = None,
) -> str:
    """Good points, missed points, corrections, unsure statements: short and specific."""
    good = [r.text for r in results if r.hit]
    missed = [r.text for r in results if not r.hit]
    zh = lang == "zh"
    lines = []
    if off_topic:
        lines.append("回答与问题关系不大，先正面回答问题本身。" if zh else "The answer does not address the question.")
    if good:
        lines.append(("答到了：" if zh else "Covered: ") + ("；".join(good) if zh else "; ".join(good)))
    if missed:
        lines.append(("遗漏了：" if zh else "Missed: ") + ("；".join(missed) if zh else "; ".join(missed)))
    for p in pitfalls:
        lines.append(("纠正：" if zh else "Correction: ") + p["correction"])
    for sentence, check in hedges or []:
        if check is None:  # right, but said unsure
            lines.append(
                f"「{sentence}」是对的，说得肯定些。" if zh else f'"{sentence}" is right: say it with confidence.'
            )
        else:
            lines.append(
                f"「{sentence}」说得不确定，核实一下：{check}"
                if zh
                else f'"{sentence}" sounds unsure: check it against "{check}".'
            )
    if not missed and not pitfalls and not off_topic:
        lines.append(
            "要点齐全，可以再补充数字和取舍来加深。" if zh else "All key points covered; add numbers and trade-offs."
        )
    return "\n".join(lines)
