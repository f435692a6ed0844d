"""The facts applied after the classifier: each rule of `apply_facts`, with the whole set it leaves."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from bot.assessment import REPLY_MARKS, assess_reply
from bot.assessment.classifier import shipped_model
from bot.assessment.features import Example, read
from bot.assessment.marking import apply_facts, decide
from bot.assessment.replies import ReplyContext, rule_assessment

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


def test_a_boundary_the_model_reads_without_a_warning_the_rules_see_is_still_dismissive():
    assert _facts({"boundary"}, "I'm sorry about that.") == {"dismissive"}


def test_a_probability_at_the_threshold_gives_the_mark():
    model = shipped_model()
    assert model is not None
    reading = read(Example("Hello.", ANGRY, KETTLE))
    assert decide(model, model.thresholds.astype(np.float64), reading) == apply_facts(set(REPLY_MARKS), reading)
    assert decide(model, model.thresholds - 0.01, reading) == set()


ANGRY_WAIT = "This is a joke. I've been waiting a fortnight and nobody has rung me back."
DENIAL = "Whatever, I don't make the rules"
TAIL = ("the rules are made by head office in Leeds by people who never talk to customers like you or me on the "
        "phone every single day of the week all year round")


def test_the_classifier_decides_beyond_the_rules_and_quotes_the_sentence():
    reply = f"Hello. {DENIAL}."
    assert rule_assessment(reply, ANGRY_WAIT).marks == ("unprofessional",)
    result = assess_reply(reply, ANGRY_WAIT)
    assert result.marks == ("defensive", "policy_wall", "unprofessional")
    assert result.evidence["defensive"] == result.evidence["policy_wall"] == f"{DENIAL}."


def test_evidence_the_model_chose_is_cut_at_240_characters():
    one_sentence = f"{DENIAL}, {TAIL}, {TAIL}."
    assert assess_reply(one_sentence, ANGRY_WAIT).evidence["defensive"] == one_sentence[:240]
    two_sentences = f"Hello. {one_sentence}"
    assert assess_reply(two_sentences, ANGRY_WAIT).evidence["defensive"] == one_sentence[:240]
