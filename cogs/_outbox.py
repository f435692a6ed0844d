"""The Discord side of the outbox (bot/outbox.py): claimed messages leave through a paced queue.

One batch is claimed at a time (off the event loop) and the next only when the queue has sent it,
so few messages are ever held by this process. Each send is settled in the database at once: sent,
refused by Discord for good (403 DMs closed, 404 unknown user: dropped, not retried), or failed for
now (tried again later). At a stop the send in flight finishes and the unsent claims are handed
back, so the next process sends them, each once. Woken at start, by a stored message's event and
by every tick (a failed message's retry, another process's expired claim).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.app import ComposureBot
from bot.outbox import Outgoing
from cogs._pace import Paced

log = logging.getLogger(__name__)

Deliver = Callable[[Outgoing], Awaitable[None]]  # sends one message; raises discord.HTTPException on failure


class OutboxSender:
    """Drains the outbox through a `Paced` queue, settling each message as it goes."""

    def __init__(self, bot: ComposureBot, deliver: Deliver, paced: Paced | None = None) -> None:
        self.bot = bot
        self.outbox = bot.services.outbox
        self.deliver = deliver
        self.paced = paced or Paced()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unsettled: set[int] = set()  # claimed by this process, not yet sent or settled

    def start(self) -> None:
        if self._task is None:
            self.paced.start()
            self._task = asyncio.create_task(self._pump(), name="outbox-sender")

    def wake(self) -> None:
        """Look for messages to send (now, or after the batch being sent)."""
        self._wake.set()

    async def stop(self) -> None:
        """Let the send in flight finish, then hand back what this process claimed but did not send."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        await self.paced.stop()
        if self._unsettled:
            left, self._unsettled = set(self._unsettled), set()
            await self.bot.off_loop(self.outbox.release, left, self.bot.services.clock())

    async def _pump(self) -> None:
        try:
            await self.bot.off_loop(self.outbox.recover, self.bot.services.clock())
        except Exception:
            log.warning("could not free the outbox claims left by a previous process", exc_info=True)
        self._wake.set()
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while batch := await self.bot.off_loop(self.outbox.claim, self.bot.services.clock()):
                    self._unsettled.update(item.id for item in batch)
                    for item in batch:
                        self.paced.put(functools.partial(self._send, item))
                    await self.paced.queue.join()
            except Exception:  # the database away: the messages wait there; the next tick tries again
                log.warning("could not claim the outbox's messages; trying again at the next tick", exc_info=True)

    async def _send(self, item: Outgoing) -> None:
        try:
            await self.deliver(item)
        except (discord.Forbidden, discord.NotFound) as exc:
            await self.bot.off_loop(self.outbox.refused, item, f"{exc.status} {exc.text or exc}")
        except Exception as exc:  # 5xx, a timeout, a dropped connection: may work later
            await self.bot.off_loop(self.outbox.failed, item, f"{type(exc).__name__}: {exc}",
                                    self.bot.services.clock())
        else:
            await self.bot.off_loop(self.outbox.sent, item)
        self._unsettled.discard(item.id)
