"""What the examiner expected of a scenario, judged against a finished transcript.

Each expectation in a scenario's `examiner_expects` says what shows it (reply marks, session marks,
resolution parts, the outcome, traps avoided). The report lists each as met or missed, and a missed
one brings its "next time" tip, so feedback covers what was left undone, not only what went wrong.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.content.scenario import Scenario, ShownBy


@dataclass(frozen=True)
class Transcript:
    """What a finished session showed, in the terms expectations are written in."""

    marks: frozenset[str]  # every reply mark earned in the session
    session_marks: frozenset[str]
    parts_done: frozenset[str]  # resolution part ids
    traps_sprung: frozenset[str]
    outcome: str | None
    failures: frozenset[str] = frozenset()  # serious failures committed


@dataclass(frozen=True)
class Judged:
    """One of the scenario's expectations, whether it was met, and a tip."""

    text: str
    met: bool
    tip: str


def _holds(by: ShownBy, seen: Transcript) -> bool:
    def none_of(wanted: Collection[str], found: Collection[str]) -> bool:
        return not set(wanted) & set(found)

    return all((
        not by.marks_any or not none_of(by.marks_any, seen.marks),
        set(by.marks_all) <= seen.marks,
        set(by.session_marks) <= seen.session_marks,
        set(by.parts) <= seen.parts_done,
        not by.parts_any or not none_of(by.parts_any, seen.parts_done),
        not by.outcome_any or seen.outcome in by.outcome_any,
        none_of(by.avoid_marks, seen.marks),
        none_of(by.avoid_session_marks, seen.session_marks),
        none_of(by.avoid_traps, seen.traps_sprung),
        none_of(by.avoid_failures, seen.failures),
    ))


def judge_expectations(scenario: Scenario, seen: Transcript) -> list[Judged]:
    """Each expectation that applies to this transcript, met or missed."""
    return [Judged(e.text, _holds(e.shown_by, seen), e.tip) for e in scenario.examiner_expects
            if e.applies_when is None or _holds(e.applies_when, seen)]


def parts_done(engine_parts: Collection[str]) -> frozenset[str]:
    """The engine remembers parts as "resolution:part"; expectations name the part."""
    return frozenset(p.split(":", 1)[-1] for p in engine_parts)
