"""Which line the customer picks: lines that name what the learner offered, lines said only after
(or until) a mark, reaction lines for credited marks, and which reaction wins when a reply does
several things. Small scenario of test_engine_rules.py, marks given. Written against mutation
testing (`./composure mutants bot/roleplay/engine.py`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.roleplay.engine import PersonaEngine, known_amounts
from tests.roleplay.test_engine_rules import FACTS, REFUND, build, hear


def refund_accepted_with(*accept: str) -> dict[str, Any]:
    return {"id": "refund", "outcome": "resolved", "description": "a refund", "marks_any": ["action"],
            "words_any": ["refund"], "accept": list(accept), "reject": ["Not good enough."]}


def one_stage(calmer: list[str]) -> list[dict[str, Any]]:
    return [{"id": "first", "say": ["Opening line."], "calmer": calmer, "worse": ["Worse."], "same": ["Same."]}]


def test_the_acceptance_names_the_amount_the_learner_offered() -> None:
    engine = PersonaEngine(build(resolutions=[refund_accepted_with("Fine, {amount} it is.")],
                                 mood={"reactions": {"action": 0}}))
    reaction = hear(engine, "action", reply="I'll refund £40 today.", offered=(Decimal(40),))
    assert (reaction.kind, reaction.line) == ("accept", "Fine, £40 it is.")


def test_a_line_that_needs_what_nobody_said_gives_way_to_one_that_does_not() -> None:
    engine = PersonaEngine(build(resolutions=[refund_accepted_with("Fine, {amount} it is.", "Fine.")],
                                 mood={"reactions": {"action": 0}}))
    assert hear(engine, "action", reply=REFUND).line == "Fine."
    alone = PersonaEngine(build(resolutions=[refund_accepted_with("Fine, {amount} it is.")],
                                mood={"reactions": {"action": 0}}))
    assert hear(alone, "action", reply=REFUND).line == "..."  # nothing it could say


def test_a_timeline_is_remembered_only_from_a_reply_that_offers_a_step() -> None:
    stages = one_stage(["Right, {timeline} then.", "Good."])
    scenario = build(stages=stages, reactions={}, mood={"reactions": {"action": 1}})
    in_passing = {hear(PersonaEngine(scenario, seed=s), "empathy", reply="Sorry it broke by tomorrow.").line
                  for s in range(6)}
    offered = {hear(PersonaEngine(scenario, seed=s), "action", reply="I'll sort it by tomorrow.").line
               for s in range(6)}
    assert (in_passing, offered) == ({"Good."}, {"Good.", "Right, by tomorrow then."})


def test_lines_said_only_after_or_until_a_mark() -> None:
    stages = one_stage(["{if:record} Good, it's logged.", "{unless:apology} Nobody's even said sorry."])
    logged = PersonaEngine(build(stages=stages, reactions={}))
    assert hear(logged, "record", "apology").line == "Good, it's logged."
    not_sorry = PersonaEngine(build(stages=stages, reactions={}))
    assert hear(not_sorry, "empathy").line == "Nobody's even said sorry."


def test_the_same_line_comes_back_only_when_no_other_remains() -> None:
    engine = PersonaEngine(build(stages=one_stage(["Calmer."]), reactions={}))
    assert [hear(engine, "empathy").line for _ in range(3)] == ["Calmer."] * 3
    for seed in range(6):
        engine = PersonaEngine(build(stages=one_stage(["One.", "Two."]), reactions={}), seed=seed)
        assert {hear(engine, "empathy").line, hear(engine, "empathy").line} == {"One.", "Two."}, seed


def test_a_boundary_line_answers_only_an_abusive_caller_who_has_none_yet() -> None:
    lines = {"boundary": ["All right, I'll calm down."]}
    abusive = PersonaEngine(build(reactions=lines, persona={"abusive": True}))
    assert hear(abusive, "boundary").kind == "credited:boundary"
    assert hear(abusive, "boundary").kind == "mood"  # set already
    calm = PersonaEngine(build(reactions=lines))
    assert hear(calm, "boundary").kind == "mood"


# more than a short plain question, which is answered before anything else
LONG_QUESTION = "I'm sorry about the trouble you had with the shop over the kettle. When did you buy it?"


def test_an_offer_is_weighed_before_a_question_in_the_same_reply() -> None:
    engine = PersonaEngine(build(facts=FACTS, mood={"reactions": {"action": 0}}))
    reaction = hear(engine, "action", reply=f"I'll arrange a refund today. {LONG_QUESTION}")
    assert (reaction.kind, reaction.resolution) == ("accept", "refund")
    engine = PersonaEngine(build(facts=FACTS, mood={"reactions": {"action": 0}}))
    reaction = hear(engine, "action", reply=f"I'll look into it. {LONG_QUESTION}")
    assert (reaction.kind, reaction.facts) == ("fact", ("bought",))


def test_a_question_with_a_rude_mark_beyond_tone_gets_the_reaction_to_it() -> None:
    engine = PersonaEngine(build(facts=FACTS, persona={"starting_mood": 5}))
    reaction = hear(engine, "over_promise", reply="When did you buy it?")
    assert (reaction.kind, reaction.line) == ("penalised:over_promise", "Really? All of it?")


def test_a_question_nobody_can_answer_with_a_credited_mark_is_not_a_dont_know() -> None:
    engine = PersonaEngine(build(facts=FACTS, reactions={}))
    assert hear(engine, "empathy", reply="I'm sorry. What is your postcode?").kind == "mood"


def test_a_rejected_offer_is_answered_with_the_rejection() -> None:
    engine = PersonaEngine(build(persona={"starting_mood": -5}, mood={"reactions": {"action": 0}}))
    reaction = hear(engine, "action", reply=REFUND)
    assert (reaction.kind, reaction.line, engine.state.closing) == ("reject", "Not good enough.", None)


def test_known_amounts_come_from_every_part_of_the_story() -> None:
    facts = [{**FACTS[0], "answer": ["Two weeks ago, £2 delivery."], "again": ["I told you, £3 delivery."]},
             FACTS[1]]
    story = build(brief="A customer wants £39 back.", persona={"situation": "Paid £41 in the end."},
                  stages=[{"id": "first", "say": ["I paid £42!"], "calmer": ["C."], "worse": ["W."], "same": ["S."]}],
                  facts=facts)
    assert known_amounts(story) == {Decimal(n) for n in (39, 41, 42, 2, 3, 40)}


def test_only_a_bare_question_of_fact_nobody_covers_gets_a_dont_know() -> None:
    engine = PersonaEngine(build(facts=FACTS, reactions={}, unknown=["No idea, sorry."]))
    reaction = hear(engine, reply="What is your postcode?")
    assert (reaction.kind, reaction.line) == ("unknown", "No idea, sorry.")
    engine = PersonaEngine(build(facts=FACTS, reactions={}, unknown=["No idea, sorry."]))
    assert hear(engine, reply="How do you feel about that?").kind == "mood"  # a feeling, not a fact


def test_a_credited_reaction_answers_only_its_own_mark() -> None:
    engine = PersonaEngine(build(reactions={"empathy": ["Thank you for listening."]}))
    assert hear(engine, "apology").kind == "mood"
