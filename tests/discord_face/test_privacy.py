"""/privacy export and delete, /setup retention and the access log, through the real discord.py client."""

from __future__ import annotations

import io
import json
import zipfile

from bot.config import Settings
from bot.mentoring import sign_off
from bot.privacy.access import access_history
from bot.storage.models import PracticeSession

EPHEMERAL = 64
HOSTILE = "@everyone <@&{role}> **loud** <script>alert(1)</script>"


def finished_session(bot, server, *, user=None, text="I'm so sorry about that.") -> int:
    """A finished role-play, made through the core (the thread itself is not needed here)."""
    user = user or server.learner
    svc = bot.services.roleplay
    sid = svc.start(learner_id=str(user), learner_name="lee", scenario_id="faulty-kettle",
                    guild_id=str(server.guild), channel_id=str(server.practice), seed=1).session_id
    svc.reply(sid, text, learner_id=str(user))
    svc.end(sid, learner_id=str(user))
    return sid


def dm_zips(fake, user) -> list[tuple[dict, bytes]]:
    posts = fake.messages_in(fake.dm_channel_id(user))
    return [(m, fake.file_bytes(a["id"])) for m in posts for a in m.get("attachments", [])]


def unzip(blobs: list[bytes]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for blob in blobs:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            files.update({n: archive.read(n) for n in archive.namelist()})
    return files


async def test_export_arrives_by_dm_with_the_access_log(server):
    fake = server.fake
    async with server.bot() as bot:
        await (await fake.invoke_slash(server.guild, server.practice, server.admin, "setup mentor-role",
                                       options={"role": server.mentor_role})).response()
        sid = finished_session(bot, server, text=HOSTILE.format(role=server.mentor_role))
        other = finished_session(bot, server, user=server.other_learner)
        shown = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review show",
                                        options={"session": sid})
        assert "No mentor has opened" in (await shown.response())["data"]["content"]
        again = await fake.invoke_slash(server.guild, server.practice, server.admin, "review show",
                                        options={"session": sid})
        assert "Last reviewed by mo (opened" in (await again.response())["data"]["content"]
        queue = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review queue")
        lines = (await queue.response())["data"]["embeds"][0]["description"].splitlines()
        assert any(f"#{sid}" in line and "last: ada" in line for line in lines)
        assert any(f"#{other}" in line and "last:" not in line for line in lines)

        asked = await fake.invoke_slash(server.guild, server.practice, server.learner, "privacy export")
        ack = await asked.response()
        assert ack["type"] == 5 and ack["data"]["flags"] == EPHEMERAL
        assert "on its way" in (await asked.followup())["content"]
        received = dm_zips(fake, server.learner)
        assert len(received) == 1 and received[0][0]["content"].startswith("📦")
        files = unzip([blob for _, blob in received])
        data = json.loads(files["composure-data.json"])
        assert [r["id"] for r in data["tables"]["practice_session"]] == [sid]
        assert [(e["actor_name"], e["action"]) for e in data["tables"]["access_log"]] == [("mo", "open"),
                                                                                          ("ada", "open")]
        page = files[f"sessions/session-{sid}.html"].decode()
        assert "<script>" not in page and "&lt;script&gt;" in page
        assert str(server.other_learner) not in files["composure-data.json"].decode()


async def test_a_large_export_is_split_across_messages_within_the_limit(server):
    fake = server.fake
    limit = 4096
    server.settings = lambda scenarios_dir=None: Settings(database_url=server.db_url, discord_token=None,
                                                          export_part_bytes=limit)
    async with server.bot() as bot:
        sessions = [finished_session(bot, server, text=f"Reply number {n} " + "x" * 300) for n in range(6)]
        asked = await fake.invoke_slash(server.guild, server.practice, server.learner, "privacy export")
        await asked.response()
        assert "on its way" in (await asked.followup())["content"]
        received = dm_zips(fake, server.learner)
        assert len(received) > 1
        assert all(len(msg["attachments"]) == 1 and len(blob) <= limit for msg, blob in received)
        assert [m["attachments"][0]["filename"] for m, _ in received][-1].endswith(
            f"-part-{len(received)}-of-{len(received)}.zip")
        files = unzip([blob for _, blob in received])
        pieces = sorted(n for n in files if n.startswith("composure-data.json"))
        data = json.loads(b"".join(files[n] for n in pieces))
        assert sorted(r["id"] for r in data["tables"]["practice_session"]) == sessions


async def test_export_with_dms_closed_says_how_to_fix_it(server):
    fake = server.fake
    async with server.bot():
        dm = fake.dm_channel_id(server.learner)
        fake.fail("POST", rf"/channels/{dm}/messages", status=403, times=5)
        asked = await fake.invoke_slash(server.guild, server.practice, server.learner, "privacy export")
        await asked.response()
        assert "could not send you a direct message" in (await asked.followup())["content"]


