"""Who may do what to a session: every command that shows or changes one, for each kind of person.

Rows: the command. Columns: the learner who owns the session, a mentor of this server, a mentor of
another server (asking from their own server, by the session's number), an admin of this server,
and a member with no role. A refusal is ephemeral, says why, changes nothing, logs no access and
never contains the learner's words; another server's session gets the same answer as a number that
does not exist.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from bot.guild import update_guild
from bot.privacy.access import access_history
from bot.reflection import FIELDS, save_reflection

EPHEMERAL = 64
SECRET = "SECRET-7731"
ACTORS = ("learner", "mentor", "elsewhere", "admin", "nobody")
NOT_MENTOR, NO_SUCH = "Only mentors", "NO_SUCH"
REVIEW_ROW = {"learner": NOT_MENTOR, "mentor": "ok", "elsewhere": NO_SUCH, "admin": "ok", "nobody": NOT_MENTOR}
MATRIX: dict[str, dict[str, str]] = {
    "review queue": {**REVIEW_ROW, "elsewhere": "sees none"},
    "review show": REVIEW_ROW,
    "review feedback": REVIEW_ROW,
    "review signoff": REVIEW_ROW,
    "review export": REVIEW_ROW,
    "review watch": REVIEW_ROW,
    "privacy export": {"learner": "own data", **{a: "own (empty) data" for a in ACTORS[1:]}},
    "privacy delete": {"learner": "asks to confirm", **{a: "nothing stored" for a in ACTORS[1:]}},
    "roleplay end": {"learner": "ends it", **{a: "none in progress" for a in ACTORS[1:]}},
}
CASES = [(command, actor, outcome) for command, row in MATRIX.items() for actor, outcome in row.items()]
ACCESS_ACTION = {"review show": "open", "review feedback": "feedback", "review signoff": "signoff",
                 "review export": "export", "review watch": "watch"}


async def _answer(interaction) -> dict:
    body = await interaction.response()
    if body["type"] == 5:  # deferred: the real answer is the followup
        return {"type": 5, "data": await interaction.followup(), "files": []}
    return body


def _dm_tables(fake, user) -> dict:
    blobs = [fake.file_bytes(a["id"]) for m in fake.messages_in(fake.dm_channel_id(user))
             for a in m.get("attachments", [])]
    assert len(blobs) == 1
    with zipfile.ZipFile(io.BytesIO(blobs[0])) as archive:
        return json.loads(archive.read("composure-data.json"))["tables"]


@pytest.mark.parametrize(("command", "actor", "outcome"), CASES, ids=[f"{c}|{a}" for c, a, _ in CASES])
async def test_access_matrix(server, command, actor, outcome):
    fake = server.fake
    other_guild = fake.add_guild("Another provider")
    other_role = fake.add_role(other_guild, "Mentor")
    other_channel = fake.add_text_channel(other_guild, "practice")
    elsewhere = fake.add_member(other_guild, name="eve", roles=[other_role])
    thread = fake.add_thread(server.practice, "role-play", owner_id=server.learner)
    users = {"learner": server.learner, "mentor": server.mentor, "elsewhere": elsewhere, "admin": server.admin,
             "nobody": server.other_learner}
    async with server.bot() as bot:
        svc = bot.services.roleplay
        with bot.services.db.session() as s:
            update_guild(s, guild_id=str(server.guild), mentor_role_id=str(server.mentor_role))
            update_guild(s, guild_id=str(other_guild), mentor_role_id=str(other_role))
        sid = svc.start(learner_id=str(server.learner), learner_name="lee", scenario_id="faulty-kettle",
                        guild_id=str(server.guild), channel_id=str(thread), seed=3).session_id
        svc.reply(sid, f"I'm sorry. {SECRET}", learner_id=str(server.learner))
        svc.end(sid, learner_id=str(server.learner))
        with bot.services.db.session() as s:
            save_reflection(s, session_id=sid, learner_id=str(server.learner),
                            answers={f.key: "noted" for f in FIELDS}, now=server.clock.now)
        active = None
        if command == "roleplay end":
            active = svc.start(learner_id=str(server.learner), scenario_id="faulty-kettle",
                               guild_id=str(server.guild), channel_id=str(thread)).session_id

        guild, channel = (other_guild, other_channel) if actor == "elsewhere" else (server.guild, server.practice)
        options = {"session": sid} if command.startswith("review ") and command != "review queue" else None
        if command == "review export":
            options["format"] = "markdown"  # text, so the test can look inside (the PDF has its own test)
        body = await _answer(await fake.invoke_slash(guild, channel, users[actor], command, options=options))
        content = (body.get("data") or {}).get("content") or ""
        row = svc.get(sid)
        with bot.services.db.session() as s:
            logged = [(e.actor_id, e.action) for e in access_history(s, session_id=sid)]

        if outcome in (NOT_MENTOR, NO_SUCH):
            assert body["data"]["flags"] == EPHEMERAL
            if outcome == NO_SUCH:  # the same words as for a number that does not exist
                missing = await _answer(await fake.invoke_slash(guild, channel, users[actor], command,
                                                                options={"session": 987654}))
                assert content == missing["data"]["content"].replace("987654", str(sid))
                assert content == f"⚠️ There is no session {sid}."
            else:
                assert NOT_MENTOR in content
            assert SECRET not in json.dumps(body) and not body.get("files")
            assert row.signed_off_at is None and logged == []
            return
        if command == "review queue":
            description = body["data"]["embeds"][0]["description"] if body["data"].get("embeds") else content
            assert (f"#{sid}" in description) == (outcome == "ok")
            return
        if command in ACCESS_ACTION:
            assert logged == [(str(users[actor]), ACCESS_ACTION[command])]
        if command == "review show":
            assert SECRET in fake.file_bytes(body["files"][0]["id"]).decode()
        elif command == "review feedback":
            assert body["type"] == 9
        elif command == "review signoff":
            assert "signed off" in content and row.signed_off_by == str(users[actor])
        elif command == "review export":
            assert SECRET in fake.file_bytes(body["files"][0]["id"]).decode()
        elif command == "review watch":
            assert "You are in" in content and users[actor] in fake.thread_member_ids(thread)
        elif command == "privacy export":
            tables = _dm_tables(fake, users[actor])
            assert [r["id"] for r in tables["practice_session"]] == ([sid] if actor == "learner" else [])
            assert (SECRET in json.dumps(tables)) == (actor == "learner")
        elif command == "privacy delete":
            assert body["data"]["flags"] == EPHEMERAL
            if actor == "learner":
                assert "1 role-play session(s)" in content and body["data"]["components"]
            else:
                assert "stores nothing about you" in content and not body["data"].get("components")
            assert svc.get(sid) is not None  # nothing goes before the button
        elif command == "roleplay end":
            if actor == "learner":
                assert content.startswith("Ended.")
            else:
                assert "no role-play in progress" in content and svc.get(active).status == "active"
