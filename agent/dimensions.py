"""Rubric dimensions (0–5) from answer signals, per question type; weights come from corpus/rubrics.

    rubric_type("scenario")  # -> "technical"
    dimension_scores("project", coverage=0.6, text=relevant_text, pitfalls=0, off_topic=False)
    # {"ownership": 4.0, "technical_depth": 3.5, "quantified_results": 2.5, "tradeoffs": 3.0, "honesty": 4.0}

Each dimension blends key-point coverage (what was said) with markers of how it was said (numbers,
causes, trade-offs, first-person ownership, STAR steps, code). Markers are counted only in the
answer's relevant sentences, so padding an answer with unrelated text cannot raise them.

Hedging is a signal of its own: `hedged("我猜可能是因为显存不够吧")` -> "我猜", while
`hedged("batch 太大时可能导致 OOM")` -> None (a possible mechanism, not the speaker's doubt).
"""

from __future__ import annotations

import re

from agent.text import is_cjk

_DEPTH = re.compile(
    r"\d|O\(|因为|所以|导致|原因|代价|权衡|取舍|优点|缺点|相比|而不是|瓶颈|公式|本质|前提|"
    r"because|therefore|trade-?off|instead of|compared|bottleneck|so that|the reason|which means",
    re.I,
)
_STRUCTURE = re.compile(
    r"首先|其次|然后|最后|第一|第二|一是|二是|^\s*\d[.、)]|first(?:ly)?|second(?:ly)?|finally", re.I | re.M
)
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|倍|x|ms|s|秒|GB|G|TB|B|M|K|k|张|卡|台|条|万|亿|天|周|人|个点|points?)", re.I
)
_OWNERSHIP = re.compile(
    r"我(?:负责|主导|设计|实现|写了|做了|提出|搭建|推动|独立)|我的(?:部分|工作|职责)|"
    r"\bI (?:led|owned|built|designed|implemented|wrote|proposed|drove)\b|\bmy (?:part|role|work)\b",
    re.I,
)
_TRADEOFF = re.compile(
    r"权衡|取舍|代价|对比|相比|替代|备选|方案[一二AB]|baseline|基线|trade-?off|alternative|instead|compared|versus|vs\.?",
    re.I,
)
_OVERCLAIM = re.compile(
    r"全部(?:都)?是我|都是我一个人|完美解决|100%\s*(?:准确|解决)|I did (?:everything|it all)|single-handedly", re.I
)
_STAR = {
    "situation": re.compile(
        r"当时|那时|背景|项目里|在.{0,8}(?:实习|公司|实验室)|at the time|back then|context|when I was", re.I
    ),
    "task": re.compile(r"目标|任务|需要|要求|负责|deadline|截止|goal|task|needed to|responsible", re.I),
    "action": re.compile(
        r"我(?:先|就|决定|做了|去|把|用)|然后|接着|I (?:first|then|decided|set up|wrote|talked|proposed)", re.I
    ),
    "result": re.compile(
        r"结果|最后|最终|上线|提升|降低|按时|as a result|in the end|finally|shipped|improved|reduced", re.I
    ),
    "reflection": re.compile(
        r"反思|学到|教训|如果重来|下次|以后|意识到|learned|lesson|in hindsight|next time|would do differently", re.I
    ),
}
_CODE = re.compile(r"```|\bdef \w+\(|\breturn\b|\bfor \w+ in\b|np\.|torch\.|=\s*\w+\(")
_COMPLEXITY = re.compile(r"O\([^)]*\)|复杂度|complexity", re.I)
_EDGE = re.compile(
    r"边界|为空|空输入|溢出|数值稳定|减去最大|mask|padding|nan|inf|edge case|empty|overflow|underflow|eps", re.I
)

# The speaker's own doubt: always a hedge, whatever the sentence says ("我猜", "记不清", "I'm not sure").
_END = r"\s*[。.!！?？]?\s*$"
_HEDGE_ALWAYS = re.compile(
    r"我猜|猜(?:是|测是)|不(?:太|是很|大|是太)?确定(?!性)|(?:记|想)不(?:太|大)?(?:清|起来)|记得不(?:太|大)?清|印象中|"
    r"没记错|(?<!就)好像(?!.{0,12}(?:一样|似的))|似乎|也许|或许|大概(?:就)?是(?!\s*[\d一二两三四五六七八九十百千万几约])|"
    r"我(?:觉得|感觉|认为|估计)(?:可能|应该|大概|好像)|(?:应该|差不多).{0,40}吧" + _END + r"|是吧" + _END + r"|"
    r"\bI guess\b|\bnot (?:entirely |totally |quite |really |100% |completely )?sure\b|\bnot (?:100% )?certain\b|"
    r"\bI'?m unsure\b|\bI am unsure\b|\bif I (?:remember|recall)|\bIIRC\b|"
    r"\bI (?:don'?t|do not|can'?t) (?:quite )?(?:remember|recall)\b|\bI forget\b|"
    r"\bI (?:think|believe|suppose|guess) (?:it |that |this )?(?:might|may|could|maybe|probably)\b|"
    r"\bI suppose\b|\bor something\b|\bsomething like that\b|\b(?:it'?s|is|was|are) (?:kind|sort) of\b",
    re.I,
)
# Words that hedge only outside a condition or a list of candidate causes. "可能" hedges when it guesses
# what something is ("可能是过拟合", "可能也有影响"), not when it states what may happen ("可能导致 OOM",
# "batch 过大可能落入尖锐极小值"); "maybe X" hedges, "if X, perhaps Y" does not.
_HEDGE_WORD = re.compile(
    r"(?<![不有尽])可能(?:就)?(?:是|跟|和|也)(?!.{0,6}(?:导致|造成|引起))|^\s*可能(?!性|会|导致|造成|引起|出现|产生|带来|影响|有|溢出|发生)|\bmaybe\b|\bperhaps\b|\bprobably\b",
    re.I,
)
_CONDITION_OR_CAUSES = re.compile(
    r"如果|假如|若|一旦|当.{0,30}时|的话|否则|也可能|还可能|或者|或是|几种可能|一种可能|可能的原因|原因(?:有|包括)|"
    r"\bif\b|\bwhen\b|\bunless\b|\bonce\b|\botherwise\b|\bin case\b|\beither\b|\bpossible (?:causes?|reasons?)\b|"
    r"\banother (?:cause|reason|possibility)\b",
    re.I,
)


