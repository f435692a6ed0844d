"""The role-play's hot writes: SQL built by SQLAlchemy once, run on the bare driver connection.

A reply writes a handful of small rows; through the ORM (or even Core's per-call compilation
and result machinery) that cost many times the writes themselves. Here each statement is
compiled once per database dialect, its parameters converted by the column types' own bind
processors, and executed on the pooled DBAPI connection.

Every write that adds a turn moves the session row's `turn_count` with a guarded UPDATE, so
the row doubles as the check that a process's in-memory state is still current: when another
process (or a restart) moved the session on, the guard matches no row and the caller replays.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, bindparam, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlmodel import SQLModel

from bot.storage.models import PracticeSession, Turn


def _table(model: type[SQLModel]) -> Table:
    """The model's Core table (SQLModel does not declare `__table__` to type checkers)."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


SESSIONS = _table(PracticeSession)
TURNS = _table(Turn)
_TURN_COLUMNS = ("session_id", "position", "speaker", "kind", "text", "mood", "late", "created_at",
                 "deadline_at", "discord_message_id")  # a new turn's marks, evidence and offers start empty


def _advance(due_known: bool, by_learner: bool) -> ClauseElement:
    c = SESSIONS.c
    where = [c.id == bindparam("sid"), c.status == "active", c.turn_count == bindparam("count"),
             c.reply_due_at == bindparam("due") if due_known else c.reply_due_at.is_(None)]
    if by_learner:
        where.append(c.learner_id == bindparam("learner"))
    return update(SESSIONS).where(and_(*where)).values(
        turn_count=bindparam("new_count"), reply_due_at=bindparam("new_due"))


STATEMENTS: dict[Any, ClauseElement] = {
    ("advance", due, learner): _advance(due, learner) for due in (False, True) for learner in (False, True)
}
STATEMENTS["add_turn"] = insert(TURNS).values(
    {**{name: bindparam(name) for name in _TURN_COLUMNS}, "marks": [], "evidence": {}, "offered": []})
STATEMENTS["mark_turn"] = update(TURNS).where(
    TURNS.c.session_id == bindparam("sid"), TURNS.c.position == bindparam("pos")
).values(marks=bindparam("marks"), evidence=bindparam("evidence"), offered=bindparam("offered"),
         mood=bindparam("mood"))
STATEMENTS["end_session"] = update(SESSIONS).where(SESSIONS.c.id == bindparam("sid")).values(
    status="ended", outcome=bindparam("outcome"), ended_at=bindparam("ended_at"), reply_due_at=None,
    session_marks=bindparam("session_marks"), report=bindparam("report"))
STATEMENTS["in_channel"] = select(SESSIONS.c.id, SESSIONS.c.learner_id).where(
    SESSIONS.c.channel_id == bindparam("channel"), SESSIONS.c.status == "active")


class Prepared:
    """One statement compiled for one dialect, with the bind processors of its parameters."""

    def __init__(self, statement: ClauseElement, engine: Engine) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)  # every statement here is SQL, not DDL
        self.sql = compiled.string
        processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                      for bind, name in compiled.bind_names.items()}
        # literal values in the statement (e.g. status = 'active') are converted once, here
        self.defaults = {name: proc(bind.value) if (proc := processors[name]) else bind.value
                         for bind, name in compiled.bind_names.items() if not bind.required}
        self.processors = [(name, proc) for name, proc in processors.items()
                           if proc is not None and name not in self.defaults]
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None

    def params(self, values: dict[str, Any]) -> dict[str, Any] | tuple[Any, ...]:
        """Driver parameters: each value converted as its column type would, literals filled in."""
        merged = {**self.defaults, **values} if self.defaults else dict(values)
        for name, proc in self.processors:
            merged[name] = proc(merged[name])
        return merged if self.order is None else tuple([merged[name] for name in self.order])


