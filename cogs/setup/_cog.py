"""Admin settings per guild, stored in the database through bot.guild."""

from __future__ import annotations

from typing import TypedDict, Unpack
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.app import ComposureBot
from bot.guild import (
    SettingsError,
    clear_reply_seconds,
    guild_settings,
    set_learner_reply_seconds,
    update_guild,
)
from bot.jobs import dead_letters
from bot.paging import pack_lines
from bot.privacy.retention import set_retention
from cogs._channels import COHORT_AUDIT, ROLEPLAY_AUDIT, Check, permission_audit
from cogs._checks import require_admin
from cogs._paging import clip
from cogs._services import in_session

_ZONES = sorted(available_timezones())



class GuildChanges(TypedDict, total=False):
    """The settings `/setup` commands change, as `update_guild` takes them."""

    mentor_role_id: str | None
    add_cohort_channel: str | None
    remove_cohort_channel: str | None
    timezone: str | None
    reply_seconds: int | None
    reminder_minutes: int | None


class SetupCog(commands.Cog):
    setup = app_commands.Group(name="setup", description="Admins: configure Composure for this server",
                               guild_only=True, default_permissions=discord.Permissions(manage_guild=True))

    def __init__(self, bot: ComposureBot) -> None:
        self.bot = bot
        self.services = bot.services

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await require_admin(interaction)

    async def _update(self, interaction: discord.Interaction, done: str, **changes: Unpack[GuildChanges]) -> None:
        try:
            await in_session(self.bot, update_guild, guild_id=str(interaction.guild_id), **changes)
        except SettingsError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        await interaction.response.send_message(f"✅ {done}", ephemeral=True)

    @setup.command(name="mentor-role", description="The role whose members review and sign off sessions")
    async def mentor_role(self, interaction: discord.Interaction, role: discord.Role) -> None:
        await self._update(interaction, f"Mentors are now members of {role.mention}.", mentor_role_id=str(role.id))

    @setup.command(name="cohort-channel", description="Add (or remove) a channel where cohort quizzes run")
    async def cohort_channel(self, interaction: discord.Interaction, channel: discord.TextChannel,
                             remove: bool = False) -> None:
        if remove:
            await self._update(interaction, f"{channel.mention} is no longer a cohort channel.",
                               remove_cohort_channel=str(channel.id))
        else:
            await self._update(interaction, f"{channel.mention} is a cohort channel.",
                               add_cohort_channel=str(channel.id))

    @setup.command(name="timezone", description="The server's time zone, used for cohort quiz times")
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        await self._update(interaction, f"Time zone set to {zone}.", timezone=zone)

    @timezone.autocomplete("zone")
    async def zone_autocomplete(self, interaction: discord.Interaction,
                                current: str) -> list[app_commands.Choice[str]]:
        needle = current.lower().replace(" ", "_")
        return [app_commands.Choice(name=z, value=z) for z in _ZONES if needle in z.lower()][:25]

    @setup.command(name="reply-time", description="Seconds every learner has per reply on this server")
    @app_commands.describe(seconds="10 to 3600; 0 goes back to each scenario's own limit")
    async def reply_time(self, interaction: discord.Interaction, seconds: int) -> None:
        if seconds == 0:
            await in_session(self.bot, clear_reply_seconds, guild_id=str(interaction.guild_id))
            await interaction.response.send_message("✅ Each scenario's own reply time applies again.",
                                                    ephemeral=True)
            return
        await self._update(interaction, f"Learners now have {seconds} seconds per reply.", reply_seconds=seconds)

    @setup.command(name="learner-time", description="An accessibility adjustment: one learner's time per reply")
    @app_commands.describe(member="The learner", seconds="10 to 3600; 0 removes the adjustment")
    async def learner_time(self, interaction: discord.Interaction, member: discord.Member, seconds: int) -> None:
        try:
            await in_session(self.bot, set_learner_reply_seconds, guild_id=str(interaction.guild_id),
                             learner_id=str(member.id), seconds=seconds or None)
        except SettingsError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        text = (f"{member.display_name} now has {seconds} seconds per reply." if seconds
                else f"{member.display_name} is back to the server's reply time.")
        await interaction.response.send_message(f"✅ {text}", ephemeral=True)

    @setup.command(name="reminder", description="Minutes after a role-play before the reflective-log reminder")
    async def reminder(self, interaction: discord.Interaction, minutes: int) -> None:
        await self._update(interaction, f"Reflective-log reminders come {minutes} minutes after a session.",
                           reminder_minutes=minutes)

    @setup.command(name="retention", description="How long finished role-plays are kept, and signed-off evidence")
    @app_commands.describe(days="Delete finished role-plays this many days after they end; 0 keeps them",
                           keep_signed_off="Keep sessions a mentor signed off, even when a learner asks to delete")
    @app_commands.rename(keep_signed_off="keep-signed-off")
    async def retention(self, interaction: discord.Interaction, days: int, keep_signed_off: bool) -> None:
        try:
            await in_session(self.bot, set_retention, guild_id=str(interaction.guild_id), days=days,
                             keep_signed_off=keep_signed_off)
        except SettingsError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        kept = messages.RETENTION_KEPT[keep_signed_off]
        text = (messages.RETENTION_SET.format(days=days, kept=kept) if days
                else messages.RETENTION_OFF.format(kept=kept))
        await interaction.response.send_message(f"✅ {text}", ephemeral=True)

    @setup.command(name="show", description="Show this server's Composure settings")
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id = str(interaction.guild_id)
        st, dead = await in_session(self.bot, lambda s: (guild_settings(s, guild_id=guild_id), dead_letters(s)))
        embed = discord.Embed(title="Composure settings", colour=discord.Colour.blurple())
        embed.add_field(name="Mentor role", value=f"<@&{st.mentor_role_id}>" if st.mentor_role_id else "not set")
        embed.add_field(name="Cohort channels",
                        value=" ".join(f"<#{c}>" for c in st.cohort_channel_ids) or "none")
        embed.add_field(name="Time zone", value=st.timezone)
        embed.add_field(name="Reply time", value=f"{st.reply_seconds}s" if st.reply_seconds else "per scenario")
        minutes = st.reminder_minutes or self.services.settings.reflection_reminder_minutes
        embed.add_field(name="Reflection reminder", value=f"after {minutes} min")
        embed.add_field(name="Retention", value=(f"{st.retention_days} days" if st.retention_days else "kept")
                        + f", signed-off evidence {messages.RETENTION_KEPT[st.keep_signed_off]}")
        if dead:
            embed.add_field(name=f"⚠️ Timers that failed ({len(dead)})", inline=False, value=clip("\n".join(
                f"`{job.id}`: {job.attempts} attempts; {(job.last_error or '-').splitlines()[0][:120]}"
                for job in dead[:10]) + "\nRun `composure jobs --retry ID` on the bot's machine once fixed."))
        for i, value in enumerate(pack_lines(self._audit(interaction, st.cohort_channel_ids), 1024)):
            embed.add_field(name=messages.CONTINUED.format(title=messages.AUDIT_TITLE) if i else messages.AUDIT_TITLE,
                            value=value, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _audit(self, interaction: discord.Interaction, cohort_ids: list[str]) -> list[str]:
        """Where the bot lacks a permission it needs: this channel for role-plays, each cohort channel."""
        guild = interaction.guild
        if guild is None:
            return []
        here = interaction.channel if isinstance(interaction.channel, discord.TextChannel) else None
        checks: list[Check] = [(str(here.id), here, messages.AUDIT_USES["roleplay"], ROLEPLAY_AUDIT)] if here else []
        checks += [(cid, guild.get_channel(int(cid)), messages.AUDIT_USES["cohort"], COHORT_AUDIT)
                   for cid in cohort_ids]
        return permission_audit(guild.me, checks)
