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

from bot.assessment import PENALISED, Assessment, ReplyContext
from bot.assessment.marks import is_reply_mark
from bot.assessment.text import read_amounts
from bot.content.scenario import MOOD_MAX, MOOD_MIN, Resolution, Scenario, Trap
from bot.roleplay.understanding import (
    MATCH_AT,
    Memory,
    announces_ending,
    asks_for_a_fact,
    closes_call,
    derived,
    fact_by_id,
    fact_index,
    failure_index,
    fill,
    heard_offer,
    question_parts,
    questions,
    sentences_of,
    trap_index,
)

DEFAULT_REACTIONS: dict[str, int] = {
    "open_question": 1, "paraphrase": 2, "empathy": 2, "apology": 1, "action": 1, "policy": 1,
    "escalation": 1, "check": 1, "thanks": 1, "boundary": 2, "record": 1, "verify": 0,
    "defensive": -2, "dismissive": -3, "policy_wall": -2, "over_promise": 0, "admits_fault": 0,
    "unprofessional": -4,
}
MAX_SILENCES_IN_A_ROW = 3
OFFERING = frozenset({"action", "escalation", "policy", "record", "over_promise"})



@dataclass(frozen=True)
class Reaction:
    """What the customer does after a learner event."""

    line: str
    mood: int
    outcome: str | None = None  # set when the conversation is over
    resolution: str | None = None
    serious_failure: str | None = None
    facts: tuple[str, ...] = ()  # the facts this line gives
    kind: str = "line"  # what sort of answer: fact, again, trap, penalised, accept, ack, ... (for tests and reviews)


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
    memory: Memory = field(default_factory=Memory)
    traps_sprung: list[str] = field(default_factory=list)


