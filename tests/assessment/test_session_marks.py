"""Session-level marks from sequences of reply marks; each case asserts the whole set of session marks."""

from __future__ import annotations

from decimal import Decimal

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
