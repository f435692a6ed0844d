"""Discord's own failures, as the fake models them, and what the learner or admin sees."""

from __future__ import annotations

import logging

import discord
import pytest
from fake_discord import FakeClock
from fake_discord.world import CREATE_PRIVATE_THREADS, DEFAULT_EVERYONE_PERMISSIONS, SEND_MESSAGES
from test_roleplay import customer_posts, start_roleplay

WEBHOOK_POST = r"/webhooks/\d+/[^/]+"


@pytest.mark.parametrize("is_global", [False, True])
async def test_a_rate_limited_customer_line_is_retried_after_retry_after_and_sent_once(server, is_global):
    fake = server.fake
    fake.fail("GET", r"/channels/\d+/webhooks", status=403, times=5)  # lines go through the bot's own client
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        post = rf"/channels/{thread}/messages"
        fake.rate_limit("POST", post, retry_after=0.2, is_global=is_global)
        mark = len(fake.requests)
        before = len(fake.messages_in(thread))
        await fake.send_message(thread, server.learner, "I'm so sorry about this. What happened?")
        await fake.wait_for(lambda: len(fake.messages_in(thread)) > before, timeout=30,  # the first reply
                            what="the customer's answer")                               # loads the model
        answers = fake.messages_in(thread)[before:]
        posts = fake.find_requests("POST", post, since=mark)
        assert len(posts) == 2  # the 429, then the retry
        assert posts[1].at - posts[0].at >= 0.2  # it waited as long as Discord said
        assert len(answers) == 1  # the line arrived once
        turns = bot.services.roleplay.turns(row.id)
        assert [t.speaker for t in turns] == ["customer", "learner", "customer"]
        assert answers[0]["embeds"][0]["description"].startswith(turns[-1].text[:40])


async def test_a_bad_gateway_is_retried_and_the_line_arrives_once(server):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        before = len(customer_posts(fake, thread))
        fake.fail("POST", WEBHOOK_POST, status=502, message="Bad Gateway", code=0)
        await fake.send_message(thread, server.learner, "I'm so sorry about this. What happened?")
        await fake.wait_for(lambda: len(customer_posts(fake, thread)) > before, timeout=30,
                            what="the customer's answer after the retry")
        assert len(customer_posts(fake, thread)) == before + 1
        assert len(bot.services.roleplay.turns(row.id)) == 3


def bot_role(fake, guild: int) -> int:
    roles = fake.world.guilds[guild].roles
    return next(int(r["id"]) for r in roles.values() if (r.get("tags") or {}).get("bot_id"))


@pytest.mark.parametrize("when", ["known at login", "changed since"])
async def test_without_create_private_threads_the_learner_is_told_which_permission_where(server, caplog, when):
    fake = server.fake
    fake.world.guilds[server.guild].roles[bot_role(fake, server.guild)]["permissions"] = str(
        DEFAULT_EVERYONE_PERMISSIONS | (1 << 29))  # an ordinary role: no Administrator
    if when == "known at login":
        fake.add_overwrite(server.practice, bot_role(fake, server.guild), deny=CREATE_PRIVATE_THREADS)
    async with server.bot() as bot:
        if when == "changed since":  # Discord knows; the bot's cache does not
            fake.add_overwrite(server.practice, bot_role(fake, server.guild), deny=CREATE_PRIVATE_THREADS)
        interaction = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay start",
                                              options={"scenario": "faulty-kettle"})
        if (await interaction.response())["type"] == 5:
            text = (await interaction.followup())["content"]
        else:
            text = interaction.data["content"]
        assert "missing **Create Private Threads** in " + f"<#{server.practice}>" in text
        assert bot.services.roleplay.active_for(str(server.learner)) is None
    assert any("missing Create Private Threads in #practice" in r.getMessage() for r in caplog.records)
    refused = fake.find_requests("POST", rf"/channels/{server.practice}/threads")
    assert len(refused) == (0 if when == "known at login" else 1)  # asked only when the cache was stale


async def test_discord_refuses_what_is_over_its_limits_with_invalid_form_body(server):
    async with server.bot() as bot:
        channel = bot.get_channel(server.practice)
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("x" * 2001)
        assert refused.value.status == 400 and refused.value.code == 50035
        assert "Must be 2000 or fewer in length." in str(refused.value)


