"""The next practice: the scenario that exercises the learner's weakest marks, and why, in one sentence.

A mark's weakness is a share of the learner's recent sessions, so it reads as plain counts:
a penalised mark, how many sessions it appeared in; a credited mark, how many of the sessions
whose scenario called for it went without it. Only sessions whose scenario exercises the mark count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.assessment import REPLY_MARKS, SESSION_MARKS
from bot.assessment.whole_call import PENALISED_ANY
from bot.content.catalogue import Catalogue, UnknownScenario
from bot.messages import MARK_LABELS
from bot.progress.exercises import EVERY_SESSION, marks_exercised
from bot.progress.history import SessionTally
from bot.progress.wording import WORDING

RECENT_SESSIONS = 5
WEAKEST = 3
ALL_MARKS: tuple[str, ...] = REPLY_MARKS + SESSION_MARKS


@dataclass(frozen=True)
class Weakness:
    """A mark the learner often misses (credited) or makes (penalised)."""

    mark: str
    penalised: bool
    count: int  # sessions with the mistake, or sessions that went without the credit
    out_of: int  # sessions whose scenario exercised the mark

    @property
    def share(self) -> float:
        return self.count / self.out_of if self.out_of else 0.0

    def describe(self, wording: tuple[str, str] = ("weak_penalised", "weak_credited")) -> str:
        """One line with the counts; `wording` names the (penalised, credited) lines in wording.yaml."""
        key = wording[0] if self.penalised else wording[1]
        return WORDING[key].format(label=MARK_LABELS[self.mark], count=self.count, out_of=self.out_of)


@dataclass(frozen=True)
class Suggestion:
    """The scenario to practise next, and why."""

    scenario_id: str
    title: str
    reason: str
    marks: tuple[str, ...]  # the weak marks it exercises


def weaknesses(tallies: list[SessionTally], catalogue: Catalogue,
               recent: int = RECENT_SESSIONS) -> list[Weakness]:
    """Every mark with a weakness in the last `recent` sessions, weakest first (ties: mistakes first)."""
    window = tallies[-recent:]
    exercised = {t.session_id: _exercised(catalogue, t.scenario_id) for t in window}
    found = []
    for mark in ALL_MARKS:
        relevant = [t for t in window if mark in exercised[t.session_id]]
        penalised = mark in PENALISED_ANY
        count = sum(1 for t in relevant if t.has(mark) == penalised)
        if count:
            found.append(Weakness(mark, penalised, count, len(relevant)))
    order = {m: i for i, m in enumerate(ALL_MARKS)}
    return sorted(found, key=lambda w: (-w.share, -w.count, not w.penalised, order[w.mark]))


def _exercised(catalogue: Catalogue, scenario_id: str) -> frozenset[str]:
    try:
        return marks_exercised(catalogue.get(scenario_id))
    except UnknownScenario:  # a scenario since removed: judge only the marks every session exercises
        return EVERY_SESSION


def suggest(tallies: list[SessionTally], catalogue: Catalogue) -> Suggestion | None:
    """The scenario exercising most of the weakest marks; ties go to the one practised least.

    Marks every scenario exercises (e.g. dismissive) cannot steer the choice, so the weakest marks
    that steer it are those only some scenarios exercise.
    """
    ids = catalogue.ids()
    if not ids:
        return None
    played = Counter(t.scenario_id for t in tallies)
    exercised_by = {scenario_id: marks_exercised(catalogue.get(scenario_id)) for scenario_id in ids}
    everywhere = frozenset.intersection(*exercised_by.values())
    weakest = [w for w in weaknesses(tallies, catalogue) if w.mark not in everywhere][:WEAKEST]
    best_id: str = ids[0]
    best_hits: tuple[Weakness, ...] = ()
    best_key: tuple[float, int, int] | None = None
    for position, scenario_id in enumerate(ids):
        exercised = exercised_by[scenario_id]
        hits = tuple(w for w in weakest if w.mark in exercised)
        key = (sum(w.share for w in hits), -played[scenario_id], -position)
        if best_key is None or key > best_key:
            best_id, best_hits, best_key = scenario_id, hits, key
    scenario = catalogue.get(best_id)
    if not tallies:
        reason = WORDING["suggest_first"].format(title=scenario.title)
    elif not best_hits:
        reason = WORDING["suggest_least_played"].format(title=scenario.title, times=played[best_id])
    else:
        reason = WORDING["suggest_weak"].format(title=scenario.title,
                                                marks=_join([w.describe() for w in best_hits]))
    return Suggestion(best_id, scenario.title, reason, tuple(w.mark for w in best_hits))


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