def hedged(sentence: str) -> str | None:
    """The words by which a sentence states its claim unsure ("我猜", "not sure"), or None."""
    found = _HEDGE_ALWAYS.search(sentence)
    if found:
        return found.group(0).strip()
    word = _HEDGE_WORD.search(sentence)
    if word and not _CONDITION_OR_CAUSES.search(sentence):
        return word.group(0)
    return None


def hedging_share(answer_sentences: list[str]) -> float:
    """Share of the answer's sentences that are hedged (0–1)."""
    if not answer_sentences:
        return 0.0
    return sum(hedged(s) is not None for s in answer_sentences) / len(answer_sentences)


TYPE_OF_QUESTION = {
    "fundamentals": "technical",
    "scenario": "technical",
    "project": "project",
    "behavioral": "behavioral",
    "coding": "coding",
}


def rubric_type(question_type: str) -> str:
    return TYPE_OF_QUESTION.get(question_type, "technical")


def _count(pattern: re.Pattern[str], text: str, per_point: float, cap: float = 5.0) -> float:
    return min(cap, per_point * len(pattern.findall(text)))


def _clarity(text: str) -> float:
    size = len(text) if is_cjk(text) else len(text) / 2.5  # characters, English scaled to Chinese-equivalent
    base = 1.0 if size < 15 else 2.5 if size < 40 else 4.0 if size < 1500 else 3.0
    return min(5.0, base + (1.0 if _STRUCTURE.search(text) else 0.0))


def dimension_scores(kind: str, coverage: float, text: str, pitfalls: int, off_topic: bool) -> dict[str, float]:
    """0–5 per dimension of the `kind` rubric. `text` is the answer's relevant part only."""
    covered = 5.0 * coverage
    if off_topic:
        return {name: 0.0 for name in DIMENSION_NAMES[kind]}
    depth = _count(_DEPTH, text[:3000], 1.25) * min(1.0, 2 * coverage)
    # offline, "correct" can only be seen through coverage: what is said matches the key points
    correctness = max(0.0, min(5.0, 1.5 + covered) - 2.5 * pitfalls)
    if kind == "project":
        scores = {
            "ownership": 0.5 * covered + 0.5 * _count(_OWNERSHIP, text, 2.5),
            "technical_depth": 0.5 * covered + 0.5 * depth,
            "quantified_results": 0.5 * covered + 0.5 * _count(_NUMBER_WITH_UNIT, text, 1.7),
            "tradeoffs": 0.5 * covered + 0.5 * _count(_TRADEOFF, text, 2.5),
            "honesty": max(0.0, min(5.0, 2.0 + 3.0 * coverage) - 2.5 * len(_OVERCLAIM.findall(text))),
        }
    elif kind == "behavioral":
        scores = {step: 0.5 * covered + 0.5 * _count(marker, text, 2.5) for step, marker in _STAR.items()}
    elif kind == "coding":
        has_code = 5.0 if _CODE.search(text) else 0.0
        scores = {
            "correctness": 0.7 * correctness + 0.3 * has_code * min(1.0, 2 * coverage),
            "complexity": 0.6 * covered + 0.4 * (5.0 if _COMPLEXITY.search(text) else 0.0),
            "edge_cases": 0.6 * covered + 0.4 * _count(_EDGE, text, 2.5),
            "code_quality": 0.5 * covered + 0.5 * has_code,
        }
    else:
        clarity = _clarity(text) * min(1.0, 0.3 + 1.4 * coverage)  # clear about what matters, not just tidy
        scores = {"correctness": correctness, "completeness": covered, "depth": depth, "clarity": clarity}
    return {name: round(min(5.0, max(0.0, value)), 2) for name, value in scores.items()}


DIMENSION_NAMES = {
    "technical": ("correctness", "completeness", "depth", "clarity"),
    "project": ("ownership", "technical_depth", "quantified_results", "tradeoffs", "honesty"),
    "behavioral": ("situation", "task", "action", "result", "reflection"),
    "coding": ("correctness", "complexity", "edge_cases", "code_quality"),
}
