"""The same retrieval against a real `chroma run` server on loopback (KAODA_CHROMA_URL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.config import load_settings
from agent.context import Context, build_context
from agent.errors import SearchIndexError
from tests.chroma_server import ChromaServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    running = ChromaServer(tmp_path_factory.mktemp("chroma-server")).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def server_ctx(server: ChromaServer, tmp_path_factory: pytest.TempPathFactory) -> Context:
    home = tmp_path_factory.mktemp("server-home")
    ctx = build_context(load_settings({"home": home, "chroma_url": server.url}, env={}))
    report = ctx.kb.index_corpus(ctx.corpus)
    assert report.added == ctx.kb.count() > 500
    return ctx


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("Z3 切了啥", "zero"),
        ("GQA 省的是计算量还是显存", "mha-mqa-gqa"),
        ("how does PagedAttention work", "paged-attention-vllm"),
    ],
)
def test_server_mode_finds_the_same_topics(server_ctx: Context, query: str, topic: str) -> None:
    hits = server_ctx.kb.search(query, k=5)
    assert topic in [h.metadata.get("topic_id") for h in hits[:3]]


def test_server_mode_filters_and_incremental_index(server_ctx: Context) -> None:
    assert {h.kind for h in server_ctx.kb.search("显存", k=5, kind="question")} == {"question"}
    again = server_ctx.kb.index_corpus(server_ctx.corpus)
    assert again.added == again.updated == again.removed == 0


def test_doctor_reports_server_mode_and_a_dead_server(server: ChromaServer, tmp_path: Path) -> None:
    env = {**os.environ, "KAODA_HOME": str(tmp_path), "KAODA_CHROMA_URL": server.url}
    up = subprocess.run([sys.executable, "-m", "agent", "doctor", "--json"], capture_output=True, text=True, env=env)
    checks = {c["check"]: c for c in json.loads(up.stdout)["checks"]}
    assert checks["index"]["ok"] and "server" in checks["index"]["detail"]
    dead = {**env, "KAODA_CHROMA_URL": "http://127.0.0.1:9"}
    down = subprocess.run([sys.executable, "-m", "agent", "doctor", "--json"], capture_output=True, text=True, env=dead)
    assert down.returncode == 1
    index_check = {c["check"]: c for c in json.loads(down.stdout)["checks"]}["index"]
    assert not index_check["ok"] and "unreachable" in index_check["detail"]


def test_search_against_a_dead_server_is_a_clear_error(tmp_path: Path) -> None:
    settings = load_settings({"home": tmp_path, "chroma_url": "http://127.0.0.1:9"}, env={})
    with pytest.raises(SearchIndexError, match="unreachable"):
        build_context(settings).kb.search("ZeRO")
