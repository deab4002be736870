"""Hostile and broken input: each case gets a clear error or a documented behaviour, and loses nothing.

Answers go through the web handlers (the functions the Gradio app calls) and, where the HTTP layer
matters (uploads, dropdown validation, unicode on the wire), through the running app itself.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import sqlite3
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from agent.context import Context
from agent.files import MAX_FILE_BYTES
from agent.ingest import MAX_INGEST_CHARS, ingest_paths
from agent.interview import MAX_ANSWER_CHARS
from agent.paths import bundled_dir
from tests.reliability.conftest import interview_id, kaoda, user_messages
from ui.handlers import Handlers, as_text
from ui.library import LibraryHandlers

pytestmark = pytest.mark.slow

SQL_IDS = ["x' OR '1'='1", "'; DROP TABLE turns; --", '" OR ""="', "1; DELETE FROM interviews"]
UNICODE = {
    "emoji": "👩\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈 👍🏽 🚀 我用 GQA 省显存",
    "rtl": "مرحبا שלום \u202eevil.exe\u202c \u200fRLM\u200f GQA",
    "zero_width": "zero\u200bwidth\u200c\u200d\ufeffjoin\u2060 KV cache",
    "combining": "e\u0301 Z\u0351\u0300\u0316a\u0334l\u0353g\u0336o cafe\u0301 \u1100\u1161 ZeRO",
    "controls": "tab\tnul\x00bell\x07 CRLF\r\nLS\u2028PS\u2029 end",
}
HTML_ANSWERS = [
    "<script>alert('x')</script> ZeRO-3",
    '<img src=x onerror="alert(1)"> 数据并行',
    "</div><iframe src=javascript:alert(1)></iframe>",
    "<a href='javascript:alert(1)'>click</a> & &amp; &lt;",
]


def _started(ctx: Context, lang: str = "zh") -> tuple[Handlers, str]:
    h = Handlers(ctx)
    iid, chat, _plan, status = h.start("generic", "algorithm", lang, 2, "", None)
    assert iid and chat and status == ""
    return h, iid


def _answers(ctx: Context, iid: str) -> list[str]:
    return [t["answer"] for t in ctx.store.get(iid)["turns"] if t["answer"] is not None]


# -- answers ------------------------------------------------------------------------------------------
def test_empty_answer_is_saved_as_empty_and_scored(ctx: Context) -> None:
    h, iid = _started(ctx)
    h.reply(iid, "我做 RAG。")
    chat, score_md, box, status = h.reply(iid, "")
    assert box == "" and not status.startswith("⚠️")
    turns = ctx.store.get(iid)["turns"]
    assert turns[1]["answer"] == "" and turns[1]["score"]["score"] <= 1  # an empty answer earns nothing
    assert chat[3] == {"role": "user", "content": "…"}  # shown as an ellipsis, not as a blank bubble
    assert "###" in score_md


@pytest.mark.parametrize("blank", ["   ", "\n\n\t  \n", "\u3000\u3000"])  # full-width spaces too
def test_whitespace_answer_is_saved_as_typed(ctx: Context, blank: str) -> None:
    h, iid = _started(ctx)
    h.reply(iid, blank)
    assert _answers(ctx, iid) == [blank]
    assert ctx.store.get(iid)["turns"][1]["answer"] is None  # the next question is open, nothing skipped


def test_a_200k_answer_is_refused_kept_in_the_box_and_not_stored(ctx: Context) -> None:
    h, iid = _started(ctx)
    huge = "我认为" + "显存" * 100_000
    assert len(huge) > 200_000
    chat, score_md, box, status = h.reply(iid, huge)
    assert box == huge  # the text stays where the user typed it
    assert status.startswith("⚠️") and str(MAX_ANSWER_CHARS) in status and "Shorten" in status
    assert score_md == "" and all(m["content"] != as_text(huge) for m in chat)
    assert _answers(ctx, iid) == []  # nothing stored; the question is still open
    h.reply(iid, huge[:MAX_ANSWER_CHARS])  # shortened: accepted
    assert _answers(ctx, iid) == [huge[:MAX_ANSWER_CHARS]]


def test_an_answer_at_the_limit_is_stored_whole(ctx: Context) -> None:
    h, iid = _started(ctx)
    h.reply(iid, "intro")
    at_limit = ("ZeRO-3 把参数、梯度和优化器状态都切分到各卡。" * 1000)[:MAX_ANSWER_CHARS]
    _chat, _score, box, status = h.reply(iid, at_limit)
    assert box == "" and not status.startswith("⚠️")
    stored = ctx.store.get(iid)["turns"][1]
    assert stored["answer"] == at_limit and stored["score"] is not None


@pytest.mark.parametrize("case", sorted(UNICODE))
def test_unicode_edge_cases_are_stored_and_returned_byte_identical(ctx: Context, case: str) -> None:
    text = UNICODE[case]
    h, iid = _started(ctx)
    chat, *_ = h.reply(iid, text)
    stored = _answers(ctx, iid)[0]
    assert stored.encode("utf-8") == text.encode("utf-8")
    assert chat[1]["content"] == as_text(text)  # shown as typed (HTML-escaped only)
    with sqlite3.connect(ctx.settings.db_path) as conn:  # the raw column, not just our reader
        raw = conn.execute("SELECT answer FROM turns WHERE interview_id=? AND idx=0", (iid,)).fetchone()[0]
    assert raw == text


def test_a_lone_surrogate_answer_is_refused_and_kept_in_the_box(ctx: Context) -> None:
    """JSON allows "\\ud800" and Gradio passes it through (see the raw HTTP test below)."""
    h, iid = _started(ctx)
    bad = "GQA \ud800 省显存"
    *_, box, status = h.reply(iid, bad)
    shown_as_saved = box == "" and not status
    assert not shown_as_saved or _answers(ctx, iid) == [bad], "the UI cleared the box but nothing was stored"
    assert box == bad and status.startswith("⚠️")


def test_a_lone_surrogate_sent_as_json_reaches_the_handler_and_comes_back(web: str) -> None:
    """Why the check above matters: the HTTP API hands "\\ud800" to the handler as a real lone surrogate."""
    with urllib.request.urlopen(web + "gradio_api/info", timeout=30) as response:
        params = json.loads(response.read())["named_endpoints"]["/reply"]["parameters"]
    data = ["abc\ud800def", *(p.get("parameter_default") for p in params[1:])]  # the answer, then defaults
    body = json.dumps({"data": data}).encode()  # ensure_ascii: the escape travels as text
    request = urllib.request.Request(web + "gradio_api/call/reply", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        event = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(web + f"gradio_api/call/reply/{event}", timeout=60) as response:
        lines = response.read().decode().splitlines()
    final = json.loads(lines[lines.index("event: complete") + 1].removeprefix("data: "))
    assert final[2] == "abc\ud800def" and final[3]  # no interview in this session: the text is handed back


@pytest.mark.parametrize("answer", HTML_ANSWERS)
def test_html_and_js_in_answers_are_rendered_as_text(web: str, ctx: Context, answer: str) -> None:
    client = Client(web, verbose=False)
    _chat, plan, _status = client.predict("generic", "algorithm", "zh", 2, "", None, api_name="/start")
    iid = interview_id(plan)
    client.predict("intro", api_name="/reply")
    chat, score_md, _box, _status = client.predict(answer, api_name="/reply")
    shown = user_messages(chat)[1]
    assert "<" not in shown and ">" not in shown and shown == as_text(answer)
    pages = {
        "score": score_md,
        "detail": client.predict(iid, api_name="/open_transcript"),
        "html export": Path(client.predict(iid, api_name="/export_html")).read_text(encoding="utf-8"),
    }
    for where, page in pages.items():
        assert not any(tag in page for tag in ("<script", "<img", "<iframe", "<a href")), where
    assert _answers(ctx, iid)[1] == answer  # stored verbatim; escaping happens only when shown


def test_reply_without_an_interview_keeps_the_answer(ctx: Context) -> None:
    chat, _score, box, status = Handlers(ctx).reply("", "my answer, typed before pressing start")
    assert box == "my answer, typed before pressing start" and status and chat == []


def test_reply_after_the_end_keeps_the_answer_in_the_box(ctx: Context) -> None:
    h, iid = _started(ctx)
    h.end(iid)
    before = ctx.store.get(iid)
    *_, box, status = h.reply(iid, "one more thought")
    assert ctx.store.get(iid)["turns"] == before["turns"]  # nothing written to a finished interview
    assert status and box == "one more thought"


def test_an_interview_deleted_while_its_page_is_open_is_a_clear_message(ctx: Context) -> None:
    h, iid = _started(ctx)
    ctx.store.delete(iid)  # e.g. `kaoda transcripts delete` while the browser still holds the id
    failures = []
    for call in (lambda: h.reply(iid, "hello"), lambda: h.hint(iid), lambda: h.end(iid)):
        try:
            call()
        except Exception as exc:  # what Gradio would turn into a bare "Error" toast
            failures.append(type(exc).__name__)
    assert failures == []
    *_, box, status = h.reply(iid, "hello")
    assert box == "hello" and iid in status


# -- files ----------------------------------------------------------------------------------------------
def _blank_pdf(path: Path) -> Path:
    """A valid PDF with one empty page (what a scanned resume looks like to a text extractor)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with path.open("wb") as out:
        writer.write(out)
    return path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("resume.txt", b"\x00\x01\x02binary\x00", "looks binary"),
        ("resume.md", b"caf\xe9 \xff\xfe\xff\xff broken", "not UTF-8 or GB18030"),
        ("scan.pdf", None, "no extractable text"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "unsupported file type .png"),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a readable PDF"),
        ("empty.txt", b"  \n", "the file is empty"),
    ],
)
def test_bad_resume_uploads_are_refused_and_start_nothing(
    ctx: Context, tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if content is None:
        _blank_pdf(path)
    else:
        path.write_bytes(content)
    iid, chat, plan, status = Handlers(ctx).start("generic", "algorithm", "zh", 3, "我的简历", str(path))
    assert (iid, chat, plan) == ("", [], "")
    assert status.startswith("⚠️") and name in status and expected in status
    assert ctx.store.list() == []  # no half-created interview


def test_web_upload_of_an_image_as_resume_is_refused_by_type(web: str, ctx: Context, tmp_path: Path) -> None:
    image = tmp_path / "me.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    client = Client(web, verbose=False)
    with pytest.raises(Exception, match=r"Invalid file type.*\.pdf"):
        client.predict("generic", "algorithm", "zh", 3, "", handle_file(str(image)), api_name="/start")
    binary = tmp_path / "cv.txt"
    binary.write_bytes(b"\x00\x00\x00")
    upload = handle_file(str(binary))
    _chat, plan, status = client.predict("generic", "algorithm", "zh", 3, "", upload, api_name="/start")
    assert plan == "" and "looks binary" in status
    assert ctx.store.list() == []


def test_ingest_names_with_html_are_escaped_in_the_report(ctx: Context, tmp_path: Path) -> None:
    evil = tmp_path / "<img src=x onerror=alert(1)>.md"
    evil.write_bytes(b"\x00binary")
    good = tmp_path / "<svg onload=alert(2)> 面经.md"
    good.write_text("面试问了 PagedAttention 的分块管理和 KV cache 的显存估算。", encoding="utf-8")
    report = LibraryHandlers(ctx).ingest([str(evil), str(good)], "", "")
    assert "1 added" in report and "looks binary" in report
    assert "<img" not in report and "&lt;img src=x onerror=alert(1)&gt;" in report
    found = LibraryHandlers(ctx).search("PagedAttention 分块 KV cache 显存估算", "", "", "zh")
    assert "<svg" not in found and "&lt;svg onload=alert(2)&gt;" in found  # the title came from the file name


def test_an_oversized_file_is_skipped_before_it_is_read(ctx: Context, tmp_path: Path) -> None:
    huge = tmp_path / "dump.txt"
    with huge.open("wb") as out:  # sparse: 21 MB on paper, nothing on disk
        out.truncate(MAX_FILE_BYTES + 1024 * 1024)
    small = tmp_path / "ok.md"
    small.write_text("问了 LoRA 的秩怎么选。", encoding="utf-8")
    report = ingest_paths(ctx, [huge, small])
    assert report.files_added == 1
    assert report.skipped == [("dump.txt", "dump.txt: 21 MB is over the 20 MB limit")]


def test_a_long_text_file_is_skipped_with_its_size_not_indexed_for_an_hour(ctx: Context, tmp_path: Path) -> None:
    long_note = tmp_path / "book.txt"
    long_note.write_text("第一章：面试官问了 KV cache 的显存怎么估算。" * (MAX_INGEST_CHARS // 20), encoding="utf-8")
    assert long_note.stat().st_size < MAX_FILE_BYTES
    report = ingest_paths(ctx, [long_note])
    assert report.files_added == 0 and len(report.skipped) == 1
    name, reason = report.skipped[0]
    assert name == "book.txt" and f"{MAX_INGEST_CHARS:,}" in reason and "split" in reason
    assert not ctx.kb.search("第一章 KV cache", k=3, source="user")


def test_missing_paths_and_empty_folders_in_cli_ingest(ctx: Context, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    missing = kaoda(ctx.settings.home, "ingest", str(tmp_path / "nope.md"))
    assert missing.returncode == 1 and "nope.md: no such file" in missing.stdout
    empty = kaoda(ctx.settings.home, "ingest", str(tmp_path / "empty"), "--json")
    assert empty.returncode == 0 and json.loads(empty.stdout)["files_added"] == 0


# -- corpus, config, slugs ------------------------------------------------------------------------------
def test_a_corpus_copy_with_broken_yaml_is_named_and_nothing_starts(ctx: Context, tmp_path: Path) -> None:
    broken = tmp_path / "corpus"
    shutil.copytree(bundled_dir("corpus"), broken)
    (broken / "companies" / "didi.yaml").write_text("slug: didi\nname: [unclosed\n  tone: {", encoding="utf-8")
    env = {"KAODA_CORPUS": str(broken)}
    check = kaoda(ctx.settings.home, "corpus", "check", env=env)
    assert check.returncode == 1 and "didi.yaml: invalid YAML" in check.stdout
    run = kaoda(ctx.settings.home, "interview", "--questions", "1", "--answers", os.devnull, env=env)
    assert run.returncode == 2 and "didi.yaml" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert ctx.store.list() == []


def test_a_malformed_config_file_is_one_line_exit_2(ctx: Context) -> None:
    (ctx.settings.home / "config.toml").write_text("lang = 'zh\nllm_api_key = ", encoding="utf-8")
    done = kaoda(ctx.settings.home, "transcripts", "list")
    assert done.returncode == 2 and "config.toml: not valid TOML" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_unknown_company_slug_in_the_web_app(web: str, ctx: Context) -> None:
    client = Client(web, verbose=False)
    with pytest.raises(Exception, match="nope is not in the list of choices"):
        client.predict("nope", "algorithm", "zh", 3, "", None, api_name="/start")
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict("Z3", "", "no-such-co", api_name="/search")
    iid, chat, _plan, status = Handlers(ctx).start("no-such-co", "algorithm", "zh", 3, "", None)  # below Gradio
    assert iid == "" and chat == [] and "unknown company 'no-such-co'" in status and "didi" in status
    assert ctx.store.list() == []


def test_an_unknown_company_slug_in_the_cli(ctx: Context) -> None:
    done = kaoda(ctx.settings.home, "interview", "--company", "no-such-co", "--answers", os.devnull)
    assert done.returncode == 2 and "unknown company 'no-such-co'" in done.stderr and "generic" in done.stderr
    tagged = kaoda(ctx.settings.home, "ingest", os.devnull, "--company", "no-such-co")
    assert tagged.returncode == 2 and "unknown company" in tagged.stderr


# -- ids and paths ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad_id", SQL_IDS)
def test_ids_with_sql_metacharacters_find_nothing_and_change_nothing(web: str, ctx: Context, bad_id: str) -> None:
    h, iid = _started(ctx)
    h.reply(iid, "我做 RAG。")
    before = ctx.store.get(iid)
    client = Client(web, verbose=False)
    assert client.predict(bad_id, api_name="/open_transcript").startswith("⚠️ no interview")
    assert client.predict(bad_id, api_name="/export_markdown") is None
    commands = [("transcripts", "show"), ("transcripts", "delete"), ("interview", "--resume-id")]
    for args in [(*command, bad_id) for command in commands]:
        done = kaoda(ctx.settings.home, *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr, (args, done.stderr)
    assert ctx.store.get(iid) == before and len(ctx.store.list()) == 1


def test_export_targets_outside_the_working_folder_are_refused(ctx: Context, tmp_path: Path) -> None:
    h, iid = _started(ctx)
    h.reply(iid, "我做 RAG。")
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (work / "link").symlink_to(outside, target_is_directory=True)
    refused = ["../escape.md", "../../escape.md", str(outside / "abs.md"), "link/through-symlink.md", "/etc/kaoda.md"]
    for target in refused:
        done = kaoda(ctx.settings.home, "transcripts", "export", iid, "-o", target, cwd=work)
        assert done.returncode == 2 and "leaves" in done.stderr, (target, done.stderr)
    assert list(outside.iterdir()) == [] and not (tmp_path / "escape.md").exists()
    folder = kaoda(ctx.settings.home, "transcripts", "export", iid, "-o", "sub", cwd=work)
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    ok = kaoda(ctx.settings.home, "transcripts", "export", iid, "-o", "sub/t.json", "--format", "json", cwd=work)
    assert ok.returncode == 0 and json.loads((work / "sub" / "t.json").read_text(encoding="utf-8"))["id"] == iid


def test_unicode_answers_round_trip_through_http_and_the_cli_export(web: str, ctx: Context) -> None:
    client = Client(web, verbose=False)
    sent: dict[str, list[str]] = {}
    current = ""
    for text in [UNICODE[case] for case in sorted(UNICODE)] + HTML_ANSWERS:
        if not current:  # (re)start: one interview may end before every case is sent
            _chat, plan, _status = client.predict("generic", "algorithm", "en", 12, "", None, api_name="/start")
            current = interview_id(plan)
        chat, _score, box, status = client.predict(text, api_name="/reply")
        assert box == "" and not status.startswith("⚠️"), status
        sent.setdefault(current, []).append(text)
        assert user_messages(chat)[-1] == inspect.cleandoc(as_text(text))  # Gradio's Chatbot cleandoc()s it
        current = "" if status else current
    for iid, texts in sent.items():
        exported = kaoda(ctx.settings.home, "transcripts", "show", iid, "--json")
        assert exported.returncode == 0, exported.stderr
        answers = [t["answer"] for t in json.loads(exported.stdout)["turns"] if t["answer"] is not None]
        assert answers == texts


def test_an_unknown_source_id_is_echoed_as_text(ctx: Context) -> None:
    shown = LibraryHandlers(ctx).source("<img src=x onerror=alert(1)>", "zh")
    assert shown.startswith("⚠️") and "<img" not in shown
