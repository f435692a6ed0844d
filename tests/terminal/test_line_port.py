"""Piped input reads the deadline from the injected clock, so a test moves time instead of waiting for it."""

from __future__ import annotations

import asyncio
import io
import os

from rich.console import Console

from bot import messages
from bot.clock import ManualClock
from bot.terminal.practice import LinePort, StdinReader


async def test_the_deadline_passes_when_the_clock_is_moved_while_waiting():
    clock = ManualClock()
    shown = io.StringIO()
    read_end, write_end = os.pipe()  # input that does not come until the end
    with os.fdopen(read_end) as stream:
        port = LinePort(Console(file=shown), clock, poll_seconds=0.01)
        port.reader = StdinReader(stream)
        try:
            waiting = asyncio.ensure_future(port.next_event(clock.now.replace(minute=10)))
            await asyncio.sleep(0)  # the port is now waiting for a line, its deadline ten minutes away
            assert not waiting.done()
            clock.advance(minutes=10)
            event = await asyncio.wait_for(waiting, 30)  # the guard only; a poll sees the clock at once
        finally:
            os.close(write_end)  # the reader thread sees the end of input and lets go of the stream
            assert await port.reader.queue.get() is None
    assert event.kind == "silence"
    assert messages.TIME_IS_UP in shown.getvalue()
