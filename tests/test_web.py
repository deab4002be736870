"""The web app through its real HTTP API (gradio_client): a full 3-question interview, then Review."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from agent.context import Context
from agent.errors import NotFoundError
from agent.interview import InterviewSession
from tests.app_server import served
from ui.strings import STRINGS, t

pytestmark = pytest.mark.slow
TOKEN_A, TOKEN_B = "browser-A-token-" + "a" * 16, "browser-B-token-" + "b" * 16
PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.fixture
def client(ctx: Context) -> Iterator[Client]:
    with served(ctx) as url:
        yield Client(url, verbose=False)


def browser(url: str, token: str) -> Client:
    """A client that identifies as one browser (what the page's load event does with its localStorage token)."""
    client = Client(url, verbose=False)
    assert client.predict(token, api_name="/owner") == token
    return client


def start(client: Client, company: str = "generic", role: str = "algorithm", questions: int = 1) -> str:
    _chat, plan, status = client.predict(company, role, "zh", questions, "", None, api_name="/start")
    assert status == "", status
    return plan.split("`")[1]


def listed(client: Client) -> set[str]:
    return {row[0] for row in client.predict(api_name="/transcripts")["data"]}


def test_every_ui_string_has_zh_and_en() -> None:
    incomplete = [
        key
        for key, texts in STRINGS.items()
        if set(texts) != {"zh", "en"} or not all(isinstance(v, str) and v.strip() for v in texts.values())
    ]
    assert incomplete == []


def test_a_shared_app_shows_each_browser_only_its_own_interviews(ctx: Context) -> None:
    cli_made = InterviewSession.start(ctx, "generic", "data", "", "zh", 1).state.id  # no owner: the CLI's
    with served(ctx, shared=True) as url:
        a, b = browser(url, TOKEN_A), browser(url, TOKEN_B)
        mine = start(a, "didi", "infra", questions=2)
        a.predict("我做过 ZeRO-3 的 7B 训练。", api_name="/reply")
        a.predict("ZeRO-A-SECRET：ZeRO-3 切分参数、梯度和优化器状态。", api_name="/reply")  # a scored answer
        theirs = start(b)
        assert listed(a) == {mine} and listed(b) == {theirs}  # not each other's, not the CLI's

        refused = b.predict(mine, api_name="/open_transcript")
        assert refused.startswith("⚠️ no interview") and "shared" in refused and "ZeRO-A-SECRET" not in refused
        unknown = "0123456789ab"
        for other in (cli_made, unknown):  # the same answer for the CLI's interview and for no interview
            assert b.predict(other, api_name="/open_transcript") == refused.replace(mine, other)
        for export in ("/export_markdown", "/export_json", "/export_html"):
            assert b.predict(mine, api_name=export) is None
        dims, compare = b.predict(mine, api_name="/transcript_charts")
        assert dims["data"] == [] and compare == ""
        chat, plan, message, *_ = b.predict(mine, api_name="/continue_interview")
        assert chat == [] and plan == "" and message.startswith("⚠️ no interview")
        message, table, _file = b.predict(mine, api_name="/delete_transcript")
        assert message.startswith("⚠️ no interview") and {row[0] for row in table["data"]} == {theirs}
        assert ctx.store.get(mine)["id"] == mine  # still there

        _chart, weak, tracks = b.predict(api_name="/progress")  # A's scored answers are not B's progress
        assert weak["data"] == [] and tracks == t("no_progress", "zh")
        assert b.predict(2, api_name="/drill")[2].startswith("⚠️")  # nothing of B's to drill
        _chart, weak, _tracks = a.predict(api_name="/progress")
        assert weak["data"]

        nobody = Client(url, verbose=False)  # an API client that never said who it is
        assert listed(nobody) == set()
        assert nobody.predict("generic", "algorithm", "zh", 1, "", None, api_name="/start")[2] == t("no_owner", "zh")

        assert "ZeRO-A-SECRET" in a.predict(mine, api_name="/open_transcript")  # the owner has it all
        assert Path(a.predict(mine, api_name="/export_markdown")).is_file()
        chat, plan, message, *_ = a.predict(mine, api_name="/continue_interview")
        assert message == "" and mine in plan
        again = browser(url, TOKEN_A)  # the same browser later (its token kept in localStorage)
        assert listed(again) == {mine}
        message, table, _file = again.predict(mine, api_name="/delete_transcript")
        assert mine in message and table["data"] == []
    with pytest.raises(NotFoundError):
        ctx.store.get(mine)
    assert ctx.store.owner(theirs) == TOKEN_B and ctx.store.owner(cli_made) is None


def test_a_local_app_shows_every_interview_to_every_browser(ctx: Context) -> None:
    cli_made = InterviewSession.start(ctx, "generic", "data", "", "zh", 1).state.id
    with served(ctx) as url:
        a, b = browser(url, TOKEN_A), browser(url, TOKEN_B)
        mine = start(a)
        a.predict("ANSWER-FROM-A 我做过 RAG。", api_name="/reply")
        theirs = start(b)
        assert listed(a) == listed(b) == {mine, theirs, cli_made}
        assert "ANSWER-FROM-A" in b.predict(mine, api_name="/open_transcript")
        assert Path(b.predict(mine, api_name="/export_markdown")).is_file()
        assert Path(Client(url, verbose=False).predict(cli_made, api_name="/export_json")).is_file()
    assert ctx.store.owner(mine) == TOKEN_A  # kept, should the app be shared later


def test_review_and_score_panel_show_html_from_answers_and_imports_as_text(client: Client, ctx: Context) -> None:
    interview_id = start(client, "didi", "infra", questions=2)
    client.predict("我做过分布式训练。", api_name="/reply")  # the self-introduction
    _card, question = ctx.corpus.question(ctx.store.get(interview_id)["turns"][-1]["question_id"])
    answer = "".join(f"{kp.zh} {PAYLOAD}。" for kp in question.key_points)
    _chat, score, _box, _status = client.predict(answer, api_name="/reply")
    scored = next(turn for turn in ctx.store.get(interview_id)["turns"] if turn["answer"] == answer)
    assert any(PAYLOAD in (kp["evidence"] or "") for kp in scored["score"]["key_points"])  # evidence quotes it
    assert "<img" not in score and "&lt;img src=x" in score
    detail = client.predict(interview_id, api_name="/open_transcript")
    assert "<img" not in detail and "&lt;img src=x onerror=alert(1)&gt;" in detail

    imported = {  # an imported file may carry HTML in every field the detail shows
        "id": "html-import-1",
        "company": f"acme{PAYLOAD}",
        "role": f"role{PAYLOAD}",
        "lang": "zh",
        "mode": f"offline{PAYLOAD}",
        "status": "finished",
        "summary": {"overall": 40, "weak_topics": [f"topic{PAYLOAD}"]},
        "turns": [
            {
                "index": 0,
                "move": f"switch_topic{PAYLOAD}",
                "question": f"问题 {PAYLOAD}",
                "topic_id": f"t{PAYLOAD}",
                "sources": [f"src{PAYLOAD}"],
                "answer": f"回答 {PAYLOAD}",
                "score": {
                    "score": 2.0,
                    "overall": 40,
                    "dimensions": {f"dim{PAYLOAD}": 2.0},
                    "key_points": [{"text": f"要点 {PAYLOAD}", "hit": True, "evidence": f"证据 {PAYLOAD}"}],
                    "feedback": f"反馈 {PAYLOAD}",
                    "model_answer": f"参考 {PAYLOAD}",
                    "flags": [],
                },
            }
        ],
    }
    ctx.store.import_record(imported)
    detail = client.predict("html-import-1", api_name="/open_transcript")
    assert "<" not in detail and detail.count("&lt;img src=x") >= 10
    assert "<" not in client.predict("<b>no-such-id</b>", api_name="/open_transcript")  # the id is echoed


def test_three_question_interview_then_review_and_export(client: Client, ctx: Context) -> None:
    chat, plan, status = client.predict("didi", "infra", "zh", 3, "我用 ZeRO-3 训练过 7B 模型", None, api_name="/start")
    assert status == "" and "ID" in plan and len(chat) == 1
    interview_id = plan.split("`")[1]
    answers = [
        "我做过 ZeRO-3 的训练 <script>alert('x')</script>",
        "数据并行每卡一份模型，梯度 all-reduce。",
        "不知道",
        "重计算可以省激活显存。",
        "不知道",
        "不知道",
        "不知道",
        "不知道",
        "不知道",
        "不知道",
    ]
    for answer in answers:
        chat, _score, box, status = client.predict(answer, api_name="/reply")
        assert box == ""
        if status:
            break
    record = ctx.store.get(interview_id)
    assert record["status"] == "finished"
    assert len([t for t in record["turns"] if t["score"]]) >= 3
    user_messages = [m for m in chat if m["role"] == "user"]
    shown = str(user_messages[0]["content"])
    assert "&lt;script&gt;" in shown and "<script>" not in shown  # rendered as text, never as HTML
    table = client.predict(api_name="/transcripts")
    assert interview_id in [row[0] for row in table["data"]]
    detail = client.predict(interview_id, api_name="/open_transcript")
    assert "ZeRO" in detail and "<script>" not in detail
    exported = client.predict(interview_id, api_name="/export_markdown")
    assert "ZeRO" in Path(exported).read_text(encoding="utf-8")


def test_two_browsers_do_not_share_an_interview(client: Client, ctx: Context) -> None:
    other = Client(client.src, verbose=False)
    _, plan_a, _ = client.predict("generic", "algorithm", "zh", 1, "", None, api_name="/start")
    _, plan_b, _ = other.predict("generic", "data", "en", 1, "", None, api_name="/start")
    client.predict("answer from A", api_name="/reply")
    other.predict("answer from B", api_name="/reply")
    a, b = (ctx.store.get(p.split("`")[1]) for p in (plan_a, plan_b))
    assert [t["answer"] for t in a["turns"] if t["answer"]] == ["answer from A"]
    assert [t["answer"] for t in b["turns"] if t["answer"]] == ["answer from B"]


def test_library_search_topic_sources_and_ingest(client: Client, ctx: Context, tmp_path: Path) -> None:
    from gradio_client import handle_file

    found = client.predict("Z3 切了啥", "", "", api_name="/search")
    assert "zero" in found
    card = client.predict("zero", api_name="/topic")
    assert "ZeRO" in card and "zero-q1" in card
    report = client.predict("exp-didi-2024-r1", api_name="/source")
    assert "didi" in report
    note = tmp_path / "my-note.md"
    note.write_text("# 滴滴 二面\n问了 Megatron 的张量并行在哪里做 all-reduce。", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x00binary")
    result = client.predict([handle_file(str(note)), handle_file(str(bad))], "", "", api_name="/ingest")
    assert "新增 1" in result and "binary" in result  # the report in the UI language (zh here)
    assert ctx.kb.search("Megatron 张量并行 all-reduce", k=3, source="user")


def test_streaming_reply_shows_the_question_as_it_arrives(ctx: Context) -> None:
    from tests.fake_openai import FakeOpenAI
    from tests.test_llm_interview import scripted_model

    server = FakeOpenAI(default=scripted_model).start()
    llm_ctx = ctx.with_settings(llm_base_url=server.url, llm_api_key="sk-web", llm_model="fake", llm_max_retries=0)
    try:
        with served(llm_ctx) as url:
            web = Client(url, verbose=False)
            web.predict("generic", "algorithm", "zh", 2, "", None, api_name="/start")
            server.enqueue(lambda body: {"content": scripted_model(body), "chunks": 10})
            job = web.submit("我做过 RAG。", api_name="/reply")
            updates = list(job)
            partial = [u[0][-1]["content"] for u in updates if u[0] and u[0][-1]["role"] == "assistant"]
            assert len(updates) >= 3 and any("▍" in str(p) for p in partial)
            assert "▍" not in str(updates[-1][0][-1]["content"])
    finally:
        server.stop()


def test_review_continue_exports_progress_and_drill(client: Client, ctx: Context) -> None:
    import json

    from agent.export import dimension_label, from_json

    _, plan, _ = client.predict("didi", "infra", "zh", 2, "", None, "hard", "offline", api_name="/start")
    interview_id = plan.split("`")[1]
    assert "offline" in plan and "硬核" in plan
    client.predict("我做过 ZeRO-3 的 7B 训练", api_name="/reply")
    client.predict(api_name="/dont_know")  # a weak answer on a topic: something to drill later

    other = Client(client.src, verbose=False)  # another browser (or the same one after a restart)
    chat, plan_again, message, *_ = other.predict(interview_id, api_name="/continue_interview")
    assert message == "" and interview_id in plan_again and len(chat) >= 4
    other.predict("继续作答：ZeRO-3 切分参数、梯度和优化器状态", api_name="/reply")
    assert any("继续作答" in (t["answer"] or "") for t in ctx.store.get(interview_id)["turns"])

    other.predict(api_name="/end")
    table = client.predict("didi", "", "", "sort_score_desc", api_name="/transcripts")
    assert [row[0] for row in table["data"]] == [interview_id]
    assert client.predict("bytedance", "", "", "sort_date_desc", api_name="/transcripts")["data"] == []
    dims, compare = client.predict(interview_id, api_name="/transcript_charts")
    wanted = {dimension_label(ctx.corpus, name, "zh") for name in ("correctness", "completeness")}  # 正确性…
    assert {row[0] for row in dims["data"]} >= wanted and compare

    exported = json.loads(Path(client.predict(interview_id, api_name="/export_json")).read_text(encoding="utf-8"))
    assert from_json(exported)["id"] == interview_id
    page = Path(client.predict(interview_id, api_name="/export_html")).read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "继续作答" in page

    from agent.store import exports_dir

    assert len(list(exports_dir(ctx.store.path).glob(f"kaoda-{interview_id}.*"))) == 2  # json + html, kept apart
    chart, weak, tracks = client.predict(api_name="/progress")
    assert chart["data"] and weak["data"] and "%" in tracks
    drill_chat = client.predict(2, api_name="/drill")[0]
    assert drill_chat and drill_chat[-1]["role"] == "assistant"
    assert ctx.store.list()[0]["kind"] == "drill"
    ctx.store.delete(interview_id)  # privacy: the export files go with the transcript
    assert list(exports_dir(ctx.store.path).glob(f"kaoda-{interview_id}.*")) == []


def test_practice_mode_hides_scores_until_the_end_and_llm_mode_needs_an_endpoint(client: Client) -> None:
    *_, status = client.predict("generic", "algorithm", "en", 1, "", None, "normal", "llm", api_name="/start")
    assert "endpoint" in status
    client.predict("generic", "algorithm", "en", 1, "", None, "easy", "offline", api_name="/start")
    client.predict("I built a RAG system with hybrid retrieval.", True, api_name="/reply")
    _, score, _, status = client.predict(
        "Attention divides by sqrt(d_k) to keep softmax stable.", True, api_name="/reply"
    )
    if not status:  # a follow-up came: still hidden
        assert "hidden" in score
        _, score, _ = client.predict(True, api_name="/end")
    assert "/5" in score and "Overall" in score  # every score shown at the end
