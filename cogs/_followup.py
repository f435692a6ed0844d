"""Follow-ups that still arrive when slow work outlasts the interaction's 15-minute token.

Discord refuses a follow-up after the token expires (401, Invalid Webhook Token 50027). The
answer is then sent by other means: an ephemeral one (meant for the user only) by direct
message, a public one to the channel the command came from.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from cogs._paging import Send

log = logging.getLogger(__name__)
INVALID_WEBHOOK_TOKEN = 50027


def followup(interaction: discord.Interaction) -> Send:
    """`interaction.followup.send`, with a fallback once the token has expired."""

    # forwards whatever discord.py's send takes (content, embeds, files, view...)
    async def send(*args: Any, ephemeral: bool = False, **kwargs: Any) -> None:  # noqa: ANN401
        try:
            await interaction.followup.send(*args, ephemeral=ephemeral, **kwargs)
            return
        except discord.HTTPException as exc:
            if exc.code != INVALID_WEBHOOK_TOKEN:
                raise
        target = interaction.user if ephemeral else interaction.channel
        log.warning("interaction %s: its token expired before the answer; sending it %s instead",
                    interaction.id, "by direct message" if ephemeral else "to the channel")
        for file in [kwargs.get("file"), *(kwargs.get("files") or [])]:
            if isinstance(file, discord.File):
                file.reset()  # read once by the refused attempt
        if not isinstance(target, discord.abc.Messageable):
            log.warning("interaction %s: nowhere to send the late answer", interaction.id)
            return
        await target.send(*args, **kwargs)

    return send
