"""The `kaoda` command: parse, dispatch, and turn errors into one line and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from agent.errors import KaodaError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"kaoda: error: {message} (see `{self.prog} --help`)\n")


def emit(data: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def build_parser() -> argparse.ArgumentParser:
    from agent.cli import commands, interview_cmd, progress_cmd

    parser = _Parser(prog="kaoda", description="Mock interviews for LLM / AI engineering jobs.")
    parser.add_argument("--home", help="state folder (default: $KAODA_HOME or ~/.kaoda)")
    # The key is read from KAODA_LLM_API_KEY / OPENAI_API_KEY / config.toml only: a key typed as a flag
    # would end up in the shell history and in `ps` output.
    parser.add_argument("--llm-base-url", help="OpenAI-compatible endpoint (default: $KAODA_LLM_BASE_URL)")
    parser.add_argument("--llm-model", help="model name at the endpoint (default: $KAODA_LLM_MODEL)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    ui = sub.add_parser("ui", help="start the web app")
    ui.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: 127.0.0.1, this machine only; 0.0.0.0 opens it to the network: use --auth)",
    )
    ui.add_argument("--port", type=int, default=7860)
    ui.add_argument("--auth", help="user:pass, required to open the app")
    ui.set_defaults(run=commands.ui)

    index = sub.add_parser("index", help="index the bundled corpus (incremental)")
    index.add_argument("--rebuild", action="store_true", help="drop the index and re-embed everything")
    index.set_defaults(run=commands.index)

    ingest = sub.add_parser("ingest", help="add your own 面经 / notes (.md .txt .html .pdf, files or folders)")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--company", help="tag every file with this company slug (default: detected)")
    ingest.add_argument("--kind", choices=["experience", "note"], help="default: experience if a company is named")
    ingest.add_argument("--json", action="store_true")
    ingest.set_defaults(run=commands.ingest)

    ev = sub.add_parser("eval", help="measure retrieval or scoring against labelled JSONL")
    ev.add_argument("what", choices=["retrieval", "scoring"])
    ev.add_argument(
        "--data",
        required=True,
        help="JSONL: retrieval rows {query, relevant_ids}; scoring rows "
        "{question, reference_answer, answer, score, score_max}",
    )
    ev.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid", help="retrieval only")
    ev.add_argument(
        "--offline", action="store_true", help="scoring only: the offline scorer even when an endpoint is configured"
    )
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(run=commands.evaluate)

    search = sub.add_parser("search", help="search the knowledge base")
    search.add_argument("query")
    search.add_argument("--company")
    search.add_argument("--kind", help="topic, question, experience, company, project, behavioral, coding, user")
    search.add_argument("--track")
    search.add_argument("--topic")
    search.add_argument("--source", choices=["corpus", "user"])
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--json", action="store_true")
    search.set_defaults(run=commands.search)

    iv = sub.add_parser("interview", help="run a mock interview in the terminal")
    iv.add_argument("--company", default="generic")
    iv.add_argument("--role", default="algorithm")
    iv.add_argument("--resume", help="a .txt/.md file with your resume or project description")
    iv.add_argument("--lang", choices=["zh", "en"])
    iv.add_argument("--questions", type=int, default=5, help="main questions (follow-ups come on top)")
    iv.add_argument("--answers", help='scripted run: one answer per line, or JSONL {"answer": ...}')
    iv.add_argument("--resume-id", help="continue an unfinished interview")
    iv.add_argument("--seed", type=int, help="make the plan reproducible")
    iv.add_argument("--difficulty", choices=["easy", "normal", "hard"], default="normal")
    iv.add_argument("--mode", choices=["offline", "llm"], help="default: llm if an endpoint is configured")
    iv.add_argument("--json", action="store_true")
    iv.set_defaults(run=interview_cmd.interview)

    drill = sub.add_parser("drill", help="a short interview on your due and weakest topics")
    drill.add_argument("--n", type=int, default=5, help="topics to drill (default 5)")
    drill.add_argument("--lang", choices=["zh", "en"])
    drill.add_argument("--answers", help='scripted run: one answer per line, or JSONL {"answer": ...}')
    drill.add_argument("--seed", type=int)
    drill.add_argument("--json", action="store_true")
    drill.set_defaults(run=progress_cmd.drill)

    progress = sub.add_parser("progress", help="mastery per topic and track, and what is due for review")
    progress.add_argument("--json", action="store_true")
    progress.set_defaults(run=progress_cmd.progress)

    score = sub.add_parser("score", help="score one answer")
    score.add_argument("--question", required=True)
    score.add_argument("--answer", required=True)
    score.add_argument("--reference", help="reference answer (key points are derived from it)")
    score.add_argument("--lang", choices=["zh", "en"])
    score.add_argument("--json", action="store_true")
    score.set_defaults(run=commands.score)

    tr = sub.add_parser("transcripts", help="list, show, export, import or delete saved interviews")
    tr_sub = tr.add_subparsers(dest="action", required=True, parser_class=_Parser)
    tr_list = tr_sub.add_parser("list")
    tr_list.add_argument("--json", action="store_true")
    tr_show = tr_sub.add_parser("show")
    tr_show.add_argument("id")
    tr_show.add_argument("--json", action="store_true")
    tr_export = tr_sub.add_parser("export")
    tr_export.add_argument("id")
    tr_export.add_argument("--format", choices=["md", "json", "html"], default="md", help="html: printable page")
    tr_export.add_argument("-o", "--output", help="file to write (default: stdout)")
    tr_import = tr_sub.add_parser("import", help="restore a transcript exported with --format json")
    tr_import.add_argument("file")
    tr_import.add_argument("--new-id", action="store_true", help="import under a new id (keep both copies)")
    tr_delete = tr_sub.add_parser("delete")
    tr_delete.add_argument("id")
    tr.set_defaults(run=interview_cmd.transcripts)

    companies = sub.add_parser("companies", help="list company interview styles")
    companies.add_argument("--json", action="store_true")
    companies.set_defaults(run=commands.companies)

    corpus = sub.add_parser("corpus", help="validate or count the corpus")
    corpus.add_argument("action", choices=["check", "stats"])
    corpus.add_argument("--json", action="store_true")
    corpus.set_defaults(run=commands.corpus)

    doctor = sub.add_parser("doctor", help="check config, endpoint, index and store")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(run=commands.doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):  # bare `kaoda` = `kaoda ui`
        args = parser.parse_args([*(argv or sys.argv[1:]), "ui"])
    try:
        return int(args.run(args) or 0)
    except KaodaError as exc:
        sys.stderr.write(f"kaoda: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("kaoda: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
