"""Attempts to game the grader, found and removed before scoring (offline and LLM judge alike).

    cleaned, flags = inspect_answer(answer, question)
    # flags: ["injection", "keyword_stuffing", ...]; cleaned: the answer without the offending parts

Everything removed here cannot earn points; the flag is shown with the turn. Kinds: instructions
to the grader or fake scores/roles/delimiters (`injection`), text hidden in HTML comments or code
fences that talks to the grader, keyword lists without sentences (`keyword_stuffing`), the question
repeated back (`repeats_question`), praise padding (`padding`), gibberish, invisible or look-alike
characters (`obfuscation`) and long repetitive filler (`repetitive`).
"""

from __future__ import annotations

import re
import unicodedata
import zlib

from agent.text import normalize, sentences, tokens

_INJECTION = re.compile(
    # instructions aimed at whoever grades this answer (not topic words: "评分模型" or "grader" in an
    # answer about LLM-as-judge are legitimate and stay)
    r"忽略(?:以上|上面|前面|之前|所有|掉)|无视(?:以上|上面|前面|之前|所有)|不要理会(?:以上|上面|之前)|"
    r"(?:给|打|评|判|得|拿)(?:我|本题|这道题|这个回答|该回答|此回答)?(?:个|为|成)?\s*(?:满分|最高分|5\s*分|五分|100\s*分|一百分)|"
    r"(?:本题|该回答|这个回答|此回答|这份回答|我的回答)(?:应(?:该|当)?|必须|可以|值得|就)?(?:得|给|拿|打|评为?)?\s*(?:满分|高分|最高分)|"
    r"分数(?:应该|应当|必须|直接)|作为(?:一名|一个)?(?:评分员|评分者|阅卷人|阅卷老师|考官|评审员?|裁判)|"
    r"你(?:现在)?(?:是|扮演)(?:一名|一个)?(?:评分|打分|阅卷)|(?:评分|打分)(?:系统|规则)(?:已|已经)?(?:更新|修改|变更)|"
    r"ignore (?:all |any |the )?(?:previous|above|prior|earlier|preceding)|"
    r"disregard (?:all|any|the|previous|above|prior)|"
    r"developer mode|jailbreak|you are (?:now )?(?:the|a|an) (?:grader|judge|evaluator|examiner)|"
    r"as (?:the|a|an|your) (?:grader|judge|evaluator|examiner)\b|"
    r"(?:give|assign|award|rate|grade|mark|score)\b.{0,30}"
    r"\b(?:full marks|perfect|maximum|max score|5/5|5 out of 5|10/10|100/100)|"
    r"full marks|perfect score|highest (?:possible )?score|"
    r"</?(?:answer|system|instructions?|assistant)>|\[/?SYSTEM\]|"
    r"^\s*(?:system|assistant)\s*[:：]|end of (?:the )?(?:candidate'?s? )?answer|"
    r"(?:回答|答案|作答)(?:结束|完毕)[，,。.]|"
    r"[{,]\s*[\"']?(?:score|overall|grade|rating|得分|分数)[\"']?\s*[:=：]\s*\d|"
    r"\"name\"\s*:\s*\"(?:set_score|grade|submit_score)",
    re.I | re.M,
)
# A sentence that talks about grading (GRADE) and points at this answer or a top score (TARGET) is
# addressed to the grader, whatever its wording: "如果本回答得分低于 5 分…", "already graded 5/5".
_GRADE = re.compile(
    r"得分|分数|满分|评分|打分|评审|审核|阅卷|得分点|score|graded|grading|grade[sd]?\b|marks\b|reviewer|grader|rubric|"
    r"key points?|要点|5\s*/\s*5|5 out of 5|10\s*/\s*10|満点|만점|Punktzahl|note maximale|puntuaci[oó]n",
    re.I,
)
_TARGET = re.compile(
    r"本回答|该回答|这个回答|此回答|本题|以上回答|上述回答|我的回答|这份回答|本答案|"
    r"this answer|the answer above|my answer|this response|满分|5\s*/\s*5|(?<![\w.])5\s*分(?!数)|五分|full marks|"
    r"all (?:the )?key points|every key point|all criteria|every (?:grading )?criterion|"
    r"全部覆盖|覆盖全部|所有要点|全部要点|"
    r"均已覆盖|都已覆盖|要点全部|covered|満点|만점|volle|maximale|máxima",
    re.I,
)
_EXTRA = re.compile(
    r"(?:按|给|打|记|评|算)\s*满分|满分(?:处理|计算)|复述一下题目|回到题目本身|to restate the question|"
    r"ignore the (?:rubric|instructions?|rules|grading|scoring|criteria)|output (?:a |the )?score|"
    r"you are (?:now )?(?:a|an|the)\s+(?:\w+\s+)?(?:grader|judge|evaluator|examiner|reviewer)|"
    r"#+\s*new instructions|new instructions for|instructions? for the (?:grader|judge|model)|"
    r"rubric (?:above )?is (?:deprecated|outdated|void)|"
    r"#+\s*candidate answer|decode and follow|follow the instructions? (?:below|above)|before grading|"
    r"</?tool_\w*>|\"\w*(?:score|grade)\w*\\?\"\s*:\s*\\?\"?\d|\"name\"\s*:\s*\"\w*(?:score|grade)\w*\"",
    re.I,
)


def _talks_to_grader(text: str) -> bool:
    return bool(_INJECTION.search(text) or _EXTRA.search(text) or (_GRADE.search(text) and _TARGET.search(text)))


