"""The shapes of corpus files (see corpus/README.md), as pydantic models."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
TOPIC_TRACKS = (
    "architecture",
    "pretraining",
    "distributed",
    "finetuning",
    "alignment",
    "inference",
    "rag-agents",
    "multimodal",
    "evaluation",
    "ml-basics",
)
BANK_TRACKS = ("project", "behavioral", "coding")
QuestionType = Literal["fundamentals", "scenario", "coding", "project", "behavioral"]
ProjectAngle = Literal[
    "motivation", "ownership", "design", "alternatives", "metrics", "failure", "scale", "consistency"
]
MixKind = Literal["project", "fundamentals", "scenario", "coding", "behavioral"]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)
PROJECT_ANGLES: tuple[str, ...] = get_args(ProjectAngle)
MIX_KINDS: tuple[str, ...] = get_args(MixKind)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class KeyPoint(Strict):
    """One thing a complete answer contains, in both languages, with terms that signal it."""

    zh: str
    en: str
    terms: list[str] = Field(default_factory=list, max_length=8)

    _blank = field_validator("zh", "en")(_non_blank)

    @field_validator("terms", mode="before")
    @classmethod
    def _terms_as_text(cls, terms: object) -> object:
        """YAML reads a bare 512 or 0.5 as a number; a term is always text."""
        if isinstance(terms, list):
            return [str(t) if isinstance(t, int | float) and not isinstance(t, bool) else t for t in terms]
        return terms


class Pitfall(Strict):
    """A common wrong belief and its correction."""

    zh: str
    en: str
    correction: str
    correction_en: str

    _blank = field_validator("zh", "en", "correction", "correction_en")(_non_blank)


class Question(Strict):
    id: str = Field(pattern=ID_PATTERN)
    q: str
    q_en: str
    type: QuestionType
    difficulty: int = Field(ge=1, le=3)
    key_points: list[KeyPoint] = Field(min_length=3, max_length=6)
    pitfalls: list[Pitfall] = Field(default_factory=list)
    follow_ups: list[str] = Field(default_factory=list)
    angle: ProjectAngle | None = None

    _blank = field_validator("q", "q_en")(_non_blank)


class Card(Strict):
    """A topic card or a bank card (project, behavioral, coding): front matter plus note body."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    title_en: str
    track: str
    aliases: list[str] = Field(default_factory=list)
    questions: list[Question] = Field(min_length=1)
    note_zh: str = ""
    note_en: str = ""
    code: str = ""

    _blank = field_validator("title", "title_en")(_non_blank)


class Round(Strict):
    name: str
    name_en: str
    focus: str = ""


class Company(Strict):
    slug: str = Field(pattern=ID_PATTERN)
    name: str
    name_en: str
    aliases: list[str] = Field(min_length=1)
    tracks: list[str] = Field(min_length=1)
    focus: dict[str, float] = Field(min_length=1)
    follow_up_depth: int = Field(ge=1, le=3)
    mix: dict[MixKind, float]
    tone: str
    tone_en: str
    summary: str
    summary_en: str
    rounds: list[Round] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)

    @field_validator("focus")
    @classmethod
    def _positive_focus(cls, focus: dict[str, float]) -> dict[str, float]:
        if any(weight <= 0 for weight in focus.values()):
            raise ValueError("every focus weight must be > 0")
        return focus

    @field_validator("mix")
    @classmethod
    def _mix_sums_to_one(cls, mix: dict[str, float]) -> dict[str, float]:
        if any(share < 0 for share in mix.values()) or abs(sum(mix.values()) - 1.0) > 0.02:
            raise ValueError(f"shares must be >= 0 and sum to 1 (they sum to {sum(mix.values()):.2f})")
        return mix


class Asked(Strict):
    q: str
    topic: str


class Experience(Strict):
    id: str = Field(pattern=ID_PATTERN)
    company: str
    role: str
    round: int = Field(ge=0, le=10)
    year: int | None = None
    source: str
    style: str = ""
    asked: list[Asked] = Field(min_length=1)
    body: str = ""


class Role(Strict):
    slug: str = Field(pattern=ID_PATTERN)
    name: str
    name_en: str
    aliases: list[str] = Field(default_factory=list)  # words that signal the role in a 面经 or job post
    tracks: dict[str, float] = Field(min_length=1)
    banks: list[str] = Field(default_factory=list)


class Level(Strict):
    score: int = Field(ge=0, le=5)
    zh: str
    en: str


class Dimension(Strict):
    name: str = Field(pattern=r"^[a-z_]+$")
    name_zh: str
    weight: float = Field(gt=0, le=1)
    levels: list[Level] = Field(min_length=6, max_length=6)


class Rubric(Strict):
    type: Literal["technical", "project", "behavioral", "coding"]
    dimensions: list[Dimension] = Field(min_length=1)

    @field_validator("dimensions")
    @classmethod
    def _weights_sum_to_one(cls, dimensions: list[Dimension]) -> list[Dimension]:
        total = sum(d.weight for d in dimensions)
        if abs(total - 1.0) > 0.02:
            raise ValueError(f"dimension weights must sum to 1 (they sum to {total:.2f})")
        return dimensions
