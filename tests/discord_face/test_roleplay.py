"""Role-plays through the real discord.py client and the fake Discord: the learner's journey."""

from __future__ import annotations

import re

EPHEMERAL = 64


async def start_roleplay(server, bot, scenario="faulty-kettle", user=None):
    fake = server.fake
    user = user or server.learner
    interaction = await fake.invoke_slash(server.guild, server.practice, user, "roleplay start",
                                          options={"scenario": scenario})
    if (await interaction.response())["type"] == 5:  # deferred while the thread is made
        await interaction.followup()
    row = bot.services.roleplay.active_for(str(user))
    return interaction, row


def customer_posts(fake, thread_id):
    return [m for m in fake.messages_in(int(thread_id)) if m.get("webhook_id")]


async def say(server, thread_id, text, user=None):
    """The learner writes in the thread; wait until the customer (or a notice) answers."""
    fake = server.fake
    before = len(fake.messages_in(int(thread_id)))
    await fake.send_message(int(thread_id), user or server.learner, text)
    await fake.wait_for(lambda: len(fake.messages_in(int(thread_id))) > before, what="an answer")
    return fake.messages_in(int(thread_id))[before:]


async def test_full_roleplay_reflection_and_mentor_signoff(server):
    fake = server.fake
    async with server.bot() as bot:
        interaction, row = await start_roleplay(server, bot)
        first = await interaction.followup()
        assert interaction.ephemeral and f"<#{row.channel_id}>" in first["content"]
        thread = int(row.channel_id)
        assert server.learner in fake.thread_member_ids(thread)
        posts = fake.messages_in(thread)
        brief = posts[0]["embeds"][0]
        assert "Faulty kettle" in brief["title"] or "kettle" in brief["title"].lower()
        opening = customer_posts(fake, thread)[0]
        assert opening["author"]["username"].endswith("(customer)")
        assert re.search(r"<t:\d+:R>", opening["content"])

        # a mentor watching writes in the thread: the session is not disturbed
        n_turns = len(bot.services.roleplay.turns(row.id))
        await fake.send_message(thread, server.mentor, "Just observing, carry on!")
        await say(server, thread, "Oh no, I'm so sorry. That sounds really frustrating. What happened?")
        assert len(bot.services.roleplay.turns(row.id)) == n_turns + 2

        script = [
            "So the kettle stopped working after three weeks and the shop turned you away, is that right?",
            "I'm sorry you were treated like that. Under the Consumer Rights Act you're entitled to a full "
            "refund within 30 days, so I'll process a full refund of £89 for you today.",
            "I've logged this as a complaint. Is there anything else I can help with today?",
        ]
        for text in script:
            if bot.services.roleplay.get(row.id).status != "active":
                break
            await say(server, thread, text)
        if bot.services.roleplay.get(row.id).status == "active":
            end = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay end")
            assert (await end.response())["data"]["flags"] == EPHEMERAL
        await fake.wait_for(lambda: any(m.get("embeds") and "Feedback" in m["embeds"][0].get("title", "")
                                        for m in fake.messages_in(thread)), what="the report")
        report_msg = next(m for m in fake.messages_in(thread)
                          if m.get("embeds") and "Feedback" in m["embeds"][0].get("title", ""))
        assert report_msg["attachments"][0]["filename"] == "mood.png"
        png = fake.file_bytes(report_msg["attachments"][0]["id"])
        assert png.startswith(b"\x89PNG")
        fields = {f["name"]: f["value"] for f in report_msg["embeds"][0]["fields"]}
        assert "Sincere apology" in fields.get("✅ Earned credit", "")
        button = report_msg["components"][0]["components"][0]
        assert button["custom_id"] == f"composure:reflect:{row.id}"

        # someone else cannot write this learner's log
        other = await fake.click_button(report_msg, button["custom_id"], server.other_learner)
        assert (await other.response())["data"]["flags"] == EPHEMERAL
        click = await fake.click_button(report_msg, button["custom_id"], server.learner)
        modal = await click.response()
        assert modal["type"] == 9 and len(modal["data"]["components"]) == 5
        answers = {"what_happened": "A customer with a broken kettle.", "feelings": "Nervous, then calmer.",
                   "evaluation": "Listening went well.", "do_differently": "Paraphrase sooner.",
                   "action_plan": "Practise the abusive caller next."}
        submitted = await fake.submit_modal(modal["data"]["custom_id"], answers, server.learner, thread,
                                            server.guild)
        saved = (await submitted.response())["data"]
        assert "saved" in saved["content"] and saved["flags"] == EPHEMERAL
        log_feedback = saved["embeds"][0]["description"]  # Gibbs stages and thin spots, from the learner's words
        assert "Gibbs stages covered: 4 of 6" in log_feedback and 'Thin: No concrete "next time"' in log_feedback

        # the mentor: refused until the role is configured, then queue, feedback, sign-off, export
        refused = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review queue")
        body = await refused.response()
        assert body["data"]["flags"] == EPHEMERAL and "Only mentors" in body["data"]["content"]
        setup = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup mentor-role",
                                        options={"role": server.mentor_role})
        assert "Mentors are now" in (await setup.response())["data"]["content"]
        queue = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review queue")
        assert f"#{row.id}" in (await queue.response())["data"]["embeds"][0]["description"]
        feedback = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review feedback",
                                           options={"session": row.id})
        fb_modal = await feedback.response()
        assert fb_modal["type"] == 9
        sent = await fake.submit_modal(fb_modal["data"]["custom_id"], {fb_modal["data"]["components"][0]
                                       ["components"][0]["custom_id"]: "Lovely paraphrase."},
                                       server.mentor, server.practice, server.guild)
        await sent.response()
        sign = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review signoff",
                                       options={"session": row.id})
        assert "signed off" in (await sign.response())["data"]["content"]
        await fake.wait_for(lambda: any("signed this role-play off" in (m.get("content") or "")
                                        for m in fake.messages_in(thread)), what="the learner told")
        export = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review export",
                                         options={"session": row.id, "format": "html"})
        body = await export.response()
        assert body["data"]["flags"] == EPHEMERAL
        assert body["files"][0]["filename"] == f"composure-session-{row.id}.html"
        page = fake.file_bytes(body["files"][0]["id"]).decode()
        assert "Lovely paraphrase." in page and "Nervous, then calmer." in page
        assert "Analysis: not found." in page  # the mentor sees the log's feedback beside it


