"""/quiz (spaced revision) and /cohort quiz (scheduled quizzes in a cohort channel)."""

from bot.app import ComposureBot
from cogs.quiz._cog import QuizCog
from cogs.quiz._views import CohortAnswerButton, NextCardButton, QuizAnswerButton


async def setup(bot: ComposureBot) -> None:
    """Load the cog (discord.py calls this for the extension)."""
    bot.add_dynamic_items(QuizAnswerButton, NextCardButton, CohortAnswerButton)
    await bot.add_cog(QuizCog(bot))
