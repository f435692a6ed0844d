"""One ephemeral page of help, grouped by who the commands are for."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ComposureBot

SECTIONS = {
    "Learners": [
        ("/roleplay start", "practise with a difficult customer in a private thread, against the clock"),
        ("/roleplay end", "finish now and get your feedback"),
        ("/roleplay scenarios", "the customers you can practise with"),
        ("/quiz", "revise the models and common mistakes; cards come back when you need them"),
        ("/quiz-reminders", "turn the daily message about due cards on or off"),
        ("/privacy export · delete", "a copy of everything stored about you, by DM; or delete it (asks first)"),
        ("/progress", "your marks over time, quiz retention, streak and what to practise next"),
    ],
    "Mentors": [
        ("/review queue", "finished role-plays waiting for you"),
        ("/review show · feedback · signoff · export · watch", "review, comment, accept as evidence, download"),
        ("/review portfolio", "a learner's signed-off sessions as PDFs in a ZIP"),
        ("/cohort quiz schedule · list · cancel", "a recurring quiz in a cohort channel"),
        ("/cohort report", "the cohort's marks, weakest points, quizzes and missing paperwork"),
    ],
    "Server admins": [
        ("/setup mentor-role · cohort-channel · timezone", "who mentors, where cohorts meet, local time"),
        ("/setup reply-time · learner-time · reminder · show", "time limits (per learner for accessibility)"),
        ("/setup retention", "how long finished role-plays are kept, and whether signed-off evidence is"),
    ],
}


class HelpCog(commands.Cog):
    def __init__(self, bot: ComposureBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What Composure can do and how to use it")
    async def help(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(
            title="Composure",
            description=("Rehearse difficult customers. Each reply is marked against the examiner's marking "
                         "points; you get a feedback report, write a reflective log, and your mentor signs it "
                         "off as portfolio evidence."),
            colour=discord.Colour.blurple())
        for title, rows in SECTIONS.items():
            embed.add_field(name=title, value="\n".join(f"`{c}`: {d}" for c, d in rows), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)
