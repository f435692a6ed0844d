"""A question shows no empathy and commits to no action (issue 13's mutation survivor), in the rules.

The rules' sentences-outside-questions filter was removable without a failing test: these
questions contain the very words the empathy and action patterns look for.
"""

from __future__ import annotations

import pytest

from bot.assessment.replies import rule_assessment
from tests.assessment.test_classifier import ANGRY, KETTLE


@pytest.mark.parametrize(("question", "statement", "mark"), [
    ("Can you tell me where the refund will go?", "I'll refund it to your card today.", "action"),
    ("That must be frustrating?", "That must be frustrating.", "empathy"),
])
def test_a_question_with_the_words_of_a_mark_does_not_earn_it(question: str, statement: str, mark: str) -> None:
    assert mark not in rule_assessment(question, ANGRY, KETTLE).marks
    assert mark in rule_assessment(statement, ANGRY, KETTLE).marks  # the same words, said, do
