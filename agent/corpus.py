"""Load, validate and count the corpus (format: corpus/README.md).

corpus = load_corpus(Path("corpus"))     # raises CorpusError naming path, field, expectation
corpus.question("mha-mqa-gqa-q1")        # -> (Card, Question)
problems = check_corpus(Path("corpus"))  # every problem, not just the first
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from agent.corpus_schema import (
    BANK_TRACKS,
    TOPIC_TRACKS,
    Card,
    Company,
    Experience,
    Question,
    Role,
    Rubric,
)
from agent.errors import CorpusError

BANK_DIRS = {"projects": "project", "behavioral": "behavioral", "coding": "coding"}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.S)
_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.M)


@dataclass
class Corpus:
    """The whole knowledge base in memory, with lookups by id."""

    root: Path
    cards: dict[str, Card] = field(default_factory=dict)  # card id -> card (topics and banks)
    companies: dict[str, Company] = field(default_factory=dict)  # slug -> company
    experiences: dict[str, Experience] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    rubrics: dict[str, Rubric] = field(default_factory=dict)  # type -> rubric
    questions: dict[str, tuple[Card, Question]] = field(default_factory=dict)

    def topics(self) -> list[Card]:
        return [c for c in self.cards.values() if c.track in TOPIC_TRACKS]

    def bank(self, track: str) -> list[Card]:
        return [c for c in self.cards.values() if c.track == track]

    def question(self, question_id: str) -> tuple[Card, Question]:
        return self.questions[question_id]

    def entry_questions(self, card: Card) -> list[Question]:
        """Questions of a card that are no other question's follow-up: a topic opens with one."""
        followed = {f for q in card.questions for f in q.follow_ups}
        return [q for q in card.questions if q.id not in followed]

    def experiences_asking(self, topic_id: str, company: str | None = None) -> list[Experience]:
        return [
            e
            for e in self.experiences.values()
            if any(a.topic == topic_id for a in e.asked) and (company is None or e.company == company)
        ]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read as UTF-8 text ({exc})") from exc


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ≈8x faster, same result


