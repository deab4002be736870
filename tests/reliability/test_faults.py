"""Faults mid-interview: the LLM endpoint, the Chroma server and the SQLite file fail under a running app.

tests/test_llm_interview.py already covers one failing turn per kind at the session level and a
connection refused from the start; here the faults hit a web interview that was running fine, and
stay until it ends.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from agent.config import load_settings
from agent.context import Context, build_context
from tests.app_server import served as serve
from tests.chroma_server import ChromaServer
from tests.fake_openai import FakeOpenAI
from tests.reliability.conftest import interview_id, kaoda
from tests.test_llm_interview import scripted_model

pytestmark = pytest.mark.slow
KEY = "sk-fault-test-0000"
FAULTS: dict[str, Any] = {"hang": {"hang": 3}, "garbage": "{not json", "http_500": {"status": 500}}
ANSWERS = [f"第{i}轮回答：GQA 让多组查询头共享 K/V，KV cache 显存按组数缩小。" for i in range(20)]


def _finish_over_http(client: Client, answers: list[str]) -> list[str]:
    """Reply until the interview ends; returns the answers sent. Every reply must be accepted."""
    sent = []
    for answer in answers:
        *_, box, status = client.predict(answer, api_name="/reply")
        assert box == "" and not status.startswith("⚠️"), status
        sent.append(answer)
        if status:  # "finished"
            return sent
    raise AssertionError("the interview did not finish")


def _stored_answers(ctx: Context, iid: str) -> list[str]:
    return [t["answer"] for t in ctx.store.get(iid)["turns"] if t["answer"] is not None]


# -- the LLM endpoint ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fault", ["down", "hang", "garbage", "http_500"])
def test_llm_fault_mid_interview_continues_offline_over_http(ctx: Context, fault: str) -> None:
    server = FakeOpenAI(default=scripted_model).start()
    llm = ctx.with_settings(
        llm_base_url=server.url, llm_api_key=KEY, llm_model="fake-model", llm_timeout=1.0, llm_max_retries=0
    )
    try:
        with serve(llm) as url:
            client = Client(url, verbose=False)
            _chat, plan, _status = client.predict("didi", "infra", "zh", 3, "", None, api_name="/start")
            iid = interview_id(plan)
            client.predict("我做过 RAG 项目，负责检索。", api_name="/reply")
            healthy = ctx.store.get(iid)["turns"][-1]
            assert "llm" in healthy["meta"] and not healthy["fallback"]  # the model asked this one
            faulted_at = len(ctx.store.get(iid)["turns"])
            if fault == "down":
                server.stop()
            else:
                server.default = FAULTS[fault]  # every later request: the judge's and the interviewer's
            started = time.perf_counter()
            sent = _finish_over_http(client, ANSWERS)
            seconds = time.perf_counter() - started
    finally:
        server.stop()
    record = ctx.store.get(iid)
    assert record["status"] == "finished"
    assert _stored_answers(ctx, iid) == ["我做过 RAG 项目，负责检索。", *sent]  # zero lost turns
    after = [t for t in record["turns"][faulted_at:] if t["move"] != "wrap_up"]
    assert after and all(t["fallback"] for t in after)  # the offline interviewer took over
    assert all(t["question_id"] in ctx.corpus.questions for t in after)
    judged = [t["score"] for t in record["turns"][faulted_at - 1 :] if t["score"]]
    assert judged and all(s["scorer"] == "offline-v2" and s["judge"]["error"] for s in judged)
    assert seconds < 8 * len(sent)  # a hanging endpoint costs its timeout per call, not the test's patience


# -- the Chroma server ---------------------------------------------------------------------------------
@pytest.fixture
def chroma_ctx(ctx: Context, tmp_path: Path) -> Iterator[tuple[Context, ChromaServer]]:
    """The indexed home served by a real `chroma run` (a copy of its store), and a context using it."""
    store = tmp_path / "served-chroma"
    shutil.copytree(ctx.settings.chroma_dir, store)
    server = ChromaServer(store).start()
    try:
        yield build_context(load_settings({"home": ctx.settings.home, "chroma_url": server.url}, env={})), server
    finally:
        server.stop()


def test_chroma_server_goes_away_clear_errors_no_crash_transcript_intact(
    chroma_ctx: tuple[Context, ChromaServer], tmp_path: Path
) -> None:
    served, server = chroma_ctx
    env = {"KAODA_CHROMA_URL": server.url}
    up = kaoda(served.settings.home, "search", "Z3 切了啥", env=env)
    assert up.returncode == 0 and "zero" in up.stdout
    note = tmp_path / "note.md"
    note.write_text("面试问了 Megatron 张量并行在哪里做 all-reduce。", encoding="utf-8")
    with serve(served) as url:
        client = Client(url, verbose=False)
        assert "zero" in client.predict("Z3 切了啥", "", "", api_name="/search")
        _chat, plan, _status = client.predict("generic", "algorithm", "zh", 2, "", None, api_name="/start")
        iid = interview_id(plan)
        client.predict(ANSWERS[0], api_name="/reply")
        server.stop()
        found = client.predict("Z3 切了啥", "", "", api_name="/search")
        assert found.startswith("⚠️") and "Traceback" not in found and len(found.splitlines()) == 1
        report = client.predict([handle_file(str(note))], "", "", api_name="/ingest")
        assert ("⚠️" in report and "新增 0" in report) or report.startswith("⚠️"), report
        sent = [ANSWERS[0], *_finish_over_http(client, ANSWERS[1:])]
        table = client.predict("", "", "", "sort_date_desc", api_name="/transcripts")
        assert iid in [row[0] for row in table["data"]]
    assert _stored_answers(served, iid) == sent and served.store.get(iid)["status"] == "finished"
    down = kaoda(served.settings.home, "search", "Z3 切了啥", env=env)
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert len(down.stderr.strip().splitlines()) == 1 and down.stderr.startswith("kaoda: ")
    assert server.url in down.stderr and "chroma run" in down.stderr  # says where and how to fix
    ingest = kaoda(served.settings.home, "ingest", str(note), env=env)
    assert ingest.returncode != 0 and "Traceback" not in ingest.stderr + ingest.stdout


# -- SQLite busy / locked ------------------------------------------------------------------------------
def _hold_write_lock(db: Path, seconds: float, held: threading.Event) -> threading.Thread:
    """Another connection takes the write lock (BEGIN IMMEDIATE) and keeps it for `seconds`."""

    def hold() -> None:
        conn = sqlite3.connect(db, isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(seconds)
            conn.execute("COMMIT")
        finally:
            conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    return thread


def test_a_turn_waits_for_a_short_write_lock_and_is_saved(web: str, ctx: Context) -> None:
    client = Client(web, verbose=False)
    _chat, plan, _status = client.predict("generic", "algorithm", "zh", 2, "", None, api_name="/start")
    iid = interview_id(plan)
    held = threading.Event()
    holder = _hold_write_lock(ctx.settings.db_path, 3.0, held)
    assert held.wait(10)
    started = time.perf_counter()
    *_, box, status = client.predict(ANSWERS[0], api_name="/reply")
    waited = time.perf_counter() - started
    holder.join()
    assert box == "" and status == "" and waited >= 2.0  # it waited for the lock, then saved
    assert _stored_answers(ctx, iid) == [ANSWERS[0]]
    assert ctx.store.get(iid)["turns"][-1]["answer"] is None  # and the next question is saved too


def test_a_lock_held_past_the_timeout_is_a_clear_error_and_the_answer_stays(web: str, ctx: Context) -> None:
    client = Client(web, verbose=False)
    _chat, plan, _status = client.predict("generic", "algorithm", "zh", 2, "", None, api_name="/start")
    iid = interview_id(plan)
    held = threading.Event()
    holder = _hold_write_lock(ctx.settings.db_path, 13.0, held)  # the store waits 10 s
    assert held.wait(10)
    *_, box, status = client.predict(ANSWERS[0], api_name="/reply")
    assert box == ANSWERS[0]  # handed back to the answer box: nothing lost
    assert status.startswith("⚠️") and "locked" in status and "Traceback" not in status
    holder.join()
    assert _stored_answers(ctx, iid) == []  # nothing half-written
    *_, box, status = client.predict(box, api_name="/reply")  # the user presses send again
    assert box == "" and status == ""
    assert _stored_answers(ctx, iid) == [ANSWERS[0]]


def _wait_for_write_lock(db: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("COMMIT")
    finally:
        conn.close()


# -- a turn cut in half: the answer saved, the next question not ------------------------------------------
def _lock_on_interviewer_call(db: Path, seconds: float, held: threading.Event) -> Any:
    """A scripted model that, when asked for the next move, first has another connection lock the DB."""

    def model(body: dict[str, Any]) -> str:
        if "<<<ANSWER-" not in body["messages"][-1]["content"] and not held.is_set():
            _hold_write_lock(db, seconds, held)
            held.wait(5)
        return scripted_model(body)

    return model


def test_a_lock_between_the_answer_and_the_next_question_loses_and_repeats_nothing(ctx: Context) -> None:
    """The answer is committed, then the next question's save hits a lock held past the timeout."""
    held = threading.Event()
    server = FakeOpenAI(default=_lock_on_interviewer_call(ctx.settings.db_path, 13.0, held)).start()
    llm = ctx.with_settings(llm_base_url=server.url, llm_api_key=KEY, llm_model="fake-model", llm_max_retries=0)
    try:
        with serve(llm) as url:
            client = Client(url, verbose=False)
            _chat, plan, _status = client.predict("generic", "algorithm", "zh", 2, "", None, api_name="/start")
            iid = interview_id(plan)
            *_, box, status = client.predict(ANSWERS[0], api_name="/reply")
            assert held.is_set() and status.startswith("⚠️") and "locked" in status
            assert _stored_answers(ctx, iid) == [ANSWERS[0]]  # committed before the lock bit
            _wait_for_write_lock(ctx.settings.db_path)
            *_, _box, status = client.predict(box, api_name="/reply")  # send again whatever the box holds
            assert not status.startswith("⚠️"), status
            assert _stored_answers(ctx, iid) == [ANSWERS[0]], "the same answer was stored twice"
            assert ctx.store.get(iid)["turns"][-1]["answer"] is None  # an open question, not a stranded interview
    finally:
        server.stop()
