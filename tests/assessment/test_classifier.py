"""The trained classifier stacked on the rules: the shipped model, the facts it cannot overrule, evidence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from bot.assessment import ReplyContext, assess_reply
from bot.assessment.classifier import MODEL_PATH, MarkModel, shipped_model
from bot.assessment.features import Example, read
from bot.assessment.marking import apply_facts
from bot.assessment.replies import rule_assessment
from bot.assessment.training import CORPUS_DIR, CorpusError, load_corpus, main

KETTLE = ReplyContext(authority_limit=Decimal(150), goodwill_limit=Decimal(10), customer_abusive=False)
ANGRY = "It's broken after three weeks and your shop laughed at me!"


def test_the_model_ships_and_loads():
    assert MODEL_PATH.exists(), "run ./composure train-assessor and commit the model"
    assert MODEL_PATH.stat().st_size < 20_000_000
    assert shipped_model() is not None


def test_the_committed_model_is_what_the_committed_corpus_trains(tmp_path):
    """Training is deterministic: the same data gives the same weights, vocabularies and thresholds."""
    fresh_path = tmp_path / "fresh.joblib"
    assert main(out=fresh_path) == 0
    fresh, shipped = MarkModel.load(fresh_path), MarkModel.load(MODEL_PATH)
    assert fresh.space.words.vocabulary_ == shipped.space.words.vocabulary_
    assert fresh.space.chars.vocabulary_ == shipped.space.chars.vocabulary_
    np.testing.assert_allclose(fresh.weights, shipped.weights, atol=1e-5)
    np.testing.assert_allclose(fresh.bias, shipped.bias, atol=1e-5)
    np.testing.assert_array_equal(fresh.thresholds, shipped.thresholds)


def test_the_corpus_is_well_formed_and_broad():
    rows = load_corpus(CORPUS_DIR)
    assert len(rows) >= 2800
    assert len({r.business for r in rows}) >= 35
    assert len({r.source for r in rows}) >= 8  # seven independent writers plus the shared training set


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not JSON"),
    ('{"id": "x"}', "fields must be"),
    ('{"id": "x", "business": "b", "context": "c", "authority_limit_gbp": null, "goodwill_gbp": null, '
     '"customer_abusive": false, "customer": "", "reply": "hi", "marks": ["kindness"]}', "unknown marks"),
])
def test_a_bad_corpus_line_is_named_by_file_and_line(tmp_path: Path, line: str, message: str):
    (tmp_path / "w.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"w\.jsonl:1: {message}"):
        load_corpus(tmp_path)


def test_an_amount_beyond_the_limit_is_an_over_promise_whatever_the_wording():
    reading = read(Example("I can refund you £200 today.", ANGRY, KETTLE))
    assert reading.beyond_limit
    assert "over_promise" in apply_facts({"action"}, reading)
    within = read(Example("I can refund the £89 today.", ANGRY, KETTLE))
    assert "over_promise" not in apply_facts({"action"}, within)


def test_a_boundary_needs_an_abusive_customer():
    warning = "I want to help, but if the shouting carries on I'll have to end the call."
    calm = read(Example(warning, "I travelled 200 miles for this concert!", ReplyContext(customer_abusive=False)))
    assert apply_facts({"boundary"}, calm) == {"dismissive"}
    abusive = read(Example(warning, "You useless idiot.", ReplyContext(customer_abusive=True)))
    assert apply_facts({"boundary"}, abusive) == {"boundary"}


def test_a_rule_used_as_a_wall_is_not_a_policy_explanation():
    reading = read(Example("That's policy.", ANGRY, KETTLE))
    assert apply_facts({"policy", "policy_wall"}, reading) == {"policy_wall"}


@pytest.mark.parametrize(("reply", "marks"), [
    ("Can you tell me where you'd like the refund to go? What upset you most?", {"open_question"}),
    # the same words as statements earn both; asked as questions, neither
    ("It was so frustrating. There is one thing I can check for you.", {"empathy", "action"}),
    ("What about it was so frustrating? Is there anything I can check for you?", {"open_question"}),
    # a question the learner starts with "I" still commits to the step
    ("I can check that for you now, would that help?", {"action", "check"}),
])
def test_questions_are_neither_empathy_nor_action_in_the_rules(reply: str, marks: set[str]) -> None:
    assert set(rule_assessment(reply, ANGRY, KETTLE).marks) == marks


@pytest.mark.parametrize(("reply", "marks"), [
    ("I'm really sorry about how you were treated in the shop, that sounds humiliating. "
     "I'll refund the full £89 to your card today.", {"empathy", "apology", "action"}),
    ("Calm down, it's only a kettle.", {"dismissive"}),
    ("That's company policy. I can't change it.", {"policy_wall"}),
    ("Thanks for your patience. Is there anything else I can help with?", {"thanks", "check"}),
])
def test_clear_replies_get_exactly_their_marks(reply: str, marks: set[str]):
    assert set(assess_reply(reply, ANGRY, KETTLE).marks) == marks


def test_evidence_is_the_sentence_that_earned_the_mark():
    reply = "Right. I'm so sorry you were turned away like that. I'll process a full refund of £89 now."
    result = assess_reply(reply, ANGRY, KETTLE)
    assert result.evidence["apology"] == "I'm so sorry you were turned away like that."
    assert "refund" in result.evidence["action"]
    for quote in result.evidence.values():
        assert quote in reply


def test_odd_and_huge_replies_are_marked_without_error():
    assert assess_reply("", ANGRY, KETTLE).marks == ()
    assert assess_reply("🙂🙂🙂", ANGRY, KETTLE).marks == ()
    long_reply = "I'm sorry about this. " * 200 + "\u200b\u0000 I'll refund you today."
    result = assess_reply(long_reply, ANGRY, KETTLE)
    assert "apology" in result.marks


def test_lean_scoring_gives_the_same_probabilities_as_the_sparse_features():
    model = shipped_model()
    assert model is not None
    rows = load_corpus(CORPUS_DIR)[::40]
    examples = [r.example for r in rows]
    readings = [read(e) for e in examples]
    np.testing.assert_allclose(model.score(examples, readings),
                               model.probabilities(model.features(examples, readings)), atol=1e-4)


KETTLE_SCENARIO = ReplyContext(authority_limit=Decimal(150), goodwill_limit=Decimal(10), customer_abusive=False,
                               scenario_id="faulty-kettle")
ACCESS = ReplyContext(authority_limit=Decimal(0), customer_abusive=False, scenario_id="accessibility-access")


@pytest.mark.parametrize(("reply", "context", "marks"), [
    # issue 7: a new user's reply that got only `record`
    ("I'm recording this as an incident now and escalating it to the branch manager, who will respond "
     "within 24 hours", ACCESS, {"record", "escalation"}),
    # issue 13: over-matching phrase rules
    ("Let me double check the order for you.", KETTLE_SCENARIO, {"action"}),
    ("The billing team will refund whatever you've been overcharged", ACCESS, set()),
    # issue 15: a correct refund and goodwill within the limits is no over-promise
    ("I'll refund the £89 to your card today, and I'll add a £10 goodwill voucher", KETTLE_SCENARIO, {"action"}),
    ("I'll process a full refund of £89 for you today.", KETTLE_SCENARIO, {"action"}),
])
def test_audited_replies_get_exactly_the_right_marks(reply, context, marks):
    assert set(assess_reply(reply, "The ramp was blocked again and nobody came out!", context).marks) == marks


def test_goodwill_beyond_its_limit_is_measured_in_its_own_clause():
    within = assess_reply("I'll refund the £89 and add £10 for your trouble.", ANGRY, KETTLE_SCENARIO)
    beyond = assess_reply("I'll refund the £89 and give you £20 for your trouble.", ANGRY, KETTLE_SCENARIO)
    assert "over_promise" not in within.marks
    assert "over_promise" in beyond.marks and "£20" in beyond.evidence["over_promise"]


def test_an_instalment_is_not_an_offer_of_money():
    plan = assess_reply("I can arrange a payment plan of £26 a month over 12 months.", "You useless idiot.",
                        ReplyContext(authority_limit=Decimal(0), customer_abusive=True))
    assert plan.offered_amounts == () and "over_promise" not in plan.marks


def test_a_denial_of_fault_is_never_an_admission():
    result = assess_reply("Our system doesnt make mistakes like that, it's not our fault.", ANGRY, KETTLE_SCENARIO)
    assert "admits_fault" not in result.marks and "defensive" in result.marks
