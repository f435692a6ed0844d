"""Session-level marks from sequences of reply marks; each case asserts the whole set of session marks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.assessment import LearnerTurnFacts as T
from bot.assessment import SessionFacts, assess_session

WITHIN = SessionFacts(authority_limit=Decimal(150), escalation_expected="unnecessary", customer_abusive=False)
BEYOND = SessionFacts(authority_limit=Decimal(0), escalation_expected="required", customer_abusive=False)


def test_listened_first_and_heat_in_order():
    turns = [T(("open_question",)), T(("empathy",)), T(("apology",)), T(("action", "check"))]
    result = assess_session(turns, WITHIN)
    assert result.marks == ("listened_first", "followed_model", "within_authority", "confirmed_resolution")
    heat = next(c for c in result.coverage if c.model == "HEAT")
    assert heat.in_order and heat.covered == heat.steps
    assert "HEAT" in result.reasons["followed_model"]


def test_jumped_to_solution():
    result = assess_session([T(("action",)), T(("empathy",))], WITHIN)
    assert result.marks == ("within_authority", "jumped_to_solution")


def test_steps_out_of_order_are_not_followed():
    turns = [T(("action",)), T(("apology",)), T(("empathy",)), T(("open_question",))]
    result = assess_session(turns, WITHIN)
    assert result.marks == ("within_authority", "jumped_to_solution")
    heat = next(c for c in result.coverage if c.model == "HEAT")
    assert len(heat.covered) == 4 and not heat.in_order


def test_premature_and_missed_escalation():
    assert assess_session([T(("escalation",))], WITHIN).marks == ("premature_escalation",)
    # listening first, then a hand-off the matter did not need: neither premature nor escalated well
    assert assess_session([T(("open_question",)), T(("escalation",))], WITHIN).marks == ("listened_first",)
    missed = assess_session([T(("empathy",)), T(("action",))], BEYOND)
    assert missed.marks == ("listened_first", "within_authority", "missed_escalation")
    well = assess_session([T(("paraphrase",)), T(("escalation", "policy"))], BEYOND)
    assert well.marks == ("listened_first", "escalated_well")


def test_authority():
    ok = assess_session([T(("action",), offered_amounts=(Decimal(89),))], WITHIN)
    assert ok.marks == ("within_authority", "jumped_to_solution")
    over = assess_session([T(("over_promise",), offered_amounts=(Decimal(420),))], BEYOND)
    assert over.marks == ("missed_escalation", "exceeded_authority")
    assert over.reasons["exceeded_authority"] == "You offered £420.00, beyond your authority (£0.00)."


def test_an_offer_at_exactly_the_limit_is_within_authority():
    result = assess_session([T(("empathy",)), T(("action",), offered_amounts=(Decimal(150),))], WITHIN)
    assert result.marks == ("listened_first", "within_authority")


def test_the_largest_offer_is_the_one_measured():
    result = assess_session([T(("empathy",)), T(("action",), offered_amounts=(Decimal(200), Decimal(20)))], WITHIN)
    assert result.marks == ("listened_first", "exceeded_authority")
    assert "£200.00" in result.reasons["exceeded_authority"]


def test_boundary_and_slow_replies():
    abusive = SessionFacts(authority_limit=None, escalation_expected="unnecessary", customer_abusive=True)
    assert assess_session([T(("empathy",))], abusive).marks == ("listened_first", "no_boundary")
    assert assess_session([T(("boundary",))], abusive).marks == ()
    one = assess_session([T((), silent=True), T(("empathy",))], WITHIN)
    assert one.marks == ("listened_first",)
    two = assess_session([T((), silent=True), T(("empathy",), late=True)], WITHIN)
    assert two.marks == ("listened_first", "slow_replies")
    assert two.reasons["slow_replies"] == "You missed the reply time limit 2 times."


def test_an_abusive_turn_needs_a_boundary_when_the_scenario_does_not_say_so():
    turns = [T(("empathy",), customer_abusive=True), T(("apology",))]
    assert assess_session(turns, WITHIN).marks == ("listened_first", "no_boundary")


def test_a_boundary_in_a_silent_turn_counts_for_nothing():
    abusive = SessionFacts(authority_limit=None, escalation_expected="unnecessary", customer_abusive=True)
    assert assess_session([T(("boundary",), silent=True)], abusive).marks == ("no_boundary",)


def test_empty_session_has_no_marks():
    assert assess_session([], WITHIN).marks == ()


NO_MONEY = SessionFacts(authority_limit=None, escalation_expected="optional", customer_abusive=False)


def test_listening_and_acting_in_one_reply_is_listening_first():
    result = assess_session([T(("empathy", "action"))], WITHIN)
    assert result.marks == ("listened_first", "within_authority")


def test_a_step_without_an_amount_is_within_authority():
    """Rebooking a delivery or explaining a payment route is a concrete step that needs no £."""
    result = assess_session([T(("empathy",)), T(("action",))], NO_MONEY)
    assert result.marks == ("listened_first", "within_authority")


def test_no_offer_at_all_earns_neither_authority_mark():
    assert assess_session([T(("empathy",)), T(("apology",))], WITHIN).marks == ("listened_first",)


def test_with_no_authority_limit_any_amount_exceeds_it():
    result = assess_session([T(("empathy",)), T(("action",), offered_amounts=(Decimal(5),))], NO_MONEY)
    assert result.marks == ("listened_first", "exceeded_authority")
    assert result.reasons["exceeded_authority"] == "You offered £5.00, beyond your authority to promise any amount."


def test_an_over_promise_loses_within_authority():
    result = assess_session([T(("empathy",)), T(("action",)), T(("over_promise",))], WITHIN)
    assert result.marks == ("listened_first",)


def test_escalated_well_needs_the_escalation_mark_where_escalation_is_expected():
    missed = assess_session([T(("paraphrase",)), T(("action", "policy"))], BEYOND)
    assert missed.marks == ("listened_first", "within_authority", "missed_escalation")
    assert assess_session([T(("paraphrase",)), T(("escalation",))], WITHIN).marks == ("listened_first",)


OPTIONAL = SessionFacts(authority_limit=Decimal(150), escalation_expected="optional", customer_abusive=False)
LISTENED = "You listened and acknowledged the customer."
LISTENED_BEFORE = "You acknowledged the customer before proposing a solution."
STEPS = "You took concrete steps and nothing went beyond your authority."


def _in_order(turns: list[T], facts: SessionFacts = WITHIN) -> dict[str, tuple[tuple[str, ...], bool]]:
    return {c.model: (c.covered, c.in_order) for c in assess_session(turns, facts).coverage}


def test_every_step_in_one_reply_follows_the_models_it_covers():
    """A phase's steps may first appear in the same reply as the next phase's: no later is in order."""
    result = assess_session([T(("open_question", "empathy", "apology", "action"))], WITHIN)
    assert result.reasons == {"listened_first": LISTENED_BEFORE,
                              "followed_model": "Your replies followed HEAT, LEAP step by step.",
                              "within_authority": STEPS}
    coverage = _in_order([T(("open_question", "empathy", "apology", "action"))])
    assert coverage["HEAT"] == (("Hear", "Empathise", "Apologise", "Take action"), True)
    assert coverage["LAST"] == (("Listen", "Apologise", "Solve"), False)  # no thanks: not all steps


def test_each_model_followed_on_its_own():
    last = [T(("paraphrase",)), T(("apology",)), T(("action",)), T(("thanks",))]
    assert assess_session(last, WITHIN).reasons["followed_model"] == "Your replies followed LAST step by step."
    leap = [T(("paraphrase",)), T(("empathy",)), T(("verify",)), T(("escalation",))]
    result = assess_session(leap, OPTIONAL)
    assert result.reasons == {"listened_first": LISTENED,
                              "followed_model": "Your replies followed LEAP step by step.",
                              "escalated_well": "You escalated with a reason and a next step for the customer."}
    airf = [T(("apology",)), T(("open_question",)), T(("policy",)), T(("record",))]
    assert assess_session(airf, WITHIN).reasons == {"listened_first": LISTENED,
                                                    "followed_model": "Your replies followed AIRF step by step."}


def test_a_later_phase_before_an_earlier_one_is_out_of_order():
    # thanks before the solution: LAST's last phase came before its second
    coverage = _in_order([T(("paraphrase", "apology", "thanks")), T(("action",))])
    assert coverage["LAST"] == (("Listen", "Apologise", "Solve", "Thank"), False)
    assert _in_order([T(("paraphrase", "apology")), T(("action",)), T(("thanks",))])["LAST"] == (
        ("Listen", "Apologise", "Solve", "Thank"), True)


def test_escalating_in_the_reply_that_first_listens_is_still_premature():
    result = assess_session([T(("empathy", "escalation"))], WITHIN)
    assert result.reasons == {"listened_first": LISTENED,
                              "premature_escalation": ("You escalated before trying to understand or resolve a "
                                                       "matter within your remit.")}


def test_a_hand_off_the_scenario_calls_premature_earns_no_credit():
    facts = SessionFacts(authority_limit=None, escalation_expected="optional", customer_abusive=False,
                         penalties={"premature_escalation": "The scenario says so."})
    result = assess_session([T(("paraphrase",)), T(("escalation",))], facts)
    assert result.reasons == {"listened_first": LISTENED, "premature_escalation": "The scenario says so."}


def test_missed_escalation_and_no_boundary_reasons():
    facts = SessionFacts(authority_limit=Decimal(0), escalation_expected="required", customer_abusive=True)
    assert assess_session([T(("empathy",))], facts).reasons == {
        "listened_first": LISTENED,
        "missed_escalation": "The matter was beyond your remit but was never escalated.",
        "no_boundary": "The customer was abusive and you never set a calm boundary."}


def test_jumping_to_a_solution_says_so():
    assert assess_session([T(("action",))], WITHIN).reasons == {
        "within_authority": STEPS,
        "jumped_to_solution": "You proposed a solution before listening or acknowledging."}


def test_a_check_confirms_only_a_resolution_already_offered_and_accepted():
    confirmed = {"confirmed_resolution": "You checked the customer accepted the resolution."}
    in_one_reply = assess_session([T(("empathy",)), T(("action", "check"))], WITHIN)
    assert in_one_reply.reasons == {"listened_first": LISTENED_BEFORE, "within_authority": STEPS, **confirmed}
    after_escalating = assess_session([T(("empathy",)), T(("escalation",)), T(("check",))], OPTIONAL)
    assert after_escalating.marks == ("listened_first", "escalated_well", "confirmed_resolution")
    check_first = assess_session([T(("empathy",)), T(("check",)), T(("action",))], WITHIN)
    assert check_first.marks == ("listened_first", "within_authority")
    assert assess_session([T(("check",))], WITHIN).marks == ()
    refused = SessionFacts(authority_limit=Decimal(150), escalation_expected="unnecessary", customer_abusive=False,
                           resolution_reached=False)
    assert assess_session([T(("empathy",)), T(("action", "check"))], refused).marks == (
        "listened_first", "within_authority")
    told = SessionFacts(authority_limit=Decimal(150), escalation_expected="unnecessary", customer_abusive=False,
                        resolution_confirmed=True, resolution_reached=False)
    assert assess_session([T(("empathy",))], told).reasons == {"listened_first": LISTENED, **confirmed}


@pytest.mark.parametrize("attempt", ["action", "policy", "verify", "apology", "empathy"])
def test_a_hand_off_after_any_attempt_to_resolve_is_not_premature(attempt: str) -> None:
    assert "premature_escalation" not in assess_session([T((attempt,)), T(("escalation",))], WITHIN).marks
    assert "premature_escalation" in assess_session([T(("check",)), T(("escalation",))], WITHIN).marks


def test_an_amount_offered_without_an_action_mark_is_still_within_authority():
    result = assess_session([T(("empathy",)), T(("apology",), offered_amounts=(Decimal(20),))], WITHIN)
    assert result.marks == ("listened_first", "within_authority")
