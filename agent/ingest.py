"""User files (面经, notes) into the index: read, chunk (CJK-aware, with overlap), tag, dedup.

    report = ingest_paths(ctx, [Path("my_notes/")], company=None, kind=None)
    report.chunks_added, report.skipped   # [("bad.bin", "looks binary, not text"), ...]

Provenance on every chunk: path, title, ingested_at, file_hash. Re-ingesting the same content adds
nothing; a changed file replaces its old chunks; a bad file is skipped with a reason and never stops
the batch.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from agent.context import Context
from agent.corpus import Corpus
from agent.documents import Doc
from agent.embeddings import get_embedder
from agent.errors import InputError, KaodaError
from agent.files import SUPPORTED, read_user_file
from agent.store import now
from agent.text import contains_term, sentences

CHUNK_CHARS, OVERLAP_CHARS = 400, 80
# Embedding is the cost of ingestion (≈10 chunks/s with e5-small on 2 cores, BENCHMARKS.md): a longer file
# would hold the batch for many minutes; it is refused with its size instead.
MAX_INGEST_CHARS = 200_000
KINDS = ("experience", "note")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.M)
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


@dataclass
class IngestReport:
    files_added: int = 0
    files_replaced: int = 0
    files_unchanged: int = 0
    chunks_added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "skipped": [{"file": f, "reason": r} for f, r in self.skipped]}


def chunk_text(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Chunks of about `size` characters cut at sentence ends; each repeats the previous chunk's tail.

    A Markdown heading starts a new chunk, and chunks under it begin with the heading (context).
    """
    chunks: list[str] = []
    sections = re.split(r"(?m)^(?=#{1,6}\s)", text)
    for section in sections:
        heading_match = _HEADING.match(section.strip())
        heading = heading_match.group(1).strip() if heading_match else ""
        body = section[heading_match.end() :] if heading_match else section
        current = ""
        for sentence in sentences(body, max_chars=size):
            if current and len(current) + len(sentence) > size:
                chunks.append(f"{heading}\n{current}".strip())
                current = current[-overlap:] if overlap else ""
            current = f"{current}{sentence}。" if current else f"{sentence}。"
        if current.strip("。 "):
            chunks.append(f"{heading}\n{current}".strip())
    return chunks


def detect_company(corpus: Corpus, text: str) -> str | None:
    """The company whose aliases the text names most (first 4000 characters)."""
    lowered = text[:4000].lower()
    counts = {
        slug: sum(lowered.count(a.lower()) for a in c.aliases if contains_term(lowered, a))
        for slug, c in corpus.companies.items()
        if slug != "generic"
    }
    best = max(counts, key=lambda s: counts[s], default=None)
    return best if best and counts[best] > 0 else None


def detect_role(corpus: Corpus, text: str) -> str | None:
    lowered = text[:4000].lower()
    counts = {slug: sum(contains_term(lowered, a) for a in r.aliases) for slug, r in corpus.roles.items()}
    best = max(counts, key=lambda s: counts[s], default=None)
    return best if best and counts[best] > 0 else None


def _front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise InputError(f"{path.name}: malformed front matter ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: front matter must be a YAML mapping")
    return data, text[match.end() :]


def iter_files(paths: Iterable[Path]) -> Iterable[Path]:
    """The given files, and supported files under the given folders (hidden ones and symlinks skipped)."""
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    file = Path(folder) / name
                    if not name.startswith(".") and file.suffix.lower() in SUPPORTED and not file.is_symlink():
                        yield file
        else:
            yield path


def _tag_topics(ctx: Context, chunk: str, vector: np.ndarray) -> list[str]:
    """The topic cards nearest to a chunk: hybrid search over the corpus, dense side by the chunk's own vector."""
    hits = ctx.kb.search(chunk[:300], k=6, vector=vector, source="corpus")
    topics: list[str] = []
    for hit in hits:
        topic = hit.metadata.get("topic_id")
        if topic and topic not in topics:
            topics.append(topic)
    return topics[:3]


@dataclass
class _UserFile:
    path: Path
    text: str
    file_hash: str


def _read(path: Path) -> _UserFile:
    """Read one file and hash its text. Raises InputError when it is missing, unreadable or too long."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    text = read_user_file(path)
    if len(text) > MAX_INGEST_CHARS:
        raise InputError(
            f"{path.name}: {len(text):,} characters of text is over the {MAX_INGEST_CHARS:,} limit for one file; "
            "split it into smaller files (e.g. one per chapter or interview)"
        )
    return _UserFile(path, text, hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


def _documents(ctx: Context, file: _UserFile, company: str | None, kind: str | None) -> tuple[list[Doc], np.ndarray]:
    """Chunk, tag and describe one file: (chunk documents, their passage vectors). Raises InputError."""
    meta, body = _front_matter(file.path, file.text)
    heading = _HEADING.search(body)
    title = str(meta.get("title") or (heading.group(1) if heading else file.path.stem))[:120]
    company = company or meta.get("company") or detect_company(ctx.corpus, f"{file.path.name}\n{body}")
    if company and company not in ctx.corpus.companies:
        company = None  # an unknown company named in front matter: keep the file, drop the tag
    role = meta.get("role") or detect_role(ctx.corpus, body)
    kind = kind or ("experience" if company else "note")
    chunks = chunk_text(body)
    if not chunks:
        raise InputError(f"{file.path.name}: no text to index")
    docs = []
    for i, chunk in enumerate(chunks):
        metadata = {
            "kind": kind,
            "corpus_id": f"user/{file.file_hash}/{i}",
            "title": title,
            "source": "user",
            "path": str(file.path.resolve()),
            "file_hash": file.file_hash,
            "ingested_at": now(),
            "company": company or "",
            "role": role or "",
        }
        docs.append(Doc(f"user/{file.file_hash}/{i}", chunk, {k: v for k, v in metadata.items() if v != ""}))
    # Embedded once: the same vectors find each chunk's topics and go into the index.
    vectors = get_embedder(ctx.settings.embeddings).embed_passages([d.dense_text for d in docs])
    for doc, vector in zip(docs, vectors, strict=True):
        topics = _tag_topics(ctx, doc.text, vector)
        if topics:
            doc.metadata.update(topic_id=topics[0], topics=",".join(topics))
    return docs, vectors


def ingest_paths(
    ctx: Context,
    paths: list[Path],
    company: str | None = None,
    kind: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> IngestReport:
    if company and company not in ctx.corpus.companies:
        raise InputError(f"unknown company {company!r}; see `kaoda companies`")
    if kind and kind not in KINDS:
        raise InputError(f"--kind must be one of {KINDS}")
    report = IngestReport()
    files = list(iter_files(paths))
    for n, path in enumerate(files, 1):
        if progress:
            progress(n, len(files), path.name)
        try:
            file = _read(path)
            if ctx.kb.ids_where({"file_hash": file.file_hash}, limit=1):
                report.files_unchanged += 1  # found out before chunking, tagging or embedding anything
                continue
            docs, vectors = _documents(ctx, file, company, kind)
            old = ctx.kb.ids_where({"path": str(path.resolve())})
            ctx.kb.upsert(docs, vectors=vectors)
            ctx.kb.delete(old)  # after the new chunks are in: a failure leaves the old version searchable
            report.files_replaced += bool(old)
            report.files_added += not old
            report.chunks_added += len(docs)
        except KaodaError as exc:
            report.skipped.append((path.name, str(exc)))
    return report
