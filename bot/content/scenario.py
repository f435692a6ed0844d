"""The scenario file format: one customer the bot can play (see scenarios/README.md)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bot.assessment import CREDITED, PENALISED, REPLY_MARKS
from bot.assessment.marks import ReplyMark
from bot.assessment.whole_call import SessionMark

Outcome = Literal["resolved", "escalated", "ended_by_learner", "customer_left", "unresolved"]
OUTCOMES: tuple[str, ...] = ("resolved", "escalated", "ended_by_learner", "customer_left", "unresolved")
MarkId = ReplyMark
SessionMarkId = SessionMark
Lines = list[str]
MOOD_MIN, MOOD_MAX = -10, 10


class Strict(BaseModel):
    """Unknown keys are errors: a typo in content must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _lines(v: list[str]) -> list[str]:
    cleaned = [s.strip() for s in v]
    if any(not s for s in cleaned):
        raise ValueError("lines must not be empty")
    return cleaned


class Persona(Strict):
    """The customer the bot plays: who they are, how they start and what they know."""

    name: str = Field(min_length=1, max_length=80)
    situation: str = Field(min_length=1)
    starting_mood: int = Field(ge=MOOD_MIN, le=MOOD_MAX, description="-10 furious .. +10 delighted")
    calmed_by: list[str] = Field(min_length=1)
    inflamed_by: list[str] = Field(min_length=1)
    abusive: bool = False


class Authority(Strict):
    """What the learner may offer without escalating."""

    limit_gbp: Decimal | None = Field(
        default=None, ge=0, description="most money the learner may offer; null: no amount at all"
    )
    goodwill_gbp: Decimal | None = Field(
        default=None, ge=0, description="most the learner may offer as a goodwill gesture or compensation"
    )
    description: str = Field(min_length=1)


class MoodRules(Strict):
    """How the customer's mood moves with each mark in the learner's replies."""

    reactions: dict[MarkId, int] = Field(default_factory=dict)
    no_marks: int = -1
    silence: int = -2
    leave_at: int = Field(default=-10, ge=MOOD_MIN, le=MOOD_MAX)
    accept_at: int = Field(default=-3, ge=MOOD_MIN, le=MOOD_MAX)
    max_step: int = Field(default=3, ge=1, le=10)


class Stage(Strict):
    """One step of the conversation: what the customer says and what moves it on."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    say: Lines = Field(min_length=1, description="what the customer says on entering the stage")
    advance_on: list[MarkId] = Field(default_factory=list)
    calmer: Lines = Field(min_length=1)
    worse: Lines = Field(min_length=1)
    same: Lines = Field(min_length=1)

    _clean = field_validator("say", "calmer", "worse", "same")(_lines)


# Validation context key: False skips compiling the regular expressions (about half of the time it
# takes to load the shipped scenarios); only `scenarios list` passes it, since it uses no pattern.
CHECK_PATTERNS = "check_patterns"


def _compiles(v: list[str], info: ValidationInfo) -> list[str]:
    if isinstance(info.context, dict) and info.context.get(CHECK_PATTERNS) is False:
        return v
    for pattern in v:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None
    return v


class ResolutionPart(Strict):
    """One thing an examiner needs before the customer accepts (e.g. the refund, the logged complaint)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    marks_any: list[MarkId] = Field(min_length=1)
    words_any: list[str] = Field(default_factory=list, description="regular expressions, any must match")
    missing: Lines = Field(min_length=1, description="what the customer says while this part is still missing")

    _clean = field_validator("missing")(_lines)
    _compiles = field_validator("words_any")(_compiles)


