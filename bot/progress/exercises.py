"""Which marks a scenario exercises, read from its YAML (stages, resolutions, reactions and facts).

A scenario exercises a credited mark when its conversation moves on or resolves on it, and a
penalised mark when it has a reaction written for it (the customer tempts that mistake). The
session-level marks follow from the scenario's facts: escalation, an abusive caller, a money limit.
Escalating counts as exercised only where the scenario requires it.
"""

from __future__ import annotations

from bot.content.scenario import Scenario

EVERY_SESSION = frozenset({"listened_first", "followed_model", "confirmed_resolution", "jumped_to_solution",
                           "slow_replies", "defensive", "dismissive", "unprofessional"})


def marks_exercised(scenario: Scenario) -> frozenset[str]:
    """Every mark (reply- and session-level) this scenario gives a learner the chance to earn or avoid."""
    marks: set[str] = set(EVERY_SESSION)
    for stage in scenario.stages:
        marks.update(stage.advance_on)
    for resolution in scenario.resolutions:
        marks.update(resolution.marks_any)
        for part in resolution.parts:
            marks.update(part.marks_any)
    marks.update(scenario.reactions)
    if scenario.facts:
        marks.add("open_question")
    if scenario.escalation == "required":
        marks.update({"escalation", "escalated_well", "missed_escalation"})
    else:  # escalating is not called for: missing it is no weakness (and too early is one when unnecessary)
        marks -= {"escalation", "escalated_well"}
        if scenario.escalation == "unnecessary":
            marks.add("premature_escalation")
    if scenario.persona.abusive:
        marks.update({"boundary", "no_boundary"})
    if scenario.authority.limit_gbp is not None:
        marks.update({"within_authority", "exceeded_authority", "over_promise"})
    return frozenset(marks)
