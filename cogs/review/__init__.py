"""Mentor review: queue, show, feedback, sign-off, export, watch."""

from cogs.review._cog import ReviewCog


async def setup(bot) -> None:
    await bot.add_cog(ReviewCog(bot))
