"""Each active session's persona engine and turns, kept in memory between events.

The database stays the truth: an entry is only used when the session row still has the turn
count (and reply deadline) the entry was built at, checked inside the write that records the
next event; on any mismatch or failure the entry is dropped and rebuilt by one replay. So a reply
costs the same at turn 60 as at turn 1, and a second process sharing the store stays correct.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from threading import Lock
from typing import Any

from sqlalchemy import Row

from bot.assessment import Assessment
from bot.content.scenario import Scenario
from bot.roleplay.engine import PersonaEngine
from bot.storage.models import Turn

MAX_LIVE_SESSIONS = 20_000


@dataclass(slots=True)
class TurnRecord:
    """A stored turn as plain data: the attributes the report and the replay read from `Turn`."""

    position: int
    speaker: str
    kind: str = "line"
    text: str = ""
    marks: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)
    offered: list[str] = field(default_factory=list)
    mood: int | None = None
    late: bool = False
    created_at: datetime | None = None
    deadline_at: datetime | None = None

    @classmethod
    def of(cls, row: Turn | Row[Any]) -> TurnRecord:
        """Copy a loaded `Turn` (or a Core row with the same columns)."""
        return cls(row.position, row.speaker, row.kind, row.text, list(row.marks or []),
                   dict(row.evidence or {}), list(row.offered or []), row.mood, row.late,
                   row.created_at, row.deadline_at)


@dataclass(slots=True)
class LiveSession:
    """What the next event of one session needs, without reading its turns again."""

    id: int
    learner_id: str
    guild_id: str | None
    status: str
    scenario: Scenario
    seed: int
    reply_seconds: int
    turns: list[TurnRecord]
    engine: PersonaEngine
    reply_due_at: datetime | None
    started_at: datetime  # for the report's duration, without reading the row again at the end

    @property
    def turn_count(self) -> int:
        return len(self.turns)

    @property
    def pending(self) -> bool:
        """A learner event is stored but the customer has not answered it (a crash came between)."""
        return bool(self.turns) and self.turns[-1].speaker == "learner"

    @property
    def last_customer_text(self) -> str:
        return next((t.text for t in reversed(self.turns) if t.speaker == "customer"), "")


def replay(scenario: Scenario, seed: int, turns: list[TurnRecord]) -> PersonaEngine:
    """Rebuild the engine from every learner event that has already been answered."""
    engine = PersonaEngine(scenario, seed)
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


class LiveSessions:
    """A bounded map of session id to `LiveSession`; the least recently used entry goes first."""

    def __init__(self, limit: int = MAX_LIVE_SESSIONS) -> None:
        self.limit = limit
        self._entries: OrderedDict[int, LiveSession] = OrderedDict()
        self._lock = Lock()  # faces may run different sessions' events on worker threads

    def get(self, session_id: int) -> LiveSession | None:
        with self._lock:
            live = self._entries.get(session_id)
            if live is not None:
                self._entries.move_to_end(session_id)
            return live

    def put(self, live: LiveSession) -> None:
        with self._lock:
            self._entries[live.id] = live
            self._entries.move_to_end(live.id)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def drop(self, session_id: int) -> None:
        with self._lock:
            self._entries.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._entries)
