"""The role-play service: every turn is written before anything reacts to it.

Faces (Discord, terminal, tests) call these methods with ids and text. The persona engine's
state is never stored: it is rebuilt by replaying the stored learner turns with the session's
seed, so a crash between writing a reply and reacting to it loses nothing (see `resume`).
Between events each active session's engine and turns stay in memory (`bot.roleplay.live`),
checked against the session row inside the write that records the next event, so a reply is
two short transactions whatever the length of the conversation.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import select as core_select
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot import messages
from bot.assessment import (
    LearnerTurnFacts,
    SessionFacts,
    assess_reply,
    assess_session,
)
from bot.clock import Clock, utcnow
from bot.content.catalogue import Catalogue
from bot.content.scenario import Scenario
from bot.roleplay import expiry
from bot.roleplay.engine import PersonaEngine, Reaction, reply_context
from bot.roleplay.errors import (  # noqa: F401 - the refusals are part of this module's interface
    AlreadyActive,
    NotYourSession,
    ReplyRejected,
    RolePlayError,
    SessionNotFound,
    SessionOver,
)
from bot.roleplay.expectations import Transcript, judge_expectations, parts_done
from bot.roleplay.expiry import EXPIRE_BATCH
from bot.roleplay.live import LiveSession, LiveSessions, TurnRecord, replay
from bot.roleplay.report import Ending, build_report
from bot.storage import progress
from bot.storage.db import Database
from bot.storage.models import PracticeSession, Turn

log = logging.getLogger(__name__)
MAX_REPLY_CHARS = 4000
# Unicode categories Cc (control characters) and Cs (lone surrogates), except newline and tab
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_reply(text: str) -> str:
    """Drop control characters (NUL breaks PostgreSQL) and check the length; keep everything else."""
    cleaned = _CONTROLS.sub("", text).strip()
    if not cleaned or not any(ch.isalnum() or unicodedata.category(ch).startswith("S") for ch in cleaned):
        raise ReplyRejected(messages.REPLY_EMPTY)
    if len(cleaned) > MAX_REPLY_CHARS:
        raise ReplyRejected(messages.REPLY_TOO_LONG.format(length=len(cleaned), limit=MAX_REPLY_CHARS))
    return cleaned


@dataclass(frozen=True)
class CustomerLine:
    """What the customer says, their mood, and when the learner must reply by."""

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
    report: dict[str, Any] | None = None

    @property
    def ended(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True)
class ActiveSession:
    """The active session held in a channel: just what a message needs to find it."""

    id: int
    learner_id: str


@dataclass(frozen=True)
class SessionPaused:
    """A session whose scenario can no longer be loaded (file removed or invalid): kept as it is,
    so the learner is told instead of the error stopping the sessions after it."""

    session_id: int
    learner_id: str
    channel_id: str | None
    scenario_id: str


FinishHook = Callable[[DbSession, PracticeSession], None]


class _MovedOn(Exception):
    """Another process recorded an event in this session meanwhile; our reaction was rolled back."""


class RolePlayService:
    """Start, reply, fall silent, end and resume role-plays, storing every word."""

    def __init__(self, db: Database, catalogue: Catalogue, clock: Clock = utcnow,
                 on_finish: Sequence[FinishHook] = ()) -> None:
        self.db = db
        self.catalogue = catalogue
        self.clock = clock
        self.on_finish = list(on_finish)
        self.live = LiveSessions()
        self.progress = progress.Progress(db.engine)
        # one session's events run one at a time, whichever thread brings them (striped: bounded memory)
        self._stripes = [threading.RLock() for _ in range(256)]

    def in_order(self, session_id: int) -> threading.RLock:
        """The lock that keeps one session's events in order across worker threads."""
        return self._stripes[session_id % len(self._stripes)]

    # --- queries --------------------------------------------------------------------------

    def get(self, session_id: int) -> PracticeSession:
        with self.db.session() as s:
            row = s.get(PracticeSession, session_id)
            if row is None:
                raise SessionNotFound(messages.NO_SUCH_SESSION.format(session_id=session_id))
            return row

    def turns(self, session_id: int) -> list[Turn]:
        with self.db.session() as s:
            return list(s.exec(select(Turn).where(Turn.session_id == session_id).order_by(col(Turn.position))))

    def active_for(self, learner_id: str) -> PracticeSession | None:
        with self.db.session() as s:
            return s.exec(select(PracticeSession).where(
                PracticeSession.learner_id == learner_id, PracticeSession.status == "active")).first()

    def active_sessions(self) -> list[PracticeSession]:
        with self.db.session() as s:
            return list(s.exec(select(PracticeSession).where(PracticeSession.status == "active")
                               .order_by(col(PracticeSession.id))))

    def active_in_channel(self, channel_id: str) -> ActiveSession | None:
        """The role-play being held in a channel or thread, if any (read on every message: one indexed row)."""
        found = self.progress.active_in_channel(channel_id)
        return None if found is None else ActiveSession(*found)

    def overdue(self, now: datetime, *, in_guilds_only: bool = False, limit: int | None = None) -> list[int]:
        """Active sessions whose customer has waited past the reply deadline, longest first."""
        return expiry.overdue(self, now, in_guilds_only=in_guilds_only, limit=limit)

    def expire_deadlines(self, now: datetime, *,
                         in_guilds_only: bool = False) -> list[TurnResult | SessionPaused]:
        """Let every overdue customer react to the silence (see `bot.roleplay.expiry`)."""
        return expiry.expire_deadlines(self, now, in_guilds_only=in_guilds_only)

    def expire_batch(self, now: datetime, *, limit: int = EXPIRE_BATCH, in_guilds_only: bool = False,
                     passed: set[int] | None = None) -> tuple[list[TurnResult | SessionPaused], int]:
        """Claim up to `limit` overdue sessions and record their silences (see `bot.roleplay.expiry`)."""
        return expiry.expire_batch(self, now, limit=limit, in_guilds_only=in_guilds_only, passed=passed)

    def _expire(self, conn: Connection, session_id: int, now: datetime) -> TurnResult | None:
        """The silence of a claimed session, inside the claiming transaction."""
        return expiry.expire_claimed(self, conn, session_id, now)

    def paused(self, session_id: int) -> SessionPaused:
        """Log that a session's scenario is missing and say so in a result a face can show.

        Its reply clock stops, so the timers do not tell the learner again every tick: the session
        waits, words and all, and the next reply (or a restart) tries the scenario again.
        """
        self.live.drop(session_id)
        with self.db.session() as s:
            row = s.get(PracticeSession, session_id)
            if row is None:
                raise SessionNotFound(messages.NO_SUCH_SESSION.format(session_id=session_id))
            row.reply_due_at = None
            s.add(row)
        log.error("session %s: scenario %r cannot be loaded (file removed or invalid); the session "
                  "is kept and waits", session_id, row.scenario_id)
        return SessionPaused(session_id, row.learner_id, row.channel_id, row.scenario_id)

    def extend_deadline(self, session_id: int) -> datetime | None:
        """Give a fresh deadline (e.g. after the bot was offline and could not hear replies)."""
        now = self.clock()
        live = self._load(session_id)
        if live.status != "active" or not live.turns or live.pending:
            return None
        deadline = now + timedelta(seconds=live.reply_seconds)
        with self.db.engine.begin() as conn:
            conn.execute(progress.SESSIONS.update().where(progress.SESSIONS.c.id == session_id)
                         .values(reply_due_at=deadline))
            conn.execute(progress.TURNS.update().where(
                progress.TURNS.c.session_id == session_id,
                progress.TURNS.c.position == live.turn_count - 1).values(deadline_at=deadline))
        self.live.drop(session_id)
        return deadline

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
            engine = PersonaEngine(scenario, row.seed)
            opening = engine.open()
            line = self._line(scenario, opening, row.reply_seconds, now)
            row.turn_count, row.reply_due_at = 1, line.deadline
            s.add(row)
            try:
                s.flush()  # two quick starts can both pass the check; the partial unique index decides
            except IntegrityError:
                s.rollback()
                raise AlreadyActive(self._active_id(learner_id)) from None
            session_id = row.id or 0
            with self.progress.transaction(conn=s.connection()) as cursor:
                self.progress.add_turn(cursor, session_id=session_id, position=0, speaker="customer",
                                       text=opening.line, mood=opening.mood, created_at=now,
                                       deadline_at=line.deadline)
        opening_turn = TurnRecord(0, "customer", text=opening.line, mood=opening.mood, created_at=now,
                                  deadline_at=line.deadline)
        self.live.put(LiveSession(session_id, learner_id, "active", scenario, row.reply_seconds, [opening_turn],
                                  engine, line.deadline, now))
        return TurnResult(session_id, line)

    def reply(self, session_id: int, text: str, *, learner_id: str | None = None,
              message_id: str | None = None) -> TurnResult:
        """Record a learner reply (with the face's message id, to find later ones after a restart),
        then mark it and let the customer answer."""
        cleaned = clean_reply(text)
        with self.in_order(session_id), self.progress.connection() as raw:  # one connection, two transactions
            now = self.clock()
            live = self.live.get(session_id)
            if live is None or not self._record(live, "line", cleaned, now, learner_id=learner_id, raw=raw,
                                                message_id=message_id):
                live, pending = self._ready(session_id, learner_id)  # a reply stored before a crash is answered first
                if pending is not None and pending.ended:
                    raise SessionOver(messages.SESSION_OVER)
                if not self._record(live, "line", cleaned, now, learner_id=learner_id, raw=raw,
                                    message_id=message_id):
                    raise SessionOver(messages.SESSION_OVER)
            return self._react(live, now, raw)

    def last_customer_words(self, session_id: int) -> str:
        """What the customer said last, read from the store: a face repeats it after a restart, since
        a process that died between storing and posting it never showed it (`LiveSession.last_customer_text`
        is the same answer for a session in memory)."""
        with self.db.session() as s:
            text = s.exec(select(Turn.text).where(Turn.session_id == session_id, Turn.speaker == "customer")
                          .order_by(col(Turn.position).desc()).limit(1)).first()
        return text or ""

    def last_message_id(self, session_id: int) -> str | None:
        """The face's id of the newest stored learner message (what to read history after)."""
        with self.db.session() as s:
            ids = s.exec(select(Turn.discord_message_id).where(
                Turn.session_id == session_id, col(Turn.discord_message_id).is_not(None)))
            return max((i for i in ids if i is not None), key=int, default=None)

    def silence(self, session_id: int, *, deadline: datetime | None = None) -> TurnResult | None:
        """Record a missed deadline; None when it is stale (the learner replied, or time remains)."""
        with self.in_order(session_id):
            return self._silence(session_id, deadline)

    def _silence(self, session_id: int, deadline: datetime | None) -> TurnResult | None:
        now = self.clock()
        cached = self.live.get(session_id)
        for live in (cached, None) if cached is not None else (None,):
            if live is None:
                try:
                    live = self._load(session_id)
                except SessionNotFound:
                    return None
            due = live.reply_due_at
            if live.status != "active" or live.pending or due is None or due > now:
                continue
            if deadline is not None and abs((due - deadline).total_seconds()) > 1:
                continue
            if self._record(live, "silence", "", now):
                return self._react(live, now)
        return None

    def end(self, session_id: int, *, learner_id: str | None = None) -> TurnResult:
        """The learner ends the role-play (an unanswered reply is answered first)."""
        with self.in_order(session_id):
            return self._end(session_id, learner_id)

    def _end(self, session_id: int, learner_id: str | None) -> TurnResult:
        now = self.clock()
        live = self.live.get(session_id)
        if live is None or not self._record(live, "end", "", now, learner_id=learner_id):
            live, pending = self._ready(session_id, learner_id)
            if pending is not None and pending.ended:
                return pending
            if not self._record(live, "end", "", now, learner_id=learner_id):
                raise SessionOver(messages.SESSION_OVER)
        return self._react(live, now)

    def resume(self, session_id: int) -> TurnResult | None:
        """After a restart: answer a reply that was stored but never reacted to."""
        with self.in_order(session_id):
            live = self._load(session_id)
            if live.status != "active" or not live.pending:
                return None
            return self._react(live, self.clock())

    def close_abandoned(self, session_id: int) -> TurnResult:
        """End a session that cannot carry on (e.g. its thread is gone) as ended by the learner."""
        return self.end(session_id)

    # --- internals ------------------------------------------------------------------------

    def _load(self, session_id: int) -> LiveSession:
        """Read the session and its turns once and replay the engine; cached when nothing is pending."""
        for attempt in range(3):
            with self.db.engine.connect() as conn:
                row = conn.execute(core_select(progress.SESSIONS)
                                   .where(progress.SESSIONS.c.id == session_id)).first()
                if row is None:
                    raise SessionNotFound(messages.NO_SUCH_SESSION.format(session_id=session_id))
                turns = [TurnRecord.of(t) for t in progress.load_turns(conn, session_id=session_id)]
                due = row.reply_due_at
                if len(turns) == row.turn_count:
                    break  # otherwise a writer committed between the two reads: read again
                if attempt == 2:  # turns written without the row (by hand, or an older version): they win
                    last = turns[-1] if turns else None
                    due = last.deadline_at if last and last.speaker == "customer" and row.status == "active" else None
                    progress.repair_count(conn, session_id=session_id, count=len(turns), due_at=due)
                    conn.commit()
        assert row is not None  # each attempt raised or read it
        scenario = self.catalogue.get(row.scenario_id)
        live = LiveSession(row.id, row.learner_id, row.status, scenario, row.reply_seconds, turns,
                           replay(scenario, row.seed, turns), due, row.started_at)
        if live.status == "active" and not live.pending:
            self.live.put(live)
        else:
            self.live.drop(session_id)
        return live

    def _active_id(self, learner_id: str) -> int:
        row = self.active_for(learner_id)
        return (row.id or 0) if row else 0

    def _ready(self, session_id: int, learner_id: str | None) -> tuple[LiveSession, TurnResult | None]:
        """The session fresh from the store, refusals raised, a pending event answered."""
        live = self._load(session_id)
        if learner_id is not None and live.learner_id != learner_id:
            raise NotYourSession(messages.NOT_YOUR_SESSION)
        if live.status != "active":
            raise SessionOver(messages.SESSION_OVER)
        pending = self._react(live, self.clock()) if live.pending else None
        return live, pending

    def _record(self, live: LiveSession, kind: str, text: str, now: datetime, *,
                learner_id: str | None = None, raw: PoolProxiedConnection | None = None,
                conn: Connection | None = None, message_id: str | None = None) -> bool:
        """Commit the learner's event on its own; False (and the entry dropped) when the row moved on.

        The row must still hold the deadline `live` knows: a silence, whose callers check that this
        deadline has passed, thereby matches only a row whose deadline has passed.
        """
        due = live.reply_due_at
        late = kind == "line" and due is not None and now > due
        position = live.turn_count
        with self.progress.transaction(raw, conn) as cursor:
            moved = self.progress.advance(cursor, session_id=live.id, count=position, due_at=due,
                                          new_due_at=None, learner_id=learner_id)
            if moved:
                self.progress.add_turn(cursor, session_id=live.id, position=position, speaker="learner",
                                       kind=kind, text=text, late=late, created_at=now, message_id=message_id)
        if not moved:
            self.live.drop(live.id)
            return False
        live.turns.append(TurnRecord(position, "learner", kind, text, late=late, created_at=now))
        live.reply_due_at = None
        return True

    def _line(self, scenario: Scenario, reaction: Reaction, reply_seconds: int, now: datetime) -> CustomerLine:
        deadline = None if reaction.outcome else now + timedelta(seconds=reply_seconds)
        return CustomerLine(scenario.persona.name, reaction.line, reaction.mood, deadline)

    def _react(self, live: LiveSession, now: datetime, raw: PoolProxiedConnection | None = None, *,
               retry: bool = True,
               conn: Connection | None = None) -> TurnResult:
        """Mark the pending learner event, let the customer answer, and store both in one transaction."""
        try:
            return self._answer(live, now, raw, conn)
        except _MovedOn:
            self.live.drop(live.id)
            if conn is not None:
                raise  # inside a caller's transaction: it rolls back and the caller decides
            fresh = self._load(live.id) if retry else None
            if fresh is None or fresh.status != "active" or not fresh.pending:
                return TurnResult(live.id, None)  # another process answered it
            return self._react(fresh, now, retry=False)
        except BaseException:
            self.live.drop(live.id)  # the engine may have moved past what was stored
            raise

    def _answer(self, live: LiveSession, now: datetime, raw: PoolProxiedConnection | None,
                outer: Connection | None) -> TurnResult:
        learner = live.turns[-1]
        engine = live.engine
        if learner.kind == "silence":
            reaction = engine.silence()
        elif learner.kind == "end":
            reaction = engine.end_by_learner()
        else:
            assessment = assess_reply(learner.text, live.last_customer_text, reply_context(engine))
            learner.marks = list(assessment.marks)
            learner.evidence = dict(assessment.evidence)
            learner.offered = [str(a) for a in assessment.offered_amounts]
            reaction = engine.hear(learner.text, assessment)
        learner.mood = reaction.mood  # the mood this reply (or silence) left the customer in
        line = self._line(live.scenario, reaction, live.reply_seconds, now)
        position = live.turn_count
        report = None
        # end hooks take an ORM session, so an end with hooks goes through an SQLAlchemy connection
        if outer is not None:
            joined: Any = nullcontext(outer)
        else:
            joined = self.db.engine.begin() if reaction.outcome and self.on_finish else nullcontext()
        with joined as conn, self.progress.transaction(raw, conn) as cursor:
            self.progress.mark_turn(cursor, session_id=live.id, position=learner.position, marks=learner.marks,
                                    evidence=learner.evidence, offered=learner.offered, mood=learner.mood)
            if not self.progress.advance(cursor, session_id=live.id, count=position, due_at=None,
                                         new_due_at=line.deadline):
                raise _MovedOn
            self.progress.add_turn(cursor, session_id=live.id, position=position, speaker="customer",
                                   text=reaction.line, mood=reaction.mood, created_at=now,
                                   deadline_at=line.deadline)
            live.turns.append(TurnRecord(position, "customer", text=reaction.line, mood=reaction.mood,
                                         created_at=now, deadline_at=line.deadline))
            live.reply_due_at = line.deadline
            if reaction.outcome:
                report = self._finish(cursor, conn, live, reaction.outcome, now)
        if reaction.outcome:
            self.live.drop(live.id)
        return TurnResult(live.id, line, tuple(learner.marks), dict(learner.evidence), reaction.outcome, report)

    def _finish(self, cursor: DBAPICursor, conn: Connection | None, live: LiveSession, outcome: str,
                now: datetime) -> dict[str, Any]:
        """Mark the whole session, build the report and run the end hooks, in the caller's transaction.

        The row is closed with one prepared UPDATE; only the hooks, which take an ORM session and
        row, pay for loading it (`conn` is then the SQLAlchemy connection the cursor belongs to).
        """
        scenario, engine = live.scenario, live.engine
        # whether the customer was abusive is the scenario's to say, for the whole call (SessionFacts):
        # a persona it calls non-abusive never is, however heated its words, so no turn is judged alone
        facts = [LearnerTurnFacts(marks=tuple(turn.marks), offered_amounts=tuple(Decimal(a) for a in turn.offered),
                                  silent=turn.kind == "silence", late=turn.late)
                 for turn in live.turns if turn.speaker == "learner" and turn.kind != "end"]
        sprung = [t for t in scenario.traps if t.id in engine.state.traps_sprung and t.counts_as]
        assessment = assess_session(facts, SessionFacts(
            authority_limit=scenario.authority.limit_gbp, escalation_expected=scenario.escalation,
            customer_abusive=scenario.persona.abusive,
            resolution_confirmed=engine.state.checked_resolution,
            resolution_reached=engine.state.closing is not None,
            penalties={t.counts_as: t.reason or "" for t in sprung if t.counts_as}))
        judged = judge_expectations(scenario, Transcript(
            marks=frozenset(m for t in live.turns if t.speaker == "learner" for m in t.marks),
            session_marks=frozenset(assessment.marks), parts_done=parts_done(engine.state.memory.parts_done),
            traps_sprung=frozenset(engine.state.traps_sprung), outcome=outcome,
            failures=frozenset(engine.state.serious_failures)))
        report = build_report(scenario, Ending(live.id, outcome, live.started_at, now), live.turns, assessment,
                              engine.state.serious_failures, judged)
        self.progress.end_session(cursor, session_id=live.id, outcome=outcome, ended_at=now,
                                  session_marks=list(assessment.marks), report=report)
        if self.on_finish:
            assert conn is not None  # `_answer` opens one when there are hooks
            with DbSession(bind=conn, expire_on_commit=False) as s:
                row = s.get(PracticeSession, live.id)
                assert row is not None
                for hook in self.on_finish:
                    hook(s, row)
                s.commit()  # joins the caller's transaction: flushes what the hooks added, commits with it
        return report
