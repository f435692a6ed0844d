"""/setup: server admins choose the mentor role, cohort channels, time zone and reply times."""

from bot.app import ComposureBot
from cogs.setup._cog import SetupCog


async def setup(bot: ComposureBot) -> None:
    """Load the cog (discord.py calls this for the extension)."""
    await bot.add_cog(SetupCog(bot))
