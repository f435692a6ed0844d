"""One learner's progress, gathered once for both faces (the /progress embed and the terminal)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from fsrs import Scheduler
from sqlmodel import Session as DbSession

from bot.content.catalogue import Catalogue
from bot.messages import MARK_LABELS
from bot.progress.history import SessionTally, finished_sessions, marks_seen
from bot.progress.retention import TopicRetention, retention_by_topic
from bot.progress.streaks import Streak, learner_streak
from bot.progress.suggest import Suggestion, Weakness, suggest, weaknesses
from bot.progress.wording import WORDING
from bot.quiz.cards import Deck


@dataclass(frozen=True)
class LearnerProgress:
    """Everything /progress shows about one learner."""

    learner_id: str
    sessions: list[SessionTally]
    weaknesses: list[Weakness]
    suggestion: Suggestion | None
    retention: list[TopicRetention]
    streak: Streak


def learner_progress(session: DbSession, *, learner_id: str, catalogue: Catalogue, deck: Deck,
                     scheduler: Scheduler, now: datetime, tz: tzinfo) -> LearnerProgress:
    """Everything /progress shows, read in one database session."""
    tallies = finished_sessions(session, learner_id=learner_id)
    return LearnerProgress(learner_id, tallies, weaknesses(tallies, catalogue), suggest(tallies, catalogue),
                           retention_by_topic(session, learner_id=learner_id, deck=deck, scheduler=scheduler,
                                              now=now),
                           learner_streak(session, learner_id=learner_id, now=now, tz=tz))


def trend_lines(progress: LearnerProgress) -> list[str]:
    """Each reply mark seen: its rate in the first and the latest session, e.g. 'Dismissive: 50% → 0%'."""
    if not progress.sessions:
        return []
    first, last = progress.sessions[0], progress.sessions[-1]
    credited, penalised = marks_seen(progress.sessions)
    return [f"{MARK_LABELS[m]}: {first.rate(m):.0%} → {last.rate(m):.0%}" for m in credited + penalised]


def retention_lines(progress: LearnerProgress) -> list[str]:
    """One line per quiz topic: recall now, cards reviewed, answers right."""
    return [f"{r.topic.replace('_', ' ')}: {r.recall:.0%} recall now, {r.reviewed}/{r.cards} cards, "
            f"{r.correct}/{r.answers} answers right" for r in progress.retention if r.recall is not None]


def streak_line(progress: LearnerProgress) -> str:
    """The practice streak in words."""
    s = progress.streak
    return WORDING["streak"].format(current=s.current, longest=s.longest) if s.active_days else WORDING["no_streak"]


def render_text(progress: LearnerProgress) -> str:
    """The terminal view: the same figures as the Discord embed, as plain lines."""
    out = [f"Progress for {progress.learner_id}", ""]
    if progress.suggestion is not None:
        out += [f"Next practice: {progress.suggestion.scenario_id}", f"  {progress.suggestion.reason}", ""]
    out.append(f"Role-plays finished: {len(progress.sessions)}")
    if progress.sessions:
        out.append("Share of replies earning each mark (first session → latest):")
        out += [f"  {line}" for line in trend_lines(progress)]
    else:
        out.append(f"  {WORDING['no_sessions']}")
    if progress.weaknesses:
        out.append("Weakest marks lately:")
        out += [f"  - {w.describe()}" for w in progress.weaknesses[:5]]
    out += ["", "Quiz retention by topic:"]
    out += [f"  {line}" for line in retention_lines(progress)] or [f"  {WORDING['no_quiz']}"]
    out += ["", f"Streak: {streak_line(progress)}"]
    return "\n".join(out)
