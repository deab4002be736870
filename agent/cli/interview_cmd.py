"""`kaoda interview` (interactive or scripted) and `kaoda transcripts`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.cli import emit
from agent.cli.commands import context_from
from agent.errors import InputError
from agent.export import from_json, safe_output_path, to_json, to_markdown
from agent.interview import InterviewSession

COMMANDS_HELP = "(/hint a key point · /skip · /end)"


def read_answers(path: str) -> list[str]:
    """One answer per line, or JSONL rows {"answer": ...} (which may hold newlines)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read answers file {path}: {exc}") from exc
    answers = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("{"):
            try:
                row = json.loads(line)
                answers.append(str(row["answer"]))
                continue
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{number}: expected a JSON object with an 'answer' field") from exc
        answers.append(line)
    return answers


def _read_resume(path: str | None) -> str:
    if not path:
        return ""
    from agent.files import read_user_file

    return read_user_file(Path(path))


def interview(args: argparse.Namespace) -> int:
    ctx = context_from(args, lang=args.lang)
    if args.resume_id:
        session = InterviewSession.resume(ctx, args.resume_id)
    else:
        session = InterviewSession.start(
            ctx,
            args.company,
            args.role,
            _read_resume(args.resume),
            args.lang,
            args.questions,
            args.seed,
            difficulty=args.difficulty,
            mode=args.mode,
        )
    return run_session(ctx, session, args)


def run_session(ctx: Any, session: InterviewSession, args: argparse.Namespace) -> int:
    """Scripted (--answers) or interactive; prints the transcript (--json: as JSON)."""
    if args.answers:
        answers = read_answers(args.answers)
        while session.current() and answers:
            session.answer(answers.pop(0))
        if session.current():  # answers ran out: end the interview here, nothing is lost
            session.end()
    else:
        _interactive(session, echo=not args.json)
    record = ctx.store.get(session.state.id)
    if args.json:
        emit(to_json(record))
    elif args.answers:
        print(to_markdown(record, ctx.corpus))
    return 0


class _QuestionPrinter:
    """LLM mode: print the next question as it streams in (each call gets the text so far)."""

    def __init__(self, out: Any) -> None:
        self.out, self.printed = out, 0

    def __call__(self, question: str) -> None:
        if self.printed == 0:
            self.out.write("\n… ")
        self.out.write(question[self.printed :])
        self.out.flush()
        self.printed = len(question)


def _interactive(session: InterviewSession, echo: bool) -> None:
    out = sys.stdout if echo else sys.stderr
    out.write(f"interview {session.state.id} {COMMANDS_HELP}\n")
    while (turn := session.current()) is not None:
        out.write(f"\n[{turn['move']}] {turn['question']}\n> ")
        out.flush()
        line = sys.stdin.readline()
        if not line:  # end of input
            session.end()
            break
        text = line.rstrip("\n")
        if text.strip() == "/hint":
            out.write(f"  hint: {session.hint() or '—'}\n")
            continue
        if text.strip() == "/end":
            session.end()
            break
        scored, stream = turn, _QuestionPrinter(out)
        skipped = text.strip() == "/skip"
        try:
            session.answer("" if skipped else text, skipped=skipped, on_question=stream)
        except InputError as exc:  # e.g. an over-long paste: say why and ask the same question again
            out.write(f"  {exc}\n")
            continue
        if stream.printed:
            out.write("\n")
        if scored.get("score"):
            s = scored["score"]
            out.write(f"  score {s['score']}/5 · {s['feedback']}\n")
    final = session.state.turns[-1]
    out.write(f"\n{final['question']}\n")


def transcripts(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    store = ctx.store
    if args.action == "list":
        rows = store.list()
        if args.json:
            keys = ("id", "company", "role", "lang", "mode", "status", "created_at", "overall", "answered")
            emit({"interviews": [{k: r[k] for k in keys} for r in rows]})
        else:
            for r in rows:
                print(
                    f"{r['id']}  {r['created_at']}  {r['company']:<16} {r['role']:<12} {r['status']:<9} {r['overall']}"
                )
        return 0
    if args.action == "delete":
        store.delete(args.id)
        print(f"deleted {args.id}")
        return 0
    if args.action == "import":
        return _import(store, args)
    record = store.get(args.id)
    if args.action == "show":
        if args.json:
            emit(to_json(record))
        else:
            print(to_markdown(record, ctx.corpus))
        return 0
    if args.format == "json":
        text = json.dumps(to_json(record), ensure_ascii=False, indent=2)
    elif args.format == "html":
        from agent.printable import to_html

        text = to_html(record, ctx.corpus)
    else:
        text = to_markdown(record, ctx.corpus)
    if args.output:
        path = safe_output_path(args.output)
        path.write_text(text + "\n", encoding="utf-8")
        sys.stderr.write(f"wrote {path}\n")
    else:
        print(text)
    return 0


def _import(store: Any, args: argparse.Namespace) -> int:
    """`kaoda transcripts import FILE.json [--new-id]`: validated, all or nothing."""
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {args.file}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{args.file} is not JSON ({exc.msg}, line {exc.lineno})") from exc
    record = from_json(data, source=args.file)
    if args.new_id:
        import uuid

        record["id"] = uuid.uuid4().hex[:12]
    store.import_record(record)
    print(f"imported {record['id']} ({len(record['turns'])} turns)")
    return 0
