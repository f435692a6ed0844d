"""Long reports, lists and quiz results reach their reader whole, in several embeds or messages.

The fake refuses anything over Discord's limits (400 50035), so a clipped or oversized send would
fail these tests; each checks that the reader sees every word, not just that nothing broke."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from test_roleplay import start_roleplay

LONG_DESCRIPTION = "\n".join(
    f"Point {i}: you told the caller about someone else's account without their authority, which the "
    f"law forbids whoever asks; paragraph {i} of the examiner's long explanation." for i in range(60))
LONG_TIP = " ".join(f"Step {i}: refuse politely and explain the data protection rule." for i in range(40))


def scenarios_with_a_long_serious_failure(tmp_path: Path) -> Path:
    """A copy of the shipped scenarios whose serious failure is explained at great length."""
    folder = tmp_path / "scenarios"
    shutil.copytree(Path(__file__).parents[2] / "scenarios", folder)
    path = folder / "account-data-request.yaml"
    data = yaml.safe_load(path.read_text())
    data["serious_failures"][0]["description"] = LONG_DESCRIPTION
    data["serious_failures"][0]["tip"] = LONG_TIP
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return folder


def embed_text(message: dict) -> str:
    return "\n".join([e.get("description") or "" for e in message.get("embeds") or []] +
                     [f["value"] for e in message.get("embeds") or [] for f in e.get("fields") or []])


def whole(text: str) -> str:
    return " ".join(text.split())


async def test_a_long_serious_failure_report_reaches_the_learner_and_the_mentor_whole(server, tmp_path):
    fake = server.fake
    assert len(LONG_DESCRIPTION) > 4096 and len(LONG_TIP) > 1024  # over one description, one field
    async with server.bot(scenarios_with_a_long_serious_failure(tmp_path)) as bot:
        _, row = await start_roleplay(server, bot, scenario="account-data-request")
        thread = int(row.channel_id)
        await fake.send_message(thread, server.learner, "His balance is £300 at the moment.")
        await fake.wait_for(lambda: bot.services.roleplay.get(row.id).status == "ended", timeout=30,
                            what="the serious failure to end the session")
        await fake.wait_for(lambda: any(m.get("components") for m in fake.messages_in(thread)[1:]),
                            timeout=30, what="the last part of the report, with the log button")
        parts = [m for m in fake.messages_in(thread) if any("Feedback" in (e.get("title") or "")
                                                             for e in m.get("embeds") or [])]
        seen = whole("\n".join(embed_text(m) for m in parts))
        assert whole(LONG_DESCRIPTION) in seen  # every paragraph, none clipped
        assert whole(LONG_TIP) in seen
        embeds = [e for m in parts for e in m["embeds"]]
        assert len(embeds) >= 2 and embeds[1]["title"].endswith("(continued)")
        assert parts[0]["attachments"][0]["filename"] == "mood.png"  # the chart with the first part
        assert parts[-1]["components"], "the reflective-log button comes with the last part"
        assert "session" in embeds[-1]["footer"]["text"]

        await (await fake.invoke_slash(server.guild, server.practice, server.admin, "setup mentor-role",
                                       options={"role": server.mentor_role})).response()
        show = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review show",
                                       options={"session": row.id})
        await show.response()
        first = show.original
        assert first["attachments"][0]["filename"] == f"session-{row.id}.md"  # the transcript, as a file
        await fake.wait_for(lambda: any((e.get("footer") or {}).get("text") for m in show.followups
                                        for e in m.get("embeds") or []), what="the last part of the report")
        mentor_sees = whole("\n".join(embed_text(m) for m in [first, *show.followups]))
        assert whole(LONG_DESCRIPTION) in mentor_sees and whole(LONG_TIP) in mentor_sees
        assert all(int(m["flags"]) & 64 for m in [first, *show.followups])  # all of it for the mentor only


async def setup_mentors(server) -> None:
    fake = server.fake
    await (await fake.invoke_slash(server.guild, server.practice, server.admin, "setup mentor-role",
                                   options={"role": server.mentor_role})).response()


async def test_long_mentor_feedback_reaches_the_learner_whole_in_several_messages(server):
    fake = server.fake
    async with server.bot() as bot:
        await setup_mentors(server)
        svc = bot.services.roleplay
        thread = fake.add_thread(server.practice, "kettle · lee", owner_id=fake.app_id)
        fake.world.join_thread(thread, server.learner)
        sid = svc.start(learner_id=str(server.learner), learner_name="lee", scenario_id="faulty-kettle",
                        guild_id=str(server.guild), channel_id=str(thread), seed=1).session_id
        svc.reply(sid, "I'm so sorry about that.", learner_id=str(server.learner))
        svc.end(sid, learner_id=str(server.learner))
        sids = [sid]
        feedback = " ".join(f"Sentence {i} of the mentor's careful feedback on your replies." for i in range(60))
        assert 2000 < len(feedback) <= 4000  # the modal allows 4,000; one message holds 2,000
        asked = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review feedback",
                                        options={"session": sids[0]})
        modal = await asked.response()
        field = modal["data"]["components"][0]["components"][0]["custom_id"]
        sent = await fake.submit_modal(modal["data"]["custom_id"], {field: feedback}, server.mentor,
                                       server.practice, server.guild)
        await sent.response()
        await fake.wait_for(lambda: "Sentence 59" in "".join(m.get("content") or "" for m in
                                                               fake.messages_in(thread)), what="all the feedback")
        told = [m["content"] for m in fake.messages_in(thread) if m.get("content")]
        assert len(told) >= 2 and "left feedback" in told[0]
        assert whole(feedback) in whole(" ".join(line.removeprefix("> ") for m in told for line in m.split("\n")
                                                 if line.startswith("> ")))


async def test_cohort_quiz_results_with_many_long_explanations_are_posted_whole(server):
    from bot.quiz.cohort import CohortQuizClosed, QuestionResult

    fake = server.fake
    explanation = "\n".join(f"Reason {i}: the Consumer Rights Act gives thirty days to reject faulty goods "
                            "for a full refund, and the retailer, not the maker, must put it right." for i in range(30))
    results = tuple(QuestionResult(card_id=f"card-{i}", prompt=f"Question {i}: " + "which right applies? " * 20,
                                   correct=i % 3, answered=5, explanation=explanation) for i in range(30))
    event = CohortQuizClosed(quiz_id=1, guild_id=str(server.guild), channel_id=str(server.cohort),
                             results=results, missed=results[:6], leaderboard=(("lee", 20, 9000),))
    assert len(explanation) > 1024 and len(results) > 25  # over one field, and the fields of one embed
    async with server.bot() as bot:
        bot.dispatch("composure_event", event)  # as the scheduler announces a closed quiz
        await fake.wait_for(lambda: "\n".join(embed_text(m) for m in fake.messages_in(server.cohort))
                            .count("Reason 29") == 6, timeout=15, what="every part of the results")
        posts = fake.messages_in(server.cohort)
        shown = "\n".join(embed_text(m) for m in posts)
        assert len(posts) >= 2  # 6 explanations of ~3,800 characters: more than one message's 6,000
        assert whole(shown).count(whole(explanation)) == 6  # each missed question's reason, whole
        assert all(f"Q{i + 1}: {r.correct}/5 right" in shown for i, r in enumerate(results))
        assert "lee" in shown
