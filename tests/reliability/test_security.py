"""Security of a real `kaoda ui` process: loopback bind, --auth, file access, each browser's own history,
and the API key kept secret.

One `kaoda ui --auth` process (no --host: the default) runs for the module, on an indexed home, with
an LLM endpoint that echoes the key back in its error messages (as some servers do). With --auth the
app is shared: each client says which browser it is (/owner, as the page does from localStorage).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from agent.cli import build_parser
from agent.context import Context
from agent.ingest import ingest_paths
from tests.app_server import free_port
from tests.reliability.conftest import interview_id, kaoda, wait_http
from ui.owners import claim, is_shared, new_token, valid_token

pytestmark = pytest.mark.slow
KEY = "sk-kaoda-LEAKCHECK-7f3a9c2e11d4b8"
USER, PASSWORD = "alice", "s3cret-Pa55"


def key_fragments(text: str, size: int = 8) -> list[str]:
    """Every piece of the key at least `size` characters long found in text (a cut key leaks too)."""
    return sorted({KEY[i : i + size] for i in range(len(KEY) - size + 1) if KEY[i : i + size] in text})


class LeakyEndpoint:
    """An OpenAI-compatible endpoint that refuses every call with 401 and echoes the key it got.

    The echo is padded by a different amount on each call, so across calls the key lands on every
    position around the 160-character cut that error messages get.
    """

    def __init__(self) -> None:
        self.calls = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _refuse(self) -> None:
                endpoint.calls += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sent = self.headers.get("Authorization", "").removeprefix("Bearer ")
                padding = "x" * (80 + endpoint.calls % 60)
                body = json.dumps({"error": {"message": f"{padding} Incorrect API key provided: {sent}."}}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _refuse

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class RunningUI:
    url: str
    port: int
    home: Path
    tmp: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def ui(indexed_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningUI]:
    root = tmp_path_factory.mktemp("secure-ui")
    home, tmp = root / "home", root / "tmp"
    shutil.copytree(indexed_home, home)
    tmp.mkdir()
    endpoint = LeakyEndpoint()
    env = {
        **os.environ,
        "KAODA_HOME": str(home),
        "KAODA_LLM_API_KEY": KEY,
        "KAODA_LLM_BASE_URL": endpoint.url,
        "KAODA_LLM_MODEL": "leaky-model",
        "KAODA_LLM_MAX_RETRIES": "0",
        "GRADIO_TEMP_DIR": str(tmp / "gradio"),
        "TMPDIR": str(tmp),  # the app's own temp files (exports) land here, where the test can search them
    }
    port = free_port()
    log = root / "ui.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "agent", "ui", "--port", str(port), "--auth", f"{USER}:{PASSWORD}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    running = RunningUI(f"http://127.0.0.1:{port}/", port, home, tmp, env, process, log)
    try:
        wait_http(running.url, process=process)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        endpoint.stop()


def _get(url: str, cookie: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _post_json(url: str, data: dict[str, Any], cookie: str = "") -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, data=json.dumps(data).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def login(ui: RunningUI, token: str | None = None) -> Client:
    """A logged-in client that identifies as one browser (a new one unless `token` is given)."""
    client = Client(ui.url, auth=(USER, PASSWORD), verbose=False)
    client.predict(token or new_token(), api_name="/owner")
    return client


def _login_cookie(url: str) -> str:
    form = urllib.parse.urlencode({"username": USER, "password": PASSWORD}).encode()
    with urllib.request.urlopen(urllib.request.Request(url + "login", data=form), timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(c.split(";", 1)[0] for c in cookies)


# -- bind and auth ------------------------------------------------------------------------------------------
def _listening_addresses(port: int) -> list[str]:
    """Local addresses with a LISTEN socket on `port` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                found.append(address)
    return found


def test_the_app_binds_loopback_only_by_default(ui: RunningUI) -> None:
    assert build_parser().parse_args(["ui"]).host == "127.0.0.1"
    assert _listening_addresses(ui.port) == ["0100007F"]  # 127.0.0.1, and nothing on 0.0.0.0 or ::


