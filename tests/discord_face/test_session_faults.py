"""Faults that must not lose a learner's session: Discord failing, a scenario file gone, a terminal
learner's timer in a shared database."""

from __future__ import annotations

import logging
import shutil

import pytest
from test_roleplay import customer_posts, say, start_roleplay

from bot import jobs
from bot.quiz.daily import DAILY_KIND
from bot.quiz.schedule import bring_due
from bot.services import build_services


@pytest.mark.parametrize(("status", "code", "message"), [
    (503, 0, "Service Unavailable"),
    (403, 50001, "Missing Access"),
])
async def test_a_thread_discord_cannot_show_after_a_restart_is_kept_and_retried(server, caplog, status, code,
                                                                                message):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
    thread = int(row.channel_id)
    fake.world.channels[thread]["thread_metadata"]["archived"] = True  # not in GUILD_CREATE: fetched
    fake.fail("GET", rf"/channels/{thread}", status=status, code=code, message=message)
    async with server.bot() as bot2:
        await fake.wait_for(lambda: any("unreachable for now" in r.getMessage() for r in caplog.records),
                            what="the recovery to give up for now")
        assert bot2.services.roleplay.get(row.id).status == "active"  # not closed
        assert not fake.messages_in(fake.dm_channel_id(server.learner))  # no "could not continue"
        await bot2.tick()  # Discord answers now: the session carries on in its thread
        msg = await fake.wait_for_message(thread, lambda m: "I restarted" in (m.get("content") or ""))
        assert "customer is still waiting" in msg["content"]
        assert bot2.services.roleplay.get(row.id).status == "active"


async def test_a_missing_scenario_pauses_only_its_own_session_and_tells_the_learner(server, caplog, tmp_path):
    fake = server.fake
    async with server.bot() as bot:
        _, broken = await start_roleplay(server, bot, scenario="faulty-kettle")
        _, fine = await start_roleplay(server, bot, scenario="abusive-caller", user=server.other_learner)
    assert broken.id < fine.id  # the broken one comes first in every loop
    scenarios = tmp_path / "scenarios"
    shutil.copytree(server.settings().scenarios_dir, scenarios)
    (scenarios / "faulty-kettle.yaml").unlink()  # removed while its session was open

    def restarted_notes(row):
        return sum("I restarted" in (m.get("content") or "") for m in fake.messages_in(int(row.channel_id)))

    def told(row):
        return sum("can't load the customer" in (m.get("content") or "") for m in fake.messages_in(int(row.channel_id)))

    fine_posts = len(customer_posts(fake, fine.channel_id))
    async with server.bot(scenarios) as bot2:
        # the broken session's learner is told at once; the other session recovers as usual
        await fake.wait_for(lambda: told(broken) == 1 and restarted_notes(fine) == 1, what="recovery")
        message = next(m for m in fake.messages_in(int(broken.channel_id))
                       if "can't load the customer" in (m.get("content") or ""))
        assert f"<@{server.learner}>" in message["content"] and "`faulty-kettle`" in message["content"]
        server.clock.advance(seconds=max(broken.reply_seconds, fine.reply_seconds) + 1)
        await bot2.tick()
        await fake.wait_for(lambda: len(customer_posts(fake, fine.channel_id)) > fine_posts,
                            what="the other session's customer to react to the silence")
        await bot2.tick()
        assert told(broken) == 1  # its clock stopped: not told again every tick
        assert bot2.services.roleplay.get(broken.id).status == "active"  # kept, words and all

    # a restart with the file still missing: recovery goes on past the broken session
    async with server.bot(scenarios):
        await fake.wait_for(lambda: told(broken) == 2, what="the learner told again")
        await fake.wait_for(lambda: restarted_notes(fine) == 2, what="the other session recovered")
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("faulty-kettle" in text and "cannot be loaded" in text for text in logged), logged
    caplog.clear()  # the error was expected: it is what tells the admin


