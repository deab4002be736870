"""The LLM boundary: one chat-model factory from settings, and a JSON call that survives bad models.

    chain = prompt_chain("interviewer", "zh", make_chat_model(settings))
    decision, call = structured_call(chain, variables, Decision, on_partial=print_question)
    call.latency_ms, call.usage, call.attempts, call.error

Everything else talks to LangChain runnables; only this module knows about HTTP settings. Replies
are parsed as JSON (code fences and trailing text tolerated, partial JSON streamed), validated with
pydantic, and on failure retried once with the reason; the caller falls back when it still fails.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from agent.config import Settings
from agent.errors import ConfigError, EndpointError

MAX_TOKENS = 700  # small servers ignore max_completion_tokens; extra_body max_tokens bounds the reply
T = TypeVar("T", bound=BaseModel)


def make_chat_model(settings: Settings, temperature: float = 0.4) -> Any:
    """ChatOpenAI for any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen, Moonshot, Ollama, vLLM)."""
    if not settings.llm_api_key:
        raise ConfigError("no LLM API key: set KAODA_LLM_API_KEY (or OPENAI_API_KEY), or use the offline mode")
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url or None,
        api_key=SecretStr(settings.llm_api_key),
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,  # the openai client backs off exponentially on 429/5xx
        temperature=temperature,
        streaming=True,
        stream_usage=True,
        max_completion_tokens=MAX_TOKENS,  # the field `max_tokens` under its constructor alias
        extra_body={"max_tokens": MAX_TOKENS},
    )


@dataclass
class CallRecord:
    """What one structured call cost and how it went (stored with the turn; never the key)."""

    model: str
    latency_ms: int = 0
    usage: dict[str, int] = field(default_factory=dict)
    attempts: int = 0
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "latency_ms": self.latency_ms,
            "usage": self.usage,
            "attempts": self.attempts,
            "error": self.error,
        }


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def parse_json_reply(text: str) -> dict[str, Any]:
    """The JSON object in a model reply: fences stripped, prose around it ignored; raises ValueError."""
    if not text.strip():
        raise ValueError("empty reply")
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object in the reply (truncated?)")
    try:
        data = json.loads(body[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise ValueError("the reply is not a JSON object")
    return data


def prompt_chain(name: str, lang: str, model: Any) -> Any:
    """LCEL: render `prompts/<name>.<lang>.md` (plus any repair turns) | the chat model."""
    from langchain_core.runnables import RunnableLambda

    from agent.prompts import chat_messages

    def to_messages(inputs: dict[str, Any]) -> list[Any]:
        variables = {k: v for k, v in inputs.items() if k != "repair"}
        return chat_messages(name, lang, **variables) + list(inputs.get("repair", []))

    return RunnableLambda(to_messages) | model


def _stream_text(
    chain: Any, inputs: dict[str, Any], on_partial: Callable[[dict[str, Any]], None] | None
) -> tuple[str, dict[str, int]]:
    """Stream the reply, handing partial JSON to `on_partial` as it grows; returns (text, token usage)."""
    from langchain_core.utils.json import parse_partial_json

    text, usage = "", {}
    for chunk in chain.stream(inputs):
        piece = chunk.content if isinstance(chunk.content, str) else ""
        text += piece
        if getattr(chunk, "usage_metadata", None):
            usage = {k: int(v) for k, v in chunk.usage_metadata.items() if isinstance(v, int)}
        if on_partial and piece:
            start = text.find("{")
            partial = parse_partial_json(text[start:]) if start >= 0 else None
            if isinstance(partial, dict):
                on_partial(partial)
    return text, usage


def structured_call(
    chain: Any,
    inputs: dict[str, Any],
    schema: type[T],
    check: Callable[[T], str | None] | None = None,
    on_partial: Callable[[dict[str, Any]], None] | None = None,
    attempts: int = 2,
) -> tuple[T | None, CallRecord]:
    """Call, parse, validate (schema, then `check` → reason or None); one repair retry with the reason."""
    from langchain_core.messages import AIMessage, HumanMessage

    model = chain.last if hasattr(chain, "last") else chain
    record = CallRecord(model=str(getattr(model, "model_name", "?")))
    started = time.perf_counter()
    repair: list[Any] = []
    try:
        for attempt in range(1, attempts + 1):
            record.attempts = attempt
            try:
                text, usage = _stream_text(chain, {**inputs, "repair": repair}, on_partial if attempt == 1 else None)
            except Exception as exc:  # openai/httpx raise many types: timeouts, 4xx/5xx, refused
                # scrub, then cut: a cut first could split an echoed key and leave part of it in the message
                record.error = scrub(f"endpoint: {type(exc).__name__}: {exc}", model)[:200]
                return None, record
            for key, value in usage.items():
                record.usage[key] = record.usage.get(key, 0) + value
            try:
                parsed = schema.model_validate(parse_json_reply(text))
                problem = check(parsed) if check else None
            except (ValueError, ValidationError) as exc:
                parsed, problem = None, _short(exc)
            if parsed is not None and problem is None:
                record.error = None
                return parsed, record
            record.error = f"invalid reply: {problem}"
            repair += [
                AIMessage(content=text[:2000]),
                HumanMessage(content=f"Your reply was rejected: {problem}. Reply again with only the JSON object."),
            ]
        return None, record
    finally:
        record.latency_ms = round(1000 * (time.perf_counter() - started))


def scrub(text: str, model: Any) -> str:
    """Remove the API key from a message (some servers echo it back in errors)."""
    secret = getattr(model, "openai_api_key", None)
    key = secret.get_secret_value() if secret is not None else ""
    return text.replace(key, "***") if key and len(key) >= 4 else text


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"field '{'.'.join(str(p) for p in first['loc'])}': {first['msg']}"
    return str(exc)[:200]


def ping(settings: Settings) -> str:
    """One tiny request: a verdict for `kaoda doctor` and the Settings tab; raises EndpointError."""
    from langchain_core.messages import HumanMessage

    model = make_chat_model(settings, temperature=0.0)
    started = time.perf_counter()
    try:
        reply = model.invoke([HumanMessage(content="Reply with the single word: ok")])
    except Exception as exc:  # any failure is a verdict, never a crash
        raise EndpointError(f"endpoint {settings.llm_base_url or 'OpenAI'} failed: {type(exc).__name__}") from exc
    ms = round(1000 * (time.perf_counter() - started))
    return (
        f"{settings.llm_model} at {settings.llm_base_url or 'OpenAI'} answered in {ms} ms: {str(reply.content)[:20]!r}"
    )