async def test_delete_asks_first_keeps_evidence_by_policy_and_says_why(server):
    fake = server.fake
    async with server.bot() as bot:
        refused = await fake.invoke_slash(server.guild, server.practice, server.learner, "setup retention",
                                          options={"days": 30, "keep-signed-off": True})
        assert "Only server admins" in (await refused.response())["data"]["content"]
        bad = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup retention",
                                      options={"days": -3, "keep-signed-off": True})
        assert "between 1 and 3650" in (await bad.response())["data"]["content"]
        ok = await fake.invoke_slash(server.guild, server.practice, server.admin, "setup retention",
                                     options={"days": 30, "keep-signed-off": True})
        assert "30 days" in (await ok.response())["data"]["content"]
        evidence, plain = finished_session(bot, server), finished_session(bot, server)
        with bot.services.db.session() as s:
            sign_off(s, session_id=evidence, mentor_id=str(server.mentor), now=server.clock.now,
                     guild_id=str(server.guild), waive_reflection=True)

        asked = await fake.invoke_slash(server.guild, server.practice, server.learner, "privacy delete")
        prompt = await asked.response()
        text = prompt["data"]["content"]
        assert prompt["data"]["flags"] == EPHEMERAL
        assert "1 role-play session(s)" in text and f"session {evidence} (faulty-kettle)" in text
        assert "retention policy keeps signed-off work" in text
        assert bot.services.roleplay.get(plain) is not None  # nothing deleted before the button

        cancel = await fake.click_button(asked.original, "composure:privacy:cancel", server.learner)
        assert "Nothing was deleted" in (await cancel.response())["data"]["content"]
        asked = await fake.invoke_slash(server.guild, server.practice, server.learner, "privacy delete")
        await asked.response()
        done = await fake.click_button(asked.original, "composure:privacy:delete", server.learner)
        body = await done.response()
        assert body["type"] == 7 and body["data"]["components"] == []
        assert "Deleted: 1 role-play session(s)" in body["data"]["content"]
        assert f"session(s) {evidence}" in body["data"]["content"]
        with bot.services.db.session() as s:
            left = [r.id for r in s.exec(PracticeSession.__table__.select())]
            assert left == [evidence] and access_history(s, session_id=plain) == []

        nothing = await fake.invoke_slash(server.guild, server.practice, server.other_learner, "privacy delete")
        assert "stores nothing about you" in (await nothing.response())["data"]["content"]


async def test_delete_is_refused_during_a_roleplay(server):
    fake = server.fake
    async with server.bot() as bot:
        sid = bot.services.roleplay.start(learner_id=str(server.learner), scenario_id="faulty-kettle",
                                          guild_id=str(server.guild), channel_id=str(server.practice)).session_id
        asked = await fake.invoke_slash(server.guild, server.practice, server.learner, "privacy delete")
        body = (await asked.response())["data"]
        assert f"role-play in progress (session {sid})" in body["content"] and not body.get("components")
        assert bot.services.roleplay.get(sid).status == "active"


def _could_ping(body) -> bool:
    """True when a request's message text holds @everyone or a role mention that Discord would act on."""
    if not isinstance(body, dict):
        return False
    message = body.get("data") if isinstance(body.get("data"), dict) else body
    content = message.get("content") or ""
    if "@everyone" not in content and "<@&" not in content:
        return False
    allowed = message.get("allowed_mentions")
    if allowed is None:
        return True
    return "everyone" in allowed.get("parse", []) or "roles" in allowed.get("parse", []) or bool(allowed.get("roles"))


async def test_hostile_learner_and_mentor_text_pings_no_one(server):
    fake = server.fake
    thread = fake.add_thread(server.practice, "role-play", owner_id=server.learner)
    hostile = HOSTILE.format(role=server.mentor_role)
    async with server.bot() as bot:
        await (await fake.invoke_slash(server.guild, server.practice, server.admin, "setup mentor-role",
                                       options={"role": server.mentor_role})).response()
        svc = bot.services.roleplay
        sid = svc.start(learner_id=str(server.learner), learner_name=hostile, scenario_id="faulty-kettle",
                        guild_id=str(server.guild), channel_id=str(thread), seed=1).session_id
        svc.reply(sid, hostile, learner_id=str(server.learner))
        svc.end(sid, learner_id=str(server.learner))
        mark = len(fake.requests)
        queue = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review queue")
        assert "@everyone" in (await queue.response())["data"]["embeds"][0]["description"]
        shown = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review show",
                                        options={"session": sid})
        page = fake.file_bytes((await shown.response())["files"][0]["id"]).decode()
        assert hostile in page  # the mentor reads exactly what was written
        feedback = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review feedback",
                                           options={"session": sid})
        modal = await feedback.response()
        field = modal["data"]["components"][0]["components"][0]["custom_id"]
        sent = await fake.submit_modal(modal["data"]["custom_id"], {field: hostile}, server.mentor,
                                       server.practice, server.guild)
        await sent.response()
        told = await fake.wait_for_message(thread, lambda m: "left feedback" in (m.get("content") or ""))
        assert "@everyone" in told["content"]
        exported = await fake.invoke_slash(server.guild, server.practice, server.mentor, "review export",
                                           options={"session": sid, "format": "html"})
        html_page = fake.file_bytes((await exported.response())["files"][0]["id"]).decode()
        assert "<script>" not in html_page and html_page.count("</html>") == 1
        risky = [r for r in fake.requests[mark:] if _could_ping(r[2])]
        assert risky == []
        assert any("@everyone" in json.dumps(r[2]) for r in fake.requests[mark:])  # the text did go out