async def test_a_terminal_learners_daily_job_does_not_break_the_discord_reminders(server):
    fake = server.fake
    async with server.bot() as bot:
        with bot.services.db.session() as s:  # a database shared with the terminal, from before
            jobs.schedule(s, job_id=f"{DAILY_KIND}:local:bob", kind=DAILY_KIND, fire_at=server.clock.now,
                          now=server.clock.now, payload={"learner_id": "local:bob"})
            jobs.schedule(s, job_id=f"{DAILY_KIND}:{server.learner}", kind=DAILY_KIND,
                          fire_at=server.clock.now, now=server.clock.now,
                          payload={"learner_id": str(server.learner)})
            bring_due(s, learner_id=str(server.learner), card_ids=["heat-order"], now=server.clock.now)
        await bot.tick()
        dm = fake.dm_channel_id(server.learner)
        msg = await fake.wait_for_message(dm, lambda m: "revision card" in (m.get("content") or ""))
        assert msg["content"].startswith("📚 1 revision card(s) are due")
        with bot.services.db.session() as s:
            left = {job.id for job in jobs.pending(s, kind=DAILY_KIND)}
        assert left == {f"{DAILY_KIND}:{server.learner}"}  # the terminal learner's job is dropped


async def test_an_admin_sees_the_timers_that_failed_every_attempt(server, caplog):
    fake = server.fake
    async with server.bot() as bot:
        with bot.services.db.session() as s:  # a timer whose payload its handler cannot read
            jobs.schedule(s, job_id="cohort-open:999", kind="cohort-open", fire_at=server.clock.now,
                          now=server.clock.now, payload={})
        for _ in range(jobs.MAX_ATTEMPTS):
            await bot.tick()
            server.clock.advance(minutes=16)
        show = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup show")
        embed = (await show.response())["data"]["embeds"][0]
        failed = next(f for f in embed["fields"] if f["name"].startswith("⚠️ Timers that failed"))
        assert failed["name"] == "⚠️ Timers that failed (1)"
        assert f"`cohort-open:999`: {jobs.MAX_ATTEMPTS} attempts;" in failed["value"]
        assert "composure jobs --retry ID" in failed["value"]
    assert any("dead-lettered" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    caplog.clear()  # expected: the log line is the operator's alarm


async def test_replies_written_while_the_bot_was_down_are_answered_in_order_after_a_restart(server):
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        first = await fake.send_message(thread, server.learner, "I'm so sorry about this. What happened?")
        await fake.wait_for(lambda: len(bot.services.roleplay.turns(row.id)) == 3, timeout=30, what="an answer")
    posts = len(customer_posts(fake, thread))
    offline = [await fake.send_message(thread, server.learner, text, bot_offline=True) for text in (
        "So the kettle stopped working after three weeks, is that right?",
        "That sounds really frustrating, and I understand why you're upset.")]
    async with server.bot() as bot2:
        await fake.wait_for(lambda: len(customer_posts(fake, thread)) == posts + 2, timeout=30,
                            what="both missed replies answered")
        turns = bot2.services.roleplay.turns(row.id)
        assert [(t.speaker, t.discord_message_id) for t in turns] == [
            ("customer", None), ("learner", first["id"]), ("customer", None),
            ("learner", offline[0]["id"]), ("customer", None), ("learner", offline[1]["id"]), ("customer", None)]
        assert [t.text for t in turns if t.speaker == "learner"][1:] == [m["content"] for m in offline]
        answers = customer_posts(fake, thread)[posts:]
        assert [a["content"][:40] for a in answers] == [turns[4].text[:40], turns[6].text[:40]]
        assert not any("I restarted" in (m.get("content") or "") for m in fake.messages_in(thread))
    async with server.bot() as bot3:  # and a further restart asks nothing twice
        await fake.wait_for_message(thread, lambda m: "I restarted" in (m.get("content") or ""))
        assert len(bot3.services.roleplay.turns(row.id)) == 7
        assert len(customer_posts(fake, thread)) == posts + 2


async def test_a_customer_answer_stored_but_never_posted_is_shown_after_the_restart(server):
    """A process that stored the customer's answer to a missed deadline and died before posting it:
    the restart notice carries those words, so the learner can reply to what the customer said."""
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
    thread = int(row.channel_id)
    posts = len(customer_posts(fake, thread))
    dying = build_services(server.settings(), clock=server.clock)
    try:
        (answer,) = dying.roleplay.expire_deadlines(server.clock.advance(minutes=10))  # stored, never posted
    finally:
        dying.db.dispose()
    assert answer.customer is not None and not answer.ended
    said = answer.customer.text
    assert said and len(customer_posts(fake, thread)) == posts
    async with server.bot():
        notice = await fake.wait_for_message(thread, lambda m: "I restarted" in (m.get("content") or ""))
    assert notice["content"].endswith("\n".join(f"> {line}" for line in said.splitlines()))
    assert "The customer's last words:" in notice["content"]


async def test_a_bot_stopped_while_it_recovers_a_session_logs_no_error_and_the_next_start_recovers_it(server, caplog):
    """Stopping cuts the thread's history read short (the HTTP session closes under it); nothing is
    lost, so it is no error: the session stays active and the next start reads the thread again."""
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
    thread = int(row.channel_id)
    release = fake.hold("GET", rf"/channels/{thread}/messages")
    with caplog.at_level(logging.INFO, logger="cogs.roleplay._cog"):
        async with server.bot() as bot2:
            await fake.wait_for_request("GET", rf"/channels/{thread}/messages")
        await fake.wait_for(lambda: any("recovery cut short" in r.getMessage() for r in caplog.records),
                            what="the recovery to give up as the bot stops")
    release.set()
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert bot2.services.roleplay.get(row.id).status == "active"
    async with server.bot():
        await fake.wait_for_message(thread, lambda m: "I restarted" in (m.get("content") or ""))


@pytest.mark.parametrize("discord_forgets", [False, True])
async def test_a_reply_sent_during_a_gateway_outage_is_answered_once(server, discord_forgets):
    """RESUME replays the missed MESSAGE_CREATE; after INVALID_SESSION the bot identifies again
    and reads the thread's history instead. Either way: answered once, no restart notice."""
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        posts = len(customer_posts(fake, thread))
        async with fake.gateway_down():
            await fake.send_message(thread, server.learner, "I'm so sorry about this. What happened?")
            if discord_forgets:
                fake.gateway.forget_sessions()  # the RESUME gets INVALID_SESSION: the event is lost
        await fake.wait_for(lambda: len(customer_posts(fake, thread)) == posts + 1, timeout=30,
                            what="the reply answered")
        gateway = fake.gateway
        assert (gateway.resumes, gateway.replayed, len(gateway.identifies)) == ((0, 0, 2) if discord_forgets
                                                                               else (1, 1, 1))
        assert len(bot.services.roleplay.turns(row.id)) == 3
        assert not any("I restarted" in (m.get("content") or "") for m in fake.messages_in(thread))


async def test_after_discords_reconnect_the_bot_resumes_and_answers_what_was_sent_meanwhile(server):
    """Op 7 RECONNECT: the bot closes, comes back with RESUME (no new IDENTIFY), and the events sent
    while it was away (a mentor's note, the learner's reply) are replayed; the reply is answered once."""
    fake = server.fake
    async with server.bot() as bot:
        _, row = await start_roleplay(server, bot)
        thread = int(row.channel_id)
        posts = len(customer_posts(fake, thread))
        async with fake.gateway_down(reconnect=True):
            await fake.send_message(thread, server.mentor, "Observing quietly.")
            await fake.send_message(thread, server.learner, "I'm so sorry about this. What happened?")
        await fake.wait_for(lambda: len(customer_posts(fake, thread)) == posts + 1, timeout=30,
                            what="the reply answered")
        gateway = fake.gateway
        assert (gateway.reconnects_sent, gateway.resumes, gateway.replayed, len(gateway.identifies)) == (1, 1, 2, 1)
        turns = bot.services.roleplay.turns(row.id)
        assert [(t.speaker, t.text) for t in turns[1:2]] == [("learner", "I'm so sorry about this. What happened?")]
        assert len(turns) == 3  # the mentor's note is not the learner's reply; nothing answered twice
        await say(server, thread, "Could you tell me what the shop said?")  # and the session goes on live
        assert len(bot.services.roleplay.turns(row.id)) == 5
