"""Daily reminders through the outbox on the fake Discord: what one bot left unsent at a stop, the
next bot (same database) sends, each once; a closed DM or an opt-out drops one, not the queue."""

from __future__ import annotations

import asyncio
import logging

from sqlmodel import col, select

from bot import jobs, outbox
from bot.guild import set_daily_dm
from bot.quiz.daily import DAILY_KIND
from bot.quiz.schedule import bring_due
from bot.storage.models import OutboxMessage

REMINDER = "revision card(s) are due"


def _reminders(fake, user: int) -> int:
    return sum(REMINDER in (m.get("content") or "") for m in fake.messages_in(fake.dm_channel_id(user)))


def _left(bot) -> list[str]:
    with bot.services.db.session() as s:
        return [r.learner_id for r in s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))]


async def test_reminders_left_unsent_at_a_stop_are_sent_by_the_next_bot_each_once(server):
    fake = server.fake
    learners = [server.learner, server.other_learner, server.mentor, server.admin, fake.add_user("kim")]
    order = sorted(learners, key=str)  # due at the same second: the jobs run, and store, in id order
    in_flight = order[2]
    async with server.bot() as bot:
        with bot.services.db.session() as s:
            for user in learners:
                jobs.schedule(s, job_id=f"{DAILY_KIND}:{user}", kind=DAILY_KIND, fire_at=server.clock.now,
                              now=server.clock.now, payload={"learner_id": str(user)})
                bring_due(s, learner_id=str(user), card_ids=["heat-order"], now=server.clock.now)
        path = f"/channels/{fake.dm_channel_id(in_flight)}/messages"
        release = fake.hold("POST", path)
        sender = bot.get_cog("QuizCog").reminders
        await bot.tick()
        await fake.wait_for(lambda: fake.find_requests("POST", path), what="the third reminder in flight")
        assert [_reminders(fake, u) for u in order] == [1, 1, 0, 0, 0]
        stopping = asyncio.create_task(bot.close())
        await fake.wait_for(lambda: sender.paced.stopping, what="the stop to begin")
        release.set()  # Discord answers the send in flight while the bot is stopping
        await stopping
        assert _left(bot) == [str(u) for u in order[3:]]  # the one in flight settled; the rest handed back
    assert [_reminders(fake, u) for u in order] == [1, 1, 1, 0, 0]
    async with server.bot() as bot2:
        await fake.wait_for(lambda: not _left(bot2), what="the rest sent after the restart")
        await fake.wait_for(lambda: [_reminders(fake, u) for u in order] == [1] * 5, what="every reminder")
        await bot2.tick()
        await fake.wait_for(lambda: not bot2.get_cog("QuizCog").reminders.paced.queue.qsize(), what="a quiet queue")
    assert [_reminders(fake, u) for u in order] == [1] * 5  # each exactly once
    assert len(fake.find_requests("POST", r"/channels/\d+/messages")) == 5


async def test_a_closed_dm_or_an_opt_out_drops_that_reminder_and_the_rest_go(server, caplog):
    caplog.set_level(logging.INFO, logger="bot.outbox")
    fake = server.fake
    closed, opted_out, fine = server.learner, server.other_learner, server.mentor
    fake.fail("POST", f"/channels/{fake.dm_channel_id(closed)}/messages", status=403, code=50007,
              message="Cannot send messages to this user")
    async with server.bot() as bot:
        await bot.close()  # stored while the bot was down, as a crashed one leaves them
        with bot.services.db.session() as s:
            for user in (closed, opted_out, fine):
                outbox.store(s, kind=DAILY_KIND, learner_id=str(user), payload={"due": 4}, now=server.clock.now)
            set_daily_dm(s, guild_id=str(server.guild), learner_id=str(opted_out), enabled=False)
    async with server.bot() as bot2:
        await fake.wait_for(lambda: not _left(bot2), what="every reminder settled")
    assert [_reminders(fake, u) for u in (closed, opted_out, fine)] == [0, 0, 1]
    msg = next(m for m in fake.messages_in(fake.dm_channel_id(fine)))
    assert msg["content"].startswith("📚 4 revision card(s) are due")
    assert f"quiz-daily for {closed} dropped, refused: 403" in caplog.text
    assert f"quiz-daily for {opted_out} dropped unsent: no longer wanted" in caplog.text
    assert not [r for r in caplog.records if r.name == "bot.outbox" and r.levelno > logging.INFO]
