"""A learner's data rights in Discord: a copy of their data by DM, and deletion with a confirmation."""

from bot.app import ComposureBot
from cogs.privacy._cog import PrivacyCog


async def setup(bot: ComposureBot) -> None:
    """Load the cog (discord.py calls this for the extension)."""
    await bot.add_cog(PrivacyCog(bot))
