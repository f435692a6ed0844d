"""/setup: server admins choose the mentor role, cohort channels, time zone and reply times."""

from cogs.setup._cog import SetupCog


async def setup(bot) -> None:
    await bot.add_cog(SetupCog(bot))
