"""The persona engine's rules at their edges, on a small scenario written here with one line per
reaction, and replies whose marks are given (so the rule under test is the engine's, not the
assessment's). Written against mutation testing (`./composure mutants bot/roleplay/engine.py`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.assessment import Assessment
from bot.content.scenario import MOOD_MAX, MOOD_MIN, Scenario
from bot.roleplay.engine import (
    DEFAULT_REACTIONS,
    MAX_SILENCES_IN_A_ROW,
    PersonaEngine,
    Reaction,
    known_amounts,
    reply_context,
    scenario_context,
)

PLAIN = "Right."  # a reply with no question, no ending, no trap: only its marks count


def build(**changes: Any) -> Scenario:
    """A small scenario; `changes` replace top-level keys, `mood`/`persona` are merged."""
    data: dict[str, Any] = {
        "id": "test-shop", "title": "Test shop", "brief": "A customer wants £40 back for a kettle.",
        "persona": {"name": "Pat", "situation": "Bought a kettle for £40.", "starting_mood": 0,
                    "calmed_by": ["listening"], "inflamed_by": ["excuses"]},
        "policy": ["Refunds within 30 days."],
        "authority": {"limit_gbp": "50", "description": "up to £50"},
        "remit": "yes", "escalation": "optional", "reply_seconds": 60, "max_learner_turns": 12,
        "examiner_expects": [{"text": "Listens", "shown_by": {"marks_any": ["empathy"]}, "tip": "Listen."}],
        "mood": {"reactions": {}, "no_marks": -1, "silence": 0, "leave_at": -8, "accept_at": -3, "max_step": 3},
        "stages": [
            {"id": "first", "say": ["Opening line."], "advance_on": ["paraphrase"],
             "calmer": ["First calmer."], "worse": ["First worse."], "same": ["First same."]},
            {"id": "second", "say": ["Second stage line."],
             "calmer": ["Second calmer."], "worse": ["Second worse."], "same": ["Second same."]},
        ],
        "resolutions": [{"id": "refund", "outcome": "resolved", "description": "a refund",
                         "marks_any": ["action"], "words_any": ["refund"],
                         "accept": ["Fine, a refund."], "reject": ["Not good enough."]}],
        "reactions": {"dismissive": ["Don't brush me off."], "defensive": ["Don't argue with me."],
                      "over_promise": ["Really? All of it?"]},
        "silence": ["Hello? Are you there?"], "leave": ["I'm going elsewhere."],
        "closing": {"confirm": ["Yes, that's all, thanks."], "goodbye": ["Goodbye then."], "ack": ["OK."]},
        "ended_by_learner": ["Oh. Bye."], "unresolved": ["This is going nowhere."],
    }
    for key in ("mood", "persona"):
        if key in changes:
            data[key] = {**data[key], **changes.pop(key)}
    data.update(changes)
    return Scenario.model_validate(data)


def hear(engine: PersonaEngine, *marks: str, reply: str = PLAIN, offered: tuple[Decimal, ...] = ()) -> Reaction:
    return engine.hear(reply, Assessment(marks=tuple(marks), offered_amounts=offered))


REFUND = "I'll arrange a refund today."


# --- acceptance and its mood threshold ----------------------------------------------------------

@pytest.mark.parametrize(("mood", "kind"), [(-3, "accept"), (-4, "reject"), (5, "accept")])
def test_an_offer_is_accepted_from_exactly_the_threshold_up(mood: int, kind: str) -> None:
    engine = PersonaEngine(build(persona={"starting_mood": mood}, mood={"reactions": {"action": 0}}))
    reaction = hear(engine, "action", reply=REFUND)
    assert (reaction.kind, reaction.mood, reaction.outcome) == (kind, mood, None)
    assert reaction.resolution == ("refund" if kind == "accept" else None)


@pytest.mark.parametrize(("mood", "kind"), [(2, "accept"), (1, "reject")])
def test_a_resolutions_own_minimum_mood_replaces_the_scenarios(mood: int, kind: str) -> None:
    resolution = {"id": "refund", "outcome": "resolved", "description": "a refund", "marks_any": ["action"],
                  "words_any": ["refund"], "min_mood": 2, "accept": ["Fine."], "reject": ["No."]}
    engine = PersonaEngine(build(persona={"starting_mood": mood}, mood={"reactions": {"action": 0}},
                                 resolutions=[resolution]))
    assert hear(engine, "action", reply=REFUND).kind == kind


def test_an_offer_without_the_resolutions_words_is_not_a_resolution() -> None:
    engine = PersonaEngine(build(mood={"reactions": {"action": 0}}))
    assert hear(engine, "action", reply="I'll look into it.").kind == "mood"
    assert engine.state.closing is None


# --- silences ---------------------------------------------------------------------------------

def test_the_customer_waits_three_silences_in_a_row_then_leaves() -> None:
    assert MAX_SILENCES_IN_A_ROW == 3
    engine = PersonaEngine(build())
    assert [engine.silence().kind for _ in range(2)] == ["silence", "silence"]
    last = engine.silence()
    assert (last.kind, last.outcome) == ("leave", "customer_left")


def test_a_reply_resets_the_silences() -> None:
    engine = PersonaEngine(build())
    engine.silence()
    engine.silence()
    hear(engine, "empathy")
    assert [engine.silence().kind for _ in range(2)] == ["silence", "silence"]
    assert engine.silence().outcome == "customer_left"


def test_silence_costs_mood_and_can_drive_the_customer_away() -> None:
    engine = PersonaEngine(build(mood={"silence": -3, "leave_at": -5}))
    first = engine.silence()
    assert (first.kind, first.mood) == ("silence", -3)
    second = engine.silence()
    assert (second.kind, second.outcome, second.mood) == ("leave", "customer_left", -6)


def test_silence_never_takes_mood_below_the_scale() -> None:
    engine = PersonaEngine(build(persona={"starting_mood": -9}, mood={"silence": -5, "leave_at": -10}))
    assert engine.silence().mood == MOOD_MIN


def test_after_acceptance_silences_end_with_the_resolution() -> None:
    engine = PersonaEngine(build(mood={"reactions": {"action": 0}}))
    hear(engine, "action", reply=REFUND)
    engine.silence()
    engine.silence()
    last = engine.silence()
    assert (last.kind, last.outcome, last.resolution) == ("goodbye", "resolved", "refund")


# --- mood ---------------------------------------------------------------------------------------

def test_marks_move_mood_by_the_default_table_and_the_scenarios_overrides() -> None:
    assert DEFAULT_REACTIONS["empathy"] == 2
    engine = PersonaEngine(build())
    assert hear(engine, "empathy").mood == 2
    engine = PersonaEngine(build(mood={"reactions": {"empathy": 1}}))
    assert hear(engine, "empathy").mood == 1
    engine = PersonaEngine(build())
    assert hear(engine, "apology", "thanks").mood == 2
    engine = PersonaEngine(build())
    assert hear(engine, "verify").mood == 0


def test_one_reply_moves_mood_by_at_most_max_step_up_and_two_more_down() -> None:
    engine = PersonaEngine(build())
    assert hear(engine, "empathy", "paraphrase", "open_question").mood == 3  # 5, capped at 3
    engine = PersonaEngine(build(mood={"leave_at": -9}))
    assert hear(engine, "unprofessional", "dismissive").mood == -5  # -7, capped at -(3 + 2)
    engine = PersonaEngine(build(mood={"max_step": 1}))
    assert hear(engine, "empathy").mood == 1


def test_mood_stays_within_the_scale() -> None:
    engine = PersonaEngine(build(persona={"starting_mood": MOOD_MAX - 1}))
    assert hear(engine, "empathy").mood == MOOD_MAX


def test_a_reply_with_no_marks_costs_mood_unless_it_asks_something() -> None:
    engine = PersonaEngine(build())
    assert hear(engine).mood == -1
    engine = PersonaEngine(build(mood={"no_marks": -2}))
    assert hear(engine, reply="Which shop did you buy it from?").mood == 0


def test_the_customer_leaves_when_mood_reaches_the_leaving_point() -> None:
    engine = PersonaEngine(build(persona={"starting_mood": -5}, mood={"leave_at": -8}))
    reaction = hear(engine, "dismissive")  # -3: exactly at the leaving point
    assert (reaction.kind, reaction.outcome, reaction.mood) == ("leave", "customer_left", -8)


# --- what answers a reply -----------------------------------------------------------------------

def test_a_penalised_mark_is_answered_before_an_offer_is_considered() -> None:
    engine = PersonaEngine(build(persona={"starting_mood": 5}))
    reaction = hear(engine, "action", "dismissive", reply=REFUND)
    assert (reaction.kind, reaction.line) == ("penalised:dismissive", "Don't brush me off.")
    assert engine.state.closing is None


def test_penalised_reactions_go_in_the_order_of_the_marks() -> None:
    engine = PersonaEngine(build(persona={"starting_mood": 5}))
    assert hear(engine, "dismissive", "defensive").kind == "penalised:defensive"


def test_a_penalised_mark_without_a_line_falls_through_to_the_mood_lines() -> None:
    engine = PersonaEngine(build(persona={"starting_mood": 5}))
    reaction = hear(engine, "policy_wall")
    assert (reaction.kind, reaction.line) == ("mood", "First worse.")


def test_stages_advance_on_their_marks_and_stop_at_the_last() -> None:
    engine = PersonaEngine(build())
    first = hear(engine, "paraphrase")
    assert (first.kind, first.line, engine.state.stage) == ("stage", "Second stage line.", 1)
    second = hear(engine, "paraphrase")
    assert (second.kind, second.line, engine.state.stage) == ("mood", "Second calmer.", 1)


@pytest.mark.parametrize(("marks", "line"), [(("empathy",), "First calmer."), (("defensive",), "First worse."),
                                             (("verify",), "First same.")])
def test_the_mood_line_follows_how_mood_moved(marks: tuple[str, ...], line: str) -> None:
    engine = PersonaEngine(build(reactions={}))
    assert hear(engine, *marks).line == line


def test_the_customer_stops_waiting_after_the_last_allowed_turn() -> None:
    engine = PersonaEngine(build(max_learner_turns=3))
    assert [hear(engine, "verify").kind for _ in range(2)] == ["mood", "mood"]
    last = hear(engine, "verify")
    assert (last.kind, last.outcome, last.line) == ("unresolved", "unresolved", "This is going nowhere.")


def test_a_finished_conversation_refuses_more_events() -> None:
    engine = PersonaEngine(build())
    engine.end_by_learner()
    assert engine.ended
    for event in (lambda: hear(engine, "empathy"), engine.silence, engine.end_by_learner):
        with pytest.raises(RuntimeError):
            event()


def test_ending_before_and_after_acceptance() -> None:
    engine = PersonaEngine(build())
    reaction = engine.end_by_learner()
    assert (reaction.kind, reaction.outcome, reaction.line) == ("ended", "ended_by_learner", "Oh. Bye.")
    engine = PersonaEngine(build(mood={"reactions": {"action": 0}}))
    hear(engine, "action", reply=REFUND)
    reaction = engine.end_by_learner()
    assert (reaction.kind, reaction.outcome, reaction.resolution) == ("goodbye", "resolved", "refund")


def test_saying_the_call_is_over_ends_it() -> None:
    engine = PersonaEngine(build())
    reaction = hear(engine, reply="I'm ending this call now.")
    assert (reaction.kind, reaction.outcome) == ("ended", "ended_by_learner")


# --- after acceptance ---------------------------------------------------------------------------

def accepted(**changes: Any) -> PersonaEngine:
    engine = PersonaEngine(build(mood={"reactions": {"action": 0}}, **changes))
    assert hear(engine, "action", reply=REFUND).kind == "accept"
    return engine


def test_a_check_after_acceptance_closes_the_call_confirmed() -> None:
    engine = accepted()
    reaction = hear(engine, "check", reply="Is there anything else I can help with?")
    assert (reaction.kind, reaction.outcome, reaction.resolution) == ("confirm", "resolved", "refund")
    assert engine.state.checked_resolution


def test_a_check_in_the_accepted_offer_counts_as_confirmed() -> None:
    engine = PersonaEngine(build(mood={"reactions": {"action": 0, "check": 0}}))
    assert hear(engine, "action", "check", reply=REFUND).kind == "accept"
    assert engine.state.checked_resolution
    engine = accepted()
    assert not engine.state.checked_resolution


def test_after_acceptance_a_step_is_acknowledged_and_a_goodbye_closes() -> None:
    engine = accepted()
    step = hear(engine, "record", reply="I've noted it on your account.")
    assert (step.kind, step.line, step.outcome, step.resolution) == ("ack", "OK.", None, "refund")
    bye = hear(engine, reply="Thanks for calling, goodbye.")
    assert (bye.kind, bye.outcome) == ("goodbye", "resolved")


def test_after_acceptance_a_penalised_reply_still_costs_mood() -> None:
    engine = accepted()
    reaction = hear(engine, "dismissive")
    assert (reaction.kind, reaction.mood, reaction.outcome) == ("penalised:dismissive", -3, None)


def test_after_acceptance_the_customer_waits_two_turns_past_the_limit() -> None:
    engine = accepted(max_learner_turns=2)  # the offer was turn 1
    kinds = [hear(engine, "record", reply="I've noted it.").kind for _ in range(3)]
    assert kinds == ["ack", "ack", "goodbye"]
    assert engine.state.outcome == "resolved"


# --- abusive callers and boundaries ------------------------------------------------------------

def test_a_boundary_counts_only_with_an_abusive_caller_until_set() -> None:
    calm = PersonaEngine(build())
    assert hear(calm, "boundary").mood == 0  # nothing to set a boundary against: no reaction
    assert not calm.state.boundary_set
    abusive = PersonaEngine(build(persona={"abusive": True}))
    assert hear(abusive, "boundary").mood == 2
    assert abusive.state.boundary_set
    assert hear(abusive, "boundary").mood == 2  # set already: a second one is not rewarded again


def test_the_reply_context_follows_the_boundary() -> None:
    abusive = PersonaEngine(build(persona={"abusive": True}))
    assert reply_context(abusive).customer_abusive is True
    hear(abusive, "boundary")
    assert reply_context(abusive).customer_abusive is None  # judged message by message from now on
    assert reply_context(PersonaEngine(build())).customer_abusive is False


def test_without_an_authority_limit_no_amount_is_within_authority() -> None:
    unlimited = scenario_context(build(authority={"description": "no money", "goodwill_gbp": "10"}))
    assert unlimited.authority_limit == Decimal(0)
    assert unlimited.goodwill_limit == Decimal(10)
    assert scenario_context(build()).authority_limit == Decimal(50)
    assert scenario_context(build()).scenario_id == "test-shop"


def test_known_amounts_come_from_the_story() -> None:
    assert known_amounts(build()) == {Decimal(40)}


# --- facts, traps, serious failures, corrections, resolution parts ------------------------------

FACTS = [
    {"id": "bought", "about": "when", "asked_by": ["When did you buy it?", "What date did you purchase the kettle?",
                                                  "How long ago did you buy it?"],
     "answer": ["Two weeks ago."], "again": ["I told you, two weeks ago."]},
    {"id": "price", "about": "price", "asked_by": ["How much did it cost?", "What did you pay for it?",
                                                 "What was the price?"],
     "answer": ["It was £40."], "again": ["£40, like I said."]},
]
TRAP = {"id": "box", "words_any": [r"\bbox\b"], "unless_words": [r"\bno need\b"], "line": ["Who keeps the box?"],
        "mood": -2}
FAILURE = {"id": "disclose", "description": "reads out a password", "words_any": [r"\bpassword is\b"],
           "unless_words": [r"\bnever\b"], "line": ["You can't tell me that!"], "tip": "Never read out a password."}


def test_a_question_of_fact_is_answered_and_asking_again_is_noticed() -> None:
    engine = PersonaEngine(build(facts=FACTS))
    first = hear(engine, reply="When did you buy it?")
    assert (first.kind, first.facts, first.line, first.mood) == ("fact", ("bought",), "Two weeks ago.", 0)
    again = hear(engine, reply="When did you buy it?")
    assert (again.kind, again.line, again.mood) == ("again", "I told you, two weeks ago.", -1)


def test_two_questions_in_one_reply_get_both_answers_in_order() -> None:
    engine = PersonaEngine(build(facts=FACTS))
    reaction = hear(engine, reply="How much did it cost? And when did you buy it?")
    assert (reaction.kind, reaction.facts, reaction.line) == ("fact", ("price", "bought"),
                                                              "It was £40. Two weeks ago.")


def test_a_question_no_fact_covers_gets_a_plain_dont_know() -> None:
    engine = PersonaEngine(build(facts=FACTS))
    reaction = hear(engine, reply="What is your postcode?")
    assert reaction.kind == "unknown"


def test_a_trap_springs_once_costs_its_mood_and_can_be_defused() -> None:
    engine = PersonaEngine(build(traps=[TRAP], reactions={}))
    sprung = hear(engine, "verify", reply="You'll need to bring the box back.")
    assert (sprung.kind, sprung.line, sprung.mood) == ("trap:box", "Who keeps the box?", -2)
    assert engine.state.traps_sprung == ["box"]
    assert hear(engine, "verify", reply="Bring the box if you have it.").kind == "mood"
    defused = PersonaEngine(build(traps=[TRAP]))
    assert hear(defused, "verify", reply="There's no need for the box.").kind == "mood"


def test_a_trap_that_drives_the_mood_to_the_leaving_point_ends_the_call() -> None:
    engine = PersonaEngine(build(traps=[{**TRAP, "mood": -4}], persona={"starting_mood": -4},
                                 mood={"leave_at": -8}))
    reaction = hear(engine, "verify", reply="You'll need the box.")
    assert (reaction.kind, reaction.outcome, reaction.mood) == ("leave", "customer_left", -8)


def test_a_serious_failure_ends_the_call_at_once_unless_cleared_or_asked() -> None:
    engine = PersonaEngine(build(serious_failures=[FAILURE]))
    reaction = hear(engine, "empathy", reply="Sorry. The password is hunter2.")
    assert (reaction.kind, reaction.outcome, reaction.serious_failure) == ("serious_failure", "unresolved",
                                                                           "disclose")
    assert reaction.line == "You can't tell me that!" and engine.state.serious_failures == ["disclose"]
    cleared = PersonaEngine(build(serious_failures=[FAILURE]))
    assert hear(cleared, "empathy", reply="I would never say the password is on file.").outcome is None
    asked = PersonaEngine(build(serious_failures=[FAILURE]))
    assert hear(asked, reply="Do you know what the password is?").outcome is None


def test_a_paraphrase_with_an_amount_never_said_is_corrected() -> None:
    engine = PersonaEngine(build(reactions={}, correct=["No, not {said}. It was {actual}."]))
    wrong = hear(engine, "paraphrase", reply="So you paid £45 for it.")
    assert (wrong.kind, wrong.line) == ("correction", "No, not £45. It was £40.")
    right = PersonaEngine(build(reactions={}))
    assert hear(right, "paraphrase", reply="So you paid £40 for it.").kind == "stage"
    offered = PersonaEngine(build(reactions={}))
    assert hear(offered, "paraphrase", reply="So I can offer £45.", offered=(Decimal(45),)).kind == "stage"
    plain = PersonaEngine(build(reactions={}))
    assert hear(plain, "empathy", reply="That's £45 wasted.").kind == "mood"


PARTS_RESOLUTION = {
    "id": "put-right", "outcome": "resolved", "description": "refund and a logged complaint",
    "parts": [{"id": "refund", "marks_any": ["action"], "words_any": ["refund"], "missing": ["And my money?"]},
              {"id": "log", "marks_any": ["record"], "words_any": ["log"], "missing": ["Will you log it?"]}],
    "accept": ["That's everything, thanks."], "reject": ["Not yet."]}


def test_a_resolution_in_parts_asks_for_what_is_missing_then_accepts() -> None:
    engine = PersonaEngine(build(resolutions=[PARTS_RESOLUTION], mood={"reactions": {"action": 0, "record": 0}}))
    first = hear(engine, "action", reply=REFUND)
    assert (first.kind, first.line) == ("missing", "Will you log it?")
    second = hear(engine, "record", reply="I'll log your complaint too.")
    assert (second.kind, second.resolution) == ("accept", "put-right")
    assert engine.state.memory.parts_done == {"put-right:refund", "put-right:log"}


def test_a_penalised_reply_never_completes_a_part() -> None:
    engine = PersonaEngine(build(resolutions=[PARTS_RESOLUTION], persona={"starting_mood": 5},
                                 mood={"reactions": {"action": 0, "record": 0}}))
    hear(engine, "dismissive", reply="Fine, I'll log it, whatever.")
    assert engine.state.memory.parts_done == set()


def test_a_credited_reaction_answers_and_moves_the_stage_on() -> None:
    engine = PersonaEngine(build(reactions={"empathy": ["Thank you for listening."]}))
    reaction = hear(engine, "empathy")
    assert (reaction.kind, reaction.line, engine.state.stage) == ("credited:empathy", "Thank you for listening.", 1)
    assert hear(engine, "empathy").kind == "credited:empathy"
    assert engine.state.stage == 1  # the last stage: nowhere further to go


def test_the_opening_line_and_replay_with_the_same_seed() -> None:
    scenario = build(stages=[{"id": "first", "say": ["One.", "Two.", "Three."], "calmer": ["C."],
                              "worse": ["W."], "same": ["S."]}])
    engine = PersonaEngine(scenario, seed=3)
    opening = engine.open()
    assert (opening.kind, opening.mood) == ("open", 0) and opening.line in {"One.", "Two.", "Three."}
    assert PersonaEngine(scenario, seed=3).open().line == opening.line
    assert {PersonaEngine(scenario, seed=s).open().line for s in range(30)} == {"One.", "Two.", "Three."}


def test_after_acceptance_a_question_of_fact_is_answered_while_waiting() -> None:
    engine = accepted(facts=FACTS)
    reaction = hear(engine, reply="When did you buy it?")
    assert (reaction.kind, reaction.line, reaction.facts, reaction.resolution, reaction.outcome) == (
        "fact", "Two weeks ago.", ("bought",), "refund", None)
    penalised = hear(engine, "dismissive")
    assert (penalised.line, penalised.resolution) == ("Don't brush me off.", "refund")


def test_waiting_past_the_limit_says_goodbye_with_the_resolution() -> None:
    engine = accepted(max_learner_turns=2)
    hear(engine, "record", reply="I've noted it.")
    hear(engine, "record", reply="I've noted it.")
    last = hear(engine, "record", reply="I've noted it.")
    assert (last.kind, last.line, last.outcome, last.resolution) == ("goodbye", "Goodbye then.", "resolved", "refund")


def test_a_mark_the_engine_does_not_know_moves_no_mood() -> None:
    engine = PersonaEngine(build())
    assert hear(engine, "jumped_to_solution").mood == 0  # a session mark, not a reply mark
    engine = PersonaEngine(build(mood={"reactions": {"empathy": 1}}))
    assert hear(engine, "jumped_to_solution", "empathy", "apology").mood == 2


def test_a_serious_failure_is_cleared_sentence_by_sentence_in_any_case() -> None:
    engine = PersonaEngine(build(serious_failures=[FAILURE]))
    assert hear(engine, reply="I would NEVER say the password is on file.").outcome is None
    engine = PersonaEngine(build(serious_failures=[FAILURE]))
    reaction = hear(engine, reply="I would never say the password is on file. But the password is hunter2.")
    assert (reaction.kind, reaction.serious_failure) == ("serious_failure", "disclose")


BY_MEANING = {"id": "balance", "description": "tells a caller about someone else's balance",
              "said_by": ["His balance is about three hundred pounds.", "The account is in credit at the moment.",
                          "He's overdrawn by a bit."],
              "not_by": ["I can't tell you anything about his balance.", "I'm not able to discuss his account."],
              "line": ["So he's got money!"], "tip": "Never discuss another person's account."}


def test_a_serious_failure_by_meaning_is_a_statement_like_its_examples_not_like_the_near_misses() -> None:
    engine = PersonaEngine(build(serious_failures=[BY_MEANING], reactions={}))
    reaction = hear(engine, reply="Well, his balance is around three hundred pounds.")
    assert (reaction.kind, reaction.serious_failure, reaction.line) == ("serious_failure", "balance",
                                                                        "So he's got money!")
    careful = PersonaEngine(build(serious_failures=[BY_MEANING], reactions={}))
    assert hear(careful, "verify", reply="I can't tell you anything about his account balance.").kind == "mood"


def test_a_serious_failure_is_heard_in_any_case() -> None:
    engine = PersonaEngine(build(serious_failures=[FAILURE]))
    assert hear(engine, reply="OK. The Password Is hunter2.").serious_failure == "disclose"