class PersonaEngine:
    """Plays one scenario's customer."""

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        self.scenario = scenario
        self.rng = random.Random(seed)
        self.state = EngineState(mood=scenario.persona.starting_mood)

    @property
    def ended(self) -> bool:
        return self.state.outcome is not None

    def _refuse_when_ended(self) -> None:
        """An event after the end is a caller's bug: say so rather than play on."""
        if self.ended:
            raise RuntimeError("the conversation is over")

    # --- lines ----------------------------------------------------------------------------

    def _pick(self, lines: list[str]) -> str:
        """A line not yet said in this conversation while one remains, filled from what was offered;
        lines that need something the learner never said are passed over."""
        memory = self.state.memory
        slots = memory.slots()
        usable = [filled for line in lines if (filled := fill(line, slots, memory.marks_seen)) is not None]
        if not usable:  # every line needs a detail nobody gave (a line without one is always usable)
            usable = [fill(lines[0], {}) or "..."]
        fresh = [line for line in usable if line not in memory.lines_used] or usable
        line = fresh[self.rng.randrange(len(fresh))]
        memory.lines_used.add(line)
        return line

    def _end(self, outcome: str, line: str, kind: str, *, resolution: str | None = None,
             serious_failure: str | None = None) -> Reaction:
        self.state.outcome = outcome
        return Reaction(line=line, mood=self.state.mood, outcome=outcome, kind=kind, resolution=resolution,
                        serious_failure=serious_failure)

    def _move_mood(self, marks: tuple[str, ...], customer_abusive: bool, *, practical: bool) -> None:
        rules = self.scenario.mood
        if marks:
            delta = 0
            for mark in marks:
                if mark == "boundary" and not customer_abusive:
                    continue
                if is_reply_mark(mark):  # a mark the engine does not know moves nothing
                    delta += rules.reactions.get(mark, DEFAULT_REACTIONS[mark])
        else:
            delta = 0 if practical else rules.no_marks  # a practical question costs nothing
        delta = max(-rules.max_step - 2, min(rules.max_step, delta))
        self.state.mood = max(MOOD_MIN, min(MOOD_MAX, self.state.mood + delta))

    def _nudge(self, delta: int) -> None:
        self.state.mood = max(MOOD_MIN, min(MOOD_MAX, self.state.mood + delta))

    # --- reading the reply ----------------------------------------------------------------

    def _serious_failure(self, reply: str) -> str | None:
        """A statement that commits a scenario's serious failure, by its words or by its meaning:
        the nearest example sentence is one that commits it rather than one that comes close."""
        if not self.scenario.serious_failures:
            return None
        asked = set(questions(reply))
        statements = [s for s in sentences_of(reply) if s not in asked]
        for failure in self.scenario.serious_failures:
            for sentence in statements:
                if any(re.search(p, sentence, re.IGNORECASE) for p in failure.unless_words):
                    continue
                if any(re.search(p, sentence, re.IGNORECASE) for p in failure.words_any):
                    return failure.id
                if failure.said_by and failure_index(failure).match(sentence) == "said":
                    return failure.id
        return None

    def _trap(self, reply: str) -> Trap | None:
        for trap in self.scenario.traps:
            if trap.id in self.state.traps_sprung:
                continue
            if any(re.search(p, reply, re.IGNORECASE) for p in trap.unless_words):
                continue
            if any(re.search(p, reply, re.IGNORECASE) for p in trap.words_any) or (
                    trap.asked_by and any(trap_index(trap).match(q) for q in sentences_of(reply))):
                return trap
        return None

    def _asked_facts(self, asked: list[str], marks: tuple[str, ...]) -> tuple[list[str], float]:
        """Fact ids the questions ask for, in order, at most two; and the best score of a whole question."""
        index = fact_index(self.scenario)  # no facts: an empty index that matches nothing
        found: list[str] = []
        top = 0.0
        for question in asked:
            for part in question_parts(question):
                fact_id, score = index.best(part)
                if part == question:
                    top = max(top, score)
                if fact_id is None or score < MATCH_AT or fact_id in found:
                    continue
                if {"check", "paraphrase"} & set(marks) and score < MATCH_AT + 0.15:
                    continue  # "is there anything else?", "...is that right?": checks, not questions of detail
                found.append(fact_id)
        return found[:2], top

    @staticmethod
    def _plainly_asks(reply: str, asked: list[str], top: float) -> bool:
        """The whole reply is one short question that matches a fact well."""
        return len(asked) == 1 and len(reply.split()) <= 20 and top >= MATCH_AT + 0.15

    def _answer(self, fact_ids: list[str]) -> Reaction:
        memory = self.state.memory
        given_before = set(memory.facts_given)
        parts = []
        for fact_id in fact_ids:
            fact = fact_by_id(self.scenario, fact_id)
            if fact_id in memory.facts_given:
                self._nudge(-1)  # asked again: noticed
                parts.append(self._pick(fact.again))
            else:
                first_time = fact.refuse if fact.refuse and self.rng.random() < 0.5 else fact.answer
                parts.append(self._pick(first_time))
                memory.facts_given.append(fact_id)
        kind = "again" if all(f in given_before for f in fact_ids) else "fact"
        return self._after_line(" ".join(parts), facts=tuple(fact_ids), kind=kind)

    def _correction(self, reply: str, marks: tuple[str, ...], offered: tuple[Decimal, ...]) -> str | None:
        """A paraphrase with an amount the customer never said is corrected, not rewarded."""
        if "paraphrase" not in marks:
            return None
        known = known_amounts(self.scenario)
        said = [a for a in read_amounts(reply) if a not in offered]
        wrong = [a for a in said if a not in known]
        if not wrong or not known:
            return None
        actual = min(known, key=lambda k: abs(k - wrong[0]))
        slots = {**self.state.memory.slots(), "said": _money(wrong[0]), "actual": _money(actual)}
        filled = [line for raw in self.scenario.correct if (line := fill(raw, slots)) is not None]
        if not filled:
            return None
        line = filled[self.rng.randrange(len(filled))]
        self.state.memory.lines_used.add(line)
        return line

    def _parts_done(self, res: Resolution, reply: str, marks: tuple[str, ...]) -> None:
        """Record the parts this reply gives. A part's words with one of its marks count; so do its
        words with no mark against them, since the customer heard them even when the assessment
        found nothing to credit (a penalised reply never completes a part)."""
        for part in res.parts:
            said = any(re.search(p, reply, re.IGNORECASE) for p in part.words_any)
            credited = bool(set(part.marks_any) & set(marks)) and (not part.words_any or said)
            heard = said and not set(marks) & PENALISED
            if credited or heard:
                self.state.memory.parts_done.add(f"{res.id}:{part.id}")
                self.state.memory.parts_now.add(f"{res.id}:{part.id}")

    def _matching_resolution(self, reply: str, marks: tuple[str, ...]) -> tuple[Resolution | None, list[str]]:
        """The first resolution this reply opens or completes, and what it still lacks (missing lines)."""
        for res in self.scenario.resolutions:
            if res.parts:
                done = {p.id for p in res.parts if f"{res.id}:{p.id}" in self.state.memory.parts_done}
                if not done:
                    continue
                touched = any(f"{res.id}:{p.id}" in self.state.memory.parts_now for p in res.parts)
                words_ok = not res.words_any or any(re.search(p, reply, re.IGNORECASE) for p in res.words_any)
                marks_ok = not res.marks_any or bool(set(res.marks_any) & set(marks)) or not set(marks) & PENALISED
                opened = touched and words_ok and marks_ok
                if not opened:
                    continue
                missing = [p for p in res.parts if p.id not in done]
                return res, [line for p in missing[:1] for line in p.missing]
            if not set(res.marks_any) & set(marks):
                continue
            if res.words_any and not any(re.search(p, reply, re.IGNORECASE) for p in res.words_any):
                continue
            return res, []
        return None, []

    # --- events ---------------------------------------------------------------------------

    def open(self) -> Reaction:
        """The customer's opening line."""
        return Reaction(line=self._pick(self.scenario.stages[0].say), mood=self.state.mood, kind="open")

    def hear(self, reply: str, assessment: Assessment) -> Reaction:
        """React to a learner reply that has been marked."""
        self._refuse_when_ended()
        st, sc = self.state, self.scenario
        st.learner_turns += 1
        st.silences_in_a_row = 0
        marks = assessment.marks
        st.memory.remember(heard_offer(reply, assessment.offered_amounts), offering=bool(set(marks) & OFFERING))
        st.memory.marks_seen.update(marks)
        st.memory.parts_now.clear()
        for res in sc.resolutions:  # every resolution remembers its parts, whatever this turn's answer
            self._parts_done(res, reply, marks)

        failure = self._serious_failure(reply)  # a disclosure is serious at any point
        if failure is not None:
            st.serious_failures.append(failure)
            line = next(f for f in sc.serious_failures if f.id == failure).line
            return self._end("unresolved", self._pick(line), "serious_failure", serious_failure=failure)

        if st.closing is not None:
            return self._after_acceptance(reply, marks)

        if announces_ending(reply):
            return self._end("ended_by_learner", self._pick(sc.ended_by_learner), "ended")

        asked_questions = questions(reply)
        asked, top = self._asked_facts(asked_questions, marks)
        abusive_now = sc.persona.abusive and not st.boundary_set
        before = st.mood
        self._move_mood(marks, abusive_now, practical=bool(asked_questions))
        if "boundary" in marks and sc.persona.abusive:
            st.boundary_set = True

        if st.mood <= sc.mood.leave_at:
            return self._end("customer_left", self._pick(sc.leave), "leave")

        trap = self._trap(reply)
        if trap is not None:
            st.traps_sprung.append(trap.id)
            self._nudge(trap.mood)
            if st.mood <= sc.mood.leave_at:
                return self._end("customer_left", self._pick(sc.leave), "leave")
            return self._after_line(self._pick(trap.line), kind=f"trap:{trap.id}")

        tone_only = set(marks) & PENALISED <= {"defensive", "dismissive"}
        if asked and tone_only and self._plainly_asks(reply, asked_questions, top):
            return self._answer(asked)  # a clear question of fact gets its answer, whatever its tone

        for mark, lines in sc.penalised_reactions.items():
            if mark in marks:
                return self._after_line(self._pick(lines), kind=f"penalised:{mark}")

        correction = self._correction(reply, marks, assessment.offered_amounts)
        if correction is not None:
            return self._after_line(correction, kind="correction")

        if asked and not set(marks) & OFFERING:
            return self._answer(asked)  # a question of fact is answered before anything is settled

        resolution, missing = self._matching_resolution(reply, marks)
        if resolution is not None:
            threshold = sc.mood.accept_at if resolution.min_mood is None else resolution.min_mood
            if st.mood < threshold:
                return self._after_line(self._pick(resolution.reject), kind="reject")
            if missing:
                return self._after_line(self._pick(missing), kind="missing")
            st.closing = resolution
            if "check" in marks:
                st.checked_resolution = True
            return Reaction(line=self._pick(resolution.accept), mood=st.mood, resolution=resolution.id, kind="accept")

        if asked:
            return self._answer(asked)
        if asked_questions and not marks and any(asks_for_a_fact(q) for q in asked_questions):
            return self._after_line(self._pick(sc.unknown), kind="unknown")

        for mark, lines in sc.credited_reactions.items():
            if mark in marks and (mark != "boundary" or abusive_now):
                return self._after_line(self._advance_or(lines), kind=f"credited:{mark}")

        stage = sc.stages[st.stage]
        if set(stage.advance_on) & set(marks) and st.stage + 1 < len(sc.stages):
            st.stage += 1
            return self._after_line(self._pick(sc.stages[st.stage].say), kind="stage")
        if st.mood > before:
            pool = stage.calmer
        elif st.mood < before:
            pool = stage.worse
        else:
            pool = stage.same
        return self._after_line(self._pick(pool), kind="mood")

    def _after_acceptance(self, reply: str, marks: tuple[str, ...]) -> Reaction:
        """The customer has accepted; the call stays open while the learner adds steps, and ends
        when they check the customer is satisfied or say goodbye."""
        st, sc = self.state, self.scenario
        resolution = st.closing
        assert resolution is not None
        if "check" in marks:
            st.checked_resolution = True
            return self._end(resolution.outcome, self._pick(sc.closing.confirm), "confirm", resolution=resolution.id)
        if closes_call(reply) or announces_ending(reply):
            return self._goodbye()
        for mark, lines in sc.penalised_reactions.items():
            if mark in marks:
                self._move_mood(marks, False, practical=False)
                return self._waiting(self._pick(lines), f"penalised:{mark}")
        asked, _ = self._asked_facts(questions(reply), marks)
        if asked:
            answer = self._answer(asked)
            return self._waiting(answer.line, answer.kind, answer.facts)
        return self._waiting(self._pick(sc.closing.ack), "ack")

    def _waiting(self, line: str, kind: str, facts: tuple[str, ...] = ()) -> Reaction:
        """After accepting, a customer waits a few more turns, then says goodbye themselves."""
        st = self.state
        assert st.closing is not None  # only after acceptance
        if st.learner_turns >= self.scenario.max_learner_turns + 2:
            return self._goodbye()
        return Reaction(line=line, mood=st.mood, resolution=st.closing.id, kind=kind, facts=facts)

    def _goodbye(self) -> Reaction:
        """The customer who accepted says goodbye; the call ends with the accepted resolution."""
        closing = self.state.closing
        assert closing is not None
        return self._end(closing.outcome, self._pick(self.scenario.closing.goodbye), "goodbye", resolution=closing.id)

    def _advance_or(self, lines: list[str]) -> str:
        """A credited reaction also moves the conversation on when the stage allows it."""
        st, sc = self.state, self.scenario
        if st.stage + 1 < len(sc.stages):
            st.stage += 1
        return self._pick(lines)

    def _after_line(self, line: str, facts: tuple[str, ...] = (), *, kind: str) -> Reaction:
        """Give the line, unless the learner has used up the turns the customer will wait."""
        if self.state.learner_turns >= self.scenario.max_learner_turns:
            return self._end("unresolved", self._pick(self.scenario.unresolved), "unresolved")
        return Reaction(line=line, mood=self.state.mood, facts=facts, kind=kind)

    def silence(self) -> Reaction:
        """React to a reply deadline passing with nothing said."""
        self._refuse_when_ended()
        st, sc = self.state, self.scenario
        st.silences_in_a_row += 1
        st.mood = max(MOOD_MIN, st.mood + sc.mood.silence)
        if st.mood <= sc.mood.leave_at or st.silences_in_a_row >= MAX_SILENCES_IN_A_ROW:
            if st.closing is not None:
                return self._goodbye()
            return self._end("customer_left", self._pick(sc.leave), "leave")
        return Reaction(line=self._pick(sc.silence), mood=st.mood, kind="silence")

    def end_by_learner(self) -> Reaction:
        """The learner ends the role-play (a command, not a reply)."""
        self._refuse_when_ended()
        if self.state.closing is not None:
            return self._goodbye()
        return self._end("ended_by_learner", self._pick(self.scenario.ended_by_learner), "ended")


