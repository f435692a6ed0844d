"""The customer speaks under the persona's name through a channel webhook (an embed if not allowed)."""

from __future__ import annotations

import logging

import discord

from bot.roleplay.service import CustomerLine
from cogs.roleplay._render import customer_text

log = logging.getLogger(__name__)
WEBHOOK_NAME = "Composure customers"
NO_MENTIONS = discord.AllowedMentions.none()


class PersonaVoice:
    """One webhook per parent channel, found or made once, then reused for every line."""

    def __init__(self) -> None:
        self._webhooks: dict[int, discord.Webhook | None] = {}

    async def _webhook(self, parent: discord.TextChannel) -> discord.Webhook | None:
        if parent.id in self._webhooks:
            return self._webhooks[parent.id]
        hook: discord.Webhook | None = None
        try:
            hook = next((h for h in await parent.webhooks() if h.name == WEBHOOK_NAME and h.token), None)
            if hook is None:
                hook = await parent.create_webhook(name=WEBHOOK_NAME, reason="Customer personas for role-plays")
        except discord.HTTPException as exc:
            log.info("no webhook in #%s (%s); personas will speak in embeds", parent, exc.status)
            hook = None
        self._webhooks[parent.id] = hook
        return hook

    @staticmethod
    async def _parent(channel: discord.abc.Messageable) -> object:
        """The thread's parent; fetched when its guild is on another shard (not in this process's cache),
        as when this process answers a deadline there."""
        if not isinstance(channel, discord.Thread):
            return channel
        if channel.parent is not None:
            return channel.parent
        try:
            return await channel.guild.fetch_channel(channel.parent_id)
        except discord.HTTPException:
            return None

    async def say(self, channel: discord.abc.Messageable, line: CustomerLine) -> None:
        """Post one customer line (one REST request once the webhook is known)."""
        content = customer_text(line.text, line.deadline)
        parent_id = channel.parent_id if isinstance(channel, discord.Thread) else getattr(channel, "id", 0)
        hook = self._webhooks.get(parent_id)
        if parent_id not in self._webhooks:
            parent = await self._parent(channel)
            hook = await self._webhook(parent) if isinstance(parent, discord.TextChannel) else None
        name = f"{line.persona} (customer)"
        if hook is not None:
            try:
                if isinstance(channel, discord.Thread):
                    await hook.send(content, username=name, allowed_mentions=NO_MENTIONS, thread=channel)
                else:
                    await hook.send(content, username=name, allowed_mentions=NO_MENTIONS)
                return
            except discord.NotFound:
                self._webhooks.pop(parent_id, None)  # deleted by someone: fall back this time
        embed = discord.Embed(description=content, colour=discord.Colour.dark_gold())
        embed.set_author(name=f"{line.persona} (customer)")
        await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
