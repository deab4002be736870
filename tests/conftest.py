"""Shared fixtures: every test gets its own KAODA_HOME; the real index is built once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
for key in (
    "KAODA_HOME",
    "KAODA_LLM_API_KEY",
    "OPENAI_API_KEY",
    "KAODA_LLM_BASE_URL",
    "OPENAI_BASE_URL",
    "KAODA_CHROMA_URL",
    "KAODA_CORPUS",
    "KAODA_EMBEDDINGS",
    "KAODA_LANG",
):
    os.environ.pop(key, None)  # tests never see the developer's own settings

from agent.config import Settings, load_settings  # noqa: E402
from agent.context import Context, build_context  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty KAODA_HOME for this test."""
    folder = tmp_path / "kaoda-home"
    monkeypatch.setenv("KAODA_HOME", str(folder))
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    return folder


@pytest.fixture(scope="session")
def indexed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KAODA_HOME with the bundled corpus indexed (real model, real Chroma), built once."""
    folder = tmp_path_factory.mktemp("indexed") / "home"
    ctx = build_context(load_settings({"home": folder}, env={}))
    ctx.kb.index_corpus(ctx.corpus)
    return folder


@pytest.fixture
def ctx(indexed_home: Path, home: Path) -> Iterator[Context]:
    """A context on a private copy of the indexed home (its own SQLite file and Chroma store)."""
    shutil.copytree(indexed_home, home)
    yield build_context(load_settings({"home": home}, env={}))


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings({"home": home}, env={})
