"""Text utilities for mixed Chinese/English: tokens for BM25, sentences for scoring.

tokens("ZeRO-3 切分了参数和 optimizer states")  # ['zero-3', '切分', '参数', 'optimizer', 'states']
sentences("先说结论。然后 because of X; finally Y")  # ['先说结论', 'then because of X', ...]
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+\-/]*[A-Za-z0-9+]|[A-Za-z0-9]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.)\s+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_STOP = frozenset(
    {
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "也",
        "就",
        "都",
        "而",
        "这",
        "那",
        "个",
        "一个",
        "我们",
        "你",
        "我",
        "他",
        "它",
        "吗",
        "呢",
        "吧",
        "啊",
        "把",
        "被",
        "对",
        "中",
        "上",
        "下",
        "为",
        "以",
        "之",
        "其",
        "等",
        "会",
        "能",
        "可以",
        "什么",
        "怎么",
        "如何",
        "为什么",
        "哪些",
        "一下",
        "讲",
        "说",
        "说说",
        "讲讲",
        "介绍",
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "was",
        "were",
        "it",
        "this",
        "that",
        "with",
        "as",
        "by",
        "at",
        "from",
        "what",
        "how",
        "why",
        "which",
        "do",
        "does",
        "did",
        "can",
        "could",
        "you",
        "your",
        "i",
        "we",
    }
)


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def add_terms(terms: Iterable[str]) -> None:
    """Teach the segmenter domain words (topic aliases) so they stay whole."""
    jieba = _jieba()
    for term in terms:
        if _CJK_RUN.search(term) and len(term) <= 12:
            jieba.add_word(term.strip())
    _tokens.cache_clear()  # the segmentation may have changed


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), zero-width characters removed."""
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))


def tokens(text: str) -> list[str]:
    """BM25 tokens: English terms whole and lower-cased, Chinese cut by jieba (search mode)."""
    return list(_tokens(text))


@lru_cache(maxsize=2048)  # a turn tokenizes the same question/answer several times (search, guard, BM25)
def _tokens(text: str) -> tuple[str, ...]:
    text = normalize(text)
    out: list[str] = [t.lower() for t in _LATIN.findall(text)]
    for run in _CJK_RUN.findall(text):
        out += [w for w in _jieba().cut_for_search(run) if w.strip()]
    return tuple(t for t in out if t not in _STOP)


def sentences(text: str, max_chars: int = 160) -> list[str]:
    """Split an answer into sentences; long ones are cut again at commas."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(_ZERO_WIDTH.sub("", text)):  # not NFKC: evidence quotes the answer verbatim
        piece = piece.strip(" \t\n。；;!?.！？")
        if not piece:
            continue
        if len(piece) <= max_chars:
            out.append(piece)
            continue
        chunk = ""
        for part in re.split(r"(?<=[，,、])", piece):
            if chunk and len(chunk) + len(part) > max_chars:
                out.append(chunk.strip())
                chunk = ""
            chunk += part
        if chunk.strip():
            out.append(chunk.strip())
    return out


def contains_term(text_lower: str, term: str) -> bool:
    """Case-insensitive match; short Latin terms must stand as whole words (so 'PP' ≠ 'apply')."""
    term = normalize(term).lower().strip()
    if not term:
        return False
    if term.isascii() and len(term) <= 4:
        return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text_lower) is not None
    return term in text_lower


def is_cjk(text: str) -> bool:
    """Mostly Chinese? (Decides the answer language for feedback.)"""
    cjk = sum(len(run) for run in _CJK_RUN.findall(text))
    latin = sum(len(m) for m in _LATIN.findall(text))
    return cjk >= latin / 3 if (cjk or latin) else True
