"""Terminal role-play: an interactive timed port, and a script port that moves a manual clock."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TextIO

from bot.clock import ManualClock, utcnow
from bot.content.scenario import Scenario
from bot.roleplay.report import render_text
from bot.roleplay.runner import LearnerEvent
from bot.roleplay.script import ScriptStep
from bot.roleplay.service import CustomerLine

HELP = "Type your reply and press Enter. Commands: /end to finish, /help for this text."


def _brief_text(scenario: Scenario, reply_seconds: int) -> str:
    return "\n".join([
        f"=== {scenario.title} ===",
        scenario.brief.strip(),
        f"Your authority: {scenario.authority.description}",
        f"You have {reply_seconds} seconds for each reply. {HELP}",
        "",
    ])


class StdinReader:
    """Reads lines on a daemon thread so a deadline can pass while input() is blocked."""

    def __init__(self, stream: TextIO = sys.stdin) -> None:
        self.stream = stream
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.stream:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, line.rstrip("\n"))
        self.loop.call_soon_threadsafe(self.queue.put_nowait, None)

    async def get(self, timeout: float | None) -> str | None:
        """A line, None at end of input; raises TimeoutError when the timeout passes."""
        return await asyncio.wait_for(self.queue.get(), timeout)


class TerminalPort:
    """Interactive practice on a real clock."""

    def __init__(self, out: Callable[[str], None] = print, clock: Callable[[], datetime] = utcnow) -> None:
        self.out = out
        self.clock = clock
        self.reader: StdinReader | None = None

    async def show_brief(self, scenario: Scenario, reply_seconds: int) -> None:
        self.out(_brief_text(scenario, reply_seconds))

    async def show_customer(self, line: CustomerLine) -> None:
        self.out(f"\n{line.persona}: {line.text}")
        if line.deadline is not None:
            seconds = max(0, round((line.deadline - self.clock()).total_seconds()))
            self.out(f"(reply within {seconds}s)")

    async def next_event(self, deadline: datetime | None) -> LearnerEvent:
        if self.reader is None:
            self.reader = StdinReader()
        while True:
            timeout = None if deadline is None else max(0.0, (deadline - self.clock()).total_seconds())
            try:
                line = await self.reader.get(timeout)
            except TimeoutError:
                self.out("(time is up: the customer is waiting)")
                return LearnerEvent("silence")
            if line is None:
                return LearnerEvent("end")
            command = line.strip().lower()
            if command in ("/end", "/quit", "/exit"):
                return LearnerEvent("end")
            if command in ("/help", "/?"):
                self.out(HELP)
                continue
            return LearnerEvent("reply", line)

    async def show_problem(self, message: str) -> None:
        self.out(f"! {message}")

    async def show_report(self, report: dict) -> None:
        self.out("\n" + render_text(report))


class ScriptPort:
    """Replays a script; a silence moves the manual clock past the deadline, replies take 5 s."""

    def __init__(self, steps: list[ScriptStep], clock: ManualClock,
                 out: Callable[[str], None] | None = None) -> None:
        self.steps = list(steps)
        self.clock = clock
        self.out = out
        self.report: dict | None = None
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

    async def show_report(self, report: dict) -> None:
        self.report = report
        self._say("\n" + render_text(report))
