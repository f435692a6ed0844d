"""Archived and locked practice threads, as Discord treats them, and what the learner sees."""

from __future__ import annotations

import pytest
from fake_discord.world import DEFAULT_EVERYONE_PERMISSIONS, MANAGE_WEBHOOKS
from test_discord_failures import bot_role
from test_roleplay import customer_posts, say, start_roleplay


async def test_an_archived_practice_thread_is_reopened_by_the_customer_and_the_session_goes_on(server):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        await fake.set_thread_state(thread, archived=True)  # auto-archived, or a moderator tidied up
        before = len(customer_posts(fake, thread))
        server.clock.advance(seconds=row.reply_seconds + 1)
        await bot.tick()  # the customer reacts to the silence: posting reopens the thread
        await fake.wait_for(lambda: len(customer_posts(fake, thread)) > before, what="the silence reaction")
        assert fake.world.channels[thread]["thread_metadata"]["archived"] is False
        assert bot.services.roleplay.get(row.id).status == "active"
        answer = await say(server, thread, "I'm so sorry, I was distracted. What happened with the kettle?")
        assert answer and answer[-1].get("webhook_id")  # the customer still answers the learner


@pytest.mark.parametrize(("archived", "code"), [(True, 50083), (False, 160005)])
async def test_a_locked_practice_thread_ends_the_session_and_the_learner_is_told_by_dm(server, caplog, archived,
                                                                                      code):
    fake = server.fake
    fake.world.guilds[server.guild].roles[bot_role(fake, server.guild)]["permissions"] = str(
        DEFAULT_EVERYONE_PERMISSIONS | MANAGE_WEBHOOKS)  # no Manage Threads: a lock binds the bot too
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        await fake.set_thread_state(thread, archived=archived, locked=True)
        mark = len(fake.requests)
        server.clock.advance(seconds=row.reply_seconds + 1)
        await bot.tick()
        dm = fake.dm_channel_id(server.learner)
        told = await fake.wait_for_message(dm, lambda m: "locked by a moderator" in (m.get("content") or ""),
                                           timeout=15)
        assert "faulty-kettle" in told["content"] and "Everything you wrote is kept" in told["content"]
        assert "Feedback" in told["embeds"][0]["title"]  # the report comes with the notice
        assert bot.services.roleplay.get(row.id).status == "ended"
        refused = fake.find_requests("POST", r"/webhooks/\d+/[^/]+", since=mark)
        assert refused and fake.world.channels[thread]["thread_metadata"]["locked"] is True
    assert any(f"refuses posts ({code}" in r.getMessage() for r in caplog.records)
