"""Resume / project text → claims (sentences worth grilling) and the topics they touch.

claims = extract_claims("负责 7B 模型的 LoRA 微调，显存从 80G 降到 24G。熟悉 Python。")
# [Claim(text="负责 7B 模型的 LoRA 微调，显存从 80G 降到 24G", topics=["lora"], numbers=["7B", "80G", "24G"])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.corpus import Corpus
from agent.text import contains_term, normalize

_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?:[kKmMbBgGtT%倍万亿卡张]|GB|TB|ms|s|x|X|B|张卡)?")
_CLAIM_SPLIT = re.compile(r"[。！？!?；;\n]+|(?<=[.])\s+")
_ACTION = re.compile(
    r"负责|主导|设计|实现|搭建|优化|提升|降低|训练|微调|部署|构建|开发|led|built|designed|trained|"
    r"implemented|optimized|reduced|improved|deployed|fine-?tuned",
    re.I,
)


@dataclass
class Claim:
    text: str
    topics: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


def detect_topics(corpus: Corpus, text: str) -> list[str]:
    """Topic ids whose aliases appear in the text, most mentioned first."""
    lowered = normalize(text).lower()
    counts: dict[str, int] = {}
    for card in corpus.topics():
        hits = sum(lowered.count(a.lower()) for a in card.aliases if contains_term(lowered, a))
        if hits:
            counts[card.id] = hits
    return sorted(counts, key=lambda t: -counts[t])


def quote(claim: str, max_chars: int = 60) -> str:
    """The part of a claim an interviewer would quote back: up to a clause boundary near max_chars."""
    if len(claim) <= max_chars:
        return claim
    cut = max((claim.rfind(p, 12, max_chars) for p in "，,、:：；;"), default=-1)
    return claim[: cut if cut > 0 else max_chars].rstrip() + "…"


def extract_claims(corpus: Corpus, text: str, limit: int = 8) -> list[Claim]:
    """Sentences that say what the candidate did: an action verb, a known topic, or a number."""
    claims: list[Claim] = []
    for raw in _CLAIM_SPLIT.split(text or ""):  # the candidate's own punctuation is kept for quoting
        sentence = raw.strip(" -•*·\t")
        if len(sentence) < 6:
            continue
        topics = detect_topics(corpus, normalize(sentence))
        numbers = [n.strip() for n in _NUMBER.findall(normalize(sentence)) if n.strip()]
        if topics or (_ACTION.search(sentence) and (numbers or len(sentence) > 12)):
            claims.append(Claim(sentence[:160], topics, numbers))
    # the most specific claims first: topics and numbers are what an interviewer grills
    claims.sort(key=lambda c: -(2 * len(c.topics) + len(c.numbers)))
    return claims[:limit]
