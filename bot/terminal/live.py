"""Interactive practice on prompt_toolkit: line editing and history, a live countdown in the toolbar.

The prompt is never interrupted by the deadline: when time is up the customer reacts above it and
the half-typed line stays where it is. Time comes from an injected clock and is looked at every
`poll_seconds`, so a test moves a manual clock instead of waiting for real seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.input.typeahead import get_typeahead
from prompt_toolkit.keys import Keys
from rich.console import Console
from rich.text import Text

from bot import messages
from bot.clock import Clock
from bot.content.scenario import Scenario
from bot.roleplay.runner import LearnerEvent
from bot.roleplay.service import CustomerLine
from bot.terminal.commands import event_for
from bot.terminal.render import mood_style

_LINE_ENDS = {Keys.ControlM, Keys.ControlJ}


class LivePort:
    """The terminal face for a person at a keyboard (a real terminal, or a test's pipe input)."""

    def __init__(self, clock: Clock, *, console: Console, prompt: PromptSession[str],
                 poll_seconds: float = 0.1) -> None:
        self.clock = clock
        self.console = console
        self.prompt = prompt
        self.poll_seconds = poll_seconds
        self.persona = ""
        self.mood: int | None = None
        self.deadline: datetime | None = None
        self._pending: asyncio.Future[str | None] | None = None

    # --- what the learner sees ------------------------------------------------------------

    def say(self, text: str, style: str | None = None) -> None:
        self.console.print(Text(text, style=style or ""))

    def toolbar(self) -> FormattedText:
        """Customer, mood and the seconds left, redrawn every half second."""
        parts = [("bg:#333333 #ffffff", f" {self.persona or 'customer'} ")]
        if self.mood is not None:
            colour = "#88ff88" if self.mood > 0 else "#ff8888" if self.mood < 0 else "#ffff88"
            parts.append((f"bg:#333333 {colour}", f"· mood {self.mood:+d} "))
        if self.deadline is not None:
            left = max(0, int((self.deadline - self.clock()).total_seconds() + 0.999))
            parts.append(("bg:#aa0000 #ffffff bold" if left <= 10 else "bg:#005f00 #ffffff",
                          f" {left}s left " if left else " time is up "))
        parts.append(("bg:#333333 #aaaaaa", " /help for commands "))
        return FormattedText(parts)

    async def show_brief(self, scenario: Scenario, reply_seconds: int) -> None:
        self.persona, self.mood = scenario.persona.name, scenario.persona.starting_mood
        self.console.rule(f"[bold]{scenario.title}")
        self.console.print(scenario.brief.strip())
        self.console.print(f"[bold]Your authority:[/bold] {scenario.authority.description}")
        self.console.print(f"You have [bold]{reply_seconds} seconds[/bold] for each reply; the clock is in the "
                           "bar at the bottom.")
        self.say(messages.TERMINAL_HELP, "dim")

    async def show_customer(self, line: CustomerLine) -> None:
        before, self.mood, self.persona, self.deadline = self.mood, line.mood, line.persona, line.deadline
        head = Text(f"\n{line.persona} ", style="bold")
        change = "" if before is None or before == line.mood else f" {'▲' if line.mood > before else '▼'}"
        head.append(f"(mood {line.mood:+d}{change})", style=mood_style(line.mood))
        head.append(f": {line.text}")
        self.console.print(head)

    async def show_problem(self, message: str) -> None:
        self.say(f"! {message}", "bold red")

    async def show_notice(self, message: str) -> None:
        self.say(message, "bold yellow")

    async def show_report(self, report: dict[str, Any]) -> None:
        self.deadline = None  # the end is drawn by the session (report, mood curve, reflective log)

    # --- what the learner types -----------------------------------------------------------

    async def _read_reply(self) -> str | None:
        """The next line; None for Ctrl-C (caught here: a KeyboardInterrupt escaping a task stops the loop)."""
        try:
            return await self.prompt.prompt_async([("bold", "You: ")], bottom_toolbar=self.toolbar,
                                                  refresh_interval=0.5)
        except KeyboardInterrupt:
            return None

    def _start_prompt(self) -> asyncio.Future[str | None]:
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._read_reply())
        return self._pending

    async def next_event(self, deadline: datetime | None) -> LearnerEvent:
        self.deadline = deadline
        while True:
            pending = self._start_prompt()
            done, _ = await asyncio.wait({pending}, timeout=self.poll_seconds)
            if not done:
                if deadline is not None and self.clock() >= deadline:
                    self.say(messages.TIME_IS_UP, "yellow")
                    return LearnerEvent("silence")  # the prompt, and what is typed in it, stay
                continue
            self._pending = None
            try:
                line = pending.result()
            except EOFError:
                return LearnerEvent("end")
            if line is None:
                return LearnerEvent("pause")
            event = event_for(line, self.say)
            if event is not None:
                return event

    async def ask(self, question: str) -> str | None:
        """One line for a question outside the call (picker, reflective log); None on Ctrl-C or Ctrl-D."""
        self.deadline = None
        self.console.print(Text(question.rstrip(), style="bold"))
        try:
            return await self.prompt.prompt_async([("bold", "> ")])
        except (KeyboardInterrupt, EOFError):
            return None

    async def left_over_lines(self) -> list[str]:
        """Lines typed or pasted after the call ended (half-typed, queued or unread), taken off the input."""
        text = ""
        if self._pending is not None and not self._pending.done():
            text = self.prompt.default_buffer.text + "\n"
        await self.close()
        keys = list(get_typeahead(self.prompt.input))
        with contextlib.suppress(OSError, ValueError):
            keys += self.prompt.input.read_keys() + self.prompt.input.flush_keys()
        for key in keys:
            if key.key in _LINE_ENDS:
                text += "\n"
            elif key.key == Keys.BracketedPaste or (isinstance(key.key, str) and key.key == key.data):
                text += key.data
        return [line for line in text.replace("\r", "\n").split("\n") if line.strip()]

    async def close(self) -> None:
        """Stop a prompt still waiting (the call ended while the learner was typing)."""
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            self.prompt.app.exit(exception=EOFError)
            with contextlib.suppress(EOFError, KeyboardInterrupt, asyncio.CancelledError):
                await pending