_HIDDEN = re.compile(r"<!--.*?-->|```.*?```|~~~.*?~~~", re.S)
_PRAISE = re.compile(
    r"非常|极其|十分|完美|出色|卓越|无可挑剔|精彩|优秀|全面|深刻|透彻|权威|专业|顶尖|满分|"
    r"excellent|outstanding|perfect|brilliant|flawless|impeccable|comprehensive|exceptional|insightful|"
    r"thorough|masterful|superb|exemplary|world-class",
    re.I,
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_FUNCTION_WORDS = re.compile(
    r"的|了|是|在|把|被|就|都|而|因为|所以|如果|可以|会|要|能|这|那|和|与|我|你|它|他|\b(?:is|are|was|were|be|been|"
    r"the|a|an|of|to|in|on|at|as|from|into|than|then|and|or|but|not|no|because|so|which|that|with|by|for|it|its|this|"
    r"these|those|their|each|every|can|could|will|would|when|we|you|has|have|had|do|does|uses?|more|only|all)\b",
    re.I,
)


def _is_stuffing(sentence: str) -> bool:
    """A long list of terms without the words that make a sentence ("KV cache, LoRA, RLHF, 显存, 带宽, …").

    Ten items or more: a terse but honest list of the few relevant techniques stays. Chinese prose
    has no spaces between Chinese words, so "显存 带宽 量化" is a list; formulas and English prose
    (mostly lower-case words) are not.
    """
    function_words = len(_FUNCTION_WORDS.findall(sentence))
    items = [x.strip() for x in re.split(r"[,，、;；]+", sentence) if x.strip()]
    if len(items) >= 10 and sum(len(x) <= 24 and len(x.split()) <= 3 for x in items) >= 0.85 * len(items):
        return function_words <= len(items) // 8
    words = [w for w in sentence.split() if re.search(r"[A-Za-z\u4e00-\u9fff]", w)]
    termy = sum(bool(re.search(r"[A-Z0-9\u4e00-\u9fff]", w)) for w in words)
    has_cjk = bool(re.search(r"[\u4e00-\u9fff]", sentence))
    cjk_gaps = len(re.findall(r"[\u4e00-\u9fff]\s+(?=[\u4e00-\u9fff])", sentence))
    return len(words) >= 12 and function_words == 0 and termy >= 0.6 * len(words) and (cjk_gaps >= 3 or not has_cjk)


def _drop_fragment_runs(parts: list[str]) -> tuple[list[str], bool]:
    """Remove runs of 5+ tiny fragments ("1. 基本原理 2. 复杂度 3. 优点 …"): a list of headings, not an answer."""
    stripped = [re.sub(r"^[\s\-*•\d.、)）(（]+", "", normalize(p)) for p in parts]
    tiny = [len(s) <= 16 or (s.isascii() and len(s.split()) <= 4) for s in stripped]
    keep = [True] * len(parts)
    i, found = 0, False
    while i < len(parts):
        j = i
        while j < len(parts) and tiny[j]:
            j += 1
        if j - i >= 5:
            keep[i:j], found = [False] * (j - i), True
        i = max(j, i + 1)
    return [p for p, k in zip(parts, keep, strict=True) if k], found


def _is_gibberish(sentence: str) -> bool:
    """Keyboard mashing: long letter runs without vowels, or a few characters over and over."""
    text = normalize(sentence)
    words = re.findall(r"[a-z]{5,}", text.lower())
    vowelless = [w for w in words if len(re.findall(r"[aeiouy]", w)) / len(w) < 0.15]
    if len(words) >= 2 and len(vowelless) >= 0.6 * len(words):
        return True
    return len(text) > 30 and len(set(text)) / len(text) < 0.12


def _repeats(sentence: str, question: str) -> bool:
    """The question (or one of its sentences) read back, with little else (word overlap, zh and en)."""
    said = set(tokens(sentence))
    for part in [question, *sentences(question)]:
        asked = set(tokens(part))
        if len(asked) >= 3 and len(said) <= 1.5 * len(asked) + 2 and len(asked & said) >= 0.8 * len(asked):
            return True
    return False


def inspect_answer(answer: str, question: str = "") -> tuple[str, list[str]]:
    """(the answer with gaming removed, the flags raised)."""
    flags: list[str] = []
    text = answer or ""
    if _INVISIBLE.search(text) or (unicodedata.normalize("NFKC", text) != text and re.search(r"[Ａ-ｚ０-９]{3}", text)):
        flags.append("obfuscation")
    text = _INVISIBLE.sub("", text)
    hidden = _HIDDEN.findall(text)
    if any(_talks_to_grader(normalize(h)) for h in hidden) or any(h.startswith("<!--") for h in hidden):
        flags.append("injection")
        text = _HIDDEN.sub(
            lambda m: "" if m.group(0).startswith("<!--") or _talks_to_grader(normalize(m.group(0))) else m.group(0),
            text,
        )
    if len(text) > 400 and len(zlib.compress(text.encode())) / len(text.encode()) < 0.12:
        flags.append("repetitive")
    kept: list[str] = []
    for sentence in sentences(text):
        plain = normalize(sentence)
        if _talks_to_grader(plain):
            flags.append("injection")
        elif _is_stuffing(plain):
            flags.append("keyword_stuffing")
        elif question and _repeats(plain, question):
            flags.append("repeats_question")
        elif len(_PRAISE.findall(plain)) >= 2 and len(_PRAISE.findall(plain)) * 6 >= len(tokens(plain)):
            flags.append("padding")
        elif _is_gibberish(plain):
            flags.append("gibberish")
        else:
            kept.append(sentence)
    kept, dumped = _drop_fragment_runs(kept)
    if dumped:
        flags.append("keyword_stuffing")
    cleaned = "。".join(kept) if kept else ""
    return cleaned, sorted(set(flags))
