"""/progress through the real discord.py client over the fake Discord."""

from __future__ import annotations

from bot.storage.db import Database
from tests.progress.cohort_fixture import SESSIONS, add_session

EPHEMERAL = 64


def _plant_for(db_url: str, who: str | None, learner: str = "lee", guild: str | None = None) -> None:
    db = Database(db_url)
    with db.session() as s:
        for day, scenario, replies, marks, signed, log in SESSIONS[learner]:
            add_session(s, learner=learner, day=day, scenario=scenario, replies=replies, session_marks=marks,
                        signed=signed, log=log, guild=guild, who=who)
    db.dispose()


async def test_progress_is_ephemeral_with_the_chart_and_the_suggestion(server):
    fake = server.fake
    _plant_for(server.db_url, str(server.learner))
    async with server.bot():
        asked = await fake.invoke_slash(server.guild, server.practice, server.learner, "progress")
        deferred = await asked.response()
        assert deferred["type"] == 5 and deferred["data"]["flags"] == EPHEMERAL
        body = await asked.followup()
        embed = body["embeds"][0]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert "Role-plays finished: **3**" in embed["description"]
        assert "🎯 Next practice: late-delivery-third-contact" in fields
        assert "Stayed within authority (missing in 3 of 3" in fields["🎯 Next practice: late-delivery-third-contact"]
        assert "Dismissive: 33% → 0%" in fields["📈 Share of replies per mark (first → latest)"]
        assert body["attachments"][0]["filename"] == "progress.png"
        assert fake.file_bytes(body["attachments"][0]["id"]).startswith(b"\x89PNG")
        assert embed["image"]["url"].endswith("progress.png")

        other = await fake.invoke_slash(server.guild, server.practice, server.other_learner, "progress")
        await other.response()
        theirs = await other.followup()
        assert "Role-plays finished: **0**" in theirs["embeds"][0]["description"] and not theirs["attachments"]


async def test_cohort_report_for_mentors_only(server):
    from datetime import timedelta

    from tests.progress.cohort_fixture import DAY0

    fake = server.fake
    for learner in SESSIONS:
        _plant_for(server.db_url, None, learner, guild=str(server.guild))
    server.clock.now = DAY0 + timedelta(days=7)
    async with server.bot():
        refused = await fake.invoke_slash(server.guild, server.practice, server.learner, "cohort report")
        assert "Only mentors" in (await refused.response())["data"]["content"]
        setup = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup mentor-role",
                                        options={"role": server.mentor_role})
        await setup.response()
        bad = await fake.invoke_slash(server.guild, server.practice, server.mentor, "cohort report",
                                      options={"days": 0})
        assert "1 to 366 days" in (await bad.response())["data"]["content"]
        asked = await fake.invoke_slash(server.guild, server.practice, server.mentor, "cohort report",
                                        options={"days": 14})
        deferred = await asked.response()
        assert deferred["type"] == 5 and deferred["data"]["flags"] == EPHEMERAL
        body = await asked.followup()
        embed = body["embeds"][0]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert "3 learner(s), 6 finished role-play(s)" in embed["description"]
        assert fields["Five weakest marking points"].startswith(
            "Followed a recognised model: missing in 6 of 6 sessions that called for it")
        assert "Kim: 1 unsigned, 1 without a reflective log" in fields["Unsigned sessions or missing logs"]
        assert "0 of 3 learners answered quiz cards" in fields["Quiz participation"]
        assert body["attachments"][0]["filename"] == "cohort-heatmap.png"
        assert fake.file_bytes(body["attachments"][0]["id"]).startswith(b"\x89PNG")


async def test_review_export_pdf_and_a_learners_portfolio_zip(server):
    import io
    import zipfile

    from bot.mentoring import sign_off
    from tests.progress.cohort_fixture import DAY0

    fake = server.fake
    _plant_for(server.db_url, str(server.learner), "lee", guild=str(server.guild))  # sessions 1 and 2 signed
    async with server.bot() as bot:
        with bot.services.db.session() as s:
            sign_off(s, session_id=3, mentor_id=str(server.mentor), now=DAY0, waive_reflection=True)
        setup = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup mentor-role",
                                        options={"role": server.mentor_role})
        await setup.response()
        export = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review export",
                                         options={"session": 2})
        assert (await export.response())["data"]["flags"] == EPHEMERAL
        sent = await export.followup(timeout=30)  # PDFs take seconds on a loaded machine
        assert sent["attachments"][0]["filename"] == "composure-session-2-faulty-kettle.pdf"
        assert fake.file_bytes(sent["attachments"][0]["id"]).startswith(b"%PDF")

        whole = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review portfolio",
                                        options={"learner": server.learner})
        await whole.response()
        body = await whole.followup(timeout=30)  # three PDFs and a ZIP
        assert body["content"].startswith("3 signed-off session(s) of lee")
        archive = zipfile.ZipFile(io.BytesIO(fake.file_bytes(body["attachments"][0]["id"])))
        assert archive.namelist() == ["composure-session-1-faulty-kettle.pdf", "composure-session-2-faulty-kettle.pdf",
                                      "composure-session-3-late-delivery-third-contact.pdf"]
        from bot.privacy.access import access_history
        with bot.services.db.session() as s:  # the portfolio export is in each session's access log
            exports = {i: [e.action for e in access_history(s, session_id=i)] for i in (1, 2, 3)}
        assert exports == {1: ["export"], 2: ["export", "export"], 3: ["export"]}

        nothing = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review portfolio",
                                          options={"learner": server.other_learner})
        assert "sam has no signed-off sessions" in (await nothing.response())["data"]["content"]
        refused = await fake.invoke_slash(server.guild, server.practice, server.learner, "review portfolio",
                                          options={"learner": server.learner})
        assert "Only mentors" in (await refused.response())["data"]["content"]
