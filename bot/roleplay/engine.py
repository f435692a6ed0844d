"""The persona engine: a deterministic state machine over one scenario.

It knows nothing of storage or faces. Given the marks of each learner reply (or a silence) it
moves the customer's mood, steps through the scenario's stages, detects a resolution, and picks
the customer's next line. Its whole state can be rebuilt by replaying the same events with the
same seed, which is how a session survives a restart.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from bot.assessment import Assessment, ReplyContext
from bot.content.scenario import MOOD_MAX, MOOD_MIN, Resolution, Scenario

DEFAULT_REACTIONS: dict[str, int] = {
    "open_question": 1, "paraphrase": 2, "empathy": 2, "apology": 1, "action": 1, "policy": 1,
    "escalation": 1, "check": 1, "thanks": 1, "boundary": 2, "record": 1, "verify": 0,
    "defensive": -2, "dismissive": -3, "policy_wall": -2, "over_promise": 0, "admits_fault": 0,
    "unprofessional": -4,
}
MAX_SILENCES_IN_A_ROW = 3

# A learner announcing that they are ending the contact (checked per sentence, not conditionals).
_ENDING = re.compile(
    r"\b(?:i\s*['’]?m|i am|i\s*['’]?ll|i will)\s+(?:now\s+|going to\s+|gonna\s+|have to\s+|need to\s+)*"
    r"(?:(?:end|close|terminate|disconnect)\w*\s+(?:this|the|our)\s+(?:call|chat|conversation|contact)"
    r"|hang\w*\s+up)",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"\b(?:if|unless|otherwise|should)\b", re.IGNORECASE)


def announces_ending(reply: str) -> bool:
    """True when a sentence of the reply says the learner is ending the contact, unconditionally."""
    return any(
        _ENDING.search(sentence) and not _CONDITIONAL.search(sentence)
        for sentence in re.split(r"[.!?;\n]+", reply)
    )


@dataclass(frozen=True)
class Reaction:
    """What the customer does after a learner event."""

    line: str
    mood: int
    outcome: str | None = None  # set when the conversation is over
    resolution: str | None = None
    serious_failure: str | None = None


@dataclass
class EngineState:
    """Everything that changes during a conversation; derived by replay, never stored."""

    mood: int
    stage: int = 0
    learner_turns: int = 0
    silences_in_a_row: int = 0
    boundary_set: bool = False
    closing: Resolution | None = None
    outcome: str | None = None
    checked_resolution: bool = False
    serious_failures: list[str] = field(default_factory=list)


class PersonaEngine:
    """Plays one scenario's customer."""

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        self.scenario = scenario
        self.rng = random.Random(seed)
        self.state = EngineState(mood=scenario.persona.starting_mood)

    @property
    def ended(self) -> bool:
        return self.state.outcome is not None

    def _pick(self, lines: list[str]) -> str:
        return lines[self.rng.randrange(len(lines))]

    def _move_mood(self, marks: tuple[str, ...], customer_abusive: bool) -> int:
        rules = self.scenario.mood
        if marks:
            delta = 0
            for mark in marks:
                if mark == "boundary" and not customer_abusive:
                    continue
                delta += rules.reactions.get(mark, DEFAULT_REACTIONS.get(mark, 0))
        else:
            delta = rules.no_marks
        delta = max(-rules.max_step - 2, min(rules.max_step, delta))
        self.state.mood = max(MOOD_MIN, min(MOOD_MAX, self.state.mood + delta))
        return delta

    def _end(self, outcome: str, line: str, **extra: str | None) -> Reaction:
        self.state.outcome = outcome
        return Reaction(line=line, mood=self.state.mood, outcome=outcome, **extra)

    def open(self) -> Reaction:
        """The customer's opening line."""
        return Reaction(line=self._pick(self.scenario.stages[0].say), mood=self.state.mood)

    def _matching_resolution(self, reply: str, assessment: Assessment) -> Resolution | None:
        for res in self.scenario.resolutions:
            if not set(res.marks_any) & set(assessment.marks):
                continue
            if res.words_any and not any(re.search(p, reply, re.IGNORECASE) for p in res.words_any):
                continue
            return res
        return None

    def _serious_failure(self, reply: str) -> str | None:
        for failure in self.scenario.serious_failures:
            if any(re.search(p, reply, re.IGNORECASE) for p in failure.words_any):
                return failure.id
        return None

    def hear(self, reply: str, assessment: Assessment) -> Reaction:
        """React to a learner reply that has been marked."""
        if self.ended:
            raise RuntimeError("the conversation is over")
        st, sc = self.state, self.scenario
        st.learner_turns += 1
        st.silences_in_a_row = 0
        marks = assessment.marks

        if st.closing is not None:
            resolution = st.closing
            if "check" in marks:
                st.checked_resolution = True
                return self._end(resolution.outcome, self._pick(sc.closing.confirm), resolution=resolution.id)
            return self._end(resolution.outcome, self._pick(sc.closing.goodbye), resolution=resolution.id)

        failure = self._serious_failure(reply)
        if failure is not None:
            st.serious_failures.append(failure)
            line = next(f for f in sc.serious_failures if f.id == failure).line
            return self._end("unresolved", self._pick(line), serious_failure=failure)

        if announces_ending(reply):
            return self._end("ended_by_learner", self._pick(sc.ended_by_learner))

        abusive_now = sc.persona.abusive and not st.boundary_set
        before = st.mood
        self._move_mood(marks, abusive_now)
        if "boundary" in marks and sc.persona.abusive:
            st.boundary_set = True

        if st.mood <= sc.mood.leave_at:
            return self._end("customer_left", self._pick(sc.leave))

        for mark, lines in sc.penalised_reactions.items():
            if mark in marks:
                return self._after_line(self._pick(lines))

        resolution = self._matching_resolution(reply, assessment)
        if resolution is not None:
            threshold = sc.mood.accept_at if resolution.min_mood is None else resolution.min_mood
            if st.mood >= threshold:
                st.closing = resolution
                if "check" in marks:
                    st.checked_resolution = True
                return Reaction(line=self._pick(resolution.accept), mood=st.mood, resolution=resolution.id)
            return self._after_line(self._pick(resolution.reject))

        for mark, lines in sc.credited_reactions.items():
            if mark in marks and (mark != "boundary" or abusive_now):
                return self._after_line(self._advance_or(lines))

        stage = sc.stages[st.stage]
        if set(stage.advance_on) & set(marks) and st.stage + 1 < len(sc.stages):
            st.stage += 1
            return self._after_line(self._pick(sc.stages[st.stage].say))
        if st.mood > before:
            pool = stage.calmer
        elif st.mood < before:
            pool = stage.worse
        else:
            pool = stage.same
        return self._after_line(self._pick(pool))

    def _advance_or(self, lines: list[str]) -> str:
        """A credited reaction also moves the conversation on when the stage allows it."""
        st, sc = self.state, self.scenario
        if st.stage + 1 < len(sc.stages):
            st.stage += 1
        return self._pick(lines)

    def _after_line(self, line: str) -> Reaction:
        """Give the line, unless the learner has used up the turns the customer will wait."""
        if self.state.learner_turns >= self.scenario.max_learner_turns:
            return self._end("unresolved", self._pick(self.scenario.unresolved))
        return Reaction(line=line, mood=self.state.mood)

    def silence(self) -> Reaction:
        """React to a reply deadline passing with nothing said."""
        if self.ended:
            raise RuntimeError("the conversation is over")
        st, sc = self.state, self.scenario
        st.silences_in_a_row += 1
        st.mood = max(MOOD_MIN, st.mood + sc.mood.silence)
        if st.mood <= sc.mood.leave_at or st.silences_in_a_row >= MAX_SILENCES_IN_A_ROW:
            return self._end("customer_left", self._pick(sc.leave))
        return Reaction(line=self._pick(sc.silence), mood=st.mood)

    def end_by_learner(self) -> Reaction:
        """The learner ends the role-play (a command, not a reply)."""
        if self.ended:
            raise RuntimeError("the conversation is over")
        if self.state.closing is not None:
            return self._end(self.state.closing.outcome, self._pick(self.scenario.closing.goodbye),
                             resolution=self.state.closing.id)
        return self._end("ended_by_learner", self._pick(self.scenario.ended_by_learner))


def scenario_context(sc: Scenario, *, customer_abusive: bool | None = None) -> ReplyContext:
    """The facts the reply assessment needs from a scenario (no limit in the file means no money at all)."""
    return ReplyContext(
        authority_limit=sc.authority.limit_gbp if sc.authority.limit_gbp is not None else Decimal(0),
        goodwill_limit=sc.authority.goodwill_gbp,
        customer_abusive=sc.persona.abusive if customer_abusive is None else customer_abusive,
        scenario_id=sc.id,
    )


def reply_context(engine: PersonaEngine) -> ReplyContext:
    """The scenario's facts, with abuse counted only until the learner has set a boundary."""
    return scenario_context(engine.scenario,
                            customer_abusive=engine.scenario.persona.abusive and not engine.state.boundary_set)
