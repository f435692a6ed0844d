"""The terminal face's commands and edges at unit level: prompt_toolkit fed through a pipe, a manual clock."""

from __future__ import annotations

import argparse
import asyncio
import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prompt_toolkit import PromptSession
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from bot import messages
from bot.clock import ManualClock
from bot.config import Settings
from bot.services import build_services
from bot.terminal.live import LivePort
from bot.terminal.practice_loop import play_live

PROJECT = Path(__file__).resolve().parent.parent.parent
LEARNER = "local:tester"


class Desk:
    """One learner's terminal: services on a manual clock, and a way to type and read."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = ManualClock()
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'live.db'}", reports_dir=tmp_path / "reports",
                            scenarios_dir=PROJECT / "scenarios")
        self.services = build_services(settings, clock=self.clock)
        self.shown = io.StringIO()

    async def play(self, scenario: str | None, *keys: str | Callable[[str], bool]) -> int:
        """Play with these keystrokes; a callable waits until the output so far satisfies it."""
        args = argparse.Namespace(scenario=scenario, seed=3, reply_seconds=60, json=False)
        with create_pipe_input() as pipe:
            port = LivePort(self.clock, console=Console(file=self.shown, width=200), poll_seconds=0.01,
                            prompt=PromptSession(input=pipe, output=DummyOutput()))
            game = asyncio.ensure_future(play_live(args, self.services, port, LEARNER, "tester"))
            for key in keys:
                if callable(key):
                    give_up = time.monotonic() + 120  # guards a hang only
                    while not key(self.shown.getvalue()):
                        assert not game.done() and time.monotonic() < give_up, self.shown.getvalue()
                        await asyncio.sleep(0.01)  # polls the program's output; no time is assumed
                else:
                    pipe.send_text(key)
            return await asyncio.wait_for(game, 120)

    def turns(self):
        session = self.services.roleplay.active_for(LEARNER)
        return self.services.roleplay.turns(session.id) if session else []


def printed(text: str, count: int = 1) -> Callable[[str], bool]:
    return lambda out: out.count(text) >= count


@pytest.fixture
def desk(tmp_path):
    return Desk(tmp_path)


async def test_unknown_command_gets_help_and_is_not_sent(desk):
    status = await desk.play("faulty-kettle", printed("(mood"), "/frobnicate\r", printed("There is no command"),
                             "/help\r", printed("/abandon", 3), "\x03")
    out = desk.shown.getvalue()
    assert status == 0
    assert messages.UNKNOWN_COMMAND.format(word="/frobnicate") in out
    for command in messages.TERMINAL_COMMANDS:
        assert command in out
    assert messages.PAUSED in out
    assert [t.speaker for t in desk.turns()] == ["customer"]  # nothing reached the customer


async def test_pause_then_resume_restarts_the_clock_without_a_silence(desk):
    await desk.play("faulty-kettle", printed("(mood"), "/pause\r")
    assert desk.services.roleplay.active_for(LEARNER) is not None
    desk.clock.advance(hours=5)  # the program was not running
    await desk.play(None, printed(messages.CLOCK_RESTARTED.format(seconds=60)), "\x03")
    assert messages.RESUMING.format(session_id=1, scenario="faulty-kettle") in desk.shown.getvalue()
    assert [t.kind for t in desk.turns() if t.speaker == "learner"] == []  # no silence charged


async def test_another_scenario_over_an_unfinished_one_asks(desk):
    await desk.play("faulty-kettle", printed("(mood"), "/pause\r")
    await desk.play("abusive-caller", printed("Type r to resume it"), "x\r", printed("Type r", 2), "e\r",
                    printed("Gary Stone"), "\x03")
    out = desk.shown.getvalue()
    assert messages.UNFINISHED_ENDED.format(session_id=1) in out
    first = desk.services.roleplay.get(1)
    assert (first.status, first.outcome) == ("ended", "ended_by_learner")
    assert desk.services.roleplay.active_for(LEARNER).scenario_id == "abusive-caller"


async def test_lines_pasted_after_the_end_are_reported(desk):
    status = await desk.play("faulty-kettle", printed("(mood"), "/end\rstill here?\rhello\r",
                             printed("Write your reflective log"), "s\r")
    out = desk.shown.getvalue()
    assert status == 0
    assert messages.LEFT_OVER_LINES.format(count=2) in out
    assert "  still here?\n  hello\n" in out
    assert messages.REFLECT_SKIPPED in out


async def test_abandon_closes_without_report_or_log(desk):
    status = await desk.play("faulty-kettle", printed("(mood"), "/abandon\r")
    out = desk.shown.getvalue()
    assert status == 0 and messages.ABANDONED in out and "Feedback:" not in out
    row = desk.services.roleplay.get(1)
    assert row.status == "ended" and row.reflection_waived


async def test_deadline_passes_while_typing_and_the_line_is_kept(desk):
    await desk.play("faulty-kettle", printed("(mood"), "Sorry, let me",
                    lambda _: bool(desk.clock.advance(seconds=61)), printed(messages.TIME_IS_UP),
                    printed("(mood", 2), " check that.\r", printed("(mood", 3), "\x03")
    learner = [(t.kind, t.text) for t in desk.turns() if t.speaker == "learner"]
    assert learner == [("silence", ""), ("line", "Sorry, let me check that.")]
