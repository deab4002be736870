from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_settings
from agent.errors import ConfigError


def test_precedence_flags_over_env_over_file_over_default(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('lang = "en"\nllm_model = "from-file"\nllm_timeout = 5\n', encoding="utf-8")
    env = {"KAODA_HOME": str(tmp_path), "KAODA_LLM_MODEL": "from-env"}
    settings = load_settings({"llm_model": None}, env=env)
    assert (settings.lang, settings.llm_model, settings.llm_timeout) == ("en", "from-env", 5.0)
    assert load_settings({"llm_model": "from-flag"}, env=env).llm_model == "from-flag"
    assert load_settings(env={"KAODA_HOME": str(tmp_path / "none")}).lang == "zh"


def test_openai_variables_are_fallbacks_and_the_key_is_never_shown(tmp_path: Path) -> None:
    env = {"KAODA_HOME": str(tmp_path), "OPENAI_API_KEY": "sk-secret-123", "OPENAI_BASE_URL": "http://x/v1"}
    settings = load_settings(env=env)
    assert settings.mode == "llm" and settings.llm_base_url == "http://x/v1"
    assert "sk-secret-123" not in repr(settings) and "sk-secret-123" not in str(settings.describe())
    assert load_settings(env={**env, "KAODA_LLM_API_KEY": "kaoda-key"}).llm_api_key == "kaoda-key"
    assert load_settings(env={"KAODA_HOME": str(tmp_path)}).mode == "offline"


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        ("", {"KAODA_LANG": "fr"}, "lang"),
        ("not = [valid", {}, "TOML"),
        ('colour = "red"', {}, "unknown setting"),
        ("", {"KAODA_LLM_TIMEOUT": "soon"}, "llm_timeout"),
    ],
)
def test_bad_settings_name_the_fix(tmp_path: Path, content: str, env: dict[str, str], message: str) -> None:
    (tmp_path / "config.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(env={"KAODA_HOME": str(tmp_path), **env})
