"""Reply marks as an assessor gives them: the trained classifier stacked on the rules, then the facts.

The classifier reads the reply whole (with the rules' reading among its features) and decides
which marks it earns. Facts that no wording can change are then applied as rules: an amount
beyond the authority limit is an over-promise; a boundary can only be set with an abusive
customer (a warning to anyone else is dismissive). Each mark's evidence is the sentence that
earned it, quoted from the learner's own words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.assessment.classifier import MarkModel, shipped_model
from bot.assessment.features import Example, Reading, read, tidy
from bot.assessment.marks import REPLY_MARKS
from bot.assessment.replies import Assessment, ReplyContext
from bot.assessment.text import normalise, sentences

if TYPE_CHECKING:
    import numpy as np


def apply_facts(predicted: set[str], reading: Reading) -> set[str]:
    """The marks that facts (and negation, which the model's features cannot see) decide."""
    marks = set(predicted)
    if reading.beyond_limit:
        marks.add("over_promise")
    elif reading.offer_within_limit and "over_promise" not in reading.rules.marks:
        # an amount within the limit is no over-promise by itself; only certainty wording makes it one
        # (the corpus agrees: 194 of 202 such replies carry no over_promise). What the model read as
        # promising too much is then, by the facts, a step within authority: an action, where the rules
        # read one ("I'll refund the full £89 to your card today").
        if "over_promise" in marks and "action" in reading.rules.marks:
            marks.add("action")
        marks.discard("over_promise")
    if ("boundary" in marks or reading.rules.warns) and not reading.abusive:
        marks.discard("boundary")
        marks.add("dismissive")  # a warning to a customer who is upset, not abusive, shuts them down
    rules = reading.rules.marks
    if "policy_wall" in marks and {"action", "policy"} <= set(rules):
        # a rule stated with a step the learner takes for the customer is an explanation, not a wall
        # (the rules never read a policy and a wall in one reply)
        marks.discard("policy_wall")
        marks.add("policy")
    if "policy_wall" in marks:
        marks.discard("policy")  # a rule used as a wall is not an explanation
    if reading.denies_fault:
        marks.discard("admits_fault")  # denying fault, however worded, accepts no blame
    return marks


def decide(model: MarkModel, probabilities: np.ndarray, reading: Reading) -> set[str]:
    """Marks from one row of probabilities, with the facts applied."""
    predicted = {m for m, p, cut in zip(model.marks, probabilities, model.thresholds, strict=True) if p >= cut}
    return apply_facts(predicted, reading)


def _sentence_spans(reply: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e in sentences(normalise(reply)) if reply[s:e].strip()]


def _evidence(model: MarkModel, example: Example, marks: set[str], reading: Reading) -> dict[str, str]:
    """Rule evidence where the rules found the mark; otherwise the sentence the model rates highest."""
    rules = reading.rules
    evidence = {m: rules.evidence[m] for m in marks if m in rules.evidence}
    missing = [m for m in marks if m not in evidence]
    if not missing:
        return evidence
    spans = _sentence_spans(example.reply)
    if len(spans) <= 1:
        whole = example.reply.strip()
        return {**evidence, **{m: whole[:240] for m in missing}}
    parts = [example.reply[s:e] for s, e in spans]
    tidied = [tidy(p) for p in parts]
    # a sentence written twice scores the same: each distinct one is scored once, then spread back
    distinct = {text: row for row, text in enumerate(dict.fromkeys(tidied))}
    scores = model.word_scores(list(distinct), missing)[[distinct[text] for text in tidied]]
    for j, mark in enumerate(missing):
        evidence[mark] = parts[int(scores[:, j].argmax())].strip()[:240]
    return evidence


def assess_reply(reply: str, customer: str = "", context: ReplyContext | None = None, *,
                 model: MarkModel | None = None) -> Assessment:
    """Mark one learner reply read with the customer's message; evidence quotes the reply."""
    example = Example(reply or "", customer or "", context or ReplyContext())
    reading = read(example)
    model = model or shipped_model()
    if model is None or not any(ch.isalnum() for ch in reading.text):
        return reading.rules  # no words to read (emoji, punctuation): only what the rules see
    probabilities = model.score([example], [reading])[0]
    marks = decide(model, probabilities, reading)
    ordered = tuple(m for m in REPLY_MARKS if m in marks)
    evidence = _evidence(model, example, marks, reading)
    return Assessment(ordered, {m: evidence[m] for m in ordered}, reading.rules.offered_amounts)
