"""Mastery, review dates, drills, import/export round trips and schema upgrades (issue 7)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from agent.context import Context
from agent.corpus import Corpus, load_corpus
from agent.drill import drill_item, plan_drill
from agent.errors import InputError
from agent.export import from_json, to_json
from agent.interview import InterviewSession
from agent.mastery import TopicMastery, progress
from agent.printable import to_html
from agent.store import MIGRATIONS, TranscriptStore, m001_initial

DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    from agent.paths import bundled_dir

    return load_corpus(bundled_dir("corpus"))


def history(*rows: tuple[str, str, float, str]) -> list[dict]:
    """(topic, question, score, iso day) rows as TranscriptStore.scored_turns() returns them."""
    return [
        {"topic_id": t, "question_id": q, "score": s, "answered_at": f"{d}T10:00:00+00:00", "missed": [1]}
        for t, q, s, d in rows
    ]


def test_sm2_intervals_grow_on_good_answers_and_reset_on_a_weak_one() -> None:
    topic = TopicMastery("lora", "LoRA", "finetuning")
    intervals = []
    for score in (4.0, 4.5, 5.0, 1.0):
        topic.record(score, DAY, "lora-q1", [])
        intervals.append(topic.interval_days)
    assert intervals[:2] == [1, 6]
    assert intervals[2] > 6  # 6 × ease
    assert intervals[3] == 1 and topic.repetitions == 0
    assert topic.ease < 2.5  # a weak answer lowers ease (and a good one never pushes it below 1.3)


def test_mastery_weights_recent_answers_more(corpus: Corpus) -> None:
    rising = progress(history(("lora", "lora-q1", 1, "2026-11-01"), ("lora", "lora-q2", 5, "2026-11-05")), corpus)
    falling = progress(history(("lora", "lora-q1", 5, "2026-11-01"), ("lora", "lora-q2", 1, "2026-11-05")), corpus)
    assert rising.topics["lora"].mastery > falling.topics["lora"].mastery
    assert rising.topics["lora"].mastery == pytest.approx(0.6 * 5 / 5 + 0.4 * 1 / 5)


def test_weakest_lists_due_topics_first_and_history_rows_per_track(corpus: Corpus) -> None:
    report = progress(
        history(
            ("lora", "lora-q1", 4.5, "2026-11-01"),  # good: due 11-02, i.e. due on the 24th
            ("zero", "zero-q1", 1.0, "2026-11-23"),  # weak: due the 24th too, lower mastery
            ("kv-cache", "kv-cache-q1", 5.0, "2026-11-24"),  # strong and not due
        ),
        corpus,
        today=date(2026, 11, 24),
    )
    assert [t.topic_id for t in report.weakest()] == ["zero", "lora"]
    assert {r["track"] for r in report.history} == {corpus.cards[t].track for t in ("lora", "zero", "kv-cache")}
    data = json.loads(json.dumps(report.as_json()))
    assert data["weakest"] == ["zero", "lora"] and data["topics"][0]["is_due"] is True


def test_drill_reasks_the_missed_topic_in_other_wording(corpus: Corpus) -> None:
    topic = TopicMastery("zero", "ZeRO", "distributed")
    topic.record(1.0, DAY, "zero-q1", [0, 2])
    item = drill_item(corpus, topic)
    assert item.kind == "drill" and item.card_id == "zero"
    assert item.question_id != "zero-q1" and item.question_id in {q.id for q in corpus.cards["zero"].questions}


def test_a_one_question_topic_is_drilled_on_the_missed_key_points(corpus: Corpus) -> None:
    """No other wording to ask: the same question again, scored only on what was missed last time."""
    import copy

    card = corpus.cards["zero"]
    single = copy.copy(corpus)
    single.cards = {**corpus.cards, "zero": card.model_copy(update={"questions": card.questions[:1]})}
    topic = TopicMastery("zero", "ZeRO", "distributed")
    topic.record(1.0, DAY, card.questions[0].id, [0, 2])
    item = drill_item(single, topic)
    expected = ("drill", "zero", card.questions[0].id, [0, 2])
    assert (item.kind, item.card_id, item.question_id, item.key_points) == expected
    never_answered = TopicMastery("zero", "ZeRO", "distributed")  # e.g. progress from an import
    assert drill_item(single, never_answered).question_id == card.questions[0].id


def test_nothing_to_drill_is_a_clear_error(corpus: Corpus) -> None:
    with pytest.raises(InputError, match="finish an interview first"):
        plan_drill(progress([], corpus), corpus)


def _answer_all(session: InterviewSession, answer: str) -> None:
    while session.current():
        session.answer(answer)


def test_interview_then_drill_rescores_the_weak_topics(ctx: Context) -> None:
    first = InterviewSession.start(ctx, "didi", "infra", "", "zh", n_questions=3, seed=11)
    _answer_all(first, "不知道")
    before = progress(ctx.store.scored_turns(), ctx.corpus)
    weak = [t.topic_id for t in before.weakest()]
    assert weak, "three unanswered questions leave weak topics"
    drill = InterviewSession.start_drill(ctx, plan_drill(before, ctx.corpus, n=2), "zh", seed=1)
    assert drill.state.kind == "drill" and drill.current()["move"] != "intro"
    drilled = []
    while (turn := drill.current()) is not None:
        drilled.append(turn["topic_id"])
        _, question = ctx.corpus.question(turn["question_id"])
        drill.answer("；".join(kp.zh for kp in question.key_points))  # every key point: a complete answer
    assert drilled == weak[:2]
    after = progress(ctx.store.scored_turns(), ctx.corpus)
    for topic_id in drilled:
        assert after.topics[topic_id].mastery > before.topics[topic_id].mastery
        assert after.topics[topic_id].attempts == before.topics[topic_id].attempts + 1
    assert ctx.store.list()[0]["kind"] == "drill"


def test_json_export_import_round_trips_and_refuses_duplicates(ctx: Context) -> None:
    session = InterviewSession.start(ctx, "bytedance", "algorithm", "", "en", n_questions=2, seed=5)
    session.answer("I fine-tuned a 7B model with LoRA, rank 16, on 8 A100s.")
    session.hint()
    session.answer("<b>attention</b> scales by sqrt(d_k) 🙂 ‮rtl‬ zero\u200bwidth")
    exported = to_json(ctx.store.get(session.state.id))
    assert exported["state_json"], "an unfinished interview carries its state so an import can be continued"
    ctx.store.delete(session.state.id)
    ctx.store.import_record(from_json(json.loads(json.dumps(exported))))
    assert to_json(ctx.store.get(session.state.id)) == exported
    resumed = InterviewSession.resume(ctx, session.state.id)
    assert resumed.current() is not None  # the imported interview continues where it stopped
    with pytest.raises(InputError, match="already exists"):
        ctx.store.import_record(from_json(exported))


def _with_score(score: object) -> dict[str, object]:
    """A minimal exported interview whose one turn carries `score`."""
    turn = {"index": 0, "move": "switch_topic", "question": "Q?", "answer": "A", "score": score}
    return {"id": "x", "company": "c", "role": "r", "lang": "zh", "mode": "offline", "turns": [turn]}


GOOD_SCORE = {"score": 3, "dimensions": {"correctness": 3}, "key_points": [{"text": "k", "hit": True}], "feedback": ""}


def test_a_well_formed_score_imports() -> None:
    assert from_json(_with_score(GOOD_SCORE))["turns"][0]["score"] == GOOD_SCORE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        (_with_score({"score": "abc"}), r"turns\[0\].score must be null or an object with a numeric 'score'"),
        (_with_score({"score": 3}), r"turns\[0\].score.dimensions must be an object of numbers"),
        (_with_score({**GOOD_SCORE, "dimensions": {"correctness": "high"}}), r"score.dimensions"),
        (_with_score({**GOOD_SCORE, "key_points": ["k"]}), r"score.key_points\[0\] must be an object"),
        (_with_score({**GOOD_SCORE, "key_points": [{"text": "k", "hit": "yes"}]}), r"key_points\[0\]"),
        (_with_score({**GOOD_SCORE, "key_points": [{"text": "k", "hit": True, "evidence": 5}]}), r"evidence"),
        (_with_score({**GOOD_SCORE, "key_points": "k"}), r"score.key_points must be a list"),
        (_with_score({k: v for k, v in GOOD_SCORE.items() if k != "feedback"}), r"score.feedback must be a string"),
        (_with_score({**GOOD_SCORE, "flags": "gamed"}), r"score.flags must be a list"),
        ({"id": "x", "company": "c", "role": "r", "lang": "zh", "mode": "offline"}, "'turns' must be a list"),
        (
            {"id": "x", "company": "c", "role": "r", "lang": "zh", "mode": "offline", "turns": [{"index": 3}]},
            r"turns\[0\].index must be 0",
        ),
        ({"id": "", "company": "c", "role": "r", "lang": "zh", "mode": "offline", "turns": []}, "'id'"),
        ({"format": "other/9", "id": "x"}, "format"),
    ],
)
def test_import_rejects_malformed_files_with_the_field_named(data: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        from_json(data)


def test_html_export_is_printable_and_escapes_answers(ctx: Context) -> None:
    session = InterviewSession.start(ctx, "generic", "algorithm", "", "zh", n_questions=1, seed=2)
    session.answer("<script>alert(1)</script> 我做过 RAG")
    session.end()
    page = to_html(ctx.store.get(session.state.id), ctx.corpus)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "@media print" in page and page.count("<section>") == len(session.state.turns)


def test_an_m001_database_opens_and_upgrades_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    m001_initial(conn)
    conn.execute("INSERT INTO migrations VALUES ('m001_initial', '2026-01-01')")
    conn.execute(
        "INSERT INTO interviews (id, company, role, lang, mode, created_at) VALUES"
        " ('old1', 'didi', 'infra', 'zh', 'offline', '2026-01-01T00:00:00+00:00')"
    )
    conn.execute(
        "INSERT INTO turns (interview_id, idx, move, question, topic_id, answer, score, score_json, asked_at,"
        " answered_at) VALUES ('old1', 0, 'switch_topic', 'Q?', 'zero', 'A', 2.0, '{\"score\": 2.0,"
        " \"key_points\": [{\"hit\": false}]}', '2026-01-01', '2026-01-01T00:01:00+00:00')"
    )
    conn.commit()
    conn.close()
    store = TranscriptStore(path)
    assert store.list()[0]["kind"] == "interview"
    assert store.get("old1")["turns"][0]["answer"] == "A"
    assert store.scored_turns()[0]["missed"] == [0]
    applied = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM migrations ORDER BY name")]
    assert applied == [m.__name__ for m in MIGRATIONS]  # every later migration, in order
    assert applied[:2] == ["m001_initial", "m002_interview_kind"] and store.owner("old1") is None
