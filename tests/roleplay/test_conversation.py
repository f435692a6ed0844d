"""A customer who converses: answers factual questions, remembers, never hangs up on a warning.

The question table (fact_questions.yaml) was written by someone who never saw the scenarios'
example questions, so it measures whether questions are understood, not remembered.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.assessment import assess_reply
from bot.content.catalogue import Catalogue
from bot.roleplay.engine import PersonaEngine, Reaction, reply_context
from bot.roleplay.understanding import fact_by_id

HERE = Path(__file__).resolve().parent
QUESTIONS = yaml.safe_load((HERE / "fact_questions.yaml").read_text(encoding="utf-8"))
SEEDS = range(10)


@pytest.fixture(scope="module")
def scenarios():
    cat = Catalogue.load([HERE.parents[1] / "scenarios"])
    assert not cat.problems
    return cat


def say(engine: PersonaEngine, reply: str, previous: str) -> Reaction:
    return engine.hear(reply, assess_reply(reply, previous, reply_context(engine)))


def first_answer(scenario, question: str, seed: int) -> Reaction:
    engine = PersonaEngine(scenario, seed)
    return say(engine, question, engine.open().line)


# Ratchets over the question table: raise them when the customer understands more, never lower them.
# (share of factual questions answered with their fact on all ten seeds, share of feeling or check
# questions never answered with a fact), per group of scenarios: the seven of the brief, and those
# added later, which have their own floors from when their questions were written.
FLOORS = {
    "brief": (0.88, 0.90),
    "added": (0.96, 0.75),  # quiet-customer, subject-access-request: 26/27 and 6/8 when added
}
ADDED = {"quiet-customer", "subject-access-request"}


def answered_on_every_seed(scenario, question: str, fact_id: str) -> bool:
    fact = fact_by_id(scenario, fact_id)
    allowed = {*fact.answer, *fact.refuse}
    for seed in SEEDS:
        reaction = first_answer(scenario, question, seed)
        if fact_id not in reaction.facts or not any(line in reaction.line for line in allowed):
            return False
    return True


def test_the_table_asks_at_least_ten_facts_per_scenario(scenarios):
    assert set(QUESTIONS) == set(scenarios.ids())
    for sid, rows in QUESTIONS.items():
        assert len({r["fact"] for r in rows if r["fact"]}) >= 10, sid


@pytest.mark.parametrize("scenario_id", sorted(QUESTIONS))
def test_at_least_ten_factual_questions_get_the_fact_on_every_seed(scenarios, scenario_id):
    scenario = scenarios.get(scenario_id)
    rows = [r for r in QUESTIONS[scenario_id] if r["fact"]]
    missed = [r for r in rows if not answered_on_every_seed(scenario, r["q"], r["fact"])]
    print(f"\n{scenario_id}: {len(rows) - len(missed)} of {len(rows)} answered on every seed; missed: "
          + "; ".join(f"{r['q']!r} ({r['fact']})" for r in missed))
    assert len(rows) - len(missed) >= 10


@pytest.mark.parametrize("group", sorted(FLOORS))
def test_the_question_table_as_a_whole(scenarios, group):
    chosen = {sid: rows for sid, rows in QUESTIONS.items() if (sid in ADDED) == (group == "added")}
    factual = [(sid, r) for sid, rows in chosen.items() for r in rows if r["fact"]]
    other = [(sid, r) for sid, rows in chosen.items() for r in rows if not r["fact"]]
    answered = sum(answered_on_every_seed(scenarios.get(sid), r["q"], r["fact"]) for sid, r in factual)
    kept_out = sum(all(first_answer(scenarios.get(sid), r["q"], seed).facts == () for seed in SEEDS)
                   for sid, r in other)
    print(f"\n{group}: answered {answered}/{len(factual)}; feelings and checks not answered with a fact "
          f"{kept_out}/{len(other)}")
    answered_floor, kept_out_floor = FLOORS[group]
    assert answered / len(factual) >= answered_floor
    assert kept_out / len(other) >= kept_out_floor


def test_asking_twice_is_noticed(scenarios):
    scenario = scenarios.get("faulty-kettle")
    engine = PersonaEngine(scenario, 3)
    first = say(engine, "Can I take your postcode please?", engine.open().line)
    again = say(engine, "sorry whats the postcode?", first.line)
    assert first.kind == "fact" and again.kind == "again"
    assert again.line in fact_by_id(scenario, "postcode").again
    assert again.mood < first.mood


def test_a_practical_question_costs_no_mood(scenarios):
    scenario = scenarios.get("late-delivery-third-contact")
    for seed in SEEDS:
        engine = PersonaEngine(scenario, seed)
        opening = engine.open()
        reaction = say(engine, "What's your order number?", opening.line)
        assert reaction.mood == opening.mood


WARNINGS = [
    "Please don't swear at me, or I'll have to end the call.",
    "Any more abuse and I will end this call.",
    "One more insult and I'm ending this call.",
    "If you keep shouting I will have to end the call.",
    "Next time you call me that I'll hang up.",
    "I want to help you, but I'll end the call if the language carries on.",
]


@pytest.mark.parametrize("warning", WARNINGS)
def test_a_conditional_warning_never_ends_the_session(scenarios, warning):
    for scenario_id in scenarios.ids():
        for seed in SEEDS:
            engine = PersonaEngine(scenarios.get(scenario_id), seed)
            reaction = say(engine, warning, engine.open().line)
            assert reaction.outcome != "ended_by_learner", (scenario_id, seed)


def test_an_unconditional_ending_does_end_it(scenarios):
    engine = PersonaEngine(scenarios.get("abusive-caller"), 0)
    reaction = say(engine, "I warned you. I'm ending this call now.", engine.open().line)
    assert reaction.outcome == "ended_by_learner"


def test_no_line_repeats_while_an_alternative_remains(scenarios):
    scenario = scenarios.get("billing-overcharge-escalation")
    for seed in SEEDS:
        engine = PersonaEngine(scenario, seed)
        line = engine.open().line
        said = [line]
        for _ in range(6):
            reaction = say(engine, "ok", line)
            if reaction.outcome:
                break
            line = reaction.line
            said.append(line)
        assert len(said) == len(set(said)), said


def test_a_line_is_only_said_when_the_learner_gave_what_it_names():
    from bot.roleplay.understanding import fill

    assert fill("Right. {reference}, written down.", {}) is None
    assert fill("Right. {reference}, written down.", {"reference": "KT-2041"}) == "Right. KT-2041, written down."
    assert fill("{unless:apology} Nobody's even said sorry.", {}, {"apology"}) is None
    assert fill("{unless:apology} Nobody's even said sorry.", {}, set()) == "Nobody's even said sorry."
    assert fill("{if:record} Good, it's logged.", {}, set()) is None


def test_the_call_stays_open_after_acceptance_until_a_check(scenarios):
    """A strong learner: listens, refunds, is accepted, then logs it (the call stays open) and checks."""
    scenario = scenarios.get("faulty-kettle")
    replies = [
        "I'm so sorry, that sounds really frustrating, especially being turned away in front of a queue. "
        "What happened when you took it back?",
        "So it stopped working after three weeks and the shop sent you away, is that right?",
        "Because it's faulty and under 30 days old, you're entitled to a full refund under the Consumer Rights "
        "Act, so I'll process a full refund of £89 to your card today.",
        "I've also logged your complaint about the shop as reference KT-2041.",
        "You'll get an email confirming the refund within the hour.",
        "Is there anything else I can help with today?",
    ]
    for seed in SEEDS:
        engine = PersonaEngine(scenario, seed)
        line = engine.open().line
        kinds = []
        for reply in replies:
            reaction = say(engine, reply, line)
            kinds.append(reaction.kind)
            line = reaction.line
            if reaction.outcome:
                break
        assert "accept" in kinds, (seed, kinds)
        assert kinds[-1] == "confirm" and reaction.outcome == "resolved", (seed, kinds)
        assert engine.state.checked_resolution
        after = kinds[kinds.index("accept") + 1:-1]
        assert after and all(k == "ack" or k.startswith("fact") for k in after), (seed, kinds)


def test_a_goodbye_after_acceptance_closes_the_call(scenarios):
    scenario = scenarios.get("faulty-kettle")
    engine = PersonaEngine(scenario, 0)
    engine.state.closing = scenario.resolutions[-1]
    reaction = say(engine, "Thanks for calling, have a good day.", "Thank you.")
    assert reaction.outcome == scenario.resolutions[-1].outcome and reaction.kind == "goodbye"


def test_a_paraphrase_with_a_wrong_amount_is_corrected(scenarios):
    scenario = scenarios.get("faulty-kettle")
    for seed in SEEDS:
        engine = PersonaEngine(scenario, seed)
        reaction = say(engine, "So you paid £99 for the kettle three weeks ago and it stopped working, is that right?",
                       engine.open().line)
        assert reaction.kind == "correction", (seed, reaction)
        assert "£89" in reaction.line and "£99" in reaction.line
