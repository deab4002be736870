"""The `kaoda` command as a user runs it: a real process, real files, the JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.context import Context

pytestmark = pytest.mark.slow


def kaoda(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAODA_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "agent", *args], capture_output=True, text=True, env=env, input=stdin, timeout=300
    )


def test_scripted_interview_json_has_scored_answers_with_sources(ctx: Context, tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text(
        "我做过 RAG 项目，负责检索模块，召回率从 60% 提到 85%。\n"
        "不知道\n"
        "它把查询头分组，每组共享一组 K 和 V，省的是 KV cache 显存。\n"
        '{"answer": "第一行\\n第二行：数据并行每张卡一份完整模型，梯度 all-reduce。"}\n'
        "我觉得主要是数据质量。\n"
        "可以用重计算换显存。\n",
        encoding="utf-8",
    )
    done = kaoda(
        ctx.settings.home,
        "interview",
        "--company",
        "didi",
        "--questions",
        "3",
        "--answers",
        str(answers),
        "--json",
        "--seed",
        "11",
    )
    assert done.returncode == 0, done.stderr
    transcript = json.loads(done.stdout)
    assert {"id", "company", "role", "lang", "mode", "turns", "summary"} <= set(transcript)
    scored = [t for t in transcript["turns"] if t["score"]]
    assert len(scored) >= 3
    for turn in scored:  # every key point judged hit quotes the answer it was found in; a miss quotes nothing
        for kp in turn["score"]["key_points"]:
            assert (kp["evidence"] in turn["answer"]) if kp["hit"] else not kp["evidence"], kp
    for turn in transcript["turns"]:
        assert {"index", "move", "question", "topic_id", "sources", "answer", "score", "fallback"} <= set(turn)
        if turn["move"] not in ("intro", "wrap_up"):
            assert turn["sources"]
    assert any("第一行\n第二行" in (t["answer"] or "") for t in transcript["turns"])  # JSONL keeps newlines
    listed = json.loads(kaoda(ctx.settings.home, "transcripts", "list", "--json").stdout)
    assert transcript["id"] in [row["id"] for row in listed["interviews"]]


def test_score_ranks_correct_above_empty_and_off_topic(ctx: Context) -> None:
    question = ctx.corpus.question("zero-q1")[1].q
    scores = {}
    for name, answer in {
        "good": "ZeRO-1 切优化器状态，ZeRO-2 再切梯度，ZeRO-3 连参数也切分，每卡显存约 16Ψ/N。",
        "empty": "",
        "off": "我喜欢打篮球和旅游，周末会去爬山。",
    }.items():
        done = kaoda(ctx.settings.home, "score", "--question", question, "--answer", answer, "--json")
        assert done.returncode == 0, done.stderr
        scores[name] = json.loads(done.stdout)["score"]
    assert scores["good"] > scores["off"] >= scores["empty"]
    assert scores["good"] > scores["empty"]


def test_score_with_a_reference_works_for_any_question(ctx: Context) -> None:
    done = kaoda(
        ctx.settings.home,
        "score",
        "--question",
        "What is a Bloom filter?",
        "--reference",
        "A bit array with k hash functions. It can give false positives but never false negatives.",
        "--answer",
        "It uses k hash functions over a bit array; false positives are possible, false negatives are not.",
        "--json",
        "--lang",
        "en",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["score"] >= 3 and all(kp["hit"] for kp in result["key_points"])
    answer = "It uses k hash functions over a bit array; false positives are possible, false negatives are not."
    assert all(kp["evidence"] and kp["evidence"] in answer for kp in result["key_points"])  # quotes, not made up


def test_interactive_interview_reasks_after_an_over_long_answer(ctx: Context) -> None:
    """A paste over the answer limit is refused with the reason; the interview goes on and nothing is lost."""
    typed = "\n".join(["很" * 20001, "我做过 RAG 项目，负责检索模块。", "/end"]) + "\n"
    done = kaoda(ctx.settings.home, "interview", "--questions", "2", "--seed", "3", stdin=typed)
    assert done.returncode == 0, done.stderr
    shown = done.stdout + done.stderr
    assert "the limit is 20000" in shown and "Traceback" not in shown
    listed = json.loads(kaoda(ctx.settings.home, "transcripts", "list", "--json").stdout)["interviews"]
    latest = json.loads(kaoda(ctx.settings.home, "transcripts", "show", listed[0]["id"], "--json").stdout)
    answers = [t["answer"] for t in latest["turns"] if t["answer"]]
    assert answers == ["我做过 RAG 项目，负责检索模块。"]


def test_bad_input_exits_2_with_one_line(ctx: Context, tmp_path: Path) -> None:
    cases = [
        ("interview", "--company", "nope", "--answers", str(tmp_path / "a.txt")),
        ("score", "--question", "这是一个语料里没有的问题吗？随便问问", "--answer", "x"),
        ("transcripts", "show", "does-not-exist"),
        ("search", "   "),
        ("interview", "--questions", "many"),
    ]
    (tmp_path / "a.txt").write_text("hi\n", encoding="utf-8")
    for args in cases:
        done = kaoda(ctx.settings.home, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_companies_corpus_stats_search_and_doctor(ctx: Context) -> None:
    companies = json.loads(kaoda(ctx.settings.home, "companies", "--json").stdout)["companies"]
    assert {"slug", "name", "tracks", "evidence_count"} <= set(companies[0])
    assert any(c["slug"] == "didi" and c["evidence_count"] >= 1 for c in companies)
    stats = json.loads(kaoda(ctx.settings.home, "corpus", "stats", "--json").stdout)
    assert stats["topics"] >= 15 and len(stats["tracks"]) >= 5
    hits = json.loads(kaoda(ctx.settings.home, "search", "ZeRO 切分", "--kind", "topic", "--json").stdout)["hits"]
    assert hits and {"id", "kind", "title", "text", "score", "metadata"} <= set(hits[0])
    doctor = kaoda(ctx.settings.home, "doctor")
    assert doctor.returncode == 0 and "offline" in doctor.stdout


def test_export_writes_markdown_and_refuses_traversal(ctx: Context, tmp_path: Path) -> None:
    answers = tmp_path / "a.txt"
    answers.write_text("我做推理部署。\n<script>alert(1)</script>\n", encoding="utf-8")
    transcript = json.loads(
        kaoda(ctx.settings.home, "interview", "--questions", "1", "--answers", str(answers), "--json").stdout
    )
    env = {**os.environ, "KAODA_HOME": str(ctx.settings.home)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "agent", *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
        )

    ok = run("transcripts", "export", transcript["id"], "--format", "md", "-o", "out.md")
    assert ok.returncode == 0, ok.stderr
    assert "<script>alert(1)</script>" in (tmp_path / "out.md").read_text(encoding="utf-8")
    bad = run("transcripts", "export", transcript["id"], "-o", "../../escape.md")
    assert bad.returncode == 2 and "leaves" in bad.stderr
    assert not (tmp_path.parent.parent / "escape.md").exists()


def test_progress_drill_and_import_round_trip(ctx: Context, tmp_path: Path) -> None:
    home = ctx.settings.home
    empty = kaoda(home, "progress", "--json")
    assert empty.returncode == 0 and json.loads(empty.stdout)["topics"] == []
    nothing = kaoda(home, "drill")
    assert nothing.returncode == 2 and "finish an interview first" in nothing.stderr

    answers = tmp_path / "answers.txt"
    answers.write_text("\n".join(["我做过 ZeRO-3 训练 7B 模型"] + ["不知道"] * 10), encoding="utf-8")
    first = kaoda(home, "interview", "--company", "didi", "--role", "infra", "--questions", "2", "--seed", "9",
                  "--answers", str(answers), "--json")  # fmt: skip
    assert first.returncode == 0, first.stderr
    report = json.loads(kaoda(home, "progress", "--json").stdout)
    assert report["weakest"] and all(t["is_due"] is False for t in report["topics"])  # due tomorrow at the earliest
    text = kaoda(home, "progress")
    assert "mastery" in text.stdout and report["weakest"][0] in text.stdout

    drill = kaoda(home, "drill", "--n", "1", "--answers", str(answers), "--json")
    assert drill.returncode == 0, drill.stderr
    drilled = json.loads(drill.stdout)
    assert drilled["kind"] == "drill" and drilled["turns"][0]["topic_id"] == report["weakest"][0]
    after = json.loads(kaoda(home, "progress", "--json").stdout)
    topic = next(t for t in after["topics"] if t["topic_id"] == report["weakest"][0])
    assert topic["attempts"] == next(t for t in report["topics"] if t["topic_id"] == topic["topic_id"])["attempts"] + 1

    interview_id = json.loads(first.stdout)["id"]
    exported = tmp_path / "t.json"  # -o must stay inside the working directory: take stdout instead
    exported.write_text(kaoda(home, "transcripts", "export", interview_id, "--format", "json").stdout, encoding="utf-8")
    html = kaoda(home, "transcripts", "export", interview_id, "--format", "html")
    assert html.stdout.startswith("<!doctype html>")
    assert kaoda(home, "transcripts", "delete", interview_id).returncode == 0
    assert kaoda(home, "transcripts", "import", str(exported)).returncode == 0
    again = kaoda(home, "transcripts", "export", interview_id, "--format", "json").stdout
    assert json.loads(again) == json.loads(exported.read_text(encoding="utf-8"))
    duplicate = kaoda(home, "transcripts", "import", str(exported))
    assert duplicate.returncode == 2 and "--new-id" in duplicate.stderr
    assert kaoda(home, "transcripts", "import", str(exported), "--new-id").returncode == 0
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "x", "turns": [', encoding="utf-8")
    failed = kaoda(home, "transcripts", "import", str(broken))
    assert failed.returncode == 2 and "not JSON" in failed.stderr and len(failed.stderr.splitlines()) == 1
