"""Prompt and phrase templates from `prompts/`, loaded by name and rendered strictly.

phrase("follow_up", "zh", rng, hint="KV cache")   # a missing slot raises KeyError
render("judge.zh.md", question=..., answer=...)    # Jinja2 with StrictUndefined
"""

from __future__ import annotations

from functools import lru_cache
from random import Random
from typing import Any

import yaml

from agent.paths import bundled_dir


@lru_cache(maxsize=1)
def _phrases() -> dict[str, Any]:
    return yaml.safe_load((bundled_dir("prompts") / "offline" / "phrases.yaml").read_text(encoding="utf-8"))


def phrase(name: str, lang: str, rng: Random | None = None, **slots: Any) -> str:
    """One variant of an offline phrase with its slots filled (str.format: a missing slot raises)."""
    variants = _phrases()[name][lang]
    template = variants if isinstance(variants, str) else (rng or Random(0)).choice(variants)
    return template.format(**slots)


@lru_cache(maxsize=32)
def _template(name: str) -> Any:
    from jinja2 import Environment, StrictUndefined

    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    return env.from_string((bundled_dir("prompts") / name).read_text(encoding="utf-8"))


def render(name: str, **variables: Any) -> str:
    """Render `prompts/<name>`; an undefined variable raises instead of rendering empty."""
    return str(_template(name).render(**variables))


# The variables each chat prompt needs (rendering fails on a missing one; tests render each with these).
PROMPT_VARIABLES: dict[str, tuple[str, ...]] = {
    "interviewer": (
        "company_name",
        "role_name",
        "tone",
        "allowed_moves",
        "remaining",
        "depth",
        "max_depth",
        "plan",
        "claims",
        "contradictions",
        "transcript",
        "last_score",
        "missed",
        "material",
    ),
    "judge": ("rubric", "question", "key_points", "exemplars", "answer"),
}


def chat_messages(name: str, lang: str, **variables: Any) -> list[Any]:
    """`prompts/<name>.<lang>.md` rendered and split at `=== user ===` into system + user messages."""
    from langchain_core.messages import HumanMessage, SystemMessage

    text = render(f"{name}.{lang}.md", **variables)
    system, _, user = text.partition("=== user ===")
    return [SystemMessage(content=system.strip()), HumanMessage(content=user.strip())]
