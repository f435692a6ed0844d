"""Turn core results (plain dicts and dataclasses) into Discord embeds and message text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from bot.content.catalogue import Catalogue
from bot.content.scenario import Scenario
from cogs._paging import Section, clip, paged_embeds

OUTCOME_COLOURS = {
    "resolved": discord.Colour.green(), "escalated": discord.Colour.blue(),
    "ended_by_learner": discord.Colour.light_grey(), "customer_left": discord.Colour.red(),
    "unresolved": discord.Colour.orange(),
}


def relative(when: datetime) -> str:
    """A Discord timestamp that counts down by itself in every client."""
    return f"<t:{int(when.timestamp())}:R>"


def catalogue_error(catalogue: Catalogue, scenario: str) -> str:
    """Name the scenario asked for that does not exist, and list those that do."""
    known = ", ".join(f"`{i}`" for i in catalogue.ids())
    return f"There is no scenario called `{scenario[:60]}`. Choose one of: {known}"


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


def report_sections(report: dict[str, Any]) -> list[Section]:
    """The report's marks, expectations, models and tips as (heading, lines), nothing clipped but quotes."""
    sections: list[Section] = []
    for title, key in (("✅ Earned credit", "credited"), ("⚠️ Lost credit", "penalised")):
        items = report.get(key) or []
        if items:
            sections.append((title, [f"**{i['label']}** ×{i['count']}: “{clip(i['quotes'][0], 120)}”"
                                     for i in items]))
    session_marks = report.get("session_marks") or []
    if session_marks:
        sections.append(("Over the whole conversation", [f"{'✅' if m['credited'] else '⚠️'} **{m['label']}**: "
                                                         f"{m['reason']}" for m in session_marks]))
    expectations = report.get("expectations") or []
    if expectations:
        sections.append(("What the examiner looks for",
                         [f"{'✅' if e['met'] else '⬜'} {e['text']}" for e in expectations]))
    models = report.get("models") or []
    if models:
        sections.append(("Models", [f"{m['model']}: {len(m['covered'])}/{len(m['steps'])}"
                                    f"{' in order' if m['in_order'] else ''}" for m in models]))
    tips = report.get("tips") or []
    if tips:
        sections.append(("Next time", [f"• {t}" for t in tips]))
    return sections


def report_embeds(report: dict[str, Any], *, image_name: str | None = None) -> list[discord.Embed]:
    """The feedback report, whole, in as many embeds as it needs (the chart on the first)."""
    description = "\n".join([report.get("outcome_text", "")] + [
        f"⛔ **Serious failure:** {failure['description']}" for failure in report.get("serious_failures", [])])
    embeds = paged_embeds(
        f"Feedback: {report.get('title', '')}", description, report_sections(report),
        colour=OUTCOME_COLOURS.get(report.get("outcome") or "", discord.Colour.default()),
        footer=f"{report.get('learner_turns', 0)} replies · {report.get('missed_deadlines', 0)} missed deadlines"
               f" · session {report.get('session_id')}")
    if image_name:
        embeds[0].set_image(url=f"attachment://{image_name}")
    return embeds
