"""Every cog loads, and no two commands share a name (a clash would silently shadow one)."""

from __future__ import annotations

from bot.app import extension_names


def test_private_modules_are_not_extensions():
    names = extension_names()
    assert {"cogs.roleplay", "cogs.review", "cogs.setup", "cogs.help"} <= set(names)
    assert not any(n.split(".")[-1].startswith("_") for n in names)


async def test_commands_register_once_each(server):
    async with server.bot() as bot:
        top = [c.name for c in bot.tree.get_commands()]
        assert len(top) == len(set(top)), top
        qualified = [c.qualified_name for c in bot.tree.walk_commands()]
        assert len(qualified) == len(set(qualified))
        assert {"roleplay start", "review signoff", "setup mentor-role", "help"} <= set(qualified)
    synced = server.fake.find_requests("PUT", rf"/applications/\d+/guilds/{server.guild}/commands")
    assert synced and {c["name"] for c in synced[-1].body} == set(top)


async def test_help_is_ephemeral(server):
    async with server.bot():
        answer = await server.fake.invoke_slash(server.guild, server.practice, server.learner, "help")
        body = (await answer.response())["data"]
        assert body["flags"] == 64 and "/roleplay start" in body["embeds"][0]["fields"][0]["value"]


