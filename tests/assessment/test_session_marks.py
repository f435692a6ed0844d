"""Session-level marks from sequences of reply marks."""

from __future__ import annotations

from decimal import Decimal

from bot.assessment import LearnerTurnFacts as T
from bot.assessment import SessionFacts, assess_session

WITHIN = SessionFacts(authority_limit=Decimal(150), escalation_expected="unnecessary", customer_abusive=False)
BEYOND = SessionFacts(authority_limit=Decimal(0), escalation_expected="required", customer_abusive=False)


def test_listened_first_and_heat_in_order():
    turns = [T(("open_question",)), T(("empathy",)), T(("apology",)), T(("action", "check"))]
    result = assess_session(turns, WITHIN)
    assert {"listened_first", "followed_model", "confirmed_resolution"} <= set(result.marks)
    heat = next(c for c in result.coverage if c.model == "HEAT")
    assert heat.in_order and heat.covered == heat.steps
    assert "HEAT" in result.reasons["followed_model"]


def test_jumped_to_solution():
    result = assess_session([T(("action",)), T(("empathy",))], WITHIN)
    assert "jumped_to_solution" in result.marks and "listened_first" not in result.marks


def test_steps_out_of_order_are_not_followed():
    turns = [T(("action",)), T(("apology",)), T(("empathy",)), T(("open_question",))]
    heat = next(c for c in assess_session(turns, WITHIN).coverage if c.model == "HEAT")
    assert len(heat.covered) == 4 and not heat.in_order


def test_premature_and_missed_escalation():
    assert "premature_escalation" in assess_session([T(("escalation",))], WITHIN).marks
    late = assess_session([T(("open_question",)), T(("escalation",))], WITHIN)
    assert "premature_escalation" not in late.marks
    assert "missed_escalation" in assess_session([T(("empathy",)), T(("action",))], BEYOND).marks
    well = assess_session([T(("paraphrase",)), T(("escalation", "policy"))], BEYOND)
    assert "escalated_well" in well.marks and "missed_escalation" not in well.marks


def test_authority():
    ok = assess_session([T(("action",), offered_amounts=(Decimal(89),))], WITHIN)
    assert "within_authority" in ok.marks
    over = assess_session([T(("over_promise",), offered_amounts=(Decimal(420),))], BEYOND)
    assert "exceeded_authority" in over.marks and "£420.00" in over.reasons["exceeded_authority"]


def test_boundary_and_slow_replies():
    abusive = SessionFacts(authority_limit=None, escalation_expected="unnecessary", customer_abusive=True)
    assert "no_boundary" in assess_session([T(("empathy",))], abusive).marks
    assert "no_boundary" not in assess_session([T(("boundary",))], abusive).marks
    one = assess_session([T((), silent=True), T(("empathy",))], WITHIN)
    assert "slow_replies" not in one.marks
    two = assess_session([T((), silent=True), T(("empathy",), late=True)], WITHIN)
    assert "slow_replies" in two.marks and "2 times" in two.reasons["slow_replies"]


def test_empty_session_has_no_marks():
    assert assess_session([], WITHIN).marks == ()


NO_MONEY = SessionFacts(authority_limit=None, escalation_expected="optional", customer_abusive=False)


def test_listening_and_acting_in_one_reply_is_listening_first():
    result = assess_session([T(("empathy", "action"))], WITHIN)
    assert "listened_first" in result.marks and "jumped_to_solution" not in result.marks


def test_a_step_without_an_amount_is_within_authority():
    """Rebooking a delivery or explaining a payment route is a concrete step that needs no £."""
    result = assess_session([T(("empathy",)), T(("action",))], NO_MONEY)
    assert "within_authority" in result.marks and "exceeded_authority" not in result.marks


def test_no_offer_at_all_earns_neither_authority_mark():
    result = assess_session([T(("empathy",)), T(("apology",))], WITHIN)
    assert not {"within_authority", "exceeded_authority"} & set(result.marks)


def test_with_no_authority_limit_any_amount_exceeds_it():
    result = assess_session([T(("empathy",)), T(("action",), offered_amounts=(Decimal(5),))], NO_MONEY)
    assert "exceeded_authority" in result.marks and "within_authority" not in result.marks
    assert "any amount" in result.reasons["exceeded_authority"]


def test_an_over_promise_loses_within_authority():
    result = assess_session([T(("empathy",)), T(("action",)), T(("over_promise",))], WITHIN)
    assert not {"within_authority", "exceeded_authority"} & set(result.marks)


def test_escalated_well_needs_the_escalation_mark_where_escalation_is_expected():
    assert "escalated_well" not in assess_session([T(("paraphrase",)), T(("action", "policy"))], BEYOND).marks
    assert "escalated_well" not in assess_session([T(("paraphrase",)), T(("escalation",))], WITHIN).marks