async def test_refusals(server):
    fake = server.fake
    async with server.bot() as bot:
        unknown = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay start",
                                          options={"scenario": "dragon-slayer"})
        body = (await unknown.response())["data"]
        assert body["flags"] == EPHEMERAL and "faulty-kettle" in body["content"]
        _, row = await start_roleplay(server, bot)
        again = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay start",
                                        options={"scenario": "faulty-kettle"})
        body = (await again.response())["data"]
        assert "already have a role-play" in body["content"] and body["flags"] == EPHEMERAL
        for user, command in ((server.learner, "setup show"), (server.mentor, "setup timezone")):
            options = {"zone": "Europe/Paris"} if command == "setup timezone" else None
            refused = await fake.invoke_slash(server.guild, server.practice, user, command, options=options)
            body = (await refused.response())["data"]
            assert "Only server admins" in body["content"] and body["flags"] == EPHEMERAL
        bad_zone = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup timezone",
                                           options={"zone": "Mars/Base"})
        assert "not a time zone" in (await bad_zone.response())["data"]["content"]
        empty = await say(server, row.channel_id, "   ")
        assert empty and "⚠️" in (empty[-1].get("content") or "")
        huge = await say(server, row.channel_id, "word " * 900)
        assert "limit" in huge[-1]["content"]
        assert [t.speaker for t in bot.services.roleplay.turns(row.id)] == ["customer"]  # nothing lost or added


async def test_autocomplete_lists_scenarios(server):
    async with server.bot():
        answer = await server.fake.autocomplete(server.guild, server.practice, server.learner, "roleplay start",
                                                focused="scenario", value="kett")
        body = await answer.response()
        assert [c["value"] for c in body["data"]["choices"]] == ["faulty-kettle"]


