"""Who may do what: shared by the cogs, answered from the core's guild settings."""

from __future__ import annotations

import discord

from bot.guild import is_mentor
from cogs._services import bot_of, in_session

NOT_MENTOR = ("⛔ Only mentors can use this. A server admin can set the mentor role with "
              "`/setup mentor-role`.")
NOT_ADMIN = "⛔ Only server admins (Manage Server permission) can change Composure's settings."
GUILD_ONLY = "This command works in a server, not in direct messages."


def _is_admin(interaction: discord.Interaction) -> bool:
    perms = getattr(interaction.user, "guild_permissions", None)
    return bool(perms and (perms.administrator or perms.manage_guild))


async def require_admin(interaction: discord.Interaction) -> bool:
    """Answer with a clear refusal and return False unless the user can manage the server."""
    if interaction.guild_id is None:
        await interaction.response.send_message(GUILD_ONLY, ephemeral=True)
        return False
    if not _is_admin(interaction):
        await interaction.response.send_message(NOT_ADMIN, ephemeral=True)
        return False
    return True


async def require_mentor(interaction: discord.Interaction) -> bool:
    """Answer with a clear refusal and return False unless the user holds the mentor role (or is admin)."""
    if interaction.guild_id is None:
        await interaction.response.send_message(GUILD_ONLY, ephemeral=True)
        return False
    roles = [str(r.id) for r in getattr(interaction.user, "roles", [])]
    allowed = await in_session(bot_of(interaction), is_mentor, guild_id=str(interaction.guild_id), role_ids=roles,
                               is_admin=_is_admin(interaction))
    if not allowed:
        await interaction.response.send_message(NOT_MENTOR, ephemeral=True)
    return allowed
