"""The facts applied after the classifier: each rule of `apply_facts`, with the whole set it leaves."""

from __future__ import annotations

from decimal import Decimal

from bot.assessment.features import Example, read
from bot.assessment.marking import apply_facts
from bot.assessment.replies import ReplyContext

KETTLE = ReplyContext(authority_limit=Decimal(150), goodwill_limit=Decimal(10), customer_abusive=False)
ANGRY = "It's broken after three weeks and your shop laughed at me!"


def _facts(predicted: set[str], reply: str, context: ReplyContext = KETTLE, customer: str = ANGRY) -> set[str]:
    return apply_facts(predicted, read(Example(reply, customer, context)))


def test_an_amount_within_the_limit_is_no_over_promise_by_itself():
    assert _facts({"action", "over_promise"}, "I'll refund the £89 today.") == {"action"}


def test_money_within_the_limit_read_as_promising_too_much_is_a_step_within_authority():
    refund = "I'll refund the full £89 to your card today."
    assert _facts({"over_promise"}, refund) == {"action"}
    assert _facts(set(), refund) == set()  # the facts add no step the model did not see at all
    assert _facts({"over_promise"}, "We'll pay £20 towards a new one.") == set()  # no step the rules read


def test_certainty_wording_keeps_the_over_promise_within_the_limit():
    assert _facts({"action", "over_promise"}, "I guarantee I'll refund the £89 today.") == {"action", "over_promise"}


def test_beyond_the_limit_is_an_over_promise_whatever_the_model_said():
    assert _facts({"action"}, "I'll refund you £200 today.") == {"action", "over_promise"}
    assert _facts(set(), "I'll refund you £200 today.") == {"over_promise"}


def test_a_warning_to_a_customer_who_is_not_abusive_is_dismissive():
    warning = "If the shouting carries on I'll have to end the call."
    assert _facts(set(), warning) == {"dismissive"}  # the rules saw the warning though the model did not
    assert _facts({"boundary", "empathy"}, warning) == {"dismissive", "empathy"}
    abusive = ReplyContext(authority_limit=Decimal(150), customer_abusive=True)
    assert _facts({"boundary"}, warning, abusive) == {"boundary"}
    assert _facts(set(), warning, abusive) == set()


def test_a_wall_is_not_a_policy_explanation_and_a_denial_no_admission():
    assert _facts({"policy", "policy_wall"}, "That's policy.") == {"policy_wall"}
    assert _facts({"policy"}, "Under the Consumer Rights Act you can have a refund.") == {"policy"}
    assert _facts({"admits_fault", "defensive"}, "It's not our fault.") == {"defensive"}
    assert _facts({"admits_fault"}, "It's our fault.") == {"admits_fault"}


def test_a_rule_stated_with_a_step_for_the_customer_is_no_wall():
    reply = "We cannot accept returns after 30 days, but I can arrange a repair."
    assert _facts({"policy_wall"}, reply) == {"policy"}
    assert _facts({"policy_wall", "action"}, reply) == {"policy", "action"}
    # the rules see the wall themselves, or see no rule stated: the classifier's wall stands
    assert _facts({"policy_wall"}, "That's company policy, I can't change it. I'll note your call.") == {"policy_wall"}
    assert _facts({"policy_wall", "action"}, "I'll arrange a repair.") == {"policy_wall", "action"}