async def test_missed_deadline_gets_the_personas_reaction(server):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        before = len(customer_posts(fake, thread))
        server.clock.advance(seconds=row.reply_seconds + 1)
        await bot.tick()
        await fake.wait_for(lambda: len(customer_posts(fake, thread)) > before, what="the silence reaction")
        turns = bot.services.roleplay.turns(row.id)
        assert [(t.speaker, t.kind) for t in turns[-2:]] == [("learner", "silence"), ("customer", "line")]
        assert customer_posts(fake, thread)[-1]["content"].startswith(turns[-1].text[:40])


async def test_restart_mid_session_answers_the_pending_reply(server):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        await say(server, thread, "I'm so sorry about this. What happened?")
    # the process died right after storing a reply, before the customer answered it
    from bot.storage.db import Database
    from bot.storage.models import Turn

    db = Database(server.db_url)
    with db.session() as s:
        n = len(bot.services.roleplay.turns(row.id))
        s.add(Turn(session_id=row.id, position=n, speaker="learner", text="Could you tell me more?",
                   created_at=server.clock.now))
    db.dispose()
    posts_before = len(customer_posts(fake, thread))
    async with server.bot() as bot2:
        await fake.wait_for(lambda: len(customer_posts(fake, thread)) > posts_before, what="the resumed answer")
        turns = bot2.services.roleplay.turns(row.id)
        assert [t.speaker for t in turns] == ["customer", "learner", "customer", "learner", "customer"]
        assert turns[3].text == "Could you tell me more?" and turns[3].marks  # marked after the restart
        await say(server, thread, "I'll arrange a full refund for you today.")


async def test_restart_with_the_thread_gone_closes_the_session_with_a_message(server):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
    fake.world.channels.pop(int(row.channel_id))  # someone deleted the thread while the bot was down
    async with server.bot() as bot2:
        await fake.wait_for(lambda: bot2.services.roleplay.get(row.id).status == "ended", what="closed")
        assert bot2.services.roleplay.get(row.id).outcome == "ended_by_learner"
        dm = fake.dm_channel_id(server.learner)
        await fake.wait_for(lambda: any("could not continue" in (m.get("content") or "")
                                        for m in fake.messages_in(dm)), what="a DM")


async def test_reflection_reminder_fires_after_a_restart(server):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        end = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay end")
        await end.response()
    server.clock.advance(minutes=61)
    async with server.bot() as bot2:
        await bot2.tick()
        thread = int(row.channel_id)
        msg = await fake.wait_for_message(thread, lambda m: "reflective log" in (m.get("content") or ""))
        assert msg["components"][0]["components"][0]["custom_id"] == f"composure:reflect:{row.id}"
        server.clock.advance(minutes=5)
        await bot2.tick()  # not again until the next day
        assert sum("reflective log" in (m.get("content") or "") for m in fake.messages_in(thread)) == 1
        server.clock.advance(days=1)
        await bot2.tick()
        await fake.wait_for(lambda: sum("reflective log" in (m.get("content") or "")
                                        for m in fake.messages_in(thread)) == 2, what="the next day's reminder")


async def test_without_webhook_permission_the_customer_speaks_in_an_embed(server):
    fake = server.fake
    fake.fail("GET", r"/channels/\d+/webhooks", status=403, times=5)
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        opening = await fake.wait_for_message(thread, lambda m: bool(m.get("embeds")) and
                                              m["embeds"][0].get("author", {}).get("name", "").endswith("(customer)"))
        assert opening["embeds"][0]["author"]["name"] == "Dana Hughes (customer)"
        assert "<t:" in opening["embeds"][0]["description"]
        answers = await say(server, thread, "I'm so sorry about this, what happened?")
        assert answers[-1]["embeds"][0]["author"]["name"] == "Dana Hughes (customer)"
    assert not fake.find_requests("POST", r"/channels/\d+/webhooks")
