"""What the customer says as a conversation ends, waits or moves on: the learner reads these lines,
so each test checks the line as well as the outcome. Same small scenario as test_engine_rules.py.
Written against mutation testing (`./composure mutants bot/roleplay/engine.py`).
"""

from __future__ import annotations

import pytest

from bot.roleplay.engine import PersonaEngine
from tests.roleplay.test_engine_rules import REFUND, accepted, build, hear

STAGES = [{"id": name.lower(), "say": [f"{name} stage line."], "calmer": [f"{name} calmer."],
           "worse": [f"{name} worse."], "same": [f"{name} same."]} for name in ("First", "Second", "Third")]


def test_each_event_on_a_finished_conversation_is_refused_saying_why() -> None:
    engine = PersonaEngine(build())
    engine.end_by_learner()
    for event in (lambda: hear(engine, "empathy"), engine.silence, engine.end_by_learner):
        with pytest.raises(RuntimeError, match=r"^the conversation is over$"):
            event()


def test_silences_are_answered_then_the_customer_leaves_with_a_line() -> None:
    engine = PersonaEngine(build())
    assert [engine.silence().line for _ in range(2)] == ["Hello? Are you there?"] * 2
    last = engine.silence()
    assert (last.line, last.outcome, last.resolution) == ("I'm going elsewhere.", "customer_left", None)


def test_a_silence_that_brings_mood_exactly_to_the_leaving_point_ends_the_call() -> None:
    engine = PersonaEngine(build(mood={"silence": -4, "leave_at": -8}))
    assert engine.silence().kind == "silence"
    second = engine.silence()  # -8: at the leaving point, one silence before the count runs out
    assert (second.kind, second.outcome, second.mood) == ("leave", "customer_left", -8)


def test_after_acceptance_the_last_silence_says_goodbye() -> None:
    engine = accepted()
    engine.silence()
    engine.silence()
    last = engine.silence()
    assert (last.line, last.outcome, last.resolution) == ("Goodbye then.", "resolved", "refund")


def test_after_acceptance_a_check_is_confirmed_with_the_closing_line() -> None:
    engine = accepted()
    reaction = hear(engine, "check", reply="Is there anything else I can help with?")
    assert (reaction.line, reaction.outcome, reaction.resolution) == ("Yes, that's all, thanks.", "resolved", "refund")


def test_after_acceptance_the_learners_goodbye_is_answered_and_keeps_the_resolution() -> None:
    engine = accepted()
    reaction = hear(engine, reply="Thanks for calling, goodbye.")
    assert (reaction.kind, reaction.line, reaction.outcome, reaction.resolution) == (
        "goodbye", "Goodbye then.", "resolved", "refund")


def test_ending_after_acceptance_says_goodbye_with_the_resolution() -> None:
    engine = accepted()
    reaction = engine.end_by_learner()
    assert (reaction.line, reaction.outcome, reaction.resolution) == ("Goodbye then.", "resolved", "refund")


def test_after_acceptance_a_boundary_earns_no_mood_even_from_an_abusive_caller() -> None:
    engine = accepted(persona={"abusive": True})
    reaction = hear(engine, "dismissive", "boundary")
    assert (reaction.kind, reaction.mood) == ("penalised:dismissive", -3)


def test_each_credited_reaction_moves_the_stage_on_by_one() -> None:
    engine = PersonaEngine(build(stages=STAGES, reactions={"empathy": ["Thank you for listening."]}))
    hear(engine, "empathy")
    assert engine.state.stage == 1
    hear(engine, "empathy")
    assert engine.state.stage == 2


def test_an_offer_accepted_is_answered_with_the_acceptance_line() -> None:
    engine = PersonaEngine(build(mood={"reactions": {"action": 0}}))
    reaction = hear(engine, "action", reply=REFUND)
    assert (reaction.line, reaction.resolution, reaction.outcome) == ("Fine, a refund.", "refund", None)


def test_the_customer_who_leaves_or_is_left_says_so() -> None:
    engine = PersonaEngine(build(persona={"starting_mood": -5}, mood={"leave_at": -8}))
    assert hear(engine, "dismissive").line == "I'm going elsewhere."
    trap = {"id": "box", "words_any": [r"\bbox\b"], "line": ["Who keeps the box?"], "mood": -4}
    engine = PersonaEngine(build(traps=[trap], persona={"starting_mood": -4}, mood={"leave_at": -8}))
    assert hear(engine, "verify", reply="You'll need the box.").line == "I'm going elsewhere."
    engine = PersonaEngine(build())
    assert hear(engine, reply="I'm ending this call now.").line == "Oh. Bye."


def test_stages_advance_one_at_a_time_on_their_marks_and_stay_at_the_last() -> None:
    stages = [{**stage, "advance_on": ["paraphrase"]} for stage in STAGES]
    engine = PersonaEngine(build(stages=stages, reactions={}))
    assert [hear(engine, "paraphrase").line for _ in range(3)] == ["Second stage line.", "Third stage line.",
                                                                    "Third calmer."]
    assert engine.state.stage == 2
