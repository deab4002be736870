"""Synthetic user chunks (zh/en interview notes) recombined from the bundled corpus; seeded, offline.

    python bench/make_synthetic_corpus.py --n 1000 --out /tmp/chunks.jsonl      # {id, text, metadata} rows
    python bench/make_synthetic_corpus.py --md-dir /tmp/notes --target-chunks 300  # .md files for ingestion

Chunk i depends only on (seed, i), so the first 1,000 chunks of a 100,000-chunk set are the 1,000-chunk
set. Each chunk reads like a note a candidate keeps after an interview: a header naming a company, a
role and a round (or a study-note header), then 3–6 sentences drawn mostly from one topic card's
Chinese and English notes, questions and key points, sometimes a sentence from another card or from an
interview report. Metadata mirrors what `agent.ingest` writes for user chunks (source=user, kind,
company, topic_id, path, file_hash, ...). Prints one JSON line describing what was generated.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.config import load_settings
from agent.corpus import Corpus, load_corpus
from agent.text import is_cjk, sentences

MAX_CHARS = 400  # agent.ingest.CHUNK_CHARS: user chunks are at most about this long
INGESTED_AT = "2026-11-24T00:00:00+00:00"
ROUND_ZH = {1: "一面", 2: "二面", 3: "三面", 4: "HR 面"}


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    metadata: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "metadata": self.metadata}


@dataclass
class Pools:
    cards: list[Any]  # topic cards
    zh: dict[str, list[str]]  # card id -> Chinese sentences (note, questions, key points)
    en: dict[str, list[str]]  # card id -> English sentences
    asked: dict[str, list[str]]  # card id -> questions interview reports asked about it
    reports: list[str]  # sentences of interview-report bodies
    companies: list[Any]
    roles: list[Any]


def _split(text: str) -> list[str]:
    return [s for s in sentences(text, max_chars=150) if len(s) >= 8 and not s.startswith(("#", "```", "|"))]


@lru_cache(maxsize=2)
def pools(corpus_root: str) -> Pools:
    corpus: Corpus = load_corpus(Path(corpus_root))
    cards = sorted(corpus.topics(), key=lambda c: c.id)
    zh: dict[str, list[str]] = {}
    en: dict[str, list[str]] = {}
    for card in cards:
        zh[card.id] = (
            _split(card.note_zh) + [q.q for q in card.questions] + [k.zh for q in card.questions for k in q.key_points]
        )
        en[card.id] = (
            _split(card.note_en)
            + [q.q_en for q in card.questions]
            + [k.en for q in card.questions for k in q.key_points]
        )
    asked: dict[str, list[str]] = {c.id: [] for c in cards}
    reports: list[str] = []
    for e in sorted(corpus.experiences.values(), key=lambda e: e.id):
        reports += _split(e.body)
        for a in e.asked:
            if a.topic in asked:
                asked[a.topic].append(a.q)
    companies = sorted((c for c in corpus.companies.values() if c.slug != "generic"), key=lambda c: c.slug)
    roles = sorted(corpus.roles.values(), key=lambda r: r.slug)
    return Pools(cards, zh, en, asked, reports, companies, roles)


def _file_hash(seed: int, group: int) -> str:
    return hashlib.sha256(f"synthetic:{seed}:{group}".encode()).hexdigest()[:16]


def _join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip().rstrip("。.;；,，、")
        end = "" if part.endswith(("？", "?", "！", "!")) else "。" if is_cjk(part) else ". "
        end = " " if not end and not is_cjk(part) else end
        out += part + end
    return out.strip()


def make_chunk(p: Pools, seed: int, i: int, per_file: int = 8) -> Chunk:
    """Chunk number i of the synthetic set for this seed (independent of how many are generated)."""
    rng = random.Random(f"kaoda-bench:{seed}:{i}")
    card = rng.choice(p.cards)
    company = rng.choice(p.companies) if rng.random() < 0.7 else None
    role = rng.choice(p.roles)
    rnd = rng.randint(1, 4)
    english_note = rng.random() < 0.25  # a quarter of the notes are kept mostly in English
    if company and english_note:
        header = f"{company.name_en} · {role.name_en} · round {rnd} — {card.title_en}"
    elif company:
        header = f"{company.name} {role.name} {ROUND_ZH[rnd]}：{card.title}"
    elif english_note:
        header = f"Study notes: {card.title_en}"
    else:
        header = rng.choice(["复习笔记", "八股整理", "错题本", "面试复盘"]) + f"：{card.title}"
    parts: list[str] = []
    if p.asked[card.id] and rng.random() < 0.5:
        parts.append(("Interviewer asked: " if english_note else "面试官问：") + rng.choice(p.asked[card.id]))
    for _ in range(rng.randint(3, 6)):
        r = rng.random()
        if r < 0.08 and p.reports:
            parts.append(rng.choice(p.reports))
            continue
        source = card if r < 0.9 else rng.choice(p.cards)  # sometimes a neighbouring topic
        zh_share = 0.3 if english_note else 0.7
        bank = p.zh[source.id] if rng.random() < zh_share else p.en[source.id]
        if bank:
            parts.append(rng.choice(bank))
    if rng.random() < 0.3:
        parts.append(rng.choice(["这题没答好，回去补", "追问没接住", "感觉答得还行", "Need to review this again"]))
    text = f"{header}\n{_join(parts)}"[:MAX_CHARS]
    group = i // per_file
    file_hash = _file_hash(seed, group)
    chunk_id = f"user/{file_hash}/{i % per_file}"
    metadata = {
        "kind": "experience" if company else "note",
        "corpus_id": chunk_id,
        "title": header[:120],
        "source": "user",
        "path": f"/synthetic/notes-{group:06d}.md",
        "file_hash": file_hash,
        "ingested_at": INGESTED_AT,
        "company": company.slug if company else "",
        "role": role.slug,
        "topic_id": card.id,
        "topics": card.id,
    }
    return Chunk(chunk_id, text, {k: v for k, v in metadata.items() if v != ""})


def synthetic_chunks(n: int, seed: int = 7, start: int = 0, corpus_root: str | None = None) -> list[Chunk]:
    root = corpus_root or str(load_settings({"home": "/nonexistent-kaoda-home"}, env={}).corpus_root)
    p = pools(root)
    return [make_chunk(p, seed, i) for i in range(start, start + n)]


def write_markdown(folder: Path, target_chunks: int, seed: int = 7, sections_per_file: int = 6) -> dict[str, Any]:
    """Markdown 面经 files under folder until `agent.ingest.chunk_text` would cut ≥ target_chunks chunks."""
    from agent.ingest import chunk_text

    root = str(load_settings({"home": "/nonexistent-kaoda-home"}, env={}).corpus_root)
    p = pools(root)
    folder.mkdir(parents=True, exist_ok=True)
    files = chunks = chars = 0
    i = 0
    while chunks < target_chunks:
        rng = random.Random(f"kaoda-bench-md:{seed}:{files}")
        company = rng.choice(p.companies)
        role = rng.choice(p.roles)
        lines = [f"# {company.name} {role.name} {ROUND_ZH[rng.randint(1, 3)]}面经", ""]
        for _ in range(sections_per_file):
            first = make_chunk(p, seed, i)
            second = make_chunk(p, seed, i + 1)
            i += 2
            title = first.metadata["title"].split("：")[-1].split("— ")[-1]
            lines += [f"## {title}", "", first.text.split("\n", 1)[1], second.text.split("\n", 1)[1], ""]
        body = "\n".join(lines)
        (folder / f"mianjing-{files:04d}.md").write_text(body, encoding="utf-8")
        files += 1
        chunks += len(chunk_text(body))
        chars += len(body)
    return {"files": files, "expected_chunks": chunks, "chars": chars}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of chunks (JSONL mode)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="write chunks as JSONL here (default: stdout summary only)")
    parser.add_argument("--md-dir", type=Path, help="write Markdown files here instead of JSONL")
    parser.add_argument("--target-chunks", type=int, default=300, help="Markdown mode: chunks to aim for")
    args = parser.parse_args()
    if args.md_dir:
        info = write_markdown(args.md_dir, args.target_chunks, args.seed)
        print(json.dumps({"bench": "synthetic_corpus", "format": "md", "seed": args.seed, **info}))
        return 0
    chunks = synthetic_chunks(args.n, args.seed)
    digest = hashlib.sha256()
    lines = []
    for c in chunks:
        line = json.dumps(c.as_json(), ensure_ascii=False)
        digest.update(line.encode("utf-8"))
        lines.append(line)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lengths = [len(c.text) for c in chunks]
    cjk = sum(is_cjk(c.text) for c in chunks)
    summary = {
        "bench": "synthetic_corpus",
        "format": "jsonl",
        "n": len(chunks),
        "seed": args.seed,
        "sha256": digest.hexdigest(),
        "mean_chars": round(sum(lengths) / max(1, len(lengths)), 1),
        "max_chars": max(lengths, default=0),
        "mostly_chinese_share": round(cjk / max(1, len(chunks)), 3),
        "distinct_texts": len({c.text for c in chunks}),
        "out": str(args.out) if args.out else None,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
