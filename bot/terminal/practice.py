"""Terminal role-play without a keyboard: a line port for piped input, and a script port on a manual clock.

A person at a terminal gets `bot.terminal.live.LivePort`; these two serve pipes and scripts.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TextIO

from rich.console import Console

from bot import messages
from bot.clock import ManualClock, utcnow
from bot.content.scenario import Scenario
from bot.roleplay.report import render_text
from bot.roleplay.runner import LearnerEvent
from bot.roleplay.script import ScriptStep
from bot.roleplay.service import CustomerLine
from bot.terminal.commands import event_for


def _brief_text(scenario: Scenario, reply_seconds: int) -> str:
    return "\n".join([
        f"=== {scenario.title} ===",
        scenario.brief.strip(),
        f"Your authority: {scenario.authority.description}",
        f"You have {reply_seconds} seconds for each reply.",
        messages.TERMINAL_HELP,
        "",
    ])


class StdinReader:
    """Reads lines on a daemon thread so a deadline can pass while input() is blocked."""

    def __init__(self, stream: TextIO = sys.stdin) -> None:
        self.stream = stream
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.ended = False
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.stream:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, line.rstrip("\n"))
        self.loop.call_soon_threadsafe(self.queue.put_nowait, None)

    async def get(self, timeout: float | None) -> str | None:
        """A line, None at end of input (and ever after); raises TimeoutError when the timeout passes."""
        if self.ended:
            return None
        line = await asyncio.wait_for(self.queue.get(), timeout)
        self.ended = line is None
        return line


class LinePort:
    """Practice from piped input (no editing or toolbar: there is no terminal).

    The deadline is read from the injected clock every `poll_seconds`, so a manual clock moved by a
    test makes it pass at once, however slow the machine is.
    """

    def __init__(self, console: Console, clock: Callable[[], datetime] = utcnow, *,
                 poll_seconds: float = 0.25) -> None:
        self.console = console
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.reader: StdinReader | None = None

    def out(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False)

    def _reader(self) -> StdinReader:
        if self.reader is None:
            self.reader = StdinReader()
        return self.reader

    async def show_brief(self, scenario: Scenario, reply_seconds: int) -> None:
        self.out(_brief_text(scenario, reply_seconds))

    async def show_customer(self, line: CustomerLine) -> None:
        self.out(f"\n{line.persona} (mood {line.mood:+d}): {line.text}")
        if line.deadline is not None:
            seconds = max(0, round((line.deadline - self.clock()).total_seconds()))
            self.out(f"(reply within {seconds}s)")

    async def next_event(self, deadline: datetime | None) -> LearnerEvent:
        while True:
            if deadline is not None and self.clock() >= deadline:
                self.out(messages.TIME_IS_UP)
                return LearnerEvent("silence")
            timeout = None if deadline is None else min(self.poll_seconds,
                                                        (deadline - self.clock()).total_seconds())
            try:
                line = await self._reader().get(timeout)
            except TimeoutError:
                continue  # look at the clock again
            if line is None:
                return LearnerEvent("end")
            event = event_for(line, self.out)
            if event is not None:
                return event

    async def ask(self, question: str) -> str | None:
        self.out(question)
        return await self._reader().get(None)

    async def show_problem(self, message: str) -> None:
        self.out(f"! {message}")

    async def show_notice(self, message: str) -> None:
        self.out(message)

    async def show_report(self, report: dict[str, Any]) -> None:
        pass  # the end is drawn by the session (report, mood curve, reflective log)

    async def left_over_lines(self) -> list[str]:
        return []  # piped lines after the end are read by what comes next (the reflective log), not lost

    async def close(self) -> None:
        pass


class ScriptPort:
    """Replays a script; a silence moves the manual clock past the deadline, replies take 5 s."""

    def __init__(self, steps: list[ScriptStep], clock: ManualClock,
                 out: Callable[[str], None] | None = None) -> None:
        self.steps = list(steps)
        self.clock = clock
        self.out = out
        self.report: dict[str, Any] | None = None
        self.problems: list[str] = []

    def _say(self, text: str) -> None:
        if self.out is not None:
            self.out(text)

    async def show_brief(self, scenario: Scenario, reply_seconds: int) -> None:
        self._say(_brief_text(scenario, reply_seconds))

    async def show_customer(self, line: CustomerLine) -> None:
        self._say(f"\n{line.persona}: {line.text}")

    async def next_event(self, deadline: datetime | None) -> LearnerEvent:
        if not self.steps:
            self._say("\n(end of script)")
            return LearnerEvent("end")
        step = self.steps.pop(0)
        if step.kind == "silence":
            self._say("\nYou: [silence]")
            if deadline is not None:
                self.clock.now = max(self.clock.now, deadline + timedelta(seconds=1))
            return LearnerEvent("silence")
        if step.kind == "end":
            return LearnerEvent("end")
        self.clock.advance(seconds=5)
        self._say(f"\nYou: {step.text}")
        return LearnerEvent("reply", step.text)

    async def show_problem(self, message: str) -> None:
        self.problems.append(message)
        self._say(f"! {message}")

    async def show_notice(self, message: str) -> None:
        self._say(message)

    async def show_report(self, report: dict[str, Any]) -> None:
        self.report = report
        self._say("\n" + render_text(report))
