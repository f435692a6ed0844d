"""The Discord face as discord.py's AutoShardedBot: two shards in one process.

A role-play runs as on the plain bot, and when one shard alone loses its gateway session
(INVALID_SESSION, the replies written meanwhile never arrive as events), that shard's role-plays
are read back and answered once, without a restart notice.
"""

from __future__ import annotations

import pytest
from test_roleplay import customer_posts, say, start_roleplay

from bot.app import ShardedComposureBot
from bot.services import build_services
from bot.storage.db import Database

pytestmark = pytest.mark.asyncio
SHARDS = 2
LOGIN = 60.0  # seconds: discord.py waits 5 s before each IDENTIFY after a process's first (Discord's limit)


def sharded_bot(server) -> tuple[ShardedComposureBot, Database]:
    db = Database(server.db_url)
    services = build_services(server.settings(), clock=server.clock, db=db)
    bot = ShardedComposureBot(services, tick_seconds=None, sync_guild_id=server.guild,
                              shard_count=SHARDS, shard_ids=None)
    return bot, db


async def test_a_roleplay_on_the_sharded_bot_and_one_shard_losing_its_session(server):
    fake = server.fake
    bot, db = sharded_bot(server)
    shard = (server.guild >> 22) % SHARDS
    try:
        async with fake.running(bot, timeout=LOGIN):
            assert sorted(i["shard"] for i in fake.gateway.identifies) == [[0, SHARDS], [1, SHARDS]]
            assert bot.get_guild(server.guild).shard_id == shard
            _, row = await start_roleplay(server, bot)
            thread = int(row.channel_id)
            answered = await say(server, thread, "I'm so sorry your kettle stopped working. What happened?")
            assert any(m.get("webhook_id") for m in answered)
            posts = len(customer_posts(fake, thread))

            # Only the guild's shard goes away; Discord forgets its session, so the RESUME fails
            # and the reply written meanwhile is never sent as an event.
            fake.gateway.open.clear()
            (lost,) = [s for s in fake.gateway.live if s.shard == (shard, SHARDS)]
            lost.dropped = True
            await lost.ws.close(code=4000, message=b"fake discord closing one shard")
            await fake.wait_for(lambda: lost not in fake.gateway.sessions, what="the shard to be disconnected")
            await fake.send_message(thread, server.learner, "Could you tell me the order number, please?")
            fake.gateway.forget_sessions()
            fake.gateway.open.set()

            await fake.wait_for(lambda: len(customer_posts(fake, thread)) == posts + 1, timeout=LOGIN,
                                what="the reply written while the shard was away, answered")
            assert [i["shard"] for i in fake.gateway.identifies].count([shard, SHARDS]) == 2
            assert len(bot.services.roleplay.turns(row.id)) == 5
            assert not any("I restarted" in (m.get("content") or "") for m in fake.messages_in(thread))
    finally:
        db.dispose()
