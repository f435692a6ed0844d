"""Two bot processes, shards 0 and 1 of 2, on one PostgreSQL database and one fake Discord.

Each is the real bot (`tests/shard_bot.py`, a subprocess) with SHARD_COUNT=2 and its own
SHARD_IDS. Each logs in to its own shard and, after the start, recovers only its own guilds'
role-plays. The timer work (reply deadlines and jobs) is shared through the database: one process
is killed while it holds a claimed job, and the other finishes the batch. Nothing here sleeps:
every step waits for a line from a process or for a message in the fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from fake_discord import FakeDiscord
from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from bot.reflection import REMINDER_KIND
from bot.services import build_services
from bot.storage.db import Database
from bot.storage.models import Turn

pytestmark = [pytest.mark.postgres, pytest.mark.asyncio]
HERE = Path(__file__).resolve().parent
WAIT = 240.0  # seconds: generous for two bots loading the assessment model on a busy machine
RESTARTED = "I restarted, but your role-play carries on"
REMINDED = "the reflective log for your"
ACTIVE_PER_GUILD, ENDED_PER_GUILD = 4, 3


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("several bot processes share one PostgreSQL database (SQLite has one process)")
    return database_url


@dataclass
class BotProcess:
    """A bot subprocess: its stdout lines as they come, and commands on its stdin."""

    name: str
    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode().rstrip("\n"))
            self.changed.set()
        self.changed.set()

    async def wait_line(self, prefix: str, *, count: int = 1) -> list[str]:
        """The lines starting with `prefix`, once there are `count` of them (fails if the process ends)."""
        async def look() -> list[str]:
            while True:
                found = [line for line in self.lines if line.startswith(prefix)]
                if len(found) >= count:
                    return found
                if self.proc.returncode is not None:
                    raise AssertionError(f"{self.name} exited ({self.proc.returncode}) before {prefix!r}: "
                                         f"{self.lines[-5:]}")
                self.changed.clear()
                await self.changed.wait()
        try:
            return await asyncio.wait_for(look(), WAIT)
        except TimeoutError:
            raise AssertionError(f"{self.name} printed no {prefix!r} line within {WAIT:.0f} s "
                                 f"(blocked?); its last lines: {self.lines[-5:]}") from None

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{line}\n".encode())


@contextlib.asynccontextmanager
async def bot_process(name: str, fake: FakeDiscord, env: dict[str, str]) -> AsyncIterator[BotProcess]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "shard_bot.py"), cwd=HERE.parent,
        env={**os.environ, "FAKE_DISCORD_URL": f"http://127.0.0.1:{fake.port}", "DISCORD_TOKEN": "fake-token",
             "DEV_GUILD_ID": "", "LOG_LEVEL": "WARNING", **env},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    bot = BotProcess(name, proc)
    reader = asyncio.create_task(bot.read())
    try:
        yield bot
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        await reader


def shard_of(guild_id: int) -> int:
    return (guild_id >> 22) % 2


def texts(fake: FakeDiscord, channel_id: int, needle: str) -> list[str]:
    """The bot's messages in a channel containing `needle` (webhook posts included)."""
    found = []
    for message in fake.messages_in(channel_id):
        words = message["content"] + "".join(e.get("description") or "" for e in message.get("embeds") or [])
        if needle in words:
            found.append(words)
    return found


def customer_lines(fake: FakeDiscord, channel_id: int) -> list[dict[str, object]]:
    """The customer's lines in a thread: the bot posts them through the channel's webhook."""
    return [m for m in fake.messages_in(channel_id) if "webhook_id" in m]


