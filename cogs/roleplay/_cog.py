"""Slash commands and listeners for role-plays; every rule lives in bot.roleplay."""

from __future__ import annotations

import asyncio
import io
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.app import ComposureBot
from bot.content.catalogue import UnknownScenario
from bot.guild import reply_seconds_for
from bot.reflection import ReflectionDue
from bot.roleplay.chart import mood_curve_png
from bot.roleplay.errors import AlreadyActive, ReplyRejected, RolePlayError
from bot.roleplay.service import ActiveSession, SessionPaused, TurnResult
from bot.storage.models import PracticeSession
from cogs._channels import ROLEPLAY_PERMISSIONS, THREAD_REFUSES, missing_permissions, resolve_channel, serves_guild
from cogs._followup import followup
from cogs._paging import CONTENT_LIMIT, clip, quoted, send_embeds
from cogs.roleplay._render import brief_embed, catalogue_error, relative, report_embeds
from cogs.roleplay._views import reflect_view
from cogs.roleplay._voice import PersonaVoice

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class RolePlayCog(commands.Cog):
    """/roleplay start | end | scenarios, learner replies in the thread, deadlines and reminders."""

    roleplay = app_commands.Group(name="roleplay", description="Rehearse a difficult customer", guild_only=True)

    def __init__(self, bot: ComposureBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.voice = PersonaVoice()
        self._recovered = False
        self._unrecovered: set[int] = set()  # sessions whose thread Discord could not show us yet
        self._taken: set[int] = set()  # message ids answered by this process (live and from history)
        # core calls run on worker threads; this keeps one session's events in arrival order (FIFO locks)
        self._in_order: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def _core(self, session_id: int | None, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a core call off the event loop; calls for one session wait for each other, in order."""
        if session_id is None:
            return await asyncio.to_thread(call, *args, **kwargs)
        async with self._in_order[session_id]:
            return await asyncio.to_thread(call, *args, **kwargs)

    # --- commands ---------------------------------------------------------------------------

    @roleplay.command(name="start", description="Start a timed role-play in a private thread")
    @app_commands.describe(scenario="The customer you want to practise with")
    async def start(self, interaction: discord.Interaction, scenario: str) -> None:
        catalogue = self.services.catalogue
        if scenario not in catalogue.scenarios:
            await interaction.response.send_message(f"⚠️ {catalogue_error(catalogue, scenario)}", ephemeral=True)
            return
        learner_id = str(interaction.user.id)
        active = await self._core(None, self.services.roleplay.active_for, learner_id)
        if active is not None:
            await interaction.response.send_message(
                f"⚠️ You already have a role-play in progress in <#{active.channel_id}>. "
                "Finish it there or use `/roleplay end` first.", ephemeral=True)
            return
        if not isinstance(interaction.channel, discord.TextChannel):
            await interaction.response.send_message(
                "⚠️ Start role-plays from a normal text channel: I open a private thread there.", ephemeral=True)
            return
        missing = missing_permissions(interaction.channel, interaction.channel.guild.me, ROLEPLAY_PERMISSIONS)
        if missing:
            await self._refuse(interaction, interaction.channel, missing)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        sc = catalogue.get(scenario)
        try:
            thread = await interaction.channel.create_thread(
                name=f"{sc.title} · {interaction.user.display_name}"[:100],
                type=discord.ChannelType.private_thread, invitable=False, auto_archive_duration=1440)
            await thread.add_user(interaction.user)
        except discord.Forbidden:  # our cache of the channel's overwrites was behind Discord's
            await self._refuse(interaction, interaction.channel, ["Create Private Threads"])
            return
        seconds = await self._core(None, self._reply_seconds, str(interaction.guild_id), learner_id,
                                   sc.reply_seconds)
        try:
            result = await self._core(
                None, self.services.roleplay.start, learner_id=learner_id, scenario_id=sc.id,
                learner_name=interaction.user.display_name, guild_id=str(interaction.guild_id),
                channel_id=str(thread.id), reply_seconds=seconds)
        except AlreadyActive as exc:
            await followup(interaction)(f"⚠️ {exc}", ephemeral=True)
            return
        await thread.send(embed=brief_embed(sc, seconds, interaction.user.mention))
        await self.show(thread, result)
        await followup(interaction)(f"Your role-play is ready in {thread.mention}. Good luck!", ephemeral=True)

    def _reply_seconds(self, guild_id: str, learner_id: str, scenario_seconds: int) -> int:
        with self.services.db.session() as s:
            return reply_seconds_for(s, guild_id=guild_id, learner_id=learner_id, scenario_seconds=scenario_seconds)

    async def _refuse(self, interaction: discord.Interaction, channel: discord.TextChannel,
                      missing: list[str]) -> None:
        """Say exactly which permission is missing where, to the learner (who tells an admin) and the log."""
        log.warning("guild %s: missing %s in #%s (%s)", interaction.guild_id, ", ".join(missing), channel.name,
                    channel.id)
        text = messages.MISSING_PERMISSIONS.format(permissions="**, **".join(missing), channel=channel.mention)
        if interaction.response.is_done():
            await followup(interaction)(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    @start.autocomplete("scenario")
    async def scenario_autocomplete(self, interaction: discord.Interaction,
                                    current: str) -> list[app_commands.Choice[str]]:
        needle = current.lower().strip()
        choices = []
        for sc in sorted(self.services.catalogue.scenarios.values(), key=lambda s: s.title):
            if needle in sc.id or needle in sc.title.lower():
                choices.append(app_commands.Choice(name=sc.title[:100], value=sc.id))
        return choices[:25]

    @roleplay.command(name="end", description="End your role-play now and get your feedback")
    async def end(self, interaction: discord.Interaction) -> None:
        row = await self._core(None, self.services.roleplay.active_for, str(interaction.user.id))
        if row is None:
            await interaction.response.send_message("You have no role-play in progress.", ephemeral=True)
            return
        result = await self._core(row.id, self.services.roleplay.end, row.id or 0,
                                  learner_id=str(interaction.user.id))
        await interaction.response.send_message(f"Ended. Your feedback is in <#{row.channel_id}>.", ephemeral=True)
        channel = await self._channel(row.channel_id)
        if channel is not None:
            await self.show(channel, result)

    @roleplay.command(name="scenarios", description="List the customers you can practise with")
    async def scenarios(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Customers to practise with", colour=discord.Colour.blurple())
        for sc in sorted(self.services.catalogue.scenarios.values(), key=lambda s: s.title):
            embed.add_field(name=sc.title, value=f"`{sc.id}` · {sc.reply_seconds}s per reply", inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # --- the conversation -------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id or not isinstance(message.channel, discord.Thread):
            return
        row = await self._core(None, self.services.roleplay.active_in_channel, str(message.channel.id))
        if row is None or row.learner_id != str(message.author.id):
            return  # not a role-play thread, or a mentor watching: the session is not disturbed
        await self._take_reply(row, message)

    async def _take_reply(self, row: ActiveSession | PracticeSession, message: discord.Message) -> None:
        """Store, mark and answer one learner message, once: live, or found in history after a restart."""
        if message.id in self._taken:
            return
        self._taken.add(message.id)
        if not self.bot.intents.message_content and not message.content:
            log.error("a learner's message arrived blank: enable the Message Content intent (Bot tab)")
            await message.reply(messages.NO_MESSAGE_CONTENT, mention_author=False)
            return
        try:
            result = await self._core(row.id, self.services.roleplay.reply, row.id or 0, message.content,
                                      learner_id=row.learner_id, message_id=str(message.id))
        except ReplyRejected as exc:
            await message.reply(f"⚠️ {exc}", mention_author=False)
            return
        except RolePlayError:
            return
        except UnknownScenario:  # the reply is stored; it is answered once the scenario is back
            await self._paused(await self._core(None, self.services.roleplay.paused, row.id or 0), message.channel)
            return
        await self.show(message.channel, result)

    async def show(self, channel: discord.abc.Messageable, result: TurnResult) -> None:
        """Post a turn's result; a thread a moderator locked ends the session, the learner told by DM."""
        try:
            await self._show(channel, result)
        except discord.HTTPException as exc:
            if exc.code not in THREAD_REFUSES:
                raise
            log.warning("session %s: its thread refuses posts (%s %s); closing it", result.session_id, exc.code,
                        exc.text)
            await self._close_unreachable(result.session_id, messages.THREAD_LOCKED)

    async def _show(self, channel: discord.abc.Messageable, result: TurnResult) -> None:
        """The customer's line, and at the end the report with its mood curve and the log button."""
        if result.customer is not None:
            await self.voice.say(channel, result.customer)
        if result.ended and result.report is not None:
            png = await asyncio.to_thread(mood_curve_png, result.report)  # matplotlib: 0.1-0.3 s
            self._in_order.pop(result.session_id, None)
            chart = discord.File(io.BytesIO(png), filename="mood.png")
            await send_embeds(channel.send, report_embeds(result.report, image_name="mood.png"),
                              first_kwargs={"file": chart}, last_kwargs={"view": reflect_view(result.session_id)})

    @commands.Cog.listener()
    async def on_composure_event(self, event: object) -> None:
        if isinstance(event, TurnResult):
            row = await self._core(None, self.services.roleplay.get, event.session_id)
            channel = await self._channel(row.channel_id)
            if channel is not None:
                await self.show(channel, event)
        elif isinstance(event, ReflectionDue):
            await self._remind(event)
        elif isinstance(event, SessionPaused):
            await self._paused(event, await self._channel(event.channel_id))

    async def _paused(self, event: SessionPaused, channel: discord.abc.Messageable | None) -> None:
        """Tell the learner their session waits for its scenario file (logged for the admin)."""
        if channel is not None:
            await channel.send(f"<@{event.learner_id}> " + messages.SCENARIO_UNAVAILABLE.format(
                scenario_id=event.scenario_id), allowed_mentions=discord.AllowedMentions(users=True))

    async def _remind(self, event: ReflectionDue) -> None:
        text = (f"<@{event.learner_id}> a reminder: the reflective log for your `{event.scenario_id}` "
                "role-play is not written yet. It takes five minutes and your mentor needs it.")
        channel = await self._channel(event.channel_id)
        try:
            if channel is not None:
                await channel.send(text, view=reflect_view(event.session_id),
                                   allowed_mentions=discord.AllowedMentions(users=True))
                return
            user = await self.bot.fetch_user(int(event.learner_id))
            await user.send(text, view=reflect_view(event.session_id))
        except discord.HTTPException as exc:
            log.warning("could not deliver reflection reminder %s: %s", event.session_id, exc)

    async def _channel(self, channel_id: str | None) -> discord.abc.Messageable | None:
        """The channel to post in, or None (gone, or Discord failing now: logged, nothing closed)."""
        try:
            channel = await resolve_channel(self.bot, channel_id)
        except discord.HTTPException as exc:
            log.warning("channel %s unreachable for now: %s", channel_id, exc)
            return None
        return channel if isinstance(channel, discord.abc.Messageable) else None

    # --- after a restart --------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """After a start, or a new gateway session (INVALID_SESSION): events were lost, so read them.
        A sharded client's later sessions come one shard at a time: `on_shard_ready` reads those."""
        first, self._recovered = not self._recovered, True
        if first or not isinstance(self.bot, discord.AutoShardedClient):
            await self._recover_guilds(notify=first)

    @commands.Cog.listener()
    async def on_shard_ready(self, shard_id: int) -> None:
        if self._recovered:  # a shard identified again after the start, which on_ready covered
            await self._recover_guilds(notify=False, shard_id=shard_id)

    async def _recover_guilds(self, *, notify: bool, shard_id: int | None = None) -> None:
        for row in await self._core(None, self.services.roleplay.active_sessions):
            if row.guild_id and serves_guild(self.bot, row.guild_id, shard_id=shard_id):  # not a terminal's
                await self._recover_one(row, notify=notify)

    @commands.Cog.listener()
    async def on_composure_tick(self) -> None:
        """Try again the recoveries Discord could not serve (5xx, 403, rate limits) at start."""
        for sid in sorted(self._unrecovered):
            self._unrecovered.discard(sid)
            row = await self._core(None, self.services.roleplay.get, sid)
            if row.status == "active":
                await self._recover_one(row)

    async def _recover_one(self, row: PracticeSession, *, notify: bool = True) -> None:
        """Recover one session; whatever goes wrong stays with that session."""
        try:
            await self.recover(row, notify=notify)
        except UnknownScenario:
            await self._paused(await self._core(None, self.services.roleplay.paused, row.id or 0),
                               await self._channel(row.channel_id))
        except discord.HTTPException as exc:
            log.warning("session %s: its thread is unreachable for now (%s); trying again later", row.id, exc)
            self._unrecovered.add(row.id or 0)
        except Exception:
            if self.bot.is_closed():  # stopped mid-recovery: the next start reads the thread again
                log.info("session %s: recovery cut short by the bot stopping", row.id)
                return
            log.exception("session %s could not be recovered", row.id)

    async def recover(self, row: PracticeSession, *, notify: bool = True) -> None:
        """Answer what was said before the restart, or close the session if its thread is gone
        (Discord says Unknown Channel; any other error is raised and retried later)."""
        sid = row.id or 0
        channel = await resolve_channel(self.bot, row.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            await self._close_unreachable(sid, messages.THREAD_GONE)
            return
        resumed = await self._core(sid, self.services.roleplay.resume, sid)
        if resumed is not None:
            await self.show(channel, resumed)
        missed = await self._missed(channel, row)
        for message in missed:  # written while the bot was away: answered in order, each once
            if (await self._core(None, self.services.roleplay.get, sid)).status == "active":
                await self._take_reply(row, message)
        if resumed is not None or missed or not notify:
            return
        deadline = await self._core(sid, self.services.roleplay.extend_deadline, sid)
        if deadline is not None:
            last_words = await self._core(None, self.services.roleplay.last_customer_words, sid)
            await channel.send(restart_notice(last_words, relative(deadline)))

    async def _close_unreachable(self, session_id: int, notice: str) -> None:
        """End a session whose thread is gone or locked; the learner gets `notice` and the report by DM."""
        row = await self._core(None, self.services.roleplay.get, session_id)
        report: dict[str, Any] | None = row.report
        if row.status == "active":
            report = (await self._core(session_id, self.services.roleplay.close_abandoned, session_id)).report
        try:
            user = await self.bot.fetch_user(int(row.learner_id))
            await send_embeds(user.send, report_embeds(report or {}),
                              first_kwargs={"content": notice.format(scenario_id=row.scenario_id)})
        except discord.HTTPException as exc:
            log.warning("could not tell learner %s that session %s closed: %s", row.learner_id, session_id, exc)

    async def _missed(self, channel: discord.abc.Messageable, row: PracticeSession) -> list[discord.Message]:
        """The learner's messages in the thread after the last one stored."""
        after = await self._core(None, self.services.roleplay.last_message_id, row.id or 0)
        turns = await self._core(None, self.services.roleplay.turns, row.id or 0)
        if after is None and any(t.speaker == "learner" and t.kind == "line" for t in turns):
            return []  # replies stored before message ids were kept: nothing to read after
        history = channel.history(limit=100, after=discord.Object(int(after)) if after else None, oldest_first=True)
        return [m async for m in history if str(m.author.id) == row.learner_id and not m.webhook_id]


def restart_notice(last_words: str, when: str) -> str:
    """The notice repeats the customer's last words: a process that died between storing them and
    posting them (a deadline's answer, say) never showed them, and the learner needs them to reply."""
    notice = messages.RESTARTED.format(when=when)
    if not last_words:
        return notice
    return clip(f"{notice}\n{messages.CUSTOMER_LAST_WORDS}\n{quoted(last_words)}", CONTENT_LIMIT)
