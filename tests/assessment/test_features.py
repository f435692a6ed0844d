"""What the classifier is shown: negation scopes, denials of fault, and the facts read beside the words."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from bot.assessment.features import FACT_NAMES, Example, only_denies_fault, read, tidy, with_negation
from bot.assessment.replies import REPLY_MARKS, ReplyContext


def test_tidy_drops_apostrophes_after_normalising():
    assert tidy("I\u2019M Sorry, it's OK") == "im sorry, its ok"


def test_a_negation_marks_up_to_three_words_and_stops_at_punctuation():
    text = tidy("Our system doesn't make mistakes, honestly we never ever lie about £5 charges.")
    assert with_negation(text) == ("our system doesnt not_make not_mistakes , honestly we never not_ever not_lie "
                                   "not_about £5 charges .")


@pytest.mark.parametrize(("reply", "denies"), [
    ("It's not our fault.", True),
    ("Our system doesn't make mistakes like that.", True),
    ("It was our mistake.", False),
    ("Not our fault, but we made a mistake.", False),  # one admission among denials is no denial
    ("Hello, how can I help?", False),  # no word of fault at all
])
def test_only_denies_fault(reply: str, denies: bool) -> None:
    assert only_denies_fault(tidy(reply)) is denies


@pytest.mark.parametrize("word", ["fault", "faults", "mistake", "mistakes", "wrong", "error", "errors", "blame",
                                  "messed", "screwed"])
def test_every_word_of_fault_is_read_negated_or_not(word: str) -> None:
    assert only_denies_fault(tidy(f"We never {word} anything here."))
    assert not only_denies_fault(tidy(f"Yes, we {word} that up."))


def _facts(reply: str, customer: str, context: ReplyContext) -> dict[str, float]:
    return dict(zip(FACT_NAMES, read(Example(reply, customer, context)).facts, strict=True))


def test_the_facts_beside_the_words():
    reading = read(Example("I'll credit £20 today. Is that ok?", "Why? You idiot", ReplyContext(
        authority_limit=Decimal(25))))
    facts = dict(zip(FACT_NAMES, reading.facts, strict=True))
    assert {m for m in REPLY_MARKS if facts[f"rule:{m}"]} == set(reading.rules.marks) == {"action", "check"}
    assert facts["customer_abusive"] == facts["customer_asks"] == facts["reply_asks"] == 1.0
    assert facts["reply_length"] == pytest.approx(math.log1p(7) / 5)
    assert facts["offers_money"] == facts["offer_within_limit"] == facts["limit_known"] == 1.0
    assert facts["offer_beyond_limit"] == facts["no_money_allowed"] == 0.0
    assert facts["sentences"] == 2 / 8
    assert reading.abusive and reading.offer_within_limit and not reading.beyond_limit and not reading.denies_fault


def test_an_offer_beyond_the_limit():
    reading = read(Example("I'll credit £60 today.", "I want money back.", ReplyContext(authority_limit=Decimal(25))))
    assert reading.beyond_limit and not reading.offer_within_limit
    facts = _facts("I'll credit £60 today.", "I want money back.", ReplyContext(authority_limit=Decimal(25)))
    assert (facts["offers_money"], facts["offer_within_limit"], facts["offer_beyond_limit"]) == (1.0, 0.0, 1.0)
    assert (facts["customer_abusive"], facts["customer_asks"], facts["reply_asks"]) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(("limit", "no_money"), [(None, 1.0), (Decimal(0), 1.0), (Decimal(25), 0.0)])
def test_no_limit_reads_as_no_money_at_all(limit: Decimal | None, no_money: float) -> None:
    facts = _facts("I'm sorry.", "Hello?", ReplyContext(authority_limit=limit))
    assert facts["no_money_allowed"] == no_money
    assert facts["offers_money"] == facts["offer_within_limit"] == facts["offer_beyond_limit"] == 0.0


def test_an_offer_with_no_known_limit_is_neither_within_nor_beyond_it():
    reading = read(Example("I'll credit £20 today.", "Hello", ReplyContext()))
    assert not reading.offer_within_limit and not reading.beyond_limit


def test_sentences_are_counted_up_to_eight():
    assert _facts("Sorry. " * 12, "Hi", ReplyContext())["sentences"] == 1.0


def test_a_denial_reaches_the_reading():
    assert read(Example("It's not our fault.", "You broke it!")).denies_fault


def test_the_feature_space_fits_and_lays_out_every_block():
    """Word 1-3-grams (kept when in two replies), char 2-5-grams, both embeddings, the customer's words
    at half weight, then the facts: the columns the weights are read by."""
    import numpy as np

    from bot.assessment.embedding import DIMENSIONS, embed
    from bot.assessment.features import FeatureSpace

    examples = [Example("I'm so sorry about the kettle", "The kettle broke"),
                Example("I'm so sorry about the delay", "The kettle broke"), Example("Sorry, not sorry!", "Late again")]
    readings = [read(e) for e in examples]
    space = FeatureSpace.fit(examples, readings)
    assert sorted(space.words.vocabulary_) == [
        "about", "about the", "im", "im so", "im so sorry", "so", "so sorry", "so sorry about", "sorry",
        "sorry about", "sorry about the", "the"]
    chars = space.chars.vocabulary_
    assert len(chars) == 15 and {" sorr", "orry", "rr"} <= set(chars) and " sorry" not in chars  # 5 at most
    assert sorted(space.customer_words.vocabulary_) == ["broke", "kettle", "the"]

    x = space.transform(examples, readings).toarray()
    reply_at, customer_at = 12 + 15, 12 + 15 + DIMENSIONS
    words_at = customer_at + DIMENSIONS
    assert x.shape == (3, words_at + 3 + len(FACT_NAMES)) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, reply_at:customer_at], embed([e.reply for e in examples]), atol=1e-6)
    np.testing.assert_allclose(x[:, customer_at:words_at], 0.5 * embed([e.customer for e in examples]), atol=1e-6)
    assert np.sum(x[0, words_at:words_at + 3] ** 2) == pytest.approx(0.25)  # l2-normalised, then halved
    assert not x[2, words_at:words_at + 3].any()  # "Late again": no known customer word
    np.testing.assert_allclose(x[:, -len(FACT_NAMES):], np.array([r.facts for r in readings]), atol=1e-6)
    assert np.linalg.norm(x[0, :12]) == pytest.approx(1.0) and np.linalg.norm(x[0, 12:27]) == pytest.approx(1.0)


KETTLE = ReplyContext(authority_limit=Decimal(150), goodwill_limit=Decimal(10), customer_abusive=False)


@pytest.mark.parametrize(("reply", "beyond"), [
    ("I guarantee I'll refund you £200 today.", True),  # the wording, not the money, made the rules' over-promise
    ("I promise I'll refund you £150 today.", False),  # exactly the limit is within it
    ("I'll refund you £200 today.", True),
])
def test_beyond_the_limit_whatever_made_the_rules_over_promise(reply: str, beyond: bool) -> None:
    assert read(Example(reply, "I want my money back.", KETTLE)).beyond_limit is beyond


def test_the_rules_read_the_customer_and_the_context_too():
    echo = read(Example("So the kettle broke after three weeks and the shop refused.",
                        "My kettle broke after three weeks and the shop refused a refund."))
    assert echo.rules.marks == ("paraphrase",)  # a restatement needs the customer's own words
    warning = "If the swearing carries on I'll end the call."
    assert read(Example(warning, "Fine.", ReplyContext(customer_abusive=True))).rules.marks == ("boundary",)


def test_a_pound_amount_is_a_word_in_a_negations_scope():
    assert with_negation(tidy("not £5, sorry")) == "not not_£5 , sorry"


def test_the_feature_space_is_fitted_with_the_shipped_models_settings():
    """A fast stand-in for retraining: every vectorizer setting the fit uses is the shipped model's."""
    from bot.assessment.classifier import shipped_model
    from bot.assessment.features import FeatureSpace

    model = shipped_model()
    assert model is not None
    examples = [Example("I'm so sorry about the kettle", "The kettle broke"),
                Example("I'm so sorry about the delay", "The kettle broke"), Example("Sorry, not sorry!", "Late again")]
    fitted = FeatureSpace.fit(examples, [read(e) for e in examples])
    for block in ("words", "chars", "customer_words"):
        assert getattr(fitted, block).get_params() == getattr(model.space, block).get_params(), block
    x = fitted.transform(examples, [read(e) for e in examples])
    assert x.format == "csr" and x.dtype == np.float32
