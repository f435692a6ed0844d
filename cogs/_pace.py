"""A send queue that keeps bulk messages (the daily reminders) inside Discord's limits.

Discord allows about 50 requests a second per bot and frowns on bursts of DMs; a reminder is
two requests (open the DM channel, send). The queue sends one item at a time, no more than
`per_second` a second, so 5,000 reminders falling due together leave at a steady pace while
interactions and role-play replies keep the rest of the budget. The clock and the sleep are
injectable so a test can check the pace without waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
DMS_PER_SECOND = 5.0
STOP_GRACE_SECONDS = 30.0  # a send in flight at stop is let finish, so it is settled, not sent twice

Send = Callable[[], Awaitable[None]]


class Paced:
    """A FIFO of message sends drained by one task at a fixed pace."""

    def __init__(self, per_second: float = DMS_PER_SECOND, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = 1.0 / per_second
        self.queue: asyncio.Queue[Send] = asyncio.Queue()
        self._clock = clock
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()  # set while no send is running
        self._idle.set()
        self.stopping = False

    def start(self) -> None:
        if self._task is None:
            self.stopping = False
            self._task = asyncio.create_task(self._drain(), name="paced-sends")

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop sending: the send in flight (if any) may finish within `grace`; the queued ones are left."""
        if self._task is None:
            return
        self.stopping = True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("a paced send was still running after %.0f s; stopped", grace)
        self._task.cancel()
        self._task = None

    def put(self, send: Send) -> None:
        """Queue a send (a coroutine function); it runs after those queued before it."""
        self.queue.put_nowait(send)

    async def _drain(self) -> None:
        while True:
            send = await self.queue.get()
            if self.stopping:
                self.queue.task_done()
                return
            began = self._clock()
            self._idle.clear()
            try:
                await send()
            except Exception:
                log.exception("a paced send failed")
            finally:
                self._idle.set()
                self.queue.task_done()
            await self._sleep(max(0.0, self.interval - (self._clock() - began)))
