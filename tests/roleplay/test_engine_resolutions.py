"""Which offer the customer takes, and when a resolution in parts asks for its next part: the rules
of `PersonaEngine._matching_resolution`, on the small scenario of test_engine_rules.py with marks
given. Written against mutation testing (`./composure mutants bot/roleplay/engine.py`).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.roleplay.engine import PersonaEngine
from tests.roleplay.test_engine_rules import FACTS, REFUND, build, hear

CALM = {"starting_mood": 5}
NEUTRAL_MARKS = {"action": 0, "record": 0, "escalation": 0, "policy_wall": 0, "empathy": 0}


def plain(resolution_id: str, marks: list[str], words: list[str]) -> dict[str, Any]:
    return {"id": resolution_id, "outcome": "resolved", "description": resolution_id, "marks_any": marks,
            "words_any": words, "accept": [f"Yes to {resolution_id}."], "reject": [f"No to {resolution_id}."]}


def in_parts(**extra: Any) -> dict[str, Any]:
    """A refund and a logged complaint, both needed; `extra` adds resolution-wide conditions."""
    return {"id": "put-right", "outcome": "resolved", "description": "refund and a logged complaint",
            "parts": [{"id": "refund", "marks_any": ["action"], "words_any": ["refund"], "missing": ["And my money?"]},
                      {"id": "log", "marks_any": ["record"], "words_any": ["log"], "missing": ["Will you log it?"]}],
            "accept": ["That's everything, thanks."], "reject": ["Not yet."], **extra}


def engine_with(*resolutions: dict[str, Any], seed: int = 0) -> PersonaEngine:
    return PersonaEngine(build(resolutions=list(resolutions), persona=CALM, mood={"reactions": NEUTRAL_MARKS}),
                         seed=seed)


def test_a_resolution_in_parts_not_begun_lets_a_later_resolution_be_accepted() -> None:
    engine = engine_with(in_parts(), plain("voucher", ["action"], ["voucher"]))
    reaction = hear(engine, "action", reply="I can send you a voucher.")
    assert (reaction.kind, reaction.resolution, reaction.line) == ("accept", "voucher", "Yes to voucher.")


def test_an_offer_without_the_first_resolutions_marks_can_match_a_later_one() -> None:
    engine = engine_with(plain("escalate", ["escalation"], ["manager"]), plain("refund", ["action"], ["refund"]))
    reaction = hear(engine, "action", reply=REFUND)
    assert (reaction.kind, reaction.resolution) == ("accept", "refund")


def test_the_resolutions_words_without_its_marks_are_no_offer() -> None:
    engine = engine_with(plain("refund", ["action"], ["refund"]))
    reaction = hear(engine, "empathy", reply="I hear that you want a refund.")
    assert reaction.kind == "mood" and engine.state.closing is None


def test_a_reply_that_adds_no_part_does_not_repeat_the_reminder() -> None:
    engine = engine_with(in_parts())
    assert hear(engine, "action", reply=REFUND).kind == "missing"
    reaction = hear(engine, "empathy", reply="I understand.")
    assert reaction.kind == "mood" and engine.state.closing is None


def test_only_the_first_missing_part_is_asked_for() -> None:
    three = in_parts()
    three["parts"].append({"id": "email", "marks_any": ["action"], "words_any": ["email"],
                           "missing": ["Will I get an email?"]})
    for seed in range(8):
        assert hear(engine_with(three, seed=seed), "action", reply=REFUND).line == "Will you log it?", seed


def test_a_resolution_in_parts_reads_its_own_words_whatever_their_case() -> None:
    engine = engine_with(in_parts(words_any=["today"]))
    assert hear(engine, "action", reply="Today I'll refund it.").kind == "missing"
    engine = engine_with(in_parts(words_any=["today"]))
    assert hear(engine, "action", reply="I'll refund it next week.").kind == "mood"


@pytest.mark.parametrize(("marks", "reply", "kind", "line"), [
    (("action", "policy_wall"), REFUND, "missing", "Will you log it?"),  # its mark: penalised or not
    (("record", "policy_wall"), "I'll log it.", "mood", "First worse."),  # neither its mark nor clean
    (("record",), "I'll log it.", "missing", "And my money?"),  # a clean reply opens it too
])
def test_a_resolution_in_parts_with_marks_opens_on_its_mark_or_a_clean_reply(
        marks: tuple[str, ...], reply: str, kind: str, line: str) -> None:
    engine = PersonaEngine(build(resolutions=[in_parts(marks_any=["action"])], persona=CALM,
                                 mood={"reactions": {**NEUTRAL_MARKS, "policy_wall": -1}}))
    reaction = hear(engine, *marks, reply=reply)
    assert (reaction.kind, reaction.line) == (kind, line)


def test_an_offer_without_the_first_resolutions_words_can_match_a_later_one_in_any_case() -> None:
    engine = engine_with(plain("voucher", ["action"], ["voucher"]), plain("refund", ["action"], ["refund"]))
    reaction = hear(engine, "action", reply="I'll arrange a REFUND today.")
    assert (reaction.kind, reaction.resolution) == ("accept", "refund")


def test_a_part_is_done_by_its_mark_with_its_words_or_by_its_words_alone_in_any_case() -> None:
    engine = engine_with(in_parts())
    assert hear(engine, reply="I'll LOG it for you.").line == "And my money?"  # heard, though nothing credited
    assert engine.state.memory.parts_done == {"put-right:log"}
    engine = engine_with(in_parts())
    assert hear(engine, "record", reply="I'll note it down.").kind == "mood"  # its mark without its words
    assert engine.state.memory.parts_done == set()


def test_a_part_without_words_is_done_by_its_mark_alone() -> None:
    resolution = in_parts()
    resolution["parts"][1] = {"id": "log", "marks_any": ["record"], "missing": ["Will you log it?"]}
    engine = engine_with(resolution)
    assert hear(engine, "record", reply="I'll note it down.").line == "And my money?"
    assert hear(engine, reply="I'll note it down again.").kind == "mood"  # no mark: nothing heard
    assert engine.state.memory.parts_done == {"put-right:log"}


def test_a_question_of_fact_is_answered_before_a_part_heard_without_an_offer() -> None:
    engine = PersonaEngine(build(resolutions=[in_parts()], facts=FACTS, persona=CALM))
    question = "I'm sorry about the trouble you had with the shop over the kettle. When did you buy it?"
    reaction = hear(engine, reply=f"I'll log it. {question}")  # more than a short plain question
    assert (reaction.kind, reaction.facts) == ("fact", ("bought",))
    assert engine.state.memory.parts_done == {"put-right:log"}  # the part still counts
    offered = PersonaEngine(build(resolutions=[in_parts()], facts=FACTS, persona=CALM,
                                  mood={"reactions": NEUTRAL_MARKS}))
    assert hear(offered, "record", reply=f"I'll log it. {question}").kind == "missing"
