"""`python -m bot practice`: choose, resume or script a role-play; print a report or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.clock import ManualClock
from bot.content.catalogue import Catalogue
from bot.roleplay.runner import resume_practice, run_practice
from bot.roleplay.script import parse_script
from bot.roleplay.service import RolePlayService
from bot.services import Services
from bot.terminal.practice import ScriptPort, TerminalPort


def choose_scenario(catalogue: Catalogue) -> str | None:
    """Ask which scenario to play; None when input ends."""
    ids = catalogue.ids()
    print("Which customer would you like to practise with?")
    for number, scenario_id in enumerate(ids, 1):
        print(f"  {number}. {catalogue.get(scenario_id).title}  [{scenario_id}]")
    while True:
        try:
            answer = input(f"Number (1-{len(ids)}) or id: ").strip()
        except EOFError:
            return None
        if answer in ids:
            return answer
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            return ids[int(answer) - 1]
        print(f"Please type a number from 1 to {len(ids)}, or a scenario id.")


def session_json(service: RolePlayService, session_id: int) -> dict[str, Any]:
    """The contract of `practice --json`."""
    row = service.get(session_id)
    return {
        "session_id": session_id,
        "scenario": row.scenario_id,
        "outcome": row.outcome,
        "session_marks": list(row.session_marks),
        "turns": [
            {"speaker": t.speaker, "kind": t.kind, "text": t.text, "marks": list(t.marks),
             "mood": t.mood, "late": t.late}
            for t in service.turns(session_id)
        ],
        "report": row.report,
    }


async def practice(args: argparse.Namespace, services: Services, learner_id: str, learner_name: str) -> int:
    """Run one role-play in the terminal, from a script or interactively.

    `services.clock` is a ManualClock for scripts (a silence moves it past the deadline) and the
    real clock otherwise; the services' session-end hooks bring missed ideas due in the quiz.
    """
    catalogue, service = services.catalogue, services.roleplay
    if not catalogue.scenarios:
        print("error: no scenarios could be loaded; run `python -m bot scenarios check`.", file=sys.stderr)
        return 2
    scripted = args.script is not None
    if scripted:
        try:
            steps = parse_script(args.script.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read the script {args.script}: {exc}", file=sys.stderr)
            return 2
        if not isinstance(services.clock, ManualClock):
            raise TypeError("scripted practice needs a manual clock")
        port: Any = ScriptPort(steps, services.clock, out=None if args.json else print)
    else:
        port = TerminalPort(clock=services.clock)

    unfinished = service.active_for(learner_id)
    if unfinished is not None and not scripted and not args.json:
        print(f"Resuming your unfinished role-play (session {unfinished.id}, {unfinished.scenario_id}).")
        session_id = await resume_practice(service, port, unfinished.id or 0)
    else:
        if unfinished is not None:
            service.end(unfinished.id or 0)
            print(f"note: closed your unfinished session {unfinished.id} (its transcript is kept).",
                  file=sys.stderr)
        scenario_id = args.scenario or choose_scenario(catalogue)
        if scenario_id is None:
            return 1
        catalogue.get(scenario_id)  # unknown ids fail here, before anything is stored
        session_id = await run_practice(service, port, learner_id=learner_id, scenario_id=scenario_id,
                                        learner_name=learner_name, seed=args.seed,
                                        reply_seconds=args.reply_seconds)
    if args.json:
        print(json.dumps(session_json(service, session_id), ensure_ascii=False, indent=2))
    return 0
