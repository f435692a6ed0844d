"""/help: what each kind of user can do."""

from bot.app import ComposureBot
from cogs.help._cog import HelpCog


async def setup(bot: ComposureBot) -> None:
    """Load the cog (discord.py calls this for the extension)."""
    await bot.add_cog(HelpCog(bot))
