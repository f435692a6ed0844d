"""Turn core results (plain dicts and dataclasses) into Discord embeds and message text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from bot.content.scenario import Scenario

OUTCOME_COLOURS = {
    "resolved": discord.Colour.green(), "escalated": discord.Colour.blue(),
    "ended_by_learner": discord.Colour.light_grey(), "customer_left": discord.Colour.red(),
    "unresolved": discord.Colour.orange(),
}
FIELD_LIMIT = 1024


def relative(when: datetime) -> str:
    """A Discord timestamp that counts down by itself in every client."""
    return f"<t:{int(when.timestamp())}:R>"


def clip(text: str, limit: int = FIELD_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def brief_embed(scenario: Scenario, reply_seconds: int, learner_mention: str) -> discord.Embed:
    embed = discord.Embed(title=f"Role-play: {scenario.title}", description=f"{learner_mention}\n{scenario.brief}",
                          colour=discord.Colour.blurple())
    embed.add_field(name="Your authority", value=clip(scenario.authority.description), inline=False)
    embed.add_field(name="Time per reply", value=f"{reply_seconds} seconds", inline=True)
    embed.add_field(name="Customer", value=scenario.persona.name, inline=True)
    embed.set_footer(text="Only your messages in this thread count. /roleplay end to finish.")
    return embed


def customer_text(text: str, deadline: datetime | None) -> str:
    """The persona's line, with the reply deadline as a live relative timestamp."""
    if deadline is None:
        return clip(text, 1900)
    return f"{clip(text, 1900)}\n-# reply {relative(deadline)}"


def report_embed(report: dict[str, Any], *, image_name: str | None = None) -> discord.Embed:
    """The feedback report as one embed."""
    embed = discord.Embed(
        title=clip(f"Feedback: {report.get('title', '')}", 256),
        description=report.get("outcome_text", ""),
        colour=OUTCOME_COLOURS.get(report.get("outcome") or "", discord.Colour.default()),
    )
    for failure in report.get("serious_failures", []):
        embed.description = f"{embed.description}\n⛔ **Serious failure:** {failure['description']}"
    for title, key in (("✅ Earned credit", "credited"), ("⚠️ Lost credit", "penalised")):
        items = report.get(key) or []
        if items:
            lines = [f"**{i['label']}** ×{i['count']}: “{clip(i['quotes'][0], 120)}”" for i in items]
            embed.add_field(name=title, value=clip("\n".join(lines)), inline=False)
    session_marks = report.get("session_marks") or []
    if session_marks:
        lines = [f"{'✅' if m['credited'] else '⚠️'} **{m['label']}**: {m['reason']}" for m in session_marks]
        embed.add_field(name="Over the whole conversation", value=clip("\n".join(lines)), inline=False)
    expectations = report.get("expectations") or []
    if expectations:
        lines = [f"{'✅' if e['met'] else '⬜'} {e['text']}" for e in expectations]
        embed.add_field(name="What the examiner looks for", value=clip("\n".join(lines)), inline=False)
    models = report.get("models") or []
    if models:
        lines = [f"{m['model']}: {len(m['covered'])}/{len(m['steps'])}{' in order' if m['in_order'] else ''}"
                 for m in models]
        embed.add_field(name="Models", value=clip("\n".join(lines)), inline=False)
    tips = report.get("tips") or []
    if tips:
        embed.add_field(name="Next time", value=clip("\n".join(f"• {t}" for t in tips)), inline=False)
    embed.set_footer(text=f"{report.get('learner_turns', 0)} replies · "
                          f"{report.get('missed_deadlines', 0)} missed deadlines · session {report.get('session_id')}")
    if image_name:
        embed.set_image(url=f"attachment://{image_name}")
    return embed
