"""Helpers for the reliability tests: the web app (tests/app_server.py), the `kaoda` command as a process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.context import Context
from tests.app_server import served


@pytest.fixture
def web(ctx: Context) -> Iterator[str]:
    with served(ctx) as url:
        yield url


def kaoda(
    home: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`kaoda ARGS` as a real process with KAODA_HOME=home."""
    full_env = {**os.environ, "KAODA_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "agent", *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout
    )


def wait_http(url: str, timeout: float = 90.0, process: subprocess.Popen[bytes] | None = None) -> None:
    """Until url answers with any HTTP status (401 counts: the server is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def interview_id(plan_markdown: str) -> str:
    """The id in the plan shown after /start (`ID \\`abc123\\``)."""
    return plan_markdown.split("`")[1]


def message_text(content: Any) -> str:
    """The text of a Chatbot message as gradio_client returns it (a string, or a list of parts)."""
    if isinstance(content, list):
        return "".join(message_text(part) for part in content)
    if isinstance(content, dict):
        return str(content.get("text") or "")
    return str(content)


def user_messages(chat: list[dict[str, Any]]) -> list[str]:
    return [message_text(m["content"]) for m in chat if m["role"] == "user"]
