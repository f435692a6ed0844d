"""How the customer answers what the learner asks or gets wrong: facts (answered or refused), a
plain question asked in a rude tone, corrections of a wrong amount. Small scenario of
test_engine_rules.py, marks given. Written against mutation testing
(`./composure mutants bot/roleplay/engine.py`).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.roleplay.engine import PersonaEngine, scenario_context
from tests.roleplay.test_engine_rules import FACTS, TRAP, build, hear

SHY = [{**FACTS[0], "refuse": ["Why do you need that?"]}, FACTS[1]]
# a question of fact that matches well, 20 words long, and the same with one word more
TWENTY_WORDS = "Sorry, but I really do need to know this one thing before we go further: when did you buy it?"
TWENTY_ONE_WORDS = "Sorry, but I really do need to know this one thing before we go any further: when did you buy it?"
LOOSE = "Right, so before we go any further with this, can you tell me when you bought the kettle please?"


def test_a_fact_with_a_refusal_is_sometimes_refused_and_sometimes_answered() -> None:
    lines = set()
    for seed in range(12):
        reaction = hear(PersonaEngine(build(facts=SHY), seed=seed), reply="When did you buy it?")
        assert (reaction.kind, reaction.facts) == ("fact", ("bought",))
        lines.add(reaction.line)
    assert lines == {"Two weeks ago.", "Why do you need that?"}


@pytest.mark.parametrize(("reply", "kind"), [
    ("When did you buy it?", "fact"),
    (TWENTY_WORDS, "fact"),
    (TWENTY_ONE_WORDS, "penalised:dismissive"),  # a long reply is more than a question
    ("When did you buy it? What did you pay?", "penalised:dismissive"),  # more than one question
    (LOOSE, "penalised:dismissive"),  # a question that only loosely matches the fact
])
def test_a_short_plain_question_of_fact_is_answered_whatever_its_tone(reply: str, kind: str) -> None:
    engine = PersonaEngine(build(facts=FACTS, persona={"starting_mood": 5}))
    assert hear(engine, "dismissive", reply=reply).kind == kind


@pytest.mark.parametrize("marks", [("defensive",), ("dismissive",), ("defensive", "dismissive")])
def test_a_defensive_or_dismissive_tone_does_not_stop_a_plain_question_being_answered(marks: tuple[str, ...]) -> None:
    engine = PersonaEngine(build(facts=FACTS, persona={"starting_mood": 5}))
    assert hear(engine, *marks, reply="When did you buy it?").facts == ("bought",)


def test_a_wrong_amount_is_corrected_to_the_nearest_amount_of_the_story() -> None:
    story = build(reactions={}, correct=["No, not {said}. It was {actual}."],
                  brief="A customer wants £40 back for a kettle and £1,200 for a sofa.")
    for said, actual in (("£45", "£40"), ("£1,100.50", "£1,200"), ("£30", "£40")):
        reaction = hear(PersonaEngine(story), "paraphrase", reply=f"So you paid {said}.")
        assert (reaction.kind, reaction.line) == ("correction", f"No, not {said}. It was {actual}."), said


def test_a_story_without_amounts_corrects_nothing() -> None:
    story = build(reactions={}, correct=["No, not {said}. It was {actual}."],
                  brief="A customer wants a kettle replaced.", persona={"situation": "Bought a kettle."})
    assert hear(PersonaEngine(story), "paraphrase", reply="So you paid £45.").kind == "stage"


def test_a_correction_is_not_said_again_while_another_line_remains() -> None:
    said = "No, not £45. It was £40."
    stages = [{"id": "first", "say": ["Opening line."], "calmer": [said, "Calmer."], "worse": ["Worse."],
               "same": ["Same."]}]
    for seed in range(6):
        engine = PersonaEngine(build(reactions={}, correct=[said], stages=stages), seed=seed)
        assert hear(engine, "paraphrase", reply="So you paid £45.").line == said
        assert hear(engine, "empathy").line == "Calmer."


def test_the_default_reply_context_is_before_any_boundary() -> None:
    assert scenario_context(build(persona={"abusive": True})).customer_abusive is True
    assert scenario_context(build(persona={"abusive": True}), boundary_set=True).customer_abusive is None
    assert scenario_context(build(authority={"limit_gbp": "12.5", "description": "a little"})).authority_limit == (
        Decimal("12.5"))


RECEIPT = {"id": "receipt", "words_any": [r"\breceipt\b"], "line": ["I threw the receipt away!"], "mood": -1}
DROPPED = {"id": "dropped", "line": ["Are you calling me clumsy?"], "mood": -1,
           "asked_by": ["Did you drop it?", "Has it been dropped at all?", "Did it fall on the floor?"]}


def test_each_trap_springs_once_and_the_next_one_still_can() -> None:
    engine = PersonaEngine(build(traps=[TRAP, RECEIPT], reactions={}))
    assert hear(engine, "verify", reply="Bring the BOX back.").kind == "trap:box"
    assert hear(engine, "verify", reply="Bring the receipt too.").kind == "trap:receipt"


def test_a_defused_trap_does_not_hide_the_next_one() -> None:
    engine = PersonaEngine(build(traps=[TRAP, RECEIPT], reactions={}))
    reaction = hear(engine, "verify", reply="There's No Need for the box, but bring the receipt.")
    assert (reaction.kind, reaction.line) == ("trap:receipt", "I threw the receipt away!")


def test_a_trap_springs_on_a_question_like_its_examples() -> None:
    engine = PersonaEngine(build(traps=[DROPPED], reactions={}))
    assert hear(engine, "verify", reply="Did you drop the kettle?").kind == "trap:dropped"
    calm = PersonaEngine(build(traps=[DROPPED], reactions={}))
    assert hear(calm, "verify", reply="Thanks for waiting.").kind == "mood"


def test_a_boundary_with_a_calm_caller_earns_nothing_but_the_other_marks_still_count() -> None:
    engine = PersonaEngine(build(reactions={}))
    assert hear(engine, "boundary", "empathy").mood == 2


SHOP = {"id": "shop", "about": "shop", "asked_by": ["Which shop did you buy it from?", "Where did you buy it?",
                                                   "What store was it?"],
        "answer": ["Kettles R Us."], "again": ["Kettles R Us, I said."]}
LOOSELY_WHEN = "Did you get it recently?"  # matches "bought" above the threshold, below a sure match
CLEARLY_PRICE = "Did it cost a lot?"


@pytest.mark.parametrize(("marks", "reply", "facts"), [
    ((), LOOSELY_WHEN, ("bought",)),
    (("paraphrase",), LOOSELY_WHEN, ()),  # "...recently, is that right?" checks understanding
    (("check",), LOOSELY_WHEN, ()),
    (("check",), CLEARLY_PRICE, ("price",)),  # a clear question of detail is still one
    (("check",), "Did you get it recently, and what did it cost you?", ("price",)),  # its clear part counts
])
def test_a_check_or_paraphrase_asks_for_a_fact_only_when_it_clearly_does(
        marks: tuple[str, ...], reply: str, facts: tuple[str, ...]) -> None:
    engine = PersonaEngine(build(facts=FACTS, reactions={}))
    assert hear(engine, *marks, reply=reply).facts == facts


def test_at_most_two_facts_are_answered_at_once() -> None:
    engine = PersonaEngine(build(facts=[*FACTS, SHOP]))
    reaction = hear(engine, reply="When did you buy it? How much did it cost? Which shop was it?")
    assert (reaction.facts, reaction.line) == (("bought", "price"), "Two weeks ago. It was £40.")


def test_a_fact_asked_twice_in_one_reply_is_answered_once() -> None:
    engine = PersonaEngine(build(facts=FACTS))
    reaction = hear(engine, reply="When did you buy it? When did you purchase it?")
    assert (reaction.facts, reaction.line, reaction.mood) == (("bought",), "Two weeks ago.", 0)
