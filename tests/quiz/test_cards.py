"""The shipped decks: valid, varied, and covering every misconception in the unit documents."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.content.loader import ContentError, load_file
from bot.quiz.cards import Deck, DeckFile, present

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
DECK = Deck.load([ROOT / "scenarios" / "cards"])


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("’", "'")).strip()


def test_decks_load_without_problems_and_cover_every_kind_and_topic():
    assert not DECK.problems, [str(p) for p in DECK.problems]
    assert len(DECK.cards) >= 55
    assert set(Counter(c.kind for c in DECK.cards.values())) == {"multiple_choice", "true_false", "order_steps",
                                                                 "best_reply"}
    assert set(Counter(c.topic for c in DECK.cards.values())) == {"misconception", "model", "legislation", "kpi",
                                                                  "marking_point", "service"}


@pytest.mark.skipif(not SEEDS.exists(), reason="the unit documents (../shared/seeds) are not beside the project")
def test_every_misconception_in_the_seeds_has_a_card():
    ideas = {_norm(c.seed_idea) for c in DECK.cards.values()}
    missing = []
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        section = text.split("Common Misconceptions", 1)[1].split("Examiner Marking Points", 1)[0]
        for line in section.splitlines():
            if line.startswith("- ") and _norm(line[2:]) not in ideas:
                missing.append(line[2:])
    assert not missing, missing


def test_every_model_and_law_is_asked():
    ideas = " ".join(c.seed_idea + " " + c.prompt for c in DECK.cards.values()).lower()
    for needle in ("heat", "last", "leap", "acknowledge, investigate, resolve, follow-up", "consumer rights act",
                   "equality act", "data protection", "satisfaction", "response time", "resolution rate"):
        assert needle in ideas, needle


@pytest.mark.parametrize("card_id", sorted(DECK.cards))
def test_each_card_presents_one_right_answer(card_id):
    question = present(DECK.cards[card_id])
    keys = [c.key for c in question.choices]
    assert len(keys) == len(set(keys)) >= 2
    assert question.correct in keys
    assert present(DECK.cards[card_id]) == question  # stable across calls (and restarts)


def test_penalised_marks_lead_to_cards():
    for mark in ("dismissive", "defensive", "policy_wall", "over_promise", "admits_fault", "unprofessional"):
        assert DECK.for_marks([mark]), mark


@pytest.mark.parametrize(("body", "field"), [
    ("cards:\n  - id: x\n    kind: multiple_choice\n    topic: kpi\n    seed_idea: abc\n    prompt: abc\n"
     "    options: [a, b]\n    answer: c\n    explanation: abc\n", "answer"),
    ("cards:\n  - id: x\n    kind: order_steps\n    topic: model\n    seed_idea: abc\n    prompt: abc\n"
     "    steps: [a, b]\n    explanation: abc\n", "steps"),
    ("cards:\n  - id: x\n    kind: essay\n    topic: kpi\n    seed_idea: abc\n    prompt: abc\n"
     "    explanation: abc\n", "kind"),
    ("cards:\n  - id: x\n    kind: true_false\n    topic: kpi\n    seed_idea: abc\n    prompt: abc\n"
     "    answer: true\n    explanation: abc\n    marks: [rude]\n", "marks"),
])
def test_bad_cards_are_reported_with_file_and_field(tmp_path, body, field):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_file(path, DeckFile)
    assert "bad.yaml" in str(err.value) and field in str(err.value)