async def test_two_shard_processes_share_the_timers_and_one_finishes_what_the_other_left(
        pg_url: str, tmp_path: Path) -> None:
    clock = ManualClock()
    async with FakeDiscord() as fake:
        guilds: dict[int, int] = {}  # shard -> guild
        while len(guilds) < 2:  # snowflakes carry the millisecond: both shards come within a few
            gid = fake.add_guild("Provider")
            guilds.setdefault(shard_of(gid), gid)
        settings = Settings(database_url=pg_url, reports_dir=tmp_path)
        services = build_services(settings, clock=clock)  # migrates the schema before either bot starts
        active: dict[int, int] = {}  # session -> thread
        ended: dict[int, int] = {}
        for shard, gid in guilds.items():
            channel = fake.add_text_channel(gid, "practice")
            for n in range(ACTIVE_PER_GUILD + ENDED_PER_GUILD):
                learner = fake.add_user(f"learner-{shard}-{n}")
                fake.add_member(gid, learner)
                thread = fake.add_thread(channel, f"role-play {shard}-{n}", member_ids=[learner])
                sid = services.roleplay.start(learner_id=str(learner), scenario_id="faulty-kettle",
                                              guild_id=str(gid), channel_id=str(thread), seed=n,
                                              reply_seconds=60).session_id
                if n < ACTIVE_PER_GUILD:
                    active[sid] = thread
                else:
                    services.roleplay.end(sid)  # plans its reflective-log reminder for tomorrow
                    ended[sid] = thread
        services.db.dispose()
        common = {"DATABASE_URL": pg_url, "SHARD_COUNT": "2", "COMPOSURE_NOW": clock.now.isoformat(),
                  "REPORTS_DIR": str(tmp_path)}
        async with bot_process("shard 0", fake, {**common, "SHARD_IDS": "0", "HOLD_KIND": REMINDER_KIND}) as doomed, \
                bot_process("shard 1", fake, {**common, "SHARD_IDS": "1"}) as survivor:
            await doomed.wait_line("ready")
            await survivor.wait_line("ready")
            assert sorted(i["shard"] for i in fake.gateway.identifies) == [[0, 2], [1, 2]]

            # After the start each process tells only its own shard's learners that it restarted.
            await fake.wait_for(lambda: all(texts(fake, t, RESTARTED) for t in active.values()), WAIT,
                                what="the restart notice in every active role-play")
            assert all(len(texts(fake, t, RESTARTED)) == 1 for t in active.values())

            # Two days on, every deadline and every reminder is due. Shard 0 ticks first: it answers
            # every overdue reply, then holds the first reminder it claims, its transaction open.
            later = (clock.now + timedelta(days=2)).isoformat()
            doomed.send(f"tick {later}")
            (holding,) = await doomed.wait_line("holding ")
            held = int(holding.rsplit(":", 1)[1])
            answered = {int(line.split()[-1]) for line in doomed.lines if line.startswith("event TurnResult")}
            assert answered == set(active)
            # It posts those answers while the reminder is held; they are out before it dies. (An answer
            # stored but not yet posted when a process dies is shown by the restart notice after it.)
            await fake.wait_for(lambda: all(customer_lines(fake, t) for t in active.values()), WAIT,
                                what="the customer's answer to every overdue reply")

            # Shard 1 ticks meanwhile: it is not blocked by the held row, and runs every other reminder.
            survivor.send(f"tick {later}")
            await survivor.wait_line("ticked")
            reminded = {int(line.split()[-1]) for line in survivor.lines if line.startswith("event ReflectionDue")}
            assert reminded == set(ended) - {held}
            assert not texts(fake, ended[held], REMINDED)

            # Shard 0 dies mid-batch. Its transaction is rolled back and shard 1 finishes the batch.
            doomed.proc.send_signal(signal.SIGKILL)
            assert await doomed.proc.wait() == -signal.SIGKILL
            ticks = 1
            while held not in reminded:  # the server notices the lost connection in its own time
                ticks += 1
                survivor.send(f"tick {later}")
                await survivor.wait_line("ticked", count=ticks)
                reminded |= {int(line.split()[-1]) for line in survivor.lines
                             if line.startswith("event ReflectionDue")}
            await fake.wait_for(lambda: all(texts(fake, t, REMINDED) for t in ended.values()), WAIT,
                                what="every reflective-log reminder")

        for sid, thread in ended.items():  # each reminder once, none twice
            assert len(texts(fake, thread, REMINDED)) == 1, sid
        for thread in active.values():  # each overdue reply answered by the customer once
            assert len(customer_lines(fake, thread)) == 1, customer_lines(fake, thread)
    check = Database(pg_url)
    try:
        with check.session() as s:
            silences = s.exec(select(Turn).where(Turn.kind == "silence")).all()
        assert sorted(t.session_id for t in silences) == sorted(active)  # one silence each, recorded once
    finally:
        check.dispose()