def _yaml(path: Path, text: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: invalid YAML ({exc})".replace("\n", " ")) from exc
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected a YAML mapping at the top level")
    return data


def _model(path: Path, model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise CorpusError(f"{path}: field '{where}': {first['msg']}{more}") from exc


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        raise CorpusError(f"{path}: expected YAML front matter between '---' lines at the top")
    return _yaml(path, match.group(1)), match.group(2)


def body_sections(body: str) -> dict[str, str]:
    """`## 中文` / `## English` / `## Code` sections of a card body, keyed by heading."""
    parts = _SECTION.split(body)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def load_card(path: Path, track: str) -> Card:
    data, body = split_front_matter(path, _read_text(path))
    sections = body_sections(body)
    data.update(
        note_zh=sections.get("中文", ""),
        note_en=sections.get("English", ""),
        code=sections.get("Code", ""),
    )
    card: Card = _model(path, Card, data)
    if card.id != path.stem:
        raise CorpusError(f"{path}: field 'id': '{card.id}' must equal the file name '{path.stem}'")
    if card.track != track:
        raise CorpusError(f"{path}: field 'track': expected '{track}' (its folder), got '{card.track}'")
    return card


def load_experience(path: Path) -> Experience:
    data, body = split_front_matter(path, _read_text(path))
    data["body"] = body.strip()
    experience: Experience = _model(path, Experience, data)
    if experience.id != path.stem:
        raise CorpusError(f"{path}: field 'id': must equal the file name '{path.stem}'")
    return experience


def _card_paths(root: Path) -> list[tuple[Path, str]]:
    paths = [(p, p.parent.name) for p in sorted((root / "topics").glob("*/*.md"))]
    for folder, track in BANK_DIRS.items():
        paths += [(p, track) for p in sorted((root / folder).glob("*.md"))]
    return paths


def _load_all(root: Path, problems: list[str]) -> Corpus:
    """Load every file, appending a problem per bad file instead of stopping."""
    corpus = Corpus(root=root)

    def attempt(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except CorpusError as exc:
            problems.append(str(exc))
            return None

    for path, track in _card_paths(root):
        if track not in TOPIC_TRACKS and track not in BANK_TRACKS:
            problems.append(f"{path}: folder '{track}' is not a track; expected one of {TOPIC_TRACKS}")
            continue
        if (card := attempt(load_card, path, track)) is not None:
            corpus.cards[card.id] = card
    for path in sorted((root / "companies").glob("*.yaml")):
        data = attempt(lambda p: _yaml(p, _read_text(p)), path)
        if data is not None:
            data.setdefault("slug", path.stem)
            if (company := attempt(_model, path, Company, data)) is not None:
                corpus.companies[company.slug] = company
    for path in sorted((root / "experiences").glob("*.md")):
        if (experience := attempt(load_experience, path)) is not None:
            corpus.experiences[experience.id] = experience
    roles_path = root / "roles.yaml"
    if roles_path.exists() and (data := attempt(lambda p: _yaml(p, _read_text(p)), roles_path)):
        for slug, role in data.items():
            if (r := attempt(_model, roles_path, Role, {"slug": slug, **(role or {})})) is not None:
                corpus.roles[r.slug] = r
    for path in sorted((root / "rubrics").glob("*.yaml")):
        data = attempt(lambda p: _yaml(p, _read_text(p)), path)
        if data is not None and (rubric := attempt(_model, path, Rubric, data)) is not None:
            corpus.rubrics[rubric.type] = rubric
    for card in corpus.cards.values():
        for question in card.questions:
            corpus.questions[question.id] = (card, question)
    return corpus


def _cross_checks(corpus: Corpus) -> list[str]:
    """Problems that span files: duplicate ids, dangling references, thin cards."""
    root, problems = corpus.root, []
    ids = Counter(
        list(corpus.cards)
        + [q.id for c in corpus.cards.values() for q in c.questions]
        + list(corpus.companies)
        + list(corpus.experiences)
    )
    problems += [f"{root}: id '{i}' is used {n} times; ids must be unique" for i, n in ids.items() if n > 1]
    for card in corpus.cards.values():
        where = f"{root}/…/{card.id}.md"
        own = {q.id for q in card.questions}
        for q in card.questions:
            problems += [
                f"{where}: field 'questions.{q.id}.follow_ups': '{f}' is not a question of this card"
                for f in q.follow_ups
                if f not in own
            ]
        if card.track in TOPIC_TRACKS:
            if len(card.questions) < 2:
                problems.append(f"{where}: field 'questions': a topic card needs at least 2 questions")
            if len(card.aliases) < 3:
                problems.append(f"{where}: field 'aliases': a topic card needs at least 3 aliases")
            if not 150 <= len(card.note_zh) <= 600:
                problems.append(
                    f"{where}: section '## 中文': expected a 150–600 character note, got {len(card.note_zh)}"
                )
            if not card.note_en:
                problems.append(f"{where}: section '## English': expected an English note")
            if _chain_depth(card) < 2:
                problems.append(f"{where}: field 'follow_ups': expected a chain at least 2 levels deep")
        if card.track == "coding" and not card.code:
            problems.append(f"{where}: section '## Code': expected a reference solution")
    topic_ids = {c.id for c in corpus.topics()}
    tracks = set(TOPIC_TRACKS)
    for e in corpus.experiences.values():
        where = f"{root}/experiences/{e.id}.md"
        if e.company not in corpus.companies:
            problems.append(f"{where}: field 'company': '{e.company}' is not a company slug")
        if corpus.roles and e.role not in corpus.roles:
            problems.append(f"{where}: field 'role': '{e.role}' is not a role in roles.yaml")
        problems += [
            f"{where}: field 'asked.topic': '{a.topic}' is not a topic id" for a in e.asked if a.topic not in topic_ids
        ]
    for c in corpus.companies.values():
        where = f"{root}/companies/{c.slug}.yaml"
        for ev in c.evidence:
            if ev not in corpus.experiences:
                problems.append(f"{where}: field 'evidence': '{ev}' is not an experience id")
            elif corpus.experiences[ev].company != c.slug:
                problems.append(f"{where}: field 'evidence': '{ev}' is a report about another company")
        problems += [
            f"{where}: field 'focus': '{k}' is neither a topic track nor a topic id"
            for k in c.focus
            if k not in tracks and k not in topic_ids
        ]
        if corpus.roles:
            problems += [
                f"{where}: field 'tracks': '{t}' is not a role in roles.yaml" for t in c.tracks if t not in corpus.roles
            ]
    for r in corpus.roles.values():
        problems += [
            f"{root}/roles.yaml: field '{r.slug}.tracks': '{t}' is not a topic track"
            for t in r.tracks
            if t not in tracks
        ]
    return problems


def _chain_depth(card: Card) -> int:
    """Longest follow-up chain (in edges) starting at an entry question."""
    by_id = {q.id: q for q in card.questions}

    def depth(qid: str, seen: frozenset[str]) -> int:
        nexts = [f for f in by_id[qid].follow_ups if f in by_id and f not in seen]
        return max((1 + depth(f, seen | {f}) for f in nexts), default=0)

    return max((depth(q.id, frozenset({q.id})) for q in card.questions), default=0)


def check_corpus(root: Path) -> list[str]:
    """Every problem in the corpus at `root`, one line each; empty when it is valid."""
    problems: list[str] = []
    corpus = _load_all(root, problems)
    return problems + _cross_checks(corpus)


def load_corpus(root: Path) -> Corpus:
    """The corpus at `root`; raises CorpusError listing the first problems when it is invalid."""
    problems: list[str] = []
    corpus = _load_all(root, problems)
    problems += _cross_checks(corpus)
    if problems:
        shown = "; ".join(problems[:3])
        raise CorpusError(f"{len(problems)} corpus problem(s): {shown} — run `kaoda corpus check` for all")
    return corpus


def corpus_stats(corpus: Corpus) -> dict[str, Any]:
    """Counts for `kaoda corpus stats --json`."""
    topics = corpus.topics()
    return {
        "topics": len(topics),
        "questions": sum(len(c.questions) for c in topics),
        "key_points": sum(len(q.key_points) for c in topics for q in c.questions),
        "companies": len(corpus.companies),
        "experiences": len(corpus.experiences),
        "project_bank": sum(len(c.questions) for c in corpus.bank("project")),
        "behavioral_bank": sum(len(c.questions) for c in corpus.bank("behavioral")),
        "coding_bank": len(corpus.bank("coding")),
        "tracks": dict(sorted(Counter(c.track for c in topics).items())),
        "roles": len(corpus.roles),
        "rubrics": sorted(corpus.rubrics),
    }


if __name__ == "__main__":  # `python3 -m agent.corpus check [ROOT]`, usable without the venv
    root = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent / "corpus"
    found = check_corpus(root)
    print("\n".join(found) or f"corpus OK: {corpus_stats(_load_all(root, []))}")
    sys.exit(1 if found else 0)