def _money(value: Decimal) -> str:
    return f"£{value:,.2f}".replace(".00", "")


def known_amounts(sc: Scenario) -> frozenset[Decimal]:
    """Every amount the customer's story contains (what a paraphrase may repeat)."""
    def read_story() -> frozenset[Decimal]:
        texts = [sc.brief, sc.persona.situation, *(line for st in sc.stages for line in st.say),
                 *(line for f in sc.facts for line in [*f.answer, *f.again])]
        return frozenset(a for t in texts for a in read_amounts(t))

    return derived(sc, "amounts", read_story)


def scenario_context(sc: Scenario, *, boundary_set: bool = False) -> ReplyContext:
    """The facts the reply assessment needs from a scenario (no limit in the file means no money at all).

    A persona the file calls non-abusive is never abusive, however heated its words; an abusive
    one is, until the learner has set a boundary, and after that each message is judged as it comes.
    """
    abusive = sc.persona.abusive
    return ReplyContext(
        authority_limit=sc.authority.limit_gbp if sc.authority.limit_gbp is not None else Decimal(0),
        goodwill_limit=sc.authority.goodwill_gbp,
        customer_abusive=None if abusive and boundary_set else abusive,
        scenario_id=sc.id,
    )


def reply_context(engine: PersonaEngine) -> ReplyContext:
    """The scenario's facts as they stand at this point of the conversation."""
    return scenario_context(engine.scenario, boundary_set=engine.state.boundary_set)
