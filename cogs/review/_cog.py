"""Mentor commands; the rules (who can sign off, what an export holds) live in bot.mentoring."""

from __future__ import annotations

import contextlib
import io
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages, review_desk
from bot.app import ComposureBot
from bot.mentoring import ReviewError, SessionRecord, export_html, export_markdown
from bot.storage.models import AccessLogEntry
from cogs._channels import resolve_channel
from cogs._checks import require_mentor
from cogs._paging import paged_embeds, quoted, send_embeds, send_text
from cogs.review._portfolio import actor, send_learner_zip, send_session_pdf
from cogs.roleplay._render import relative, report_embeds


def _last_seen(entry: AccessLogEntry | None) -> str:
    if entry is None:
        return messages.NEVER_REVIEWED
    return messages.LAST_REVIEWED.format(name=entry.actor_name or entry.actor_id, when=relative(entry.at),
                                         action=messages.ACCESS_ACTIONS.get(entry.action, entry.action))


class FeedbackModal(discord.ui.Modal, title="Feedback for the learner"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback", style=discord.TextStyle.paragraph, max_length=4000,
        placeholder="What went well, what to work on, and how.")

    def __init__(self, cog: ReviewCog, session_id: int) -> None:
        super().__init__(timeout=900)
        self.cog, self.session_id = cog, session_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        services = self.cog.services
        try:
            await self.cog.bot.off_loop(review_desk.leave_feedback, services.db, session_id=self.session_id,
                                        guild_id=str(interaction.guild_id), actor=actor(interaction),
                                        text=self.text.value, now=services.clock())
        except ReviewError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        await interaction.response.send_message(f"Feedback saved for session {self.session_id}.", ephemeral=True)
        await self.cog.tell_learner(self.session_id, f"💬 Your mentor {interaction.user.display_name} left "
                                                     f"feedback on this role-play:\n{quoted(self.text.value)}")


