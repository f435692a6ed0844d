"""Revision quizzes and cohort quizzes through the fake Discord, on a moved clock."""

from __future__ import annotations

from sqlmodel import select

from bot.quiz.cards import present
from bot.quiz.schedule import due_count
from bot.storage.models import CardReview

EPHEMERAL = 64


async def test_quiz_buttons_answer_and_move_on(server):
    fake = server.fake
    async with server.bot() as bot:
        first = await fake.invoke_slash(server.guild, server.practice, server.learner, "quiz")
        body = await first.response()
        assert body["data"]["flags"] == EPHEMERAL
        embed = body["data"]["embeds"][0]
        buttons = body["data"]["components"][0]["components"]
        assert embed["title"] == "Revision" and len(buttons) >= 2
        card_id = buttons[0]["custom_id"].split(":")[2]
        question = present(bot.services.quiz.deck.cards[card_id])
        right = next(b for b in buttons if b["custom_id"].split(":")[3] == question.correct)
        server.clock.advance(seconds=5)
        click = await fake.click_button(first.original, right["custom_id"], server.learner)
        answered = await click.response()
        assert answered["type"] == 7 and answered["data"]["embeds"][0]["title"] == "✅ Correct"
        next_button = answered["data"]["components"][0]["components"][0]
        assert next_button["custom_id"] == "composure:q-next"
        more = await fake.click_button(click.original, "composure:q-next", server.learner)
        again = await more.response()
        assert again["type"] == 7 and again["data"]["embeds"][0]["title"] == "Revision"
        assert again["data"]["components"][0]["components"][0]["custom_id"].split(":")[2] != card_id
        with bot.services.db.session() as s:
            (review,) = s.exec(select(CardReview)).all()
            assert review.correct and review.answer_ms == 5000 and review.learner_id == str(server.learner)


async def test_roleplay_mistakes_bring_cards_due(server):
    fake = server.fake
    async with server.bot() as bot:
        start = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay start",
                                        options={"scenario": "faulty-kettle"})
        await start.response()
        await start.followup()
        row = bot.services.roleplay.active_for(str(server.learner))
        await fake.send_message(int(row.channel_id), server.learner, "calm down, it's only a kettle")
        await fake.wait_for(lambda: len(bot.services.roleplay.turns(row.id)) >= 3, what="the reply")
        end = await fake.invoke_slash(server.guild, server.practice, server.learner, "roleplay end")
        await end.response()
        with bot.services.db.session() as s:
            assert due_count(s, learner_id=str(server.learner), now=server.clock.now) == len(
                bot.services.quiz.deck.for_marks(["dismissive"]))


async def test_cohort_quiz_schedule_post_answer_results_across_a_restart(server):
    fake = server.fake
    async with server.bot():
        refused = await fake.invoke_slash(server.guild, server.practice, server.learner, "cohort quiz schedule",
                                          options={"channel": server.cohort, "rule": "0 18 * * *"})
        assert "Only mentors" in (await refused.response())["data"]["content"]
        for options in ({"role": server.mentor_role}, {"channel": server.cohort}):
            name = "setup mentor-role" if "role" in options else "setup cohort-channel"
            setup = await fake.invoke_slash(server.guild, server.practice, server.admin, name, options=options)
            await setup.response()
        bad = await fake.invoke_slash(server.guild, server.practice, server.mentor, "cohort quiz schedule",
                                      options={"channel": server.cohort, "rule": "at teatime"})
        assert "not a valid schedule" in (await bad.response())["data"]["content"]
        ok = await fake.invoke_slash(server.guild, server.practice, server.mentor, "cohort quiz schedule",
                                     options={"channel": server.cohort, "rule": "0 18 * * *", "questions": 2,
                                              "window_minutes": 30})
        assert "scheduled" in (await ok.response())["data"]["content"]
    server.clock.now = server.clock.now.replace(hour=18, minute=1)  # the bot restarts; the quiz is due
    async with server.bot() as bot2:
        await bot2.tick()
        posts = await fake.wait_for(lambda: [m for m in fake.messages_in(server.cohort) if m.get("components")]
                                    if len([m for m in fake.messages_in(server.cohort) if m.get("components")]) == 2
                                    else None, what="two questions")
        header = fake.messages_in(server.cohort)[0]
        assert "Cohort quiz" in header["content"] and "<t:" in header["content"]
        for post in posts:
            button = post["components"][0]["components"][0]
            click = await fake.click_button(post, button["custom_id"], server.learner)
            assert "recorded" in (await click.response())["data"]["content"]
        twice = await fake.click_button(posts[0], posts[0]["components"][0]["components"][0]["custom_id"],
                                        server.learner)
        assert "first answer counts" in (await twice.response())["data"]["content"]
        server.clock.advance(minutes=31)
        await bot2.tick()
        results = await fake.wait_for_message(server.cohort, lambda m: bool(m.get("embeds")) and
                                              m["embeds"][0].get("title") == "Cohort quiz results")
        board = results["embeds"][0]["fields"][0]["value"]
        assert "lee" in board
        late = await fake.invoke_slash(server.guild, server.practice, server.learner, "quiz")
        assert (await late.response())["data"]["flags"] == EPHEMERAL
