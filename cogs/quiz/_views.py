"""Quiz buttons. The card, the choice and when it was shown live in the custom_id, so clicks
work after a restart and the answer time (part of the FSRS rating) needs no stored state."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.quiz.cards import Question
from bot.quiz.cohort import CohortError, answer_cohort
from bot.quiz.revision import answer, next_question
from cogs._services import bot_of, in_session, services_of


def _epoch(interaction: discord.Interaction) -> int:
    return int(services_of(interaction).clock().timestamp())


def question_embed(question: Question, waiting: int | None = None) -> discord.Embed:
    embed = discord.Embed(title="Revision", description=question.text, colour=discord.Colour.teal())
    for choice in question.choices:
        embed.add_field(name=choice.key, value=choice.label[:1024], inline=False)
    if waiting is not None:
        embed.set_footer(text=f"{waiting} card(s) waiting · {question.card.topic.replace('_', ' ')}")
    return embed


def question_view(question: Question, shown_at: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for choice in question.choices:
        view.add_item(QuizAnswerButton(question.card.id, choice.key, shown_at))
    return view


async def show_next(interaction: discord.Interaction, *, edit: bool) -> None:
    """Send (or swap in) the learner's next due card, or say that nothing is due."""
    bot = bot_of(interaction)
    services = bot.services
    question, waiting = await bot.off_loop(next_question, services.db, services.quiz.deck,
                                           learner_id=str(interaction.user.id), now=services.clock())
    if question is None:
        done = "Nothing is due right now. Well done! I'll remind you when cards come back."
        if edit:
            await interaction.response.edit_message(content=done, embed=None, view=None)
        else:
            await interaction.response.send_message(done, ephemeral=True)
        return
    embed, view = question_embed(question, waiting), question_view(question, _epoch(interaction))
    if edit:
        await interaction.response.edit_message(content=None, embed=embed, view=view)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class QuizAnswerButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
                       template=r"composure:q:(?P<card>[a-z0-9-]+):(?P<key>[A-DTF]):(?P<shown>\d+)"):
    def __init__(self, card_id: str, key: str, shown_at: int) -> None:
        super().__init__(discord.ui.Button(label=key, style=discord.ButtonStyle.secondary,
                                           custom_id=f"composure:q:{card_id}:{key}:{shown_at}"))
        self.card_id, self.key, self.shown_at = card_id, key, shown_at

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> QuizAnswerButton:
        return cls(match["card"], match["key"], int(match["shown"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        services = bot.services
        if self.card_id not in services.quiz.deck.cards:
            await interaction.response.edit_message(content="That card has been retired. Try /quiz again.",
                                                    embed=None, view=None)
            return
        elapsed_ms = max(0, (_epoch(interaction) - self.shown_at) * 1000)
        feedback = await bot.off_loop(answer, services.db, services.quiz.deck, services.quiz.scheduler,
                                      learner_id=str(interaction.user.id), card_id=self.card_id, key=self.key,
                                      answer_ms=elapsed_ms, now=services.clock())
        title = "✅ Correct" if feedback.correct else "❌ Not quite"
        embed = discord.Embed(title=title, description=feedback.explanation,
                              colour=discord.Colour.green() if feedback.correct else discord.Colour.red())
        if not feedback.correct:
            embed.add_field(name="The answer", value=feedback.right_answer[:1024], inline=False)
        embed.set_footer(text=f"{feedback.remaining} card(s) waiting")
        embed.add_field(name="Next review", value=f"<t:{int(feedback.result.next_due.timestamp())}:R>")
        view = discord.ui.View(timeout=None)
        if feedback.remaining:
            view.add_item(NextCardButton())
        await interaction.response.edit_message(embed=embed, view=view)


class NextCardButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"composure:q-next"):
    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Next card", style=discord.ButtonStyle.primary,
                                           custom_id="composure:q-next"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> NextCardButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        await show_next(interaction, edit=True)


class CohortAnswerButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
                         template=r"composure:cq:(?P<quiz>\d+):(?P<card>[a-z0-9-]+):(?P<key>[A-DTF]):(?P<shown>\d+)"):
    def __init__(self, quiz_id: int, card_id: str, key: str, shown_at: int) -> None:
        super().__init__(discord.ui.Button(label=key, style=discord.ButtonStyle.secondary,
                                           custom_id=f"composure:cq:{quiz_id}:{card_id}:{key}:{shown_at}"))
        self.quiz_id, self.card_id, self.key, self.shown_at = quiz_id, card_id, key, shown_at

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> CohortAnswerButton:
        return cls(int(match["quiz"]), match["card"], match["key"], int(match["shown"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        try:
            correct, _ = await in_session(
                bot, answer_cohort, quiz_id=self.quiz_id, learner_id=str(interaction.user.id),
                learner_name=interaction.user.display_name, card_id=self.card_id, choice=self.key,
                answer_ms=max(0, (_epoch(interaction) - self.shown_at) * 1000), now=bot.services.clock(),
                deck=bot.services.quiz.deck)
        except CohortError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        del correct  # revealed to everyone at once when the quiz closes
        await interaction.response.send_message("📝 Answer recorded. Results come out when the quiz closes.",
                                                ephemeral=True)


def cohort_question_view(quiz_id: int, question: Question, shown_at: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for choice in question.choices:
        view.add_item(CohortAnswerButton(quiz_id, question.card.id, choice.key, shown_at))
    return view
