"""`python -m bot practice`: choose, resume or script a role-play; then the report, mood curve and log."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import Any, Protocol

from rich.console import Console

from bot import messages
from bot.clock import ManualClock
from bot.content.catalogue import Catalogue
from bot.reflection import waive_reflection
from bot.roleplay.runner import PracticeAbandoned, PracticePaused, PracticePort, resume_practice, run_practice
from bot.roleplay.script import parse_script
from bot.roleplay.service import RolePlayService
from bot.services import Services
from bot.terminal.practice import LinePort, ScriptPort
from bot.terminal.reflect import ask_reflection
from bot.terminal.render import show_ending


class PersonPort(PracticePort, Protocol):
    """A practice port with a person at the keyboard (LivePort or LinePort): it can also ask and print."""

    console: Console

    async def ask(self, question: str) -> str | None:
        """One line for a question outside the call; None when the person gave none."""

    async def left_over_lines(self) -> list[str]:
        """Lines typed after the call ended, to list rather than send."""

    async def close(self) -> None:
        """Let go of the terminal."""


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


async def choose_scenario(port: PersonPort, catalogue: Catalogue) -> str | None:
    """Ask which scenario to play; None when input ends or the learner presses Ctrl-C."""
    ids = catalogue.ids()
    port.console.print("Which customer would you like to practise with?")
    for number, scenario_id in enumerate(ids, 1):
        port.console.print(f"  {number}. {catalogue.get(scenario_id).title}  [{scenario_id}]", markup=False)
    while True:
        answer = await port.ask(f"Number (1-{len(ids)}) or id: ")
        if answer is None:
            return None
        answer = answer.strip()
        if answer in ids:
            return answer
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            return ids[int(answer) - 1]
        port.console.print(f"Please type a number from 1 to {len(ids)}, or a scenario id.")


async def _resume_or_end(port: PersonPort, session_id: int, scenario_id: str) -> str | None:
    """Ask about an unfinished role-play when another scenario was asked for: "r", "e" or None."""
    while True:
        answer = await port.ask(messages.UNFINISHED_CHOICE.format(session_id=session_id, scenario=scenario_id)
                                + " [r/e]: ")
        if answer is None:
            return None
        if answer.strip().lower()[:1] in ("r", "e"):
            return answer.strip().lower()[:1]


async def play_live(args: argparse.Namespace, services: Services, port: PersonPort, learner_id: str,
                    learner_name: str) -> int:
    """A role-play with a person at the keyboard (LivePort or LinePort), from start to reflective log."""
    service, console = services.roleplay, port.console
    unfinished = service.active_for(learner_id)
    try:
        session_id = None
        if unfinished is not None:
            choice: str | None = "r"
            if args.scenario and args.scenario != unfinished.scenario_id:
                choice = await _resume_or_end(port, unfinished.id or 0, unfinished.scenario_id)
            if choice is None:
                return 1
            if choice == "r":
                await port.show_notice(messages.RESUMING.format(session_id=unfinished.id,
                                                                scenario=unfinished.scenario_id))
                session_id = await resume_practice(service, port, unfinished.id or 0)
            else:
                service.end(unfinished.id or 0)
                await port.show_notice(messages.UNFINISHED_ENDED.format(session_id=unfinished.id))
        if session_id is None:
            scenario_id = args.scenario or await choose_scenario(port, services.catalogue)
            if scenario_id is None:
                return 1
            services.catalogue.get(scenario_id)  # unknown ids fail here, before anything is stored
            session_id = await run_practice(service, port, learner_id=learner_id, scenario_id=scenario_id,
                                            learner_name=learner_name, seed=args.seed,
                                            reply_seconds=args.reply_seconds)
    except PracticePaused:
        await port.close()
        await port.show_notice(messages.PAUSED)
        return 0
    except PracticeAbandoned as stopped:
        await port.close()
        with services.db.session() as s:
            waive_reflection(s, session_id=stopped.session_id)
        await port.show_notice(messages.ABANDONED)
        return 0
    left_over = await port.left_over_lines()
    if left_over:
        await port.show_notice(messages.LEFT_OVER_LINES.format(count=len(left_over)))
        for line in left_over:
            console.print(f"  {line}", markup=False, highlight=False)
    if args.json:
        print(json.dumps(session_json(service, session_id), ensure_ascii=False, indent=2))
        return 0
    show_ending(console, service.get(session_id).report or {}, services.settings.reports_dir)
    await ask_reflection(port.ask, lambda text: console.print(text, markup=False, highlight=False),
                         services.db, services.clock, session_id=session_id, learner_id=learner_id)
    return 0


async def _play_script(args: argparse.Namespace, services: Services, learner_id: str, learner_name: str) -> int:
    try:
        steps = parse_script(args.script.read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read the script {args.script}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(services.clock, ManualClock):
        raise TypeError("scripted practice needs a manual clock")
    service = services.roleplay
    port = ScriptPort(steps, services.clock, out=None if args.json else print)
    unfinished = service.active_for(learner_id)
    if unfinished is not None:
        service.end(unfinished.id or 0)
        print(f"note: closed your unfinished session {unfinished.id} (its transcript is kept).", file=sys.stderr)
    scenario_id = args.scenario
    if scenario_id is None:
        print("error: a script needs a scenario id: ./composure practice SCENARIO --script FILE", file=sys.stderr)
        return 2
    services.catalogue.get(scenario_id)
    session_id = await run_practice(service, port, learner_id=learner_id, scenario_id=scenario_id,
                                    learner_name=learner_name, seed=args.seed, reply_seconds=args.reply_seconds)
    if args.json:
        print(json.dumps(session_json(service, session_id), ensure_ascii=False, indent=2))
    return 0


async def practice(args: argparse.Namespace, services: Services, learner_id: str, learner_name: str) -> int:
    """Run one role-play in the terminal: from a script, at a terminal (LivePort), or from piped input.

    `services.clock` is a ManualClock for scripts (a silence moves it past the deadline) and the
    real clock otherwise; the services' session-end hooks bring missed ideas due in the quiz.
    """
    if not services.catalogue.scenarios:
        print("error: no scenarios could be loaded; run `./composure scenarios check`.", file=sys.stderr)
        return 2
    if args.script is not None:
        return await _play_script(args, services, learner_id, learner_name)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return await play_live(args, services, LinePort(Console(highlight=False, soft_wrap=True), services.clock),
                               learner_id, learner_name)
    from prompt_toolkit import PromptSession
    from prompt_toolkit.patch_stdout import patch_stdout

    from bot.terminal.live import LivePort

    with patch_stdout(raw=True):
        port = LivePort(services.clock, console=Console(highlight=False), prompt=PromptSession())
        try:
            return await play_live(args, services, port, learner_id, learner_name)
        finally:
            with contextlib.suppress(Exception):
                await port.close()
