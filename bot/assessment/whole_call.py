"""Session-level marks and model coverage, judged from the order and timing of the reply marks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Literal, get_args

from bot.assessment.marks import PENALISED

SessionMark = Literal[
    "listened_first", "followed_model", "within_authority", "escalated_well", "confirmed_resolution",
    "jumped_to_solution", "premature_escalation", "missed_escalation", "exceeded_authority", "no_boundary",
    "slow_replies",
]
SESSION_MARKS: tuple[str, ...] = get_args(SessionMark)
MODELS: dict[str, tuple[str, ...]] = {
    "HEAT": ("Hear", "Empathise", "Apologise", "Take action"),
    "LAST": ("Listen", "Apologise", "Solve", "Thank"),
    "LEAP": ("Listen", "Empathise", "Ask", "Problem-solve"),
    "AIRF": ("Acknowledge", "Investigate", "Resolve", "Follow-up"),
}
# Which reply marks show each step of a model.
STEP_MARKS: dict[str, dict[str, frozenset[str]]] = {
    "HEAT": {"Hear": frozenset({"open_question", "paraphrase"}), "Empathise": frozenset({"empathy"}),
             "Apologise": frozenset({"apology"}), "Take action": frozenset({"action", "escalation"})},
    "LAST": {"Listen": frozenset({"open_question", "paraphrase"}), "Apologise": frozenset({"apology"}),
             "Solve": frozenset({"action", "escalation"}), "Thank": frozenset({"thanks"})},
    "LEAP": {"Listen": frozenset({"paraphrase", "open_question"}), "Empathise": frozenset({"empathy"}),
             "Ask": frozenset({"open_question", "verify"}), "Problem-solve": frozenset({"action", "escalation"})},
    "AIRF": {"Acknowledge": frozenset({"empathy", "apology", "paraphrase"}),
             "Investigate": frozenset({"open_question", "verify"}),
             "Resolve": frozenset({"action", "escalation", "policy"}),
             "Follow-up": frozenset({"record", "check"})},
}
# Steps within one phase may come in any order: the unit advises acknowledging feelings first, so
# empathy before a paraphrase still hears the customer before acting.
PHASES: dict[str, tuple[frozenset[str], ...]] = {
    "HEAT": (frozenset({"Hear", "Empathise", "Apologise"}), frozenset({"Take action"})),
    "LAST": (frozenset({"Listen", "Apologise"}), frozenset({"Solve"}), frozenset({"Thank"})),
    "LEAP": (frozenset({"Listen", "Empathise"}), frozenset({"Ask"}), frozenset({"Problem-solve"})),
    "AIRF": (frozenset({"Acknowledge"}), frozenset({"Investigate"}), frozenset({"Resolve"}),
             frozenset({"Follow-up"})),
}
LISTENING = frozenset({"empathy", "paraphrase", "open_question"})
CREDITED_SESSION = frozenset({"listened_first", "followed_model", "within_authority", "escalated_well",
                              "confirmed_resolution"})
# every mark, reply or session, that counts against the learner: what quizzes and suggestions revise
PENALISED_ANY = PENALISED | (frozenset(SESSION_MARKS) - CREDITED_SESSION)


@dataclass(frozen=True)
class LearnerTurnFacts:
    """What the session judgement needs from one learner turn."""

    marks: tuple[str, ...]
    offered_amounts: tuple[Decimal, ...] = ()
    silent: bool = False
    late: bool = False
    customer_abusive: bool = False


@dataclass(frozen=True)
class SessionFacts:
    """What the session judgement needs from the scenario and how the call ended."""

    authority_limit: Decimal | None
    escalation_expected: str  # required | optional | unnecessary
    customer_abusive: bool
    resolution_confirmed: bool = False
    resolution_reached: bool = True  # a check only confirms a resolution the customer accepted
    penalties: dict[str, str] = field(default_factory=dict)  # session marks the scenario's traps earned


@dataclass(frozen=True)
class ModelCoverage:
    """Which steps of one service model (HEAT, LAST, ...) the learner showed, in order."""

    model: str
    steps: tuple[str, ...]
    covered: tuple[str, ...]
    in_order: bool


@dataclass(frozen=True)
class SessionAssessment:
    """The session marks with their reasons, and each model's coverage."""

    marks: tuple[str, ...]
    reasons: dict[str, str]
    coverage: tuple[ModelCoverage, ...]


