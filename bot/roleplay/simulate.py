"""Play a scenario from a list of learner events without storage: for tests and content authors."""

from __future__ import annotations

from dataclasses import dataclass

from bot.assessment import assess_reply
from bot.content.scenario import Scenario
from bot.roleplay.engine import PersonaEngine, reply_context
from bot.roleplay.script import ScriptStep


@dataclass(frozen=True)
class SimTurn:
    speaker: str
    text: str
    marks: tuple[str, ...] = ()
    mood: int | None = None


@dataclass(frozen=True)
class SimResult:
    outcome: str | None
    turns: tuple[SimTurn, ...]
    engine: PersonaEngine


def simulate(scenario: Scenario, steps: list[ScriptStep], seed: int = 0) -> SimResult:
    """Run the steps until the conversation ends or the script runs out."""
    engine = PersonaEngine(scenario, seed)
    opening = engine.open()
    turns = [SimTurn("customer", opening.line, mood=opening.mood)]
    last_customer = opening.line
    for step in steps:
        if engine.ended:
            break
        if step.kind == "silence":
            turns.append(SimTurn("learner", "", mood=None))
            reaction = engine.silence()
        elif step.kind == "end":
            reaction = engine.end_by_learner()
        else:
            assessment = assess_reply(step.text, last_customer, reply_context(engine))
            turns.append(SimTurn("learner", step.text, assessment.marks))
            reaction = engine.hear(step.text, assessment)
        turns.append(SimTurn("customer", reaction.line, mood=reaction.mood))
        last_customer = reaction.line
    return SimResult(engine.state.outcome, tuple(turns), engine)
