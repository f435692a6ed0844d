"""Long reports as several embeds and messages, each within Discord's limits, instead of clipped.

Discord refuses (400, 50035) an embed with a description over 4096 characters, a field value over
1024, more than 25 fields, or more than 6000 characters across a message's embeds (at most 10),
and a message content over 2000. The text rules (where to cut) are in `bot.paging`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot import messages
from bot.paging import pack_lines, split_line, split_text

CONTENT_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
EMBEDS_PER_MESSAGE = 10
MESSAGE_EMBED_TOTAL = 6000

Section = tuple[str, Sequence[str]]
Send = Callable[..., Awaitable[Any]]


def clip(text: str, limit: int = FIELD_VALUE_LIMIT) -> str:
    """Text shortened to its limit, for headings and short-by-design values (body text is split, never clipped)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


QUOTED_LINE = 1000  # a long paragraph is cut into quoted lines of this size, so messages split between lines


def quoted(text: str) -> str:
    """Text as a Discord quote, every line marked, long lines cut so a split message stays quoted."""
    return "\n".join(f"> {part}" for line in text.split("\n") for part in split_line(line, QUOTED_LINE))


def paged_embeds(title: str, description: str = "", sections: Sequence[Section] = (), *,
                 colour: discord.Colour | None = None, footer: str | None = None) -> list[discord.Embed]:
    """The description and sections in as many embeds as they need; the footer on the last one."""
    budget = MESSAGE_EMBED_TOTAL - (len(footer) if footer else 0)

    def new(continued: bool) -> discord.Embed:
        name = messages.CONTINUED.format(title=title) if continued else title
        return discord.Embed(title=clip(name, TITLE_LIMIT), colour=colour)

    embeds: list[discord.Embed] = []
    for piece in split_text(description, DESCRIPTION_LIMIT) or [""]:
        embed = new(continued=bool(embeds))
        embed.description = piece or None
        embeds.append(embed)
    for name, lines in sections:
        for i, value in enumerate(pack_lines(lines, FIELD_VALUE_LIMIT) or ["-"]):
            field_name = clip(messages.CONTINUED.format(title=name) if i else name, FIELD_NAME_LIMIT)
            last = embeds[-1]
            if len(last.fields) >= FIELDS_PER_EMBED or len(last) + len(field_name) + len(value) > budget:
                last = new(continued=True)
                embeds.append(last)
            last.add_field(name=field_name, value=value, inline=False)
    if footer:
        embeds[-1].set_footer(text=footer)
    return embeds


def message_groups(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped, in order, into messages of at most 10 embeds and 6000 characters."""
    groups: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        if not groups or len(groups[-1]) >= EMBEDS_PER_MESSAGE or size + len(embed) > MESSAGE_EMBED_TOTAL:
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += len(embed)
    return groups


async def send_embeds(first: Send, embeds: Sequence[discord.Embed], *, rest: Send | None = None,
                      first_kwargs: dict[str, Any] | None = None,
                      last_kwargs: dict[str, Any] | None = None, **every: Any) -> None:  # noqa: ANN401 (send()'s keywords)
    """Send the embeds in as few messages as fit: `first_kwargs` (content, files) go with the first
    message, `last_kwargs` (a view) with the last, `every` (ephemeral) with each; `rest` sends the
    others (an interaction's followup)."""
    groups = message_groups(embeds)
    for i, group in enumerate(groups):
        kwargs: dict[str, Any] = dict(every)
        if i == 0:
            kwargs.update(first_kwargs or {})
        if i == len(groups) - 1:
            kwargs.update(last_kwargs or {})
        await (first if i == 0 else (rest or first))(embeds=group, **kwargs)


async def send_text(first: Send, text: str, *, rest: Send | None = None, **kwargs: Any) -> None:  # noqa: ANN401 (send()'s keywords)
    """Text over 2000 characters as several messages, cut at line breaks; `kwargs` go with each."""
    for i, piece in enumerate(split_text(text, CONTENT_LIMIT)):
        await (first if i == 0 else (rest or first))(piece, **kwargs)