class ReviewCog(commands.Cog):
    review = app_commands.Group(name="review", description="Mentors: review and sign off role-plays",
                                guild_only=True)

    def __init__(self, bot: ComposureBot) -> None:
        self.bot = bot
        self.services = bot.services

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await require_mentor(interaction)

    @review.command(name="queue", description="Finished role-plays waiting for review")
    async def queue(self, interaction: discord.Interaction) -> None:
        waiting = await self.bot.off_loop(review_desk.queue, self.services.db, guild_id=str(interaction.guild_id))
        items, seen = waiting.items, waiting.last_seen
        if not items:
            await interaction.response.send_message("Nothing is waiting for review. 🎉", ephemeral=True)
            return
        lines = [
            f"`#{i.session_id}` **{i.learner_name or i.learner_id}** · {i.scenario_id} · {i.outcome} · "
            f"log {'✅' if i.has_reflection else '❌'} · feedback {i.feedback_count}"
            + (f" · {relative(i.ended_at)}" if i.ended_at else "")
            + (f" · last: {seen[i.session_id].actor_name}" if i.session_id in seen else "")
            for i in items
        ]
        await send_embeds(interaction.response.send_message, paged_embeds(
            "Awaiting review", "\n".join(lines), colour=discord.Colour.blurple()),
            rest=interaction.followup.send, ephemeral=True)

    async def _opened(self, interaction: discord.Interaction, session_id: int,
                      action: str) -> tuple[SessionRecord, AccessLogEntry | None] | None:
        """A session of this server, logged as opened (and how), with the access before this one."""
        try:
            opened: tuple[SessionRecord, AccessLogEntry | None] = await self.bot.off_loop(
                review_desk.open_session, self.services.db, session_id=session_id,
                guild_id=str(interaction.guild_id), actor=actor(interaction), action=action, now=self.services.clock())
        except ReviewError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return None
        return opened

    async def _record(self, interaction: discord.Interaction, session_id: int, action: str) -> SessionRecord | None:
        opened = await self._opened(interaction, session_id, action)
        return opened[0] if opened is not None else None

    @review.command(name="show", description="A session's transcript, marks and reflective log")
    @app_commands.describe(session="Session number (from /review queue)")
    async def show(self, interaction: discord.Interaction, session: int) -> None:
        opened = await self._opened(interaction, session, "open")
        if opened is None:
            return
        record, previous = opened
        if record.row.status != "ended":
            await interaction.response.send_message("That role-play is still in progress; use `/review watch` "
                                                    "to follow it.", ephemeral=True)
            return
        page = export_markdown(record)
        file = discord.File(io.BytesIO(page.encode()), filename=f"session-{session}.md")
        await send_embeds(interaction.response.send_message, report_embeds(record.row.report),
                          rest=interaction.followup.send, first_kwargs={"content": _last_seen(previous), "file": file},
                          ephemeral=True)

    @review.command(name="feedback", description="Write feedback for a learner on a session")
    @app_commands.describe(session="Session number")
    async def feedback(self, interaction: discord.Interaction, session: int) -> None:
        if await self._record(interaction, session, "feedback") is not None:
            await interaction.response.send_modal(FeedbackModal(self, session))

    @review.command(name="signoff", description="Accept a session as portfolio evidence")
    @app_commands.describe(session="Session number", waive_reflection="Accept it without a reflective log")
    async def signoff(self, interaction: discord.Interaction, session: int, waive_reflection: bool = False) -> None:
        try:
            await self.bot.off_loop(review_desk.sign_off_session, self.services.db, session_id=session,
                                    guild_id=str(interaction.guild_id), actor=actor(interaction),
                                    now=self.services.clock(), waive_reflection=waive_reflection)
        except ReviewError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        await interaction.response.send_message(f"✅ Session {session} signed off.", ephemeral=True)
        await self.tell_learner(session, f"✅ {interaction.user.display_name} signed this role-play off as "
                                         "portfolio evidence.")

    @review.command(name="export", description="Download a session for a portfolio")
    @app_commands.describe(session="Session number", format="PDF (evidence mapped to the unit), Markdown or HTML")
    async def export(self, interaction: discord.Interaction, session: int,
                     format: Literal["pdf", "markdown", "html"] = "pdf") -> None:
        record = await self._record(interaction, session, "export")
        if record is None:
            return
        if format == "pdf":
            await send_session_pdf(interaction, record)
            return
        body, ext = (export_html(record), "html") if format == "html" else (export_markdown(record), "md")
        file = discord.File(io.BytesIO(body.encode()), filename=f"composure-session-{session}.{ext}")
        await interaction.response.send_message(f"Session {session} for the portfolio:", file=file, ephemeral=True)

    @review.command(name="portfolio", description="A learner's signed-off sessions as a ZIP of PDFs")
    @app_commands.describe(learner="The learner")
    async def portfolio(self, interaction: discord.Interaction, learner: discord.Member) -> None:
        await send_learner_zip(interaction, learner)

    @review.command(name="watch", description="Join a role-play's private thread to observe quietly")
    @app_commands.describe(session="Session number")
    async def watch(self, interaction: discord.Interaction, session: int) -> None:
        record = await self._record(interaction, session, "watch")
        if record is None:
            return
        thread = await self._thread(record.row.channel_id)
        if thread is None:
            await interaction.response.send_message("⚠️ That session's thread no longer exists.", ephemeral=True)
            return
        await thread.add_user(interaction.user)
        await interaction.response.send_message(f"You are in {thread.mention}. Your messages there do not count "
                                                "as the learner's replies.", ephemeral=True)

    async def _thread(self, channel_id: str | None) -> discord.Thread | None:
        channel = await resolve_channel(self.bot, channel_id)
        return channel if isinstance(channel, discord.Thread) else None

    async def tell_learner(self, session_id: int, text: str) -> None:
        row = await self.bot.off_loop(self.services.roleplay.get, session_id)
        with contextlib.suppress(discord.HTTPException):  # telling the learner is a courtesy
            thread = await self._thread(row.channel_id)
            if thread is not None:
                await send_text(thread.send, f"<@{row.learner_id}> {text}",
                                allowed_mentions=discord.AllowedMentions(users=True))
