"""The role-play service: every turn is written before anything reacts to it.

Faces (Discord, terminal, tests) call these methods with ids and text. The persona engine's
state is never stored: it is rebuilt by replaying the stored learner turns with the session's
seed, so a crash between writing a reply and reacting to it loses nothing (see `resume`).
"""

from __future__ import annotations

import logging
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import messages
from bot.assessment import (
    Assessment,
    LearnerTurnFacts,
    SessionFacts,
    assess_reply,
    assess_session,
    customer_is_abusive,
)
from bot.clock import Clock, utcnow
from bot.content.catalogue import Catalogue, UnknownScenario
from bot.content.scenario import Scenario
from bot.roleplay.engine import PersonaEngine, Reaction, reply_context
from bot.roleplay.report import build_report
from bot.storage.db import Database
from bot.storage.models import PracticeSession, Turn

log = logging.getLogger(__name__)
MAX_REPLY_CHARS = 4000
_KEEP_CONTROLS = {"\n", "\t"}


class RolePlayError(Exception):
    """A refusal with a message fit to show the learner."""


class ReplyRejected(RolePlayError):
    """The reply was not recorded; the session carries on unchanged."""


class SessionNotFound(RolePlayError):
    pass


class NotYourSession(RolePlayError):
    pass


class SessionOver(RolePlayError):
    pass


class AlreadyActive(RolePlayError):
    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        super().__init__(messages.ALREADY_ACTIVE.format(session_id=session_id))