class Resolution(Strict):
    """A way the call can end well, and what the learner must have done for it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    outcome: Literal["resolved", "escalated"]
    description: str = Field(min_length=1)
    marks_any: list[MarkId] = Field(default_factory=list)
    words_any: list[str] = Field(default_factory=list, description="regular expressions, any must match")
    parts: list[ResolutionPart] = Field(
        default_factory=list, description="all needed, in any turns; marks_any/words_any then only open the path")
    min_mood: int | None = Field(default=None, ge=MOOD_MIN, le=MOOD_MAX)
    accept: Lines = Field(min_length=1, description="may use {amount} {timeline} {reference} {team}")
    reject: Lines = Field(min_length=1)

    _clean = field_validator("accept", "reject")(_lines)
    _compiles = field_validator("words_any")(_compiles)

    @model_validator(mode="after")
    def _has_a_trigger(self) -> Resolution:
        if not self.marks_any and not self.parts:
            raise ValueError("a resolution needs marks_any or parts")
        return self


class Trap(Strict):
    """Content the customer reacts to whatever its marks: "did you drop it?", a remedy they refused."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    words_any: list[str] = Field(default_factory=list, description="regular expressions over the reply")
    asked_by: Lines = Field(default_factory=list, description="example learner sentences, matched like fact questions")
    unless_words: list[str] = Field(default_factory=list, description="regular expressions that defuse the trap")
    line: Lines = Field(min_length=1)
    mood: int = Field(default=-2, ge=-10, le=10)
    counts_as: SessionMarkId | None = Field(
        default=None, description="a session mark the sprung trap earns, e.g. premature_escalation")
    reason: str | None = Field(default=None, description="the report's reason for counts_as")

    _clean = field_validator("line")(_lines)
    _compiles = field_validator("words_any", "unless_words")(_compiles)

    @model_validator(mode="after")
    def _has_a_trigger(self) -> Trap:
        if not self.words_any and not self.asked_by:
            raise ValueError("a trap needs words_any or asked_by")
        if (self.counts_as is None) != (self.reason is None):
            raise ValueError("a trap's counts_as and reason go together")
        return self


class SeriousFailure(Strict):
    """Something said that ends the call badly, found by its example sentences."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    description: str = Field(min_length=1)
    words_any: list[str] = Field(default_factory=list, description="regular expressions over the reply")
    said_by: Lines = Field(default_factory=list,
                           description="example learner sentences that commit it, matched by meaning")
    not_by: Lines = Field(default_factory=list,
                          description="example sentences that come close but do not (refusals, explanations)")
    unless_words: list[str] = Field(default_factory=list, description="regular expressions that clear a sentence")
    line: Lines = Field(min_length=1)
    tip: str = Field(min_length=1, description="the report's 'next time' line")

    _compiles = field_validator("words_any", "unless_words")(_compiles)

    @model_validator(mode="after")
    def _has_a_trigger(self) -> SeriousFailure:
        if not self.words_any and not self.said_by:
            raise ValueError("a serious failure needs words_any or said_by")
        return self


class ShownBy(Strict):
    """What in the transcript shows an expectation was met; every condition given must hold."""

    marks_any: list[MarkId] = Field(default_factory=list)
    marks_all: list[MarkId] = Field(default_factory=list)
    session_marks: list[SessionMarkId] = Field(default_factory=list)
    parts: list[str] = Field(default_factory=list, description="resolution part ids, all done")
    parts_any: list[str] = Field(default_factory=list, description="resolution part ids, one done")
    outcome_any: list[Outcome] = Field(default_factory=list)
    avoid_marks: list[MarkId] = Field(default_factory=list)
    avoid_session_marks: list[SessionMarkId] = Field(default_factory=list)
    avoid_traps: list[str] = Field(default_factory=list, description="trap ids that must not have sprung")
    avoid_failures: list[str] = Field(default_factory=list, description="serious failure ids not committed")

    @model_validator(mode="after")
    def _says_something(self) -> ShownBy:
        if not any(getattr(self, name) for name in type(self).model_fields):
            raise ValueError("shown_by needs at least one condition")
        return self


class Expectation(Strict):
    """One thing an examiner looks for, how the transcript shows it, and the tip when it does not."""

    text: str = Field(min_length=1)
    shown_by: ShownBy
    applies_when: ShownBy | None = Field(default=None, description="judged only when this holds")
    tip: str = Field(min_length=1, description="the report's 'next time' line when the expectation is missed")


class PersonaFact(Strict):
    """Something the caller knows, with how learners ask for it and how the caller answers."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    about: str = Field(min_length=1, description="what the fact is, for authors and reviewers")
    asked_by: Lines = Field(min_length=3, description="example learner questions that ask for this fact")
    answer: Lines = Field(min_length=1, description="the caller's answer the first time")
    again: Lines = Field(min_length=1, description="the answer when asked a second time")
    refuse: Lines = Field(default_factory=list,
                          description="in-character pushback ('why do you need that?') before answering, optional")

    _clean = field_validator("asked_by", "answer", "again", "refuse")(_lines)


class Closing(Strict):
    """What the customer says once the matter is resolved."""

    confirm: Lines = Field(min_length=1, description="reply to a check after a resolution")
    goodbye: Lines = Field(min_length=1, description="reply to a goodbye, or when the customer has waited long enough")
    ack: Lines = Field(default_factory=lambda: ["OK.", "Right. Thanks.", "OK, good."],
                       description="reply to a step added after accepting; may use {reference} {timeline} {team}")


