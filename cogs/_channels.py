"""Finding a channel or thread by its stored id (from the cache, else from Discord), and what the
bot's permissions allow there (discord.py's permissions_for: roles and channel overwrites).

Only Discord's 404 Unknown Channel (10003) means a channel is gone. Any other failure (5xx,
403, a rate limit) says nothing about the channel, so it is raised for the caller to try later:
treating it as "gone" would close a learner's live session.
"""

from __future__ import annotations

import discord

from bot import messages

UNKNOWN_CHANNEL = 10003
# A locked thread refuses posts from those without Manage Threads: 50083 when it is also archived
# (an archived, unlocked thread is reopened by the post itself), 160005 when it is open.
THREAD_REFUSES = frozenset({50083, 160005})
# What a role-play needs in the channel it starts from: Discord's names, as admins see them.
ROLEPLAY_PERMISSIONS = {"view_channel": "View Channel", "create_private_threads": "Create Private Threads",
                        "send_messages_in_threads": "Send Messages in Threads"}
# What the admin's audit checks: role-plays also post the brief and report as embeds, with the chart;
# a cohort channel gets the quiz questions and results as embeds.
ROLEPLAY_AUDIT = {**ROLEPLAY_PERMISSIONS, "embed_links": "Embed Links", "attach_files": "Attach Files"}
COHORT_AUDIT = {"view_channel": "View Channel", "send_messages": "Send Messages", "embed_links": "Embed Links"}


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


Check = tuple[str, "discord.abc.GuildChannel | None", str, dict[str, str]]  # id, channel, use, needed


def permission_audit(me: discord.Member, checks: list[Check]) -> list[str]:
    """One line per channel checked: what the bot lacks there, by Discord's names, or that all is set."""
    lines = []
    for channel_id, channel, use, needed in checks:
        if channel is None:
            lines.append(messages.AUDIT_GONE.format(channel_id=channel_id, use=use))
        elif missing := missing_permissions(channel, me, needed):
            lines.append(messages.AUDIT_MISSING.format(channel=channel.mention, use=use,
                                                       permissions="**, **".join(missing)))
        else:
            lines.append(messages.AUDIT_OK.format(channel=channel.mention, use=use))
    return lines


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
