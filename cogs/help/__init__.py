"""/help: what each kind of user can do."""

from bot.app import ComposureBot
from cogs.help._cog import HelpCog


async def setup(bot: ComposureBot) -> None:
    await bot.add_cog(HelpCog(bot))