class Scenario(Strict):
    """One customer the bot can play, validated from its YAML file."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=1, max_length=120)
    brief: str = Field(min_length=1, description="what the learner is told before the customer speaks")
    persona: Persona
    policy: list[str] = Field(min_length=1)
    authority: Authority
    remit: Literal["yes", "partly", "no"]
    escalation: Literal["required", "optional", "unnecessary"]
    reply_seconds: int = Field(ge=10, le=3600)
    max_learner_turns: int = Field(default=12, ge=2, le=60)
    examiner_expects: list[Expectation] = Field(min_length=1)
    mood: MoodRules = MoodRules()
    stages: list[Stage] = Field(min_length=1)
    resolutions: list[Resolution] = Field(min_length=1)
    reactions: dict[MarkId, Lines] = Field(default_factory=dict)
    serious_failures: list[SeriousFailure] = Field(default_factory=list)
    silence: Lines = Field(min_length=1)
    leave: Lines = Field(min_length=1)
    closing: Closing
    facts: list[PersonaFact] = Field(default_factory=list, description="what the caller can tell when asked")
    traps: list[Trap] = Field(default_factory=list, description="content the customer reacts to")
    correct: Lines = Field(default_factory=lambda: ["No, not {said}. It was {actual}.", "{actual}, not {said}."],
                           description="the customer correcting a wrong amount in a paraphrase")
    unknown: Lines = Field(default_factory=lambda: ["I don't know that, sorry.", "No idea. Why does that matter?"],
                           description="the caller's answer to a factual question no fact covers")
    ended_by_learner: Lines = Field(min_length=1)
    unresolved: Lines = Field(min_length=1)

    _clean = field_validator("silence", "leave", "ended_by_learner", "unresolved")(_lines)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        ids = [s.id for s in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError("stages: stage ids must be unique")
        fids = [f.id for f in self.facts]
        if len(set(fids)) != len(fids):
            raise ValueError("facts: fact ids must be unique")
        rids = [r.id for r in self.resolutions]
        if len(set(rids)) != len(rids):
            raise ValueError("resolutions: resolution ids must be unique")
        if self.remit == "no" and any(r.outcome == "resolved" for r in self.resolutions):
            raise ValueError("resolutions: a matter outside the learner's remit can only be escalated")
        if self.escalation == "required" and not any(r.outcome == "escalated" for r in self.resolutions):
            raise ValueError("resolutions: escalation is required but no resolution escalates")
        part_ids = {p.id for r in self.resolutions for p in r.parts}
        trap_ids = {t.id for t in self.traps}
        failure_ids = {f.id for f in self.serious_failures}
        for i, exp in enumerate(self.examiner_expects):
            for by in (exp.shown_by, exp.applies_when):
                if by is None:
                    continue
                if unknown := (set(by.parts) | set(by.parts_any)) - part_ids:
                    raise ValueError(f"examiner_expects[{i}]: no resolution part {sorted(unknown)}")
                if unknown := set(by.avoid_traps) - trap_ids:
                    raise ValueError(f"examiner_expects[{i}]: no trap {sorted(unknown)}")
                if unknown := set(by.avoid_failures) - failure_ids:
                    raise ValueError(f"examiner_expects[{i}]: no serious failure {sorted(unknown)}")
        if self.mood.accept_at <= self.mood.leave_at:
            raise ValueError("mood.accept_at must be above mood.leave_at")
        if self.persona.starting_mood <= self.mood.leave_at:
            raise ValueError("persona.starting_mood must be above mood.leave_at")
        return self

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Outcomes these facts allow: its resolutions' plus the three any conversation can reach."""
        reachable = {r.outcome for r in self.resolutions} | {
            "ended_by_learner", "customer_left", "unresolved",
        }
        return tuple(o for o in OUTCOMES if o in reachable)

    @property
    def penalised_reactions(self) -> dict[str, Lines]:
        """Reaction lines for penalised marks, in the order they take priority."""
        return {m: self.reactions[m] for m in REPLY_MARKS if m in PENALISED and m in self.reactions}

    @property
    def credited_reactions(self) -> dict[str, Lines]:
        """Reaction lines for credited marks (e.g. a boundary calming an abusive caller)."""
        return {m: self.reactions[m] for m in REPLY_MARKS if m in CREDITED and m in self.reactions}