async def test_on_a_slow_discord_every_command_is_answered_or_deferred_within_three_seconds(server):
    fake = server.fake
    fake.clock, fake.seconds_per_request = FakeClock(), 1.0  # each REST call takes a second
    async with server.bot() as bot:
        interaction, row = await start_roleplay(server, bot)  # thread, member, brief, webhook: ~6 s
        assert interaction.type == 5 and fake.clock() - interaction.created > 3
        assert f"<#{row.channel_id}>" in (await interaction.followup())["content"]  # token still valid
        end = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay end")
        assert (await end.response())["type"] == 4
    late = [r for r in fake.find_requests("POST", r"/interactions/\d+/[^/]+/callback")
            if fake.interactions[int(r.path.split("/")[2])].callback is None]
    assert late == []  # no callback came after Discord's 3 s (it would have been refused with 10062)


async def test_without_the_message_content_intent_the_learner_and_the_log_are_told(server, caplog):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
    async with server.bot(message_content=False) as bot2:
        thread = int(row.channel_id)
        await fake.send_message(thread, server.learner, "I'm so sorry about this. What happened?")
        told = await fake.wait_for_message(thread, lambda m: "Message Content" in (m.get("content") or ""))
        assert "Nothing was recorded" in told["content"]
        assert len(bot2.services.roleplay.turns(row.id)) == 1  # no blank reply stored as the learner's
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("without the Message Content intent" in text for text in logged), logged
    assert any("arrived blank" in text for text in logged), logged
    caplog.clear()  # expected: these lines are the operator's alarm


async def test_asking_for_the_intent_the_portal_has_not_enabled_stops_the_bot_with_its_name(server):
    server.fake.message_content_enabled = False
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with server.bot():
            pass


async def test_setup_show_tells_the_admin_which_permission_is_missing_in_which_channel(server):
    fake = server.fake
    role = bot_role(fake, server.guild)
    fake.world.guilds[server.guild].roles[role]["permissions"] = str(
        DEFAULT_EVERYONE_PERMISSIONS | (1 << 29))  # an ordinary role: no Administrator
    fake.add_overwrite(server.practice, role, deny=CREATE_PRIVATE_THREADS)
    fake.add_overwrite(server.cohort, role, deny=SEND_MESSAGES)
    gone = fake.add_text_channel(server.guild, "old-cohort")
    async with server.bot():
        for channel in (server.cohort, gone):
            await (await fake.invoke_slash(server.guild, server.practice, server.admin, "setup cohort-channel",
                                           options={"channel": channel})).response()
        del fake.world.channels[gone]  # deleted while the bot was away: not in its cache after a restart
    async with server.bot():
        show = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup show")
        fields = {f["name"]: f["value"] for f in (await show.response())["data"]["embeds"][0]["fields"]}
    audit = fields["My permissions"].splitlines()
    assert audit == [
        f"⚠️ <#{server.practice}> (role-plays start here): missing **Create Private Threads**: allow it for "
        "my role in the channel's permissions",
        f"⚠️ <#{server.cohort}> (cohort quizzes): missing **Send Messages**, **Embed Links**: allow it for my "
        "role in the channel's permissions",  # without Send Messages, Discord drops Embed Links too
        f"⚠️ channel {gone} (cohort quizzes) no longer exists or I can't see it: remove it with /setup",
    ]
    fake.add_overwrite(server.practice, role)  # the admin fixes both
    fake.add_overwrite(server.cohort, role)
    async with server.bot():
        show = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup show")
        fields = {f["name"]: f["value"] for f in (await show.response())["data"]["embeds"][0]["fields"]}
    assert fields["My permissions"].splitlines()[:2] == [
        f"✅ <#{server.practice}> (role-plays start here): all I need",
        f"✅ <#{server.cohort}> (cohort quizzes): all I need"]


async def test_an_answer_later_than_the_tokens_fifteen_minutes_comes_by_direct_message(server, caplog):
    fake = server.fake
    fake.clock = FakeClock()
    fake.slow("POST", rf"/channels/{server.practice}/threads", 16 * 60)  # Discord takes 16 min to make the thread
    async with server.bot() as bot:
        interaction = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay start",
                                              options={"scenario": "faulty-kettle"})
        assert (await interaction.response())["type"] == 5  # deferred in time
        dm = fake.dm_channel_id(server.learner)
        told = await fake.wait_for_message(dm, lambda m: "Your role-play is ready" in (m.get("content") or ""),
                                           timeout=15)
        row = bot.services.roleplay.active_for(str(server.learner))
        assert f"<#{row.channel_id}>" in told["content"]  # the learner still finds the thread
        assert fake.find_requests("POST", rf"/webhooks/\d+/{interaction.token}"), "the follow-up was tried first"
        assert fake.clock() - interaction.created > 15 * 60
        assert interaction.followups == []  # Discord refused it (401 50027)
    assert any("token expired" in r.getMessage() and "direct message" in r.getMessage() for r in caplog.records)
