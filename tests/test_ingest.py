"""User ingestion for real: chunking, tagging, provenance, dedup, replacement, bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.context import Context
from agent.ingest import chunk_text, detect_company, ingest_paths

pytestmark = pytest.mark.slow

REPORT = """# 滴滴 大模型 infra 实习 一面

面试官先让我介绍项目，问得很细。然后问了 ZeRO-3 和 FSDP 的区别，通信量是怎么算的。
接着问了 vLLM 的 PagedAttention，KV cache 怎么分块管理。最后手写了一个 softmax。

## 二面
二面主要聊 Megatron 的张量并行，列切分和行切分分别在哪里做 all-reduce。
"""


def test_chunks_cut_at_sentences_with_overlap_and_heading_context() -> None:
    text = "# 标题\n" + "。".join(f"第{i}句话讲一个知识点" for i in range(80)) + "。"
    chunks = chunk_text(text, size=200, overlap=40)
    assert len(chunks) > 3
    assert all(c.startswith("标题") and len(c) <= 260 for c in chunks)
    tail = chunks[0][-20:].strip("。")
    assert tail[-8:] in chunks[1]  # the next chunk repeats the previous tail


def test_company_is_detected_from_aliases(ctx: Context) -> None:
    assert detect_company(ctx.corpus, REPORT) == "didi"
    assert detect_company(ctx.corpus, "一份没有公司名的笔记") is None


def _files(folder: Path) -> Path:
    folder.mkdir()
    (folder / "didi.md").write_text(REPORT, encoding="utf-8")
    (folder / "notes.txt").write_text("RAG 笔记：chunk 要有 overlap，再用 cross-encoder 做 rerank。", encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><script>evil()</script><p>LoRA 的秩 r 越大可训练参数越多</p></html>", "utf-8"
    )
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03binary")
    (folder / "empty.md").write_text("", encoding="utf-8")
    (folder / "bad-front.md").write_text("---\ntitle: [oops\n---\nbody", encoding="utf-8")
    (folder / "gbk.txt").write_bytes("百度文心一面问了 WordPiece 和 BPE 的区别".encode("gb18030"))
    (folder / "image.png").write_bytes(b"\x89PNG not indexed")
    return folder


def test_ingest_a_folder_tags_and_keeps_provenance(ctx: Context, tmp_path: Path) -> None:
    folder = _files(tmp_path / "mine")
    report = ingest_paths(ctx, [folder])
    assert report.files_added == 4  # didi.md, notes.txt, page.html, gbk.txt
    assert {name for name, _ in report.skipped} == {"binary.txt", "empty.md", "bad-front.md"}
    assert all(name in reason for name, reason in report.skipped)
    hits = ctx.kb.search("滴滴 面试 PagedAttention", k=3, source="user")
    top = hits[0]
    assert top.kind == "experience" and top.metadata["company"] == "didi"
    assert top.metadata["path"].endswith("didi.md") and top.metadata["file_hash"] and top.metadata["ingested_at"]
    assert top.metadata["topic_id"] in ("paged-attention-vllm", "zero", "fsdp", "kv-cache", "tensor-parallel")
    html_hit = ctx.kb.search("LoRA 秩", k=5, source="user")[0]
    assert "evil" not in html_hit.text and "LoRA" in html_hit.text
    assert ctx.kb.search("WordPiece BPE", k=3, source="user")[0].metadata.get("company") == "baidu-ernie"


def test_reingest_adds_nothing_and_a_changed_file_replaces_its_chunks(ctx: Context, tmp_path: Path) -> None:
    folder = _files(tmp_path / "mine")
    ingest_paths(ctx, [folder])
    count = ctx.kb.count()
    again = ingest_paths(ctx, [folder])
    assert (again.files_added, again.files_replaced, again.files_unchanged) == (0, 0, 4)
    assert ctx.kb.count() == count
    (folder / "notes.txt").write_text("改过的笔记：RAG 评估看 recall@k 和 faithfulness。", encoding="utf-8")
    changed = ingest_paths(ctx, [folder / "notes.txt"])
    assert changed.files_replaced == 1 and ctx.kb.count() == count
    texts = [h.text for h in ctx.kb.search("RAG 笔记", k=10, source="user")]
    assert any("faithfulness" in t for t in texts) and not any("cross-encoder" in t for t in texts)


def test_cli_ingest_with_company_override_and_json(ctx: Context, tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_text("面试问了 RMSNorm 和 LayerNorm 的区别。", encoding="utf-8")
    env = {**os.environ, "KAODA_HOME": str(ctx.settings.home)}
    cmd = [sys.executable, "-m", "agent", "ingest", str(note), "--company", "sensetime", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files_added"] == 1
    hit = ctx.kb.search("RMSNorm LayerNorm 区别", k=3, source="user")[0]
    assert hit.metadata["company"] == "sensetime"
    bad = subprocess.run([*cmd[:5], "--company", "nope"], capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 2 and "unknown company" in bad.stderr


def _text_pdf(path: Path, lines: list[str]) -> Path:
    """A real one-page PDF whose text layer holds `lines` (ASCII, Helvetica), written by hand."""
    text = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 11 Tf 40 800 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_a_pdf_with_text_is_ingested_and_found(ctx: Context, tmp_path: Path) -> None:
    pdf = _text_pdf(
        tmp_path / "bytedance-round2.pdf",
        [
            "ByteDance second round, LLM infra.",
            "They asked how Megatron tensor parallelism splits the MLP by columns then rows,",
            "and where the all-reduce happens in the forward and backward pass.",
        ],
    )
    report = ingest_paths(ctx, [pdf])
    assert (report.files_added, report.skipped) == (1, [])
    top = ctx.kb.search("Megatron MLP all-reduce", k=3, source="user")[0]
    assert top.metadata["path"].endswith("bytedance-round2.pdf") and "column" in top.text
    assert top.metadata.get("company") == "bytedance"


def test_a_pdf_resume_gives_questions_about_its_claims(ctx: Context, tmp_path: Path) -> None:
    from agent.files import read_user_file
    from agent.interview import InterviewSession

    pdf = _text_pdf(
        tmp_path / "resume.pdf",
        [
            "Built a RAG assistant over 2 million support tickets with hybrid retrieval and a reranker;",
            "recall@5 rose from 62% to 85%.",
            "Fine-tuned a 7B model with LoRA rank 16 on 8 A100 GPUs.",
        ],
    )
    text = read_user_file(pdf)
    assert "LoRA rank 16" in text
    session = InterviewSession.start(ctx, "generic", "algorithm", text, "en", n_questions=4, seed=1)
    assert any("LoRA" in claim or "RAG" in claim for claim in session.state.claims)
    assert {"lora", "rag"} & set(session.state.resume_topics)