class Progress:
    """The hot statements prepared for one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.prepared = {key: Prepared(statement, engine) for key, statement in STATEMENTS.items()}

    @contextmanager
    def connection(self) -> Iterator[PoolProxiedConnection]:
        """A pooled DBAPI connection, returned (rolled back if left open) afterwards."""
        raw = self.engine.raw_connection()
        try:
            yield raw
        finally:
            raw.close()

    @contextmanager
    def transaction(self, raw: PoolProxiedConnection | None = None, conn: Connection | None = None
                    ) -> Iterator[DBAPICursor]:
        """A DBAPI cursor in one transaction, committed on success.

        On `raw` (from `connection()`) or a fresh pooled connection; inside an SQLAlchemy `conn`
        it joins that transaction and leaves the commit to it.
        """
        if conn is not None:
            yield conn.connection.cursor()
            return
        with nullcontext(raw) if raw is not None else self.connection() as held:
            try:
                yield held.cursor()
                held.commit()
            except BaseException:
                held.rollback()
                raise

    def _run(self, cursor: DBAPICursor, key: Hashable, values: dict[str, Any]) -> DBAPICursor:
        prepared = self.prepared[key]
        cursor.execute(prepared.sql, prepared.params(values))
        return cursor

    def advance(self, cursor: DBAPICursor, *, session_id: int, count: int, due_at: datetime | None,
                new_due_at: datetime | None, learner_id: str | None = None) -> bool:
        """Move the session from `count` turns to `count + 1`; False when the row is not as expected.

        `due_at` is the deadline the caller believes is set; `learner_id` refuses someone else's
        session.
        """
        values: dict[str, Any] = {"sid": session_id, "count": count, "new_count": count + 1,
                                  "new_due": new_due_at, "due": due_at, "learner": learner_id}
        key = ("advance", due_at is not None, learner_id is not None)
        return self._run(cursor, key, {k: v for k, v in values.items() if v is not None or k == "new_due"}
                         ).rowcount == 1

    def add_turn(self, cursor: DBAPICursor, *, session_id: int, position: int, speaker: str, created_at: datetime,
                 kind: str = "line", text: str = "", mood: int | None = None, late: bool = False,
                 deadline_at: datetime | None = None, message_id: str | None = None) -> None:
        """Insert one turn (a learner's marks are filled in later by `mark_turn`); `message_id` is the
        face's id of the learner's message, to read the ones after it following a restart."""
        self._run(cursor, "add_turn", {
            "session_id": session_id, "position": position, "speaker": speaker, "kind": kind, "text": text,
            "mood": mood, "late": late, "created_at": created_at, "deadline_at": deadline_at,
            "discord_message_id": message_id,
        })

    def mark_turn(self, cursor: DBAPICursor, *, session_id: int, position: int, marks: list[str],
                  evidence: dict[str, str], offered: list[str], mood: int | None) -> None:
        """Store a learner event's marks and the mood it left the customer in."""
        self._run(cursor, "mark_turn", {"sid": session_id, "pos": position, "marks": marks,
                                        "evidence": evidence, "offered": offered, "mood": mood})

    def end_session(self, cursor: DBAPICursor, *, session_id: int, outcome: str, ended_at: datetime,
                    session_marks: list[str], report: dict[str, Any]) -> None:
        """Close the session row: its outcome, the whole call's marks and the report, no deadline."""
        self._run(cursor, "end_session", {"sid": session_id, "outcome": outcome, "ended_at": ended_at,
                                          "session_marks": session_marks, "report": report})

    def active_in_channel(self, channel_id: str) -> tuple[int, str] | None:
        """The id and learner of the active session held in a channel, or None.

        One statement outside a transaction: on PostgreSQL a transaction would cost a BEGIN and, as
        the connection goes back to the pool, a ROLLBACK: two of the lookup's four round trips.
        """
        with self.connection() as raw:
            driver = raw.driver_connection if self.engine.dialect.name == "postgresql" else None
            if driver is not None:
                driver.autocommit = True
            try:
                row = self._run(raw.cursor(), "in_channel", {"channel": channel_id}).fetchone()
            finally:
                if driver is not None:
                    driver.autocommit = False  # as the pool hands it out
        return None if row is None else (row[0], row[1])


def load_turns(conn: Connection, *, session_id: int) -> list[Any]:
    """Every turn of a session, in order, as Core rows."""
    return list(conn.execute(select(TURNS).where(TURNS.c.session_id == session_id)
                             .order_by(TURNS.c.position)))


def repair_count(conn: Connection, *, session_id: int, count: int, due_at: datetime | None) -> None:
    """Bring the row back in step with the turns actually stored."""
    conn.execute(update(SESSIONS).where(SESSIONS.c.id == session_id)
                 .values(turn_count=count, reply_due_at=due_at))


def claim_overdue(conn: Connection, *, now: datetime, in_guilds_only: bool, passed: set[int]) -> int | None:
    """Lock the longest-overdue session no other process holds (PostgreSQL SKIP LOCKED), or None."""
    query = select(SESSIONS.c.id).where(SESSIONS.c.status == "active", SESSIONS.c.reply_due_at <= now)
    if in_guilds_only:
        query = query.where(SESSIONS.c.guild_id.is_not(None))
    if passed:
        query = query.where(SESSIONS.c.id.not_in(passed))
    query = query.order_by(SESSIONS.c.reply_due_at, SESSIONS.c.id).limit(1).with_for_update(skip_locked=True)
    return conn.execute(query).scalar()


def overdue_ids(conn: Connection, *, now: datetime, in_guilds_only: bool, limit: int | None = None) -> list[int]:
    """Active sessions whose reply deadline has passed, through the index on `reply_due_at`."""
    query = select(SESSIONS.c.id).where(SESSIONS.c.status == "active", SESSIONS.c.reply_due_at <= now)
    if in_guilds_only:
        query = query.where(SESSIONS.c.guild_id.is_not(None))
    query = query.order_by(SESSIONS.c.reply_due_at, SESSIONS.c.id)
    if limit is not None:
        query = query.limit(limit)
    return list(conn.execute(query).scalars())
