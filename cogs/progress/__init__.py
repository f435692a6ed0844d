"""/progress: a learner's own trends, quiz retention, streak and next suggested practice."""

from bot.app import ComposureBot
from cogs.progress._cog import ProgressCog


async def setup(bot: ComposureBot) -> None:
    """Load the cog (discord.py calls this for the extension)."""
    await bot.add_cog(ProgressCog(bot))
