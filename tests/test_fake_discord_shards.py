"""The fake serves a sharded login as Discord does, to discord.py's real AutoShardedClient.

GET /gateway/bot advises a shard count and reports the session start limit; each IDENTIFY
carries `shard: [id, count]`; each shard's connection gets READY and GUILD_CREATE for its own
guilds, `(guild_id >> 22) % count == id`, and only those guilds' events.
"""

from __future__ import annotations

import discord
import pytest
from fake_discord import FakeDiscord

pytestmark = pytest.mark.asyncio
LOGIN = 60.0  # seconds: discord.py waits 5 s before each IDENTIFY after a process's first (Discord's limit)


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> 22) % count


def guilds_on_every_shard(fake: FakeDiscord, count: int) -> dict[int, int]:
    """One guild per shard, {shard: guild}. Snowflakes carry the millisecond, so adding guilds until
    each shard has one ends as soon as the clock has moved `count` milliseconds."""
    found: dict[int, int] = {}
    for _ in range(1_000_000):
        gid = fake.add_guild(f"Guild {len(found)}")
        found.setdefault(shard_of(gid, count), gid)
        if len(found) == count:
            return found
    raise AssertionError("snowflakes never reached every shard")


class Recorder(discord.AutoShardedClient):
    """A bare sharded client that notes which shard each guild message arrived on."""

    def __init__(self, **options: object) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.message_content = True
        super().__init__(intents=intents, **options)  # type: ignore[arg-type]  # shard_count/shard_ids
        self.heard: list[tuple[int, str]] = []

    async def on_message(self, message: discord.Message) -> None:
        assert message.guild is not None
        self.heard.append((message.guild.shard_id, message.content))


def sent_events(fake: FakeDiscord, shard_id: int, event: str) -> list[dict]:
    session = next(s for s in fake.gateway.live if s.shard is not None and s.shard[0] == shard_id)
    return [data for _seq, name, data in session.sent if name == event]


async def test_each_shard_gets_its_own_guilds_and_their_events_only() -> None:
    async with FakeDiscord() as fake:
        guilds = guilds_on_every_shard(fake, 2)
        channels = {shard: fake.add_text_channel(gid, "practice") for shard, gid in guilds.items()}
        user = fake.add_user("learner")
        for gid in guilds.values():
            fake.add_member(gid, user)
        async with fake.running(Recorder(shard_count=2), timeout=LOGIN) as bot:
            assert sorted(i["shard"] for i in fake.gateway.identifies) == [[0, 2], [1, 2]]
            for shard in (0, 1):
                mine = {g for g in fake.world.guilds if shard_of(g, 2) == shard}
                (ready,) = sent_events(fake, shard, "READY")
                assert ready["shard"] == [shard, 2]
                assert {int(g["id"]) for g in ready["guilds"]} == mine
                assert {int(g["id"]) for g in sent_events(fake, shard, "GUILD_CREATE")} == mine
                assert bot.get_guild(guilds[shard]).shard_id == shard
            await fake.send_message(channels[1], user, "to shard one")
            await fake.send_message(channels[0], user, "to shard zero")
            await fake.wait_for(lambda: len(bot.heard) == 2, what="both messages")
            assert sorted(bot.heard) == [(0, "to shard zero"), (1, "to shard one")]
            assert [m["content"] for m in sent_events(fake, 0, "MESSAGE_CREATE")] == ["to shard zero"]
            assert [m["content"] for m in sent_events(fake, 1, "MESSAGE_CREATE")] == ["to shard one"]
    assert not fake.find_requests("GET", "/gateway/bot")  # a given count needs no advice


async def test_a_process_running_some_shards_sees_only_their_guilds() -> None:
    async with FakeDiscord() as fake:
        guilds = guilds_on_every_shard(fake, 3)
        async with fake.running(Recorder(shard_count=3, shard_ids=[2]), timeout=LOGIN) as bot:
            assert [i["shard"] for i in fake.gateway.identifies] == [[2, 3]]
            assert {g.id for g in bot.guilds} == {g for g in fake.world.guilds if shard_of(g, 3) == 2}
            assert bot.get_guild(guilds[0]) is None and bot.get_guild(guilds[2]) is not None
            channel = fake.add_text_channel(guilds[0], "elsewhere")
            user = fake.add_user("someone")
            fake.add_member(guilds[0], user)
            with pytest.raises(RuntimeError, match="no bot is logged in"):  # shard 0 has no connection
                await fake.send_message(channel, user, "nobody here serves this guild")


async def test_without_a_count_the_client_takes_discords_advice() -> None:
    async with FakeDiscord() as fake:
        guilds_on_every_shard(fake, 2)
        fake.recommended_shards = 2
        async with fake.running(Recorder(), timeout=LOGIN) as bot:
            assert bot.shard_count == 2
            assert sorted(i["shard"] for i in fake.gateway.identifies) == [[0, 2], [1, 2]]
            limits = await bot.fetch_session_start_limits()
            assert (limits.total, limits.remaining, limits.max_concurrency) == (1000, 998, 1)  # two IDENTIFYs
        assert len(fake.find_requests("GET", "/gateway/bot")) == 2  # the advice, then the limits


async def test_a_shard_id_outside_the_count_is_refused_with_4010() -> None:
    async with FakeDiscord() as fake:
        fake.add_guild()
        with pytest.raises(discord.ConnectionClosed) as refused:
            async with fake.running(Recorder(shard_count=2, shard_ids=[2]), timeout=LOGIN):
                pass
        assert refused.value.code == 4010
