"""Finding a channel or thread by its stored id: from the cache, else from Discord.

Only Discord's 404 Unknown Channel (10003) means a channel is gone. Any other failure (5xx,
403, a rate limit) says nothing about the channel, so it is raised for the caller to try later:
treating it as "gone" would close a learner's live session.
"""

from __future__ import annotations

import discord

UNKNOWN_CHANNEL = 10003
# What a role-play needs in the channel it starts from: Discord's names, as admins see them.
ROLEPLAY_PERMISSIONS = {"view_channel": "View Channel", "create_private_threads": "Create Private Threads",
                        "send_messages_in_threads": "Send Messages in Threads"}


def serves_guild(client: discord.Client, guild_id: str | int, *, shard_id: int | None = None) -> bool:
    """Whether this process's shards (or shard `shard_id`) receive the guild's events (always,
    unsharded), so what was said there while the bot was away is this process's to read. Timers
    are not split this way: any process posts to any guild over REST."""
    if not client.shard_count:
        return True
    shard = (int(guild_id) >> 22) % client.shard_count
    if shard_id is not None:
        return shard == shard_id
    shard_ids: list[int] | None = getattr(client, "shard_ids", None)  # AutoShardedClient only; None: all
    return shard_ids is None or shard in shard_ids


def missing_permissions(channel: discord.abc.GuildChannel, member: discord.Member,
                        needed: dict[str, str]) -> list[str]:
    """The names of the permissions in `needed` that `member` lacks in `channel` (roles and overwrites)."""
    have = channel.permissions_for(member)
    return [label for attr, label in needed.items() if not getattr(have, attr)]


async def resolve_channel(client: discord.Client, channel_id: str | None) -> discord.abc.GuildChannel | \
        discord.Thread | discord.abc.PrivateChannel | None:
    """The channel, or None when the id is empty or Discord says Unknown Channel; other HTTP errors raise."""
    if not channel_id:
        return None
    channel = client.get_channel(int(channel_id))
    if channel is None:
        try:
            channel = await client.fetch_channel(int(channel_id))
        except discord.NotFound as exc:
            if exc.code == UNKNOWN_CHANNEL:
                return None
            raise
    return channel
