"""`kaoda progress` (mastery and review dates) and `kaoda drill` (practise the weak topics)."""

from __future__ import annotations

import argparse

from agent.cli import emit
from agent.cli.commands import context_from
from agent.cli.interview_cmd import run_session
from agent.drill import plan_drill
from agent.interview import InterviewSession
from agent.mastery import progress as compute_progress


def progress(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    report = compute_progress(ctx.store.scored_turns(), ctx.corpus)
    if args.json:
        emit(report.as_json())
        return 0
    if not report.topics:
        print("no scored answers yet: run `kaoda interview` first")
        return 0
    print("track            mastery")
    for track, mastery in report.tracks().items():
        print(f"{track:<16} {mastery:>6.0%}")
    print("\nweakest topics (due first)            mastery  last  due")
    for topic in report.weakest(10):
        due = f"{topic.due.isoformat()}{' (due)' if topic.is_due(report.today) else ''}" if topic.due else "—"
        print(f"{topic.topic_id:<38} {topic.mastery:>6.0%}  {topic.last_score:>4.1f}  {due}")
    return 0


def drill(args: argparse.Namespace) -> int:
    ctx = context_from(args, lang=args.lang)
    report = compute_progress(ctx.store.scored_turns(), ctx.corpus)
    items = plan_drill(report, ctx.corpus, args.n)
    session = InterviewSession.start_drill(ctx, items, args.lang, args.seed)
    return run_session(ctx, session, args)
