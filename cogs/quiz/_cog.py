"""Slash commands and announcements for quizzes; scheduling rules live in bot.quiz."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import get_args

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.app import ComposureBot
from bot.guild import guild_settings, set_daily_dm
from bot.outbox import Outgoing
from bot.quiz.cards import Topic
from bot.quiz.cohort import (
    CohortError,
    CohortQuizClosed,
    CohortQuizOpened,
    CohortQuizSkipped,
    cancel_schedule,
    create_schedule,
    list_schedules,
)
from bot.quiz.daily import DueReminder
from cogs._channels import resolve_channel
from cogs._checks import require_mentor
from cogs._outbox import OutboxSender
from cogs._paging import paged_embeds, send_embeds, send_text
from cogs._services import in_session
from cogs.progress._cohort import send_cohort_report
from cogs.quiz._views import cohort_question_view, show_next
from cogs.roleplay._render import relative

log = logging.getLogger(__name__)
TOPICS = list(get_args(Topic))


class QuizCog(commands.Cog):
    cohort = app_commands.Group(name="cohort", description="Mentors: quizzes for a cohort channel", guild_only=True)
    cohort_quiz = app_commands.Group(name="quiz", description="Scheduled cohort quizzes", parent=cohort)

    def __init__(self, bot: ComposureBot) -> None:
        self.bot = bot
        self.services = bot.services
        # thousands fall due at once: stored in the outbox, they leave at Discord's pace
        self.reminders = OutboxSender(bot, self._remind)

    async def cog_load(self) -> None:
        self.reminders.start()  # and sends what a previous process left

    async def cog_unload(self) -> None:
        await self.reminders.stop()

    @app_commands.command(name="quiz", description="Revise: your due cards, one at a time")
    async def quiz(self, interaction: discord.Interaction) -> None:
        await show_next(interaction, edit=False)

    @app_commands.command(name="quiz-reminders", description="Turn the daily 'cards due' message on or off")
    async def quiz_reminders(self, interaction: discord.Interaction, enabled: bool) -> None:
        await in_session(self.bot, set_daily_dm, guild_id=str(interaction.guild_id or ""),
                         learner_id=str(interaction.user.id), enabled=enabled)
        text = "I'll message you each day when cards are due." if enabled else "No more daily messages."
        await interaction.response.send_message(f"✅ {text}", ephemeral=True)

    @cohort_quiz.command(name="schedule", description="Run a quiz in a cohort channel on a repeating schedule")
    @app_commands.describe(channel="A cohort channel (see /setup cohort-channel)",
                           rule="Crontab: minute hour day month weekday, e.g. '0 18 * * mon'",
                           questions="1 to 10", window_minutes="How long it stays open", topic="Only one topic")
    @app_commands.choices(topic=[app_commands.Choice(name=t.replace("_", " "), value=t) for t in TOPICS])
    async def schedule(self, interaction: discord.Interaction, channel: discord.TextChannel, rule: str,
                       questions: int = 5, window_minutes: int = 60, topic: str | None = None) -> None:
        if not await require_mentor(interaction):
            return
        guild_id = str(interaction.guild_id)
        settings = await in_session(self.bot, guild_settings, guild_id=guild_id)
        if str(channel.id) not in settings.cohort_channel_ids:
            await interaction.response.send_message(
                f"⚠️ {channel.mention} is not a cohort channel. An admin can add it with "
                "`/setup cohort-channel`.", ephemeral=True)
            return
        try:
            row, first = await in_session(
                self.bot, create_schedule, guild_id=guild_id, channel_id=str(channel.id), rule=rule,
                timezone=settings.timezone, questions=questions, window_minutes=window_minutes,
                created_by=str(interaction.user.id), now=self.services.clock(), deck=self.services.quiz.deck,
                topic=topic)
        except CohortError as exc:  # nothing was stored: the transaction rolled back
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        await interaction.response.send_message(
            f"✅ Cohort quiz #{row.id} scheduled in {channel.mention} (`{row.rule}`, {settings.timezone}). "
            f"First one {relative(first)}.", ephemeral=True)

    @cohort_quiz.command(name="list", description="The cohort quiz schedules on this server")
    async def list_(self, interaction: discord.Interaction) -> None:
        if not await require_mentor(interaction):
            return
        rows = await in_session(self.bot, list_schedules, guild_id=str(interaction.guild_id))
        if not rows:
            await interaction.response.send_message("No cohort quizzes are scheduled.", ephemeral=True)
            return
        lines = [f"`#{r.id}` <#{r.channel_id}> · `{r.rule}` ({r.timezone}) · {r.questions} questions, "
                 f"{r.window_minutes} min" + (f" · next {relative(when)}" if when else "") for r, when in rows]
        await send_text(interaction.response.send_message, "\n".join(lines), rest=interaction.followup.send,
                        ephemeral=True)

    @cohort_quiz.command(name="cancel", description="Stop a cohort quiz schedule")
    async def cancel(self, interaction: discord.Interaction, schedule: int) -> None:
        if not await require_mentor(interaction):
            return
        try:
            await in_session(self.bot, cancel_schedule, guild_id=str(interaction.guild_id), schedule_id=schedule)
        except CohortError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        await interaction.response.send_message(f"✅ Schedule #{schedule} cancelled.", ephemeral=True)

    @cohort.command(name="report", description="Mentors: marks per learner, weakest points, quizzes, paperwork")
    @app_commands.describe(days="The period: the last N days (default 28)")
    async def report(self, interaction: discord.Interaction, days: int = 28) -> None:
        await send_cohort_report(interaction, days)

    # --- announcements from the scheduler ---------------------------------------------------

    @commands.Cog.listener()
    async def on_composure_event(self, event: object) -> None:
        try:
            if isinstance(event, CohortQuizOpened):
                await self._post_quiz(event)
            elif isinstance(event, CohortQuizClosed):
                await self._post_results(event)
            elif isinstance(event, CohortQuizSkipped):
                await self._send(event.channel_id, f"ℹ️ {event.note}")
            elif isinstance(event, DueReminder):
                self.reminders.wake()
        except discord.HTTPException as exc:
            log.warning("could not announce %s: %s", type(event).__name__, exc)

    @commands.Cog.listener()
    async def on_composure_tick(self) -> None:
        self.reminders.wake()  # a failed reminder's retry, or one another process left

    async def _remind(self, reminder: Outgoing) -> None:
        """Send one daily reminder; Discord's refusal is raised for the outbox sender to settle."""
        user = await self.bot.fetch_user(int(reminder.learner_id))
        await user.send(messages.DAILY_REMINDER.format(due=reminder.payload.get("due", 0)))

    async def _send(self, channel_id: str, content: str | None = None, *, embed: discord.Embed | None = None,
                    embeds: Sequence[discord.Embed] | None = None, view: discord.ui.View | None = None) -> None:
        """Post in a cohort channel: one embed (with its view), or several (a long result's pages)."""
        channel = await resolve_channel(self.bot, channel_id)
        if isinstance(channel, discord.abc.Messageable):
            if embeds is not None:
                await channel.send(content, embeds=list(embeds))
            elif embed is None:
                await channel.send(content)
            elif view is None:
                await channel.send(content, embed=embed)
            else:
                await channel.send(content, embed=embed, view=view)
        else:
            log.warning("cohort channel %s is gone; nothing posted", channel_id)

    async def _post_quiz(self, event: CohortQuizOpened) -> None:
        minutes_late = int(event.late_by.total_seconds() // 60)
        late = f" (running {minutes_late} min late)" if minutes_late else ""
        await self._send(event.channel_id, f"📝 **Cohort quiz!** {len(event.questions)} questions, closes "
                                           f"{relative(event.closes_at)}{late}. Your first answer counts.")
        shown = int(self.services.clock().timestamp())
        for number, question in enumerate(event.questions, 1):
            embed = discord.Embed(title=f"Question {number}", description=question.text, colour=discord.Colour.gold())
            for choice in question.choices:
                embed.add_field(name=choice.key, value=choice.label[:1024], inline=False)
            await self._send(event.channel_id, embed=embed,
                             view=cohort_question_view(event.quiz_id, question, shown))

    async def _post_results(self, event: CohortQuizClosed) -> None:
        """The results, whole: as many embeds and messages as the questions and explanations need."""
        board = [f"{i}. **{name}**: {correct}/{len(event.results)}" for i, (name, correct, _ms) in
                 enumerate(event.leaderboard[:10], 1)]
        per_q = [f"Q{i}: {r.correct}/{r.answered} right" for i, r in enumerate(event.results, 1)]
        sections = [("Leaderboard", board or ["Nobody answered this time."]), ("Questions", per_q)]
        sections += [(f"Most missed: {r.prompt}", r.explanation.split("\n")) for r in event.missed]
        await send_embeds(functools.partial(self._send, event.channel_id),
                          paged_embeds("Cohort quiz results", sections=sections, colour=discord.Colour.gold()))