def _first(turns: Sequence[LearnerTurnFacts], wanted: frozenset[str]) -> int | None:
    return next((i for i, t in enumerate(turns) if set(t.marks) & wanted), None)


def _coverage(turns: Sequence[LearnerTurnFacts]) -> tuple[ModelCoverage, ...]:
    """Steps shown, and whether every step of a phase first appears no later than any step of the next."""
    result = []
    for model, steps in MODELS.items():
        first = {step: _first(turns, STEP_MARKS[model][step]) for step in steps}
        covered = tuple(step for step in steps if first[step] is not None)
        in_order = len(covered) == len(steps) and all(
            max(first[s] or 0 for s in earlier) <= min(first[s] or 0 for s in later)
            for earlier, later in pairwise(PHASES[model]))
        result.append(ModelCoverage(model, steps, covered, in_order))
    return tuple(result)


def assess_session(turns: Sequence[LearnerTurnFacts], facts: SessionFacts) -> SessionAssessment:
    """Judge the whole conversation; each mark comes with a one-sentence reason."""
    spoken = [t for t in turns if not t.silent]
    reasons: dict[str, str] = {}
    listen_at = _first(spoken, LISTENING)
    action_at = _first(spoken, frozenset({"action"}))
    escalate_at = _first(spoken, frozenset({"escalation"}))
    attempt_at = _first(spoken, LISTENING | {"action", "policy", "verify", "apology"})

    if action_at is not None:
        if listen_at is not None and listen_at <= action_at:
            reasons["listened_first"] = "You acknowledged the customer before proposing a solution."
        else:
            reasons["jumped_to_solution"] = "You proposed a solution before listening or acknowledging."
    elif listen_at is not None:
        reasons["listened_first"] = "You listened and acknowledged the customer."

    coverage = _coverage(spoken)
    followed = [c.model for c in coverage if c.in_order]
    if followed:
        reasons["followed_model"] = f"Your replies followed {', '.join(followed)} step by step."

    offers = [a for t in spoken for a in t.offered_amounts]
    limit = facts.authority_limit  # None: no amount may be offered at all
    acted = bool(offers) or action_at is not None
    if offers and (limit is None or max(offers) > limit):
        top = max(offers)
        reasons["exceeded_authority"] = (f"You offered £{top:,.2f}, beyond your authority "
                                         + (f"(£{limit:,.2f})." if limit is not None else "to promise any amount."))
    elif acted and not any("over_promise" in t.marks for t in spoken):
        reasons["within_authority"] = "You took concrete steps and nothing went beyond your authority."

    reasons.update(facts.penalties)  # e.g. a hand-off the scenario says the learner should have dealt with
    if escalate_at is not None:
        if "premature_escalation" in reasons:
            pass  # the scenario's reason stands, and a premature hand-off is no credit
        elif facts.escalation_expected == "unnecessary" and (attempt_at is None or attempt_at >= escalate_at):
            reasons["premature_escalation"] = ("You escalated before trying to understand or resolve a matter "
                                               "within your remit.")
        elif facts.escalation_expected != "unnecessary":
            reasons["escalated_well"] = "You escalated with a reason and a next step for the customer."
    elif facts.escalation_expected == "required":
        reasons["missed_escalation"] = "The matter was beyond your remit but was never escalated."

    last_act, last_check = _last_index(spoken, {"action", "escalation"}), _last_index(spoken, {"check"})
    if facts.resolution_confirmed or (facts.resolution_reached and last_act is not None
                                      and last_check is not None and last_check >= last_act):
        reasons["confirmed_resolution"] = "You checked the customer accepted the resolution."

    abusive = facts.customer_abusive or any(t.customer_abusive for t in turns)
    if abusive and not any("boundary" in t.marks for t in spoken):
        reasons["no_boundary"] = "The customer was abusive and you never set a calm boundary."

    missed = sum(1 for t in turns if t.silent or t.late)
    if missed > 1:
        reasons["slow_replies"] = f"You missed the reply time limit {missed} times."

    marks = tuple(m for m in SESSION_MARKS if m in reasons)
    return SessionAssessment(marks, {m: reasons[m] for m in marks}, coverage)


def _last_index(turns: Sequence[LearnerTurnFacts], wanted: set[str]) -> int | None:
    found = [i for i, t in enumerate(turns) if set(t.marks) & wanted]
    return found[-1] if found else None
