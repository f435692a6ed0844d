"""A loopback fake of Discord's gateway and REST API for driving a real discord.py bot in tests.

    async with FakeDiscord() as fake:
        gid = fake.add_guild("Guild"); cid = fake.add_text_channel(gid, "general")
        async with fake.running(MyBot()) as bot:
            reply = await fake.invoke_slash(gid, cid, uid, "demo start", {"scenario": "x"})
            assert (await reply.response())["data"]["flags"] == 64
"""

from .interactions import ChannelRef, FakeInteraction, RoleRef, UserRef
from .routes import RecordedRequest
from .server import FakeClock, FakeDiscord
from .world import ADMINISTRATOR, ALL_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "ChannelRef",
    "FakeClock",
    "FakeDiscord",
    "FakeInteraction",
    "RecordedRequest",
    "RoleRef",
    "UserRef",
]