def clean_reply(text: str) -> str:
    """Drop control characters (NUL breaks PostgreSQL) and check the length; keep everything else."""
    cleaned = "".join(
        ch for ch in text
        if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()
    if not cleaned or not any(ch.isalnum() or unicodedata.category(ch).startswith("S") for ch in cleaned):
        raise ReplyRejected(messages.REPLY_EMPTY)
    if len(cleaned) > MAX_REPLY_CHARS:
        raise ReplyRejected(messages.REPLY_TOO_LONG.format(length=len(cleaned), limit=MAX_REPLY_CHARS))
    return cleaned


@dataclass(frozen=True)
class CustomerLine:
    persona: str
    text: str
    mood: int
    deadline: datetime | None


@dataclass(frozen=True)
class TurnResult:
    """What a face shows after an event: the customer's line, the reply's marks, the end."""

    session_id: int
    customer: CustomerLine | None
    learner_marks: tuple[str, ...] = ()
    evidence: dict[str, str] = field(default_factory=dict)
    outcome: str | None = None
    report: dict | None = None

    @property
    def ended(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True)
class SessionPaused:
    """A session whose scenario can no longer be loaded (file removed or invalid): kept as it is,
    so the learner is told instead of the error stopping the sessions after it."""

    session_id: int
    learner_id: str
    channel_id: str | None
    scenario_id: str


FinishHook = Callable[[Session, PracticeSession], None]


class RolePlayService:
    """Start, reply, fall silent, end and resume role-plays, storing every word."""

    def __init__(self, db: Database, catalogue: Catalogue, clock: Clock = utcnow,
                 on_finish: Sequence[FinishHook] = ()) -> None:
        self.db = db
        self.catalogue = catalogue
        self.clock = clock
        self.on_finish = list(on_finish)

    # --- queries --------------------------------------------------------------------------

    def get(self, session_id: int) -> PracticeSession:
        with self.db.session() as s:
            return self._row(s, session_id)

    def turns(self, session_id: int) -> list[Turn]:
        with self.db.session() as s:
            return self._turns(s, session_id)

    def active_for(self, learner_id: str) -> PracticeSession | None:
        with self.db.session() as s:
            return s.exec(select(PracticeSession).where(
                PracticeSession.learner_id == learner_id, PracticeSession.status == "active")).first()

    def active_sessions(self) -> list[PracticeSession]:
        with self.db.session() as s:
            return list(s.exec(select(PracticeSession).where(PracticeSession.status == "active")
                               .order_by(col(PracticeSession.id))))

    def active_in_channel(self, channel_id: str) -> PracticeSession | None:
        """The role-play being held in a channel or thread, if any."""
        with self.db.session() as s:
            return s.exec(select(PracticeSession).where(
                PracticeSession.channel_id == channel_id, PracticeSession.status == "active")).first()

    def overdue(self, now: datetime, *, in_guilds_only: bool = False) -> list[int]:
        """Active sessions whose customer has waited past the reply deadline.

        The bot passes in_guilds_only so that it never times out a terminal session that shares
        its database; the terminal keeps its own clock.
        """
        with self.db.session() as s:
            active = select(Turn.session_id, func.max(Turn.position).label("pos")).join(
                PracticeSession, col(PracticeSession.id) == col(Turn.session_id)
            ).where(PracticeSession.status == "active")
            if in_guilds_only:
                active = active.where(col(PracticeSession.guild_id).is_not(None))
            last = active.group_by(col(Turn.session_id)).subquery()
            query = (
                select(Turn.session_id)
                .join(last, and_(col(Turn.session_id) == last.c.session_id, col(Turn.position) == last.c.pos))
                .where(Turn.speaker == "customer", col(Turn.deadline_at) <= now)
                .order_by(col(Turn.session_id))
            )
            return list(s.exec(query))

    def expire_deadlines(self, now: datetime, *,
                         in_guilds_only: bool = False) -> list[TurnResult | SessionPaused]:
        """Let every overdue customer react to the silence; returns what each customer said (or
        that a session's scenario cannot be loaded: one broken file never stops the others)."""
        results: list[TurnResult | SessionPaused] = []
        for session_id in self.overdue(now, in_guilds_only=in_guilds_only):
            try:
                result = self.silence(session_id)
            except UnknownScenario:
                results.append(self.paused(session_id))
                continue
            if result is not None:
                results.append(result)
        return results

    def paused(self, session_id: int) -> SessionPaused:
        """Log that a session's scenario is missing and say so in a result a face can show."""
        row = self.get(session_id)
        log.error("session %s: scenario %r cannot be loaded (file removed or invalid); the session "
                  "is kept and waits", session_id, row.scenario_id)
        return SessionPaused(session_id, row.learner_id, row.channel_id, row.scenario_id)

    def extend_deadline(self, session_id: int) -> datetime | None:
        """Give a fresh deadline (e.g. after the bot was offline and could not hear replies)."""
        now = self.clock()
        with self.db.session() as s:
            row = self._row(s, session_id)
            turns = self._turns(s, session_id)
            if row.status != "active" or not turns or turns[-1].speaker != "customer":
                return None
            turns[-1].deadline_at = now + timedelta(seconds=row.reply_seconds)
            s.add(turns[-1])
            return turns[-1].deadline_at

    # --- commands -------------------------------------------------------------------------

    def start(self, *, learner_id: str, scenario_id: str, learner_name: str = "",
              guild_id: str | None = None, channel_id: str | None = None,
              reply_seconds: int | None = None, seed: int | None = None) -> TurnResult:
        """Open a session and the customer's first line; one active session per learner."""
        scenario = self.catalogue.get(scenario_id)
        now = self.clock()
        with self.db.session() as s:
            existing = s.exec(select(PracticeSession).where(
                PracticeSession.learner_id == learner_id, PracticeSession.status == "active")).first()
            if existing is not None:
                raise AlreadyActive(existing.id or 0)
            row = PracticeSession(
                learner_id=learner_id, learner_name=learner_name[:100], guild_id=guild_id,
                channel_id=channel_id, scenario_id=scenario.id,
                seed=seed if seed is not None else random.SystemRandom().randrange(2**31),
                reply_seconds=reply_seconds or scenario.reply_seconds, started_at=now,
            )
            s.add(row)
            try:
                s.flush()  # two quick starts can both pass the check; the partial unique index decides
            except IntegrityError:
                s.rollback()
                raise AlreadyActive(self._active_id(learner_id)) from None
            engine = PersonaEngine(scenario, row.seed)
            opening = engine.open()
            self._add_customer_turn(s, row, 0, opening, now)
            return TurnResult(row.id or 0, self._line(scenario, opening, row, now))

    def reply(self, session_id: int, text: str, *, learner_id: str | None = None,
              message_id: str | None = None) -> TurnResult:
        """Record a learner reply (with the face's message id, to find later ones after a restart),
        then mark it and let the customer answer."""
        cleaned = clean_reply(text)
        pending = self.resume(session_id)  # a reply stored before a crash is answered first
        if pending is not None and pending.ended:
            raise SessionOver(messages.SESSION_OVER)
        now = self.clock()
        with self.db.session() as s:  # 1: the words are safe before anything reacts
            self._open_row(s, session_id, learner_id)
            turns = self._turns(s, session_id)
            deadline = turns[-1].deadline_at if turns and turns[-1].speaker == "customer" else None
            s.add(Turn(session_id=session_id, position=len(turns), speaker="learner", kind="line",
                       text=cleaned, created_at=now, late=bool(deadline and now > deadline),
                       discord_message_id=message_id))
        return self._react(session_id)

    def last_message_id(self, session_id: int) -> str | None:
        """The face's id of the newest stored learner message (what to read history after)."""
        with self.db.session() as s:
            ids = s.exec(select(Turn.discord_message_id).where(
                Turn.session_id == session_id, col(Turn.discord_message_id).is_not(None)))
            return max(ids, key=int, default=None)

    def silence(self, session_id: int, *, deadline: datetime | None = None) -> TurnResult | None:
        """Record a missed deadline; None when it is stale (the learner replied, or time remains)."""
        now = self.clock()
        with self.db.session() as s:
            row = self._row(s, session_id)
            if row.status != "active":
                return None
            turns = self._turns(s, session_id)
            last = turns[-1]
            if last.speaker != "customer" or last.deadline_at is None or last.deadline_at > now:
                return None
            if deadline is not None and abs((last.deadline_at - deadline).total_seconds()) > 1:
                return None
            s.add(Turn(session_id=session_id, position=len(turns), speaker="learner", kind="silence",
                       created_at=now))
        return self._react(session_id)

    def end(self, session_id: int, *, learner_id: str | None = None) -> TurnResult:
        """The learner ends the role-play (an unanswered reply is answered first)."""
        with self.db.session() as s:
            self._open_row(s, session_id, learner_id)
        pending = self.resume(session_id)
        if pending is not None and pending.ended:
            return pending
        now = self.clock()
        with self.db.session() as s:
            turns = self._turns(s, session_id)
            s.add(Turn(session_id=session_id, position=len(turns), speaker="learner", kind="end",
                       created_at=now))
        return self._react(session_id)

    def resume(self, session_id: int) -> TurnResult | None:
        """After a restart: answer a reply that was stored but never reacted to."""
        with self.db.session() as s:
            row = self._row(s, session_id)
            turns = self._turns(s, session_id)
            if row.status != "active" or not turns or turns[-1].speaker != "learner":
                return None
        return self._react(session_id)

    def close_abandoned(self, session_id: int) -> TurnResult:
        """End a session that cannot carry on (e.g. its thread is gone) as ended by the learner."""
        return self.end(session_id)

    # --- internals ------------------------------------------------------------------------

    def _active_id(self, learner_id: str) -> int:
        row = self.active_for(learner_id)
        return (row.id or 0) if row else 0

    def _row(self, s: Session, session_id: int) -> PracticeSession:
        row = s.get(PracticeSession, session_id)
        if row is None:
            raise SessionNotFound(messages.NO_SUCH_SESSION.format(session_id=session_id))
        return row

    def _open_row(self, s: Session, session_id: int, learner_id: str | None) -> PracticeSession:
        row = self._row(s, session_id)
        if learner_id is not None and row.learner_id != learner_id:
            raise NotYourSession(messages.NOT_YOUR_SESSION)
        if row.status != "active":
            raise SessionOver(messages.SESSION_OVER)
        return row

    def _turns(self, s: Session, session_id: int) -> list[Turn]:
        return list(s.exec(select(Turn).where(Turn.session_id == session_id).order_by(col(Turn.position))))

    def _line(self, scenario: Scenario, reaction: Reaction, row: PracticeSession,
              now: datetime) -> CustomerLine:
        deadline = None if reaction.outcome else now + timedelta(seconds=row.reply_seconds)
        return CustomerLine(scenario.persona.name, reaction.line, reaction.mood, deadline)

    def _add_customer_turn(self, s: Session, row: PracticeSession, position: int,
                           reaction: Reaction, now: datetime) -> None:
        deadline = None if reaction.outcome else now + timedelta(seconds=row.reply_seconds)
        s.add(Turn(session_id=row.id or 0, position=position, speaker="customer", text=reaction.line,
                   mood=reaction.mood, created_at=now, deadline_at=deadline))

    def _replay(self, scenario: Scenario, row: PracticeSession, turns: list[Turn]) -> PersonaEngine:
        """Rebuild the engine from every learner event that has already been answered."""
        engine = PersonaEngine(scenario, row.seed)
        engine.open()
        for turn in turns[:-1] if turns and turns[-1].speaker == "learner" else turns:
            if turn.speaker != "learner":
                continue
            if turn.kind == "silence":
                engine.silence()
            elif turn.kind == "end":
                engine.end_by_learner()
            else:
                engine.hear(turn.text, Assessment(tuple(turn.marks), dict(turn.evidence),
                                                  tuple(Decimal(a) for a in turn.offered)))
        return engine

    def _react(self, session_id: int) -> TurnResult:
        now = self.clock()
        with self.db.session() as s:  # 2: marks, the customer's answer, and the end if it came
            row = self._row(s, session_id)
            scenario = self.catalogue.get(row.scenario_id)
            turns = self._turns(s, session_id)
            learner = turns[-1]
            engine = self._replay(scenario, row, turns)
            previous = next((t.text for t in reversed(turns[:-1]) if t.speaker == "customer"), "")
            if learner.kind == "silence":
                reaction = engine.silence()
            elif learner.kind == "end":
                reaction = engine.end_by_learner()
            else:
                assessment = assess_reply(learner.text, previous, reply_context(engine))
                learner.marks = list(assessment.marks)
                learner.evidence = dict(assessment.evidence)
                learner.offered = [str(a) for a in assessment.offered_amounts]
                s.add(learner)
                reaction = engine.hear(learner.text, assessment)
            learner.mood = reaction.mood  # the mood this reply (or silence) left the customer in
            s.add(learner)
            self._add_customer_turn(s, row, len(turns), reaction, now)
            report = None
            if reaction.outcome:
                s.flush()
                report = self._finish(s, row, scenario, engine, reaction.outcome, now)
            return TurnResult(session_id, self._line(scenario, reaction, row, now),
                              tuple(learner.marks), dict(learner.evidence), reaction.outcome, report)

    def _finish(self, s: Session, row: PracticeSession, scenario: Scenario, engine: PersonaEngine,
                outcome: str, now: datetime) -> dict:
        turns = self._turns(s, row.id or 0)
        facts: list[LearnerTurnFacts] = []
        previous = ""
        boundary_seen = False
        for turn in turns:
            if turn.speaker == "customer":
                previous = turn.text
                continue
            if turn.kind == "end":
                continue
            # a persona the scenario calls non-abusive never is, however heated its words
            abusive = scenario.persona.abusive and (not boundary_seen or customer_is_abusive(previous))
            facts.append(LearnerTurnFacts(
                marks=tuple(turn.marks), offered_amounts=tuple(Decimal(a) for a in turn.offered),
                silent=turn.kind == "silence", late=turn.late, customer_abusive=abusive))
            boundary_seen = boundary_seen or "boundary" in turn.marks
        assessment = assess_session(facts, SessionFacts(
            authority_limit=scenario.authority.limit_gbp, escalation_expected=scenario.escalation,
            customer_abusive=scenario.persona.abusive,
            resolution_confirmed=engine.state.checked_resolution))
        row.status, row.outcome, row.ended_at = "ended", outcome, now
        row.session_marks = list(assessment.marks)
        row.report = build_report(scenario, row, turns, assessment, engine.state.serious_failures)
        s.add(row)
        for hook in self.on_finish:
            hook(s, row)
        return row.report
