"""The decks cover the unit documents: examiner points, every mark id, every model, law and KPI.

test_cards.py checks the misconception lines; this file checks the rest of the issue's list,
reading the ids and models from the shared documents so a new line there fails here first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.assessment import PENALISED, REPLY_MARKS
from bot.quiz.cards import Deck

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DECK = Deck.load([ROOT / "scenarios" / "cards"])
CARDS = list(DECK.cards.values())
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="the unit documents (../shared) are not here")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("’", "'").replace("empathize", "empathise")).strip()


def _section(text: str, start: str, end: str | None) -> str:
    body = text.split(start, 1)[1]
    return body.split(end, 1)[0] if end else body


def _bullets(text: str) -> list[str]:
    return [line[2:].strip() for line in text.splitlines() if line.startswith("- ")]


def test_the_deck_is_big_enough_and_loads_cleanly():
    assert not DECK.problems, [str(p) for p in DECK.problems]
    assert len(CARDS) >= 60


@needs_shared
def test_every_examiner_marking_point_in_the_seeds_has_a_card():
    ideas = {_norm(c.seed_idea) for c in CARDS}
    missing = []
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        points = _bullets(_section(seed.read_text(encoding="utf-8"), "Examiner Marking Points", None))
        assert points, f"{seed.name}: no examiner marking points found; has the format changed?"
        missing += [f"{seed.name}: {p}" for p in points if _norm(p) not in ideas]
    assert not missing, missing


@needs_shared
def test_every_reply_mark_of_marking_points_md_is_taught_by_a_card():
    doc = (SHARED / "marking-points.md").read_text(encoding="utf-8")
    table = _section(doc, "## Reply-level marks", "## Session-level marks")
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)
    assert sorted(documented) == sorted(REPLY_MARKS)  # the contract the card schema validates against
    linked = {m for c in CARDS for m in c.marks}
    assert set(documented) - linked == set()


def test_each_penalised_mark_brings_at_least_two_cards():
    for mark in sorted(PENALISED):
        assert len(DECK.for_marks([mark])) >= 2, mark


@needs_shared
def test_each_model_is_asked_in_order_and_by_meaning():
    doc = (SHARED / "marking-points.md").read_text(encoding="utf-8")
    models = {}
    for line in _bullets(_section(doc, "## Models", None)):
        name, steps = line.split(":", 1)
        models[name.strip()] = [_norm(s) for s in steps.split(",")]
    assert len(models) == 4
    for name, steps in models.items():
        ordering = [c for c in CARDS if c.kind == "order_steps" and [_norm(s) for s in c.steps] == steps]
        assert ordering, f"no order_steps card for {name}"
        about = [c for c in CARDS if c.topic == "model" and c.kind != "order_steps"
                 and c.seed_idea == ordering[0].seed_idea]
        assert about, f"no card on what the steps of {name} mean"


@pytest.mark.parametrize("law", ["Consumer Rights Act 2015", "Equality Act 2010", "Data Protection Act 2018"])
def test_each_law_has_several_cards(law):
    cards = [c for c in CARDS if c.topic == "legislation" and law.lower() in c.seed_idea.lower()]
    assert len(cards) >= 2, law
    assert len({c.kind for c in cards}) >= 2, f"{law}: ask it in more than one way"


@pytest.mark.parametrize("kpi", ["satisfaction", "response time", "resolution rate"])
def test_each_kpi_is_asked_about(kpi):
    asked = [c for c in CARDS if c.topic == "kpi" and kpi in " ".join([c.prompt, *c.options, c.explanation]).lower()]
    assert asked, kpi


def test_explanations_teach_rather_than_repeat_the_answer():
    for card in CARDS:
        assert len(card.explanation) >= 40, card.id
        assert _norm(card.explanation) != _norm(str(card.answer)), card.id
