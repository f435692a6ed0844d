"""The quiz-card format (scenarios/cards/*.yaml) and the deck loaded from it once at start."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.assessment.marks import ReplyMark
from bot.assessment.whole_call import SessionMark
from bot.content.loader import ContentError, load_file

Kind = Literal["multiple_choice", "true_false", "order_steps", "best_reply"]
Topic = Literal["misconception", "model", "legislation", "kpi", "marking_point", "service"]
KEYS = "ABCD"


class Card(BaseModel):
    """One question; `seed_idea` names the idea from the unit documents it tests."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=48)  # fits in a button custom_id
    kind: Kind
    topic: Topic
    seed_idea: str = Field(min_length=3)
    prompt: str = Field(min_length=3)
    customer: str | None = None
    options: list[str] = Field(default_factory=list)
    answer: str | bool | None = None
    steps: list[str] = Field(default_factory=list)
    explanation: str = Field(min_length=3)
    marks: list[Literal[ReplyMark, SessionMark]] = Field(default_factory=list)  # one Literal: one error message
    scenarios: list[str] = Field(default_factory=list, description="ids of the scenarios that practise this idea")
    source: str | None = Field(default=None, description="where the answer comes from: an Act and section, a seed")

    @model_validator(mode="after")
    def _kind_rules(self) -> Card:
        if self.kind in ("multiple_choice", "best_reply"):
            if not 2 <= len(self.options) <= 4:
                raise ValueError("options: give 2 to 4 options")
            if len(set(self.options)) != len(self.options):
                raise ValueError("options: options must differ")
            if not isinstance(self.answer, str) or self.answer not in self.options:
                raise ValueError("answer: must be one of the options, word for word")
        if self.kind == "best_reply" and not self.customer:
            raise ValueError("customer: a best_reply card needs the customer's line")
        if self.kind == "true_false" and not isinstance(self.answer, bool):
            raise ValueError("answer: a true_false card needs true or false")
        if self.kind == "order_steps":
            if len(self.steps) < 3:
                raise ValueError("steps: give at least 3 steps, in the right order")
            if self.answer is not None or self.options:
                raise ValueError("steps: an order_steps card takes steps, not options or answer")
        return self


class DeckFile(BaseModel):
    """A deck file: a list of cards."""

    model_config = ConfigDict(extra="forbid")
    cards: list[Card] = Field(min_length=1)


@dataclass(frozen=True)
class Choice:
    """One option of a question, with the key the learner presses."""

    key: str
    label: str


@dataclass(frozen=True)
class Question:
    """A card as shown: choices with stable keys, the same every time for the same card."""

    card: Card
    text: str
    choices: tuple[Choice, ...]
    correct: str

    def is_correct(self, key: str) -> bool:
        return key == self.correct


def _rng(card_id: str) -> random.Random:
    return random.Random(int(hashlib.sha256(card_id.encode()).hexdigest()[:12], 16))


def present(card: Card) -> Question:
    """Turn a card into a question; option order and step distractors are fixed per card."""
    if card.kind == "true_false":
        choices: tuple[Choice, ...] = (Choice("T", "True"), Choice("F", "False"))
        return Question(card, f"True or false? {card.prompt}", choices, "T" if card.answer else "F")
    if card.kind == "order_steps":
        rng = _rng(card.id)
        right = tuple(card.steps)
        wrong = [p for p in permutations(right) if p != right]
        rng.shuffle(wrong)
        orders = [right, *wrong[:3]]
        rng.shuffle(orders)
        choices = tuple(Choice(KEYS[i], " → ".join(o)) for i, o in enumerate(orders))
        return Question(card, card.prompt, choices, KEYS[orders.index(right)])
    options = list(card.options)
    _rng(card.id).shuffle(options)
    choices = tuple(Choice(KEYS[i], o) for i, o in enumerate(options))
    text = f"Customer: “{card.customer}”\n{card.prompt}" if card.kind == "best_reply" else card.prompt
    return Question(card, text, choices, KEYS[options.index(str(card.answer))])


@dataclass
class Deck:
    """Every quiz card by id, and the card files that could not be loaded."""

    cards: dict[str, Card] = field(default_factory=dict)
    problems: list[ContentError] = field(default_factory=list)

    @classmethod
    def load(cls, folders: Iterable[Path]) -> Deck:
        """Load every *.yaml deck file; bad files are reported and skipped, ids must be unique."""
        deck = cls()
        for folder in folders:
            files = sorted(folder.glob("*.y*ml")) if folder.is_dir() else [folder]
            for path in files:
                try:
                    data = load_file(path, DeckFile)
                except ContentError as exc:
                    deck.problems.append(exc)
                    continue
                for card in data.cards:
                    if card.id in deck.cards:
                        deck.problems.append(ContentError(path, [f"cards: id {card.id!r} is used twice"]))
                        continue
                    deck.cards[card.id] = card
        return deck

    def get(self, card_id: str) -> Card | None:
        return self.cards.get(card_id)

    def ids(self, topic: str | None = None) -> list[str]:
        return sorted(cid for cid, c in self.cards.items() if topic is None or c.topic == topic)

    def unknown_scenarios(self, scenario_ids: Iterable[str]) -> list[str]:
        """Problems with cards that name a scenario the catalogue does not have."""
        known = set(scenario_ids)
        return [f"card {c.id!r}: scenario {s!r} does not exist" for c in self.cards.values()
                for s in c.scenarios if s not in known]

    def for_marks(self, marks: Iterable[str]) -> list[str]:
        """Cards that teach the misconception behind any of these marks."""
        wanted = set(marks)
        return sorted(cid for cid, c in self.cards.items() if wanted & set(c.marks))
