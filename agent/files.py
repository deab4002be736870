"""Read user files (.md, .txt, .html, .pdf) as text, with a clear error for anything else."""

from __future__ import annotations

import html
import re
from pathlib import Path

from agent.errors import InputError

MAX_FILE_BYTES = 20 * 1024 * 1024
SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        text = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    except (PdfReadError, OSError, ValueError) as exc:
        raise InputError(f"{path.name}: not a readable PDF ({exc})") from exc
    if not text.strip():
        raise InputError(f"{path.name}: the PDF has no extractable text (a scan?); paste the text instead")
    return text


def read_user_file(path: Path) -> str:
    """The text of a user file; raises InputError naming the file when it can't be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"{path.name}: unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read ({exc.strerror})") from exc
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{path.name}: {size // 1024 // 1024} MB is over the {MAX_FILE_BYTES // 1024 // 1024} MB limit"
        )
    if suffix == ".pdf":
        return pdf_text(path)
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path.name}: looks binary, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # common for Chinese files saved on Windows
        except UnicodeDecodeError as exc:
            raise InputError(f"{path.name}: not UTF-8 or GB18030 text") from exc
    if suffix in (".html", ".htm"):
        text = html.unescape(_TAGS.sub(" ", text))
    if not text.strip():
        raise InputError(f"{path.name}: the file is empty")
    return text
