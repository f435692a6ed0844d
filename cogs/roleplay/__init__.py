"""Role-plays in private threads: start, replies, deadlines, feedback, reflective logs."""

from bot.app import ComposureBot
from cogs.roleplay._cog import RolePlayCog
from cogs.roleplay._views import ReflectButton


async def setup(bot: ComposureBot) -> None:
    """Load the cog (discord.py calls this for the extension)."""
    bot.add_dynamic_items(ReflectButton)
    await bot.add_cog(RolePlayCog(bot))
