"""CLI commands other than interviews: ui, index, search, score, companies, corpus, doctor."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from agent.cli import emit
from agent.config import Settings, load_settings
from agent.context import Context, build_context
from agent.errors import InputError, KaodaError


def settings_from(args: argparse.Namespace, **flags: Any) -> Settings:
    common = {
        "home": getattr(args, "home", None),
        "llm_base_url": getattr(args, "llm_base_url", None),
        "llm_model": getattr(args, "llm_model", None),
    }
    return load_settings({**common, **flags})


def context_from(args: argparse.Namespace, **flags: Any) -> Context:
    return build_context(settings_from(args, **flags))


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\rembedding {done}/{total}")
    if done == total:
        sys.stderr.write("\n")


def ui(args: argparse.Namespace) -> int:
    from ui.app import launch

    if args.auth and ":" not in args.auth:
        raise InputError("--auth expects user:pass")
    launch(settings_from(args), host=args.host, port=args.port, auth=args.auth)
    return 0


def index(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    report = ctx.kb.index_corpus(ctx.corpus, rebuild=args.rebuild, progress=_progress)
    sys.stderr.write(
        f"indexed: {report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged in {report.seconds}s ({ctx.kb.count()} documents)\n"
    )
    return 0


def search(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    if not 1 <= args.k <= 100:
        raise InputError("-k must be between 1 and 100")
    hits = ctx.kb.search(
        args.query,
        k=args.k,
        kind=args.kind,
        company=args.company,
        track=args.track,
        topic_id=args.topic,
        source=args.source,
    )
    if args.json:
        emit({"hits": [h.as_json() for h in hits]})
        return 0
    for rank, hit in enumerate(hits, 1):
        print(f"{rank}. [{hit.kind}] {hit.id} — {hit.title}  (score {hit.score:.4f}, {hit.why})")
    if not hits:
        print("no results")
    return 0


def ingest(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from agent.ingest import ingest_paths

    ctx = context_from(args)
    bar = tqdm(unit="file", file=sys.stderr, disable=args.json)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.set_postfix_str(name[:40])
        bar.update(1)

    try:
        report = ingest_paths(ctx, [Path(p) for p in args.paths], args.company, args.kind, progress)
    finally:
        bar.close()
    if args.json:
        emit(report.as_json())
    else:
        print(
            f"{report.files_added} added, {report.files_replaced} replaced, {report.files_unchanged} unchanged, "
            f"{report.chunks_added} chunks; {len(report.skipped)} skipped"
        )
        for _name, reason in report.skipped:
            print(f"  skipped: {reason}")
    return 0 if report.files_added + report.files_replaced + report.files_unchanged or not report.skipped else 1


def evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from agent.evaluation import evaluate_retrieval, evaluate_scoring, read_jsonl

    ctx = context_from(args)
    if args.what == "retrieval":
        rows = read_jsonl(Path(args.data), required=("query", "relevant_ids"))
        result = evaluate_retrieval(ctx.kb, rows, args.mode)
    else:
        from agent.reference import task_for_row

        rows = read_jsonl(Path(args.data), required=("question", "reference_answer", "answer", "score"))
        judged = ctx.settings.mode == "llm" and not args.offline
        failures = 0

        def score_row(row: dict[str, Any]) -> float:
            """The score the product would give: judged when an endpoint is configured."""
            nonlocal failures
            task = task_for_row(ctx, row)
            if not judged:  # as bench/fit_scorer.py scores (and fits): the default language
                return ctx.scorer.score(task, row["answer"]).score
            lang = row.get("lang") or ctx.settings.lang
            from agent.judge import judged_score
            from agent.llm import make_chat_model

            result = judged_score(ctx, make_chat_model(ctx.settings, temperature=0.0), task, row["answer"], lang)
            failures += bool((result.judge or {}).get("error"))
            return result.score

        result = evaluate_scoring(rows, score_row)
        result["scorer"] = f"llm judge ({ctx.settings.llm_model}) + offline" if judged else "offline"
        if judged:
            result["judge_failures"] = failures  # rows where the offline score stood alone
    if args.json:
        emit({k: v for k, v in result.items() if k not in ("misses", "predicted")})
    else:
        for key, value in result.items():
            if key not in ("misses", "predicted"):
                print(f"{key:<10} {value}")
    return 0


def score(args: argparse.Namespace) -> int:
    from agent.reference import task_from_corpus, task_from_reference

    ctx = context_from(args)
    task = (
        task_from_reference(args.question, args.reference) if args.reference else task_from_corpus(ctx, args.question)
    )
    if task is None:
        raise InputError("no corpus question matches this question; pass --reference with a reference answer")
    started = time.perf_counter()
    lang = args.lang or ctx.settings.lang
    result = ctx.scorer.score(task, args.answer, lang)
    if ctx.settings.mode == "llm":
        from agent.judge import judge_answer
        from agent.llm import make_chat_model

        result = judge_answer(ctx, make_chat_model(ctx.settings, temperature=0.0), task, args.answer, result, lang)
    if args.json:
        emit({**result.as_json(), "ms": round(1000 * (time.perf_counter() - started), 1)})
        return 0
    print(f"score {result.score}/5 (overall {result.overall}/100)  {result.dimensions}")
    for kp in result.key_points:
        print(f"  {'✔' if kp.hit else '✘'} {kp.text}" + (f'  ← "{kp.evidence}"' if kp.evidence else ""))
    print(result.feedback)
    if result.flags:
        print("flags:", ", ".join(result.flags))
    return 0


def companies(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    rows = [
        {
            "slug": c.slug,
            "name": c.name,
            "name_en": c.name_en,
            "tracks": c.tracks,
            "evidence_count": len(c.evidence),
            "follow_up_depth": c.follow_up_depth,
            "summary": c.summary if ctx.settings.lang == "zh" else c.summary_en,
        }
        for c in sorted(ctx.corpus.companies.values(), key=lambda c: (c.slug == "generic", -len(c.evidence), c.slug))
    ]
    if args.json:
        emit({"companies": rows})
        return 0
    for row in rows:
        print(f"{row['slug']:<18} {row['name']:<12} reports: {row['evidence_count']:<3} {row['summary']}")
    return 0


def corpus(args: argparse.Namespace) -> int:
    from agent.corpus import check_corpus, corpus_stats, load_corpus

    root = settings_from(args).corpus_root
    if args.action == "check":
        problems = check_corpus(root)
        if args.json:
            emit({"ok": not problems, "problems": problems})
        else:
            print("\n".join(problems) if problems else f"corpus OK ({root})")
        return 1 if problems else 0
    stats = corpus_stats(load_corpus(root))
    if args.json:
        emit(stats)
    else:
        for key, value in stats.items():
            print(f"{key:<16} {value}")
    return 0


def doctor(args: argparse.Namespace) -> int:
    """Config, corpus, store, index and endpoint, each with a verdict; exit 1 if any fails."""
    checks: list[dict[str, Any]] = []

    def check(name: str, fn: Any) -> Any:
        try:
            detail = fn()
            checks.append({"check": name, "ok": True, "detail": detail})
            return detail
        except (KaodaError, OSError) as exc:
            checks.append({"check": name, "ok": False, "detail": str(exc)})
            return None

    settings = check("config", lambda: settings_from(args).describe())
    ctx = check("corpus + store", lambda: context_from(args)) if settings else None
    if ctx is not None:
        checks[-1]["detail"] = f"{len(ctx.corpus.cards)} cards, store at {ctx.settings.db_path}"
        where = ctx.settings.chroma_url or str(ctx.settings.chroma_dir)
        mode = "server" if ctx.settings.chroma_url else "embedded"
        check("index", lambda: f"{mode} Chroma at {where}: {ctx.kb.count()} documents")
        check("endpoint", lambda: _endpoint_verdict(ctx.settings))
    if args.json:
        emit({"ok": all(c["ok"] for c in checks), "checks": checks})
    else:
        for c in checks:
            print(f"{'ok ' if c['ok'] else 'FAIL'} {c['check']}: {c['detail']}")
    return 0 if all(c["ok"] for c in checks) else 1


def _endpoint_verdict(settings: Settings) -> str:
    if settings.mode == "offline":
        return "no API key configured: the offline interviewer runs (set KAODA_LLM_API_KEY to use an LLM)"
    from agent.llm import ping

    return "LLM mode: " + ping(settings)
