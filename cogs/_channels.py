"""Finding a channel or thread by its stored id: from the cache, else from Discord."""

from __future__ import annotations

import discord


async def resolve_channel(client: discord.Client, channel_id: str | None) -> discord.abc.GuildChannel | \
        discord.Thread | discord.abc.PrivateChannel | None:
    """The channel, or None when the id is empty or Discord no longer has it (or we may not see it)."""
    if not channel_id:
        return None
    channel = client.get_channel(int(channel_id))
    if channel is None:
        try:
            channel = await client.fetch_channel(int(channel_id))
        except discord.HTTPException:
            return None
    return channel