def test_ui_help_states_the_loopback_default() -> None:
    done = subprocess.run([sys.executable, "-m", "agent", "ui", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "127.0.0.1" in done.stdout


def test_auth_refuses_anonymous_and_wrong_passwords_and_admits_the_user(ui: RunningUI) -> None:
    status, _ = _get(ui.url + "config")
    assert status == 401
    status, body = _post_json(ui.url + "gradio_api/call/start", {"data": ["generic", "algorithm", "zh", 1, "", None]})
    assert status == 401 and b"event_id" not in body
    status, _ = _get(ui.url + "gradio_api/info")
    assert status == 401
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a bare Exception/ValueError here
        Client(ui.url, verbose=False)
    with pytest.raises(Exception, match=r"(?i)could not log ?in|incorrect|invalid|401"):
        Client(ui.url, auth=(USER, "wrong-password"), verbose=False)
    client = login(ui)
    _chat, plan, status_text = client.predict("generic", "algorithm", "zh", 1, "", None, api_name="/start")
    assert status_text == "" and interview_id(plan)
    assert PASSWORD.encode() not in ui.log.read_bytes()


# -- each browser's own history --------------------------------------------------------------------------
def test_which_apps_count_as_shared() -> None:
    assert not is_shared("127.0.0.1") and not is_shared("localhost") and not is_shared("::1")
    assert not is_shared("127.0.0.2")  # all of 127/8 is loopback
    assert is_shared("0.0.0.0") and is_shared("::") and is_shared("192.168.1.20") and is_shared("kaoda.lan")
    assert is_shared("127.0.0.1", "me:secret")
    token = new_token()
    assert valid_token(token) and claim(token) == token and new_token() != token
    for stored in (None, "", "short", "x" * 200, "bad token with spaces!!", 12345):
        assert valid_token(claim(stored)) and claim(stored) != stored


def test_with_auth_one_browser_cannot_reach_anothers_interview(ui: RunningUI) -> None:
    token = new_token()
    first = login(ui, token)  # one password, two browsers: each has its own history
    _chat, plan, _ = first.predict("generic", "algorithm", "zh", 1, "", None, api_name="/start")
    first.predict("MY-PRIVATE-ANSWER-31 我做过 RAG。", api_name="/reply")
    mine = interview_id(plan)
    second = login(ui)
    assert mine not in [row[0] for row in second.predict(api_name="/transcripts")["data"]]
    refused = second.predict(mine, api_name="/open_transcript")
    assert refused.startswith("⚠️ no interview") and "MY-PRIVATE-ANSWER-31" not in refused
    assert second.predict(mine, api_name="/export_markdown") is None
    assert second.predict(mine, api_name="/continue_interview")[2].startswith("⚠️ no interview")
    assert second.predict(mine, api_name="/delete_transcript")[0].startswith("⚠️ no interview")
    again = login(ui, token)  # the first browser, back later
    assert mine in [row[0] for row in again.predict(api_name="/transcripts")["data"]]
    assert "MY-PRIVATE-ANSWER-31" in again.predict(mine, api_name="/open_transcript")


# -- file access ---------------------------------------------------------------------------------------------
def test_gradio_serves_no_file_the_app_did_not_hand_out(ui: RunningUI) -> None:
    cookie = _login_cookie(ui.url)
    assert _get(ui.url + "config", cookie)[0] == 200  # the cookie works
    client = login(ui)
    _chat, plan, _ = client.predict("generic", "algorithm", "zh", 1, "", None, api_name="/start")
    exported = Path(client.predict(interview_id(plan), api_name="/export_markdown"))
    originals = list(ui.tmp.glob("kaoda-exports/*/kaoda-*.md"))
    assert originals, "the handler's own export file was expected under TMPDIR/kaoda-exports"
    forbidden = [
        "/etc/passwd",
        str(ui.home / "kaoda.db"),
        str(ui.home / "chroma" / "chroma.sqlite3"),
        str(originals[0]),  # the handler's copy outside Gradio's cache
        str(Path.cwd() / "README.md"),
        str(Path(__file__)),
        "../../../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ]
    for target in forbidden:
        for prefix in ("gradio_api/file=", "file=", "gradio_api/file/"):
            url = ui.url + prefix + (target if "%" in target else urllib.parse.quote(target))
            status, body = _get(url, cookie)
            assert status in (400, 403, 404), (url, status)
            assert b"root:" not in body and b"SQLite format" not in body
    served = client.predict(interview_id(plan), api_name="/export_markdown")  # what the app hands out works
    assert Path(served).read_text(encoding="utf-8").startswith("#") and exported.name.endswith(".md")


def test_the_api_refuses_server_paths_posing_as_uploads(ui: RunningUI, tmp_path: Path) -> None:
    secret = tmp_path / "server-secret.md"
    secret.write_text("# 机密\n面试问了 SERVERSIDE-SECRET-91 的细节。", encoding="utf-8")
    cookie = _login_cookie(ui.url)
    upload = {"path": str(secret), "meta": {"_type": "gradio.FileData"}, "orig_name": "x.md"}
    status, body = _post_json(ui.url + "gradio_api/call/ingest", {"data": [[upload], "", ""]}, cookie)
    assert status == 200
    event = json.loads(body)["event_id"]
    status, stream = _get(ui.url + f"gradio_api/call/ingest/{event}", cookie)
    assert b"event: error" in stream and b"added" not in stream
    found = kaoda(ui.home, "search", "SERVERSIDE-SECRET-91", "--source", "user", "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["hits"] == []


def test_ingestion_reads_only_the_files_it_was_given(ctx: Context, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("私密：OUTSIDE-TOKEN-55 不该被索引。", encoding="utf-8")
    given = tmp_path / "given"
    given.mkdir()
    (given / "note.md").write_text("面试问了 RMSNorm 和 LayerNorm 的区别。", encoding="utf-8")
    (given / ".hidden.md").write_text("HIDDEN-TOKEN-66 隐藏文件。", encoding="utf-8")
    (given / ".git").mkdir()
    (given / ".git" / "notes.md").write_text("GITDIR-TOKEN-77", encoding="utf-8")
    (given / "link.md").symlink_to(outside / "secret.md")
    (given / "linked-dir").symlink_to(outside, target_is_directory=True)
    report = ingest_paths(ctx, [given])
    assert (report.files_added, report.skipped) == (1, [])
    user_docs = ctx.kb.collection.get(where={"source": "user"}, include=["documents", "metadatas"])
    assert {Path(m["path"]).name for m in user_docs["metadatas"]} == {"note.md"}
    text = " ".join(user_docs["documents"])
    assert not any(token in text for token in ("OUTSIDE-TOKEN", "HIDDEN-TOKEN", "GITDIR-TOKEN"))


# -- the API key -----------------------------------------------------------------------------------------------
def test_the_api_key_never_appears_in_transcripts_logs_exports_or_errors(ui: RunningUI, tmp_path: Path) -> None:
    client = login(ui)
    seen: list[str] = []
    resume = "我用 ZeRO-3 训练过 7B 模型。"
    chat, plan, status = client.predict("didi", "infra", "zh", 2, resume, None, api_name="/start")
    seen += [json.dumps(chat, ensure_ascii=False), plan, status]
    iid = interview_id(plan)
    for answer in ["我做分布式训练。", "ZeRO-3 切分参数、梯度和优化器状态。"] + ["不知道"] * 12:
        reply = client.predict(answer, api_name="/reply")
        seen.append(json.dumps(reply, ensure_ascii=False))
        if reply[3]:
            break
    seen += [
        client.predict(iid, api_name="/open_transcript"),
        json.dumps(client.predict(api_name="/transcripts"), ensure_ascii=False),
        client.predict("ZeRO", "", "", api_name="/search"),
    ]
    export = Path(client.predict(iid, api_name="/export_markdown"))
    record = json.loads(kaoda(ui.home, "transcripts", "show", iid, "--json", env=ui.env).stdout)
    fallbacks = [t for t in record["turns"] if t["fallback"]]
    assert fallbacks, "the endpoint refused every call: the offline interviewer should have stood in"
    cli_runs = [
        kaoda(ui.home, "doctor", env=ui.env),
        kaoda(ui.home, "score", "--question", "ZeRO-3?", "--reference", "切分参数。", "--answer", "切分", env=ui.env),
        kaoda(ui.home, "transcripts", "export", iid, "--format", "json", env=ui.env),
    ]
    answers = tmp_path / "a.txt"
    answers.write_text("我做推理。\n不知道\n不知道\n", encoding="utf-8")
    cli_runs.append(kaoda(ui.home, "interview", "--questions", "1", "--answers", str(answers), "--json", env=ui.env))
    assert cli_runs[0].returncode == 1 and "FAIL endpoint" in cli_runs[0].stdout
    texts = {
        "web responses": "\n".join(seen),
        "export": export.read_text(encoding="utf-8"),
        "cli output": "\n".join(r.stdout + r.stderr for r in cli_runs),
        "ui log": ui.log.read_text(encoding="utf-8", errors="replace"),
    }
    for folder in (ui.home, ui.tmp):
        for path in folder.rglob("*"):
            if path.is_file():
                texts[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    leaks = {where: key_fragments(text) for where, text in texts.items() if key_fragments(text)}
    assert leaks == {}
    reasons = [t["score"]["judge"]["error"] for t in record["turns"] if t["score"] and t["score"].get("judge")]
    assert any("401" in (r or "") for r in reasons)  # the errors are kept, minus the key
