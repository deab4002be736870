"""Every setting in one frozen object: flags > environment > `$KAODA_HOME/config.toml` > defaults.

settings = load_settings()                       # from the environment
settings = load_settings({"lang": "en"})         # a flag wins over everything
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from agent.errors import ConfigError
from agent.paths import bundled_dir

EMBEDDING_CHOICES = "e5-small (default, bundled), minilm (bundled), st:<path or name>, openai:<model>"


def _setting(default: Any, env: tuple[str, ...], description: str, secret: bool = False) -> Any:
    return field(default=default, repr=not secret, metadata={"env": env, "description": description})


@dataclass(frozen=True)
class Settings:
    home: Path = _setting(Path("~/.kaoda"), ("KAODA_HOME",), "Folder for the Chroma store, the SQLite file and logs.")
    corpus_dir: Path | None = _setting(None, ("KAODA_CORPUS",), "Corpus folder; default: the bundled corpus.")
    lang: str = _setting("zh", ("KAODA_LANG",), "Interview and UI language: zh or en.")
    embeddings: str = _setting("e5-small", ("KAODA_EMBEDDINGS",), f"Embedding model: {EMBEDDING_CHOICES}.")
    chroma_url: str = _setting("", ("KAODA_CHROMA_URL",), "Chroma server URL; empty = embedded store under home.")
    llm_base_url: str = _setting("", ("KAODA_LLM_BASE_URL", "OPENAI_BASE_URL"), "OpenAI-compatible endpoint URL.")
    llm_api_key: str = _setting(
        "", ("KAODA_LLM_API_KEY", "OPENAI_API_KEY"), "API key; none means the offline interviewer.", secret=True
    )
    llm_model: str = _setting("gpt-4o-mini", ("KAODA_LLM_MODEL",), "Chat model name at the endpoint.")
    llm_timeout: float = _setting(30.0, ("KAODA_LLM_TIMEOUT",), "Seconds before one LLM request gives up.")
    llm_max_retries: int = _setting(1, ("KAODA_LLM_MAX_RETRIES",), "Retries (with backoff) per LLM request.")
    collection: str = _setting("kaoda", ("KAODA_COLLECTION",), "Chroma collection name (3–512 characters).")

    @property
    def mode(self) -> str:
        """`llm` when an API key is configured, else `offline`."""
        return "llm" if self.llm_api_key else "offline"

    @property
    def db_path(self) -> Path:
        return self.home / "kaoda.db"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def embed_cache_path(self) -> Path:
        """Vectors of key points and pitfalls, kept across processes (agent.embeddings.DiskVectors)."""
        return self.home / "cache" / "embeddings.sqlite"

    @property
    def corpus_root(self) -> Path:
        return self.corpus_dir or bundled_dir("corpus")

    @property
    def prompts_root(self) -> Path:
        return bundled_dir("prompts")

    def describe(self) -> dict[str, str]:
        """Settings for display: the key is masked, never shown."""
        shown = {f.name: str(getattr(self, f.name)) for f in fields(self)}
        shown["llm_api_key"] = "set" if self.llm_api_key else "not set"
        shown["mode"] = self.mode
        return shown


def _coerce(name: str, raw: Any, kind: Any) -> Any:
    try:
        if kind in ("Path", "Path | None"):
            return Path(str(raw)).expanduser() if raw not in (None, "") else None
        if kind == "float":
            return float(raw)
        if kind == "int":
            return int(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting '{name}': cannot read {raw!r} as {kind}") from exc


def _file_values(home: Path) -> dict[str, Any]:
    path = home / "config.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix or delete it") from exc


def load_settings(flags: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Resolve every setting; `flags` holds only the options the user actually passed."""
    env = dict(os.environ if env is None else env)
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    home_raw = flags.get("home") or env.get("KAODA_HOME") or "~/.kaoda"
    home = Path(str(home_raw)).expanduser()
    from_file = _file_values(home)
    values: dict[str, Any] = {"home": home}
    known = {f.name for f in fields(Settings)}
    unknown = set(from_file) - known
    if unknown:
        raise ConfigError(f"{home / 'config.toml'}: unknown setting(s) {sorted(unknown)}; known: {sorted(known)}")
    for f in fields(Settings):
        if f.name == "home":
            continue
        raw: Any = flags.get(f.name)
        if raw is None:
            raw = next((env[e] for e in f.metadata["env"] if env.get(e)), None)
        if raw is None:
            raw = from_file.get(f.name)
        if raw is not None:
            values[f.name] = _coerce(f.name, raw, f.type)
    settings = replace(Settings(), **values)
    if settings.lang not in ("zh", "en"):
        raise ConfigError(f"setting 'lang': expected zh or en, got {settings.lang!r}")
    if not 3 <= len(settings.collection) <= 512:
        raise ConfigError("setting 'collection': Chroma needs a name of 3–512 characters")
    return settings
